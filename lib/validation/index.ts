/**
 * The validator: strict schema checks per object, then the policy and cross-object rules over the
 * whole environment, then waivers. Reports are per environment.
 */
import { isCheckerWaiver, isSimulationWaiver } from './checker-waivers';
import { runRules } from './rules/all';
import { objectId } from './rules/model';
import { kubernetesVersionViolation } from './kubernetes-version';
import { validateSchema } from './schema';
import type { Manifest } from '../core/manifest';
import type { ValidationContext, ValidationReport, Violation, WaivedViolation, Waiver } from './types';

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
  // Waivers of the community checkers' rules are verify's (app/verify), those of the simulation's
  // findings are simulate's (app/simulate); neither is this validator's.
  const { violations, waived } = applyWaivers(
    found,
    (ctx.waivers ?? []).filter((waiver) => !isCheckerWaiver(waiver) && !isSimulationWaiver(waiver)),
  );
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

function waiverKey(kind: string, name: string, rule: string): string {
  return `${kind}\u0000${name}\u0000${rule}`;
}

/** Kind and name of a violation's object (`Kind/ns/name` or `Kind/name`). */
function kindAndName(object: string): [string, string] {
  return [object.slice(0, object.indexOf('/')), object.slice(object.lastIndexOf('/') + 1)];
}

/**
 * Moves violations matched by a waiver (same kind, object name and rule) to `waived`. A waiver with
 * no written reason waives nothing and is itself an error; a waiver that matches nothing is a
 * warning, so stale waivers get cleaned up.
 */
export function applyWaivers(
  found: readonly Violation[],
  waivers: readonly Waiver[],
): { violations: Violation[]; waived: WaivedViolation[] } {
  const violations: Violation[] = [];
  const waived: WaivedViolation[] = [];
  const active = new Map<string, { waiver: Waiver; index: number; used: boolean }>();
  waivers.forEach((waiver, index) => {
    const where = `${waiver.kind}/${waiver.name}`;
    if (!waiver.reason || waiver.reason.trim() === '') {
      violations.push({
        rule: WAIVER_REASON,
        severity: 'error',
        object: where,
        path: `waivers[${index}].reason`,
        message: `waiver of ${waiver.rule} for ${where} has no reason (every waiver must say why the rule does not apply)`,
      });
      return;
    }
    const key = waiverKey(waiver.kind, waiver.name, waiver.rule);
    if (!active.has(key)) active.set(key, { waiver, index, used: false });
  });
  for (const v of found) {
    const [kind, name] = kindAndName(v.object);
    const hit = active.get(waiverKey(kind, name, v.rule));
    if (!hit) {
      violations.push(v);
      continue;
    }
    hit.used = true;
    waived.push({ violation: v, reason: hit.waiver.reason });
  }
  for (const { waiver, index, used } of active.values()) {
    if (used) continue;
    violations.push({
      rule: WAIVER_UNUSED,
      severity: 'warning',
      object: `${waiver.kind}/${waiver.name}`,
      path: `waivers[${index}]`,
      message: `waiver of ${waiver.rule} for ${waiver.kind}/${waiver.name} matches no violation (remove it)`,
    });
  }
  return { violations, waived };
}

function compareViolations(a: Violation, b: Violation): number {
  if (a.severity !== b.severity) return a.severity === 'error' ? -1 : 1;
  return a.object.localeCompare(b.object) || a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path);
}
