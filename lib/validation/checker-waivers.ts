/**
 * The community checkers `npm run verify` runs. A waiver whose rule reads `<tool>/<rule id>` with one
 * of these tools excuses that checker's finding; it is verify's to apply, and the in-process validator
 * leaves it alone.
 */
import type { Waiver } from './types';

/** Checkers whose findings a waiver may excuse, as they prefix a waiver's rule. */
export const WAIVABLE_CHECKERS = ['kubeconform', 'kube-score', 'pluto', 'kubectl-argo-rollouts', 'istioctl', 'checkov', 'verify'] as const;
/** Findings nobody may waive: the API server's and a stale dist/. */
export const UNWAIVABLE_CHECKERS = ['apiserver', 'dist'] as const;

/** The tool a waiver's rule names (`kube-score` of `kube-score/pod-probes-identical`), if any. */
export function waiverTool(waiver: Pick<Waiver, 'rule'>): string | undefined {
  const slash = waiver.rule.indexOf('/');
  return slash < 0 ? undefined : waiver.rule.slice(0, slash);
}

/** `npm run simulate`'s findings (app/simulate): a waiver whose rule reads `simulate/<rule>` is its to apply. */
export const SIMULATION_TOOL = 'simulate';

/** A waiver meant for `npm run simulate`: its rule reads `simulate/<rule>`. */
export function isSimulationWaiver(waiver: Pick<Waiver, 'rule'>): boolean {
  return waiverTool(waiver) === SIMULATION_TOOL;
}

/** A waiver meant for verify: its rule starts with a checker's name. */
export function isCheckerWaiver(waiver: Pick<Waiver, 'rule'>): boolean {
  const tool = waiverTool(waiver);
  return tool !== undefined && ([...WAIVABLE_CHECKERS, ...UNWAIVABLE_CHECKERS] as readonly string[]).includes(tool);
}

/** `Kind/namespace/name` of the object a waiver names, or `Kind/name` when it names no namespace (a cluster-scoped object). */
export function waiverObject(waiver: Pick<Waiver, 'kind' | 'namespace' | 'name'>): string {
  return waiver.namespace ? `${waiver.kind}/${waiver.namespace}/${waiver.name}` : `${waiver.kind}/${waiver.name}`;
}
