/**
 * The validator: strict schema checks per object, then the policy and cross-object rules over the
 * whole environment, then waivers. Reports are per environment.
 */
import { runRules } from './rules/all';
import { objectId } from './rules/model';
import { kubernetesVersionViolation } from './kubernetes-version';
import { validateSchema } from './schema';
import type { Manifest } from '../lib/core/manifest';
import { matchWaivers, type Waiver } from '../lib/core/waivers';
import type { ValidationContext, ValidationReport, Violation, WaivedViolation } from './types';

export { RULE_IDS, runRules } from './rules/all';
export { checkDrPairs, DR_CREDENTIALS } from './rules/dr-pairs';
export { formatReport, reportJson } from './report';

export const WAIVER_REASON = 'waiver/reason';
export const WAIVER_UNUSED = 'waiver/unused';

/**
 * Validates one environment's objects. `extra`: findings of rules over several environments at once
 * (rules/dr-pairs.ts) that name this environment's objects; waivers apply to them as to the others.
 */
export function validate(objects: readonly Manifest[], ctx: ValidationContext, extra: readonly Violation[] = []): ValidationReport {
  const found: Violation[] = [...extra];
  const noSchemas = kubernetesVersionViolation(ctx.environment, ctx.kubernetesVersion);
  if (noSchemas !== undefined) found.push(noSchemas);
  else for (const obj of objects) for (const v of validateSchema(obj, ctx.kubernetesVersion)) found.push(v);
  for (const v of runRules(objects, ctx)) found.push(v);
  const { violations, waived } = applyWaivers(found, ctx.waivers ?? []);
  violations.sort(compareViolations);
  waived.sort((a, b) => compareViolations(a.violation, b.violation));

  const invalidObjects = new Set<string>();
  const byRule: Record<string, number> = {};
  for (const v of violations) {
    if (v.severity === 'error') invalidObjects.add(v.object);
    byRule[v.rule] = (byRule[v.rule] ?? 0) + 1;
  }
  // Count objects, not ids: waiver findings name no emitted object and never make one invalid.
  const invalid = objects.filter((o) => invalidObjects.has(objectId(o))).length;
  return {
    environment: ctx.environment,
    resources: objects.length,
    valid: objects.length - invalid,
    invalid,
    violations,
    waived,
    byRule,
  };
}

/**
 * Moves violations matched by a waiver (same kind, object name and rule: lib/core/waivers.ts) to
 * `waived`. A waiver with no written reason waives nothing and is itself an error; a waiver that
 * matches nothing is a warning, so stale waivers get cleaned up. Every waiver given is this
 * validator's: the caller leaves out those of other checkers (app/synthesize.ts).
 */
export function applyWaivers(
  found: readonly Violation[],
  waivers: readonly Waiver[],
): { violations: Violation[]; waived: WaivedViolation[] } {
  const match = matchWaivers(found, waivers, { objects: 'kind-and-name' }, (v) => v);
  const where = (waiver: Waiver) => `${waiver.kind}/${waiver.name}`;
  const violations: Violation[] = [
    ...match.unreasoned.map(
      ({ waiver, index }): Violation => ({
        rule: WAIVER_REASON,
        severity: 'error',
        object: where(waiver),
        path: `waivers[${index}].reason`,
        message: `waiver of ${waiver.rule} for ${where(waiver)} has no reason (every waiver must say why the rule does not apply)`,
      }),
    ),
    ...match.open,
    ...match.unused.map(
      ({ waiver, index }): Violation => ({
        rule: WAIVER_UNUSED,
        severity: 'warning',
        object: where(waiver),
        path: `waivers[${index}]`,
        message: `waiver of ${waiver.rule} for ${where(waiver)} matches no violation (remove it)`,
      }),
    ),
  ];
  return { violations, waived: match.waived.map(({ finding, waiver }) => ({ violation: finding, reason: waiver.reason })) };
}

function compareViolations(a: Violation, b: Violation): number {
  if (a.severity !== b.severity) return a.severity === 'error' ? -1 : 1;
  return a.object.localeCompare(b.object) || a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path);
}
