/**
 * secret/no-plain-data — Secrets must not carry values in the manifests (which end up in Git); they
 * come from an external secret store (ExternalSecret, SealedSecret, CSI). Messages list keys only,
 * never values.
 */
import type { Violation } from '../types';
import { GK, asObj, violation, type RuleFamily } from './model';

export const NO_PLAIN_SECRETS = 'secret/no-plain-data';

export const secretRules: RuleFamily = {
  ids: [NO_PLAIN_SECRETS],
  check(model, _ctx, out: Violation[]) {
    for (const entry of model.ofKind(GK.Secret)) {
      for (const field of ['data', 'stringData'] as const) {
        const keys = Object.keys(asObj((entry.obj as Record<string, unknown>)[field]) ?? {});
        if (keys.length === 0) continue;
        out.push(
          violation(
            NO_PLAIN_SECRETS,
            entry,
            field,
            `Secret carries ${field} keys [${keys.join(', ')}] in plain manifests (no data/stringData allowed; source it from an external secret store)`,
          ),
        );
      }
    }
  },
};
