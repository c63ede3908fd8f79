/**
 * kube-score and checkov findings on an add-on that a value we set causes (attribution.ts) and no rule
 * of value-exceptions.ts excuses, waived
 * for one object with the reason: `{ kind, namespace, name, rule: '<tool>/<check id>', reason }`,
 * matched by the same matcher as every other waiver (lib/core/waivers.ts), in every environment. A
 * waiver that matches no finding of any verified environment is reported (a failure in CI) when every
 * environment was verified.
 */
import type { Waiver } from '../../../lib/core/waivers';

/**
 * None: every finding our values cause today is fixed or excused by a rule over the renders and the
 * model (value-exceptions.ts). A waiver here names one object, so it is the last resort, with its reason.
 */
export const ADDON_VALUE_WAIVERS: readonly Waiver[] = [];
