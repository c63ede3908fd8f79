/**
 * What the simulation found, in verify's shape (environment, rule, severity, object, message), and
 * the waivers that excuse some of it: an environment's `waivers` entry whose rule reads
 * `simulate/<rule>` and that names one object by kind, namespace and name, with its reason. A waiver
 * that matches nothing is itself a finding (a warning; an error in CI, as verify's).
 */
import { matchWaivers, type Waiver, type WaiverScope, unusedWaiverMessage, waiverObject } from '../../lib/core/waivers';

/** The simulation's waivers: those whose rule reads `simulate/<rule>`, matched on the object's namespace too. */
export const SIMULATION_WAIVERS = { tools: ['simulate'], objects: 'exact' } as const satisfies WaiverScope;

/** Findings no waiver excuses: the simulation could not see its data, or the API server refused the output. */
const UNWAIVABLE_RULES: readonly SimulationRule[] = ['not-settled', 'apply-rejected'];

export type SimulationRule =
  /** a pod the scheduler could not place with every workload at its autoscaler's floor */
  | 'unschedulable-at-min'
  /** a pod the scheduler could not place with every workload at its ceiling on the pool's maxNodes */
  | 'unschedulable-at-max'
  /** the scheduler needed more nodes than the plan counts for a pool at the ceiling */
  | 'plan-count-too-small'
  /** a Deployment not Available at the floor */
  | 'not-available'
  /** the controllers could not create a workload's pods (quota, admission) */
  | 'pods-not-created'
  /** an eviction a PDB refused until the drill's bound: the node can never be drained */
  | 'eviction-blocked'
  /** a pod evicted in a zone loss that no node of the remaining zones can take */
  | 'unplaceable-after-zone-loss'
  /** a pod evicted with the spot pool that no other node can take */
  | 'unplaceable-after-spot-loss'
  /** a PDB's healthy pods below its budget after a drill */
  | 'below-budget'
  /** a Redis Sentinel set without a majority, or a PostgreSQL cluster without a primary, after a drill */
  | 'quorum-lost'
  /** a pod on a node whose taints it does not tolerate or whose labels its selector does not match */
  | 'placement'
  /** a spread constraint whose skew the scheduler could not keep (ScheduleAnyway) */
  | 'spread-skew'
  /** the cluster did not settle within the bound: the check could not see its data */
  | 'not-settled'
  /** the API server refused an object of the output or a stand-in */
  | 'apply-rejected'
  | 'waiver-unused';

export interface SimFinding {
  readonly environment: string;
  readonly rule: SimulationRule;
  readonly severity: 'error' | 'warning';
  /** `Kind/namespace/name` (`Kind/name` when cluster-scoped). */
  readonly object: string;
  /** Which step found it: `min`, `max`, `zone <name>`, `spot`, `apply`. */
  readonly phase: string;
  readonly message: string;
}

export interface WaivedSimFinding {
  readonly finding: SimFinding;
  readonly reason: string;
}

/** Splits findings into open and waived by the environment's `simulate/<rule>` waivers. */
export function applySimulationWaivers(
  environment: string,
  findings: readonly SimFinding[],
  waivers: readonly Waiver[],
): { open: SimFinding[]; waived: WaivedSimFinding[] } {
  const match = matchWaivers(findings, waivers, SIMULATION_WAIVERS, (finding) => ({
    rule: `simulate/${finding.rule}`,
    object: finding.object,
    waivable: !UNWAIVABLE_RULES.includes(finding.rule),
  }));
  const unused = match.unused.map(
    ({ waiver, index }): SimFinding => ({
      environment,
      rule: 'waiver-unused',
      severity: 'warning',
      object: waiverObject(waiver),
      phase: 'waivers',
      message: unusedWaiverMessage({ waiver, index }),
    }),
  );
  return { open: [...match.open, ...unused], waived: match.waived.map(({ finding, waiver }) => ({ finding, reason: waiver.reason })) };
}

export function compareSimFindings(a: SimFinding, b: SimFinding): number {
  return (
    (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
    a.phase.localeCompare(b.phase) ||
    a.rule.localeCompare(b.rule) ||
    a.object.localeCompare(b.object) ||
    a.message.localeCompare(b.message)
  );
}
