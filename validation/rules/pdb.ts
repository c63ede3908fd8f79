/**
 * PodDisruptionBudgets must protect availability without blocking node drains:
 * - pdb/allows-drain: the budget can ever allow a disruption (exactly one of minAvailable /
 *   maxUnavailable; not maxUnavailable 0 or minAvailable 100%).
 * - pdb/unhealthy-eviction: unhealthyPodEvictionPolicy is set (AlwaysAllow recommended), so crash-
 *   looping pods do not hold a drain hostage.
 * - ref/pdb-fits: the budget selects at least one workload and still allows a disruption when those
 *   workloads run at their minimum replica count (autoscaler minimum, else spec.replicas).
 */
import type { Violation } from '../types';
import { GK, asObj, show, violation, type Entry, type Model, type RuleFamily } from './model';

export const PDB_ALLOWS_DRAIN = 'pdb/allows-drain';
export const PDB_UNHEALTHY_EVICTION = 'pdb/unhealthy-eviction';
export const PDB_FITS = 'ref/pdb-fits';

/** An IntOrString budget: an absolute count or a percentage. */
type Budget = { readonly count: number } | { readonly percent: number };

function parseBudget(value: unknown): Budget | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { count: value };
  if (typeof value === 'string') {
    const m = /^(\d+)%$/.exec(value);
    if (m) return { percent: Number(m[1]) };
  }
  return undefined;
}

/** Disruptions the budget allows with `replicas` healthy pods; both forms round up, like the controller. */
function allowedDisruptions(field: 'minAvailable' | 'maxUnavailable', budget: Budget, replicas: number): number {
  const scaled = 'count' in budget ? budget.count : Math.ceil((budget.percent * replicas) / 100);
  return field === 'maxUnavailable' ? scaled : replicas - scaled;
}

export const pdbRules: RuleFamily = {
  ids: [PDB_ALLOWS_DRAIN, PDB_UNHEALTHY_EVICTION, PDB_FITS],
  check(model, _ctx, out: Violation[]) {
    for (const entry of model.ofKind(GK.PDB)) {
      const spec = asObj(entry.obj.spec) ?? {};
      checkEvictionPolicy(entry, spec.unhealthyPodEvictionPolicy, out);
      const budget = checkDrain(entry, spec, out);
      checkFits(model, entry, spec, budget, out);
    }
  },
};

function checkEvictionPolicy(entry: Entry, policy: unknown, out: Violation[]): void {
  const path = 'spec.unhealthyPodEvictionPolicy';
  if (policy === 'AlwaysAllow') return;
  if (policy === 'IfHealthyBudget') {
    out.push(
      violation(
        PDB_UNHEALTHY_EVICTION,
        entry,
        path,
        'unhealthyPodEvictionPolicy is "IfHealthyBudget" (AlwaysAllow is recommended so unhealthy pods never block a drain)',
        'warning',
      ),
    );
    return;
  }
  out.push(
    violation(
      PDB_UNHEALTHY_EVICTION,
      entry,
      path,
      `unhealthyPodEvictionPolicy is ${show(policy)} (must be AlwaysAllow, or IfHealthyBudget)`,
    ),
  );
}

interface ParsedBudget {
  readonly field: 'minAvailable' | 'maxUnavailable';
  readonly budget: Budget;
}

/** Checks the budget on its own; returns it when replica arithmetic is meaningful. */
function checkDrain(entry: Entry, spec: Record<string, unknown>, out: Violation[]): ParsedBudget | undefined {
  const hasMin = spec.minAvailable !== undefined;
  const hasMax = spec.maxUnavailable !== undefined;
  if (hasMin === hasMax) {
    const what = hasMin ? 'sets both minAvailable and maxUnavailable' : 'sets neither minAvailable nor maxUnavailable';
    out.push(violation(PDB_ALLOWS_DRAIN, entry, 'spec', `PodDisruptionBudget ${what} (set exactly one; maxUnavailable: 1 is recommended)`));
    return undefined;
  }
  const field = hasMax ? 'maxUnavailable' : 'minAvailable';
  const raw = spec[field];
  const budget = parseBudget(raw);
  if (!budget) {
    out.push(
      violation(PDB_ALLOWS_DRAIN, entry, `spec.${field}`, `${field} ${show(raw)} is not a non-negative integer or a percentage like "50%"`),
    );
    return undefined;
  }
  const blocks =
    field === 'maxUnavailable'
      ? 'count' in budget
        ? budget.count === 0
        : budget.percent === 0
      : 'percent' in budget && budget.percent >= 100;
  if (blocks) {
    out.push(
      violation(
        PDB_ALLOWS_DRAIN,
        entry,
        `spec.${field}`,
        `${field} ${show(raw)} never allows a disruption, so node drains block (use maxUnavailable >= 1 or a smaller minAvailable)`,
      ),
    );
    return undefined;
  }
  return { field, budget };
}

function checkFits(model: Model, entry: Entry, spec: Record<string, unknown>, parsed: ParsedBudget | undefined, out: Violation[]): void {
  const selector = asObj(spec.selector);
  if (!selector) {
    out.push(
      violation(
        PDB_FITS,
        entry,
        'spec.selector',
        'PodDisruptionBudget has no selector, so it selects no pods (select the pods of one workload)',
      ),
    );
    return;
  }
  const workloads = model.workloadsMatching(entry.namespace, selector);
  if (workloads.length === 0) {
    out.push(
      violation(
        PDB_FITS,
        entry,
        'spec.selector',
        `selector ${show(selector)} matches no workload's pod template in namespace ${entry.namespace}`,
      ),
    );
    return;
  }
  if (!parsed) return;
  let total = 0;
  const sources: string[] = [];
  for (const w of workloads) {
    const min = model.minReplicas(w);
    // DaemonSets, Jobs and bare Pods have no replica count to reason about.
    if (!min) return;
    // A workload scaled to zero has nothing to drain; at one pod it must still be drainable.
    total += Math.max(min.count, 1);
    sources.push(`${w.entry.id} (${min.source})`);
  }
  const allowed = allowedDisruptions(parsed.field, parsed.budget, total);
  if (allowed >= 1) return;
  out.push(
    violation(
      PDB_FITS,
      entry,
      `spec.${parsed.field}`,
      `${parsed.field} ${show(spec[parsed.field])} allows ${allowed} disruptions at the minimum of ${total} replicas of ${sources.join(', ')} (must allow at least 1: minAvailable below the minimum replicas, or maxUnavailable >= 1)`,
    ),
  );
}
