/**
 * What marks and isolates untrusted code, shared by the sandbox's construct (lib/constructs/project-sandbox.ts)
 * and the rules that hold it (validation/rules/sandbox.ts).
 *
 * GKE Sandbox: a cluster with a gVisor node pool (`--sandbox type=gvisor`) gets a RuntimeClass named
 * `gvisor` (handler `gvisor`) from GKE, and the pool's nodes the label and NoSchedule taint
 * `sandbox.gke.io/runtime=gvisor`; the RuntimeClass's `scheduling` adds the same node selector and
 * toleration to every pod that names it (Kubernetes RuntimeClass admission). GKE owns the RuntimeClass,
 * so it is not emitted here.
 */
export const GKE_SANDBOX = {
  runtimeClassName: 'gvisor',
  nodeLabel: 'sandbox.gke.io/runtime',
  value: 'gvisor',
  effect: 'NoSchedule',
} as const;

/** The toleration of a GKE Sandbox pool's taint. */
export function gkeSandboxToleration(): { key: string; operator: 'Equal'; value: string; effect: 'NoSchedule' } {
  return { key: GKE_SANDBOX.nodeLabel, operator: 'Equal', value: GKE_SANDBOX.value, effect: GKE_SANDBOX.effect };
}

/** Namespace label of a namespace whose pods run code the platform did not write. */
export const UNTRUSTED_NAMESPACE_LABEL = { key: 'workload-trust', value: 'untrusted' } as const;
