/**
 * Untrusted code (the user-project sandbox, seed 003). A namespace labelled `workload-trust: untrusted`
 * runs code the platform did not write:
 * - sandbox/isolation: every pod template there runs under GKE Sandbox's `gvisor` RuntimeClass (gVisor's
 *   user-space kernel; GKE creates the RuntimeClass with handler `gvisor` and taints the pool's nodes
 *   `sandbox.gke.io/runtime=gvisor:NoSchedule`), is pinned to one node pool by the pool label, and no pod
 *   template outside the namespace selects that pool: a container escape must land beside no platform
 *   pod, its secrets or its mesh identity.
 */
import { GKE_SANDBOX, UNTRUSTED_NAMESPACE_LABEL } from '../../sandbox-runtime';
import type { ValidationContext, Violation } from '../types';
import { asArray, asObj, asString, asStringMap, GK, show, violation, type Model, type PodRef, type RuleFamily } from './model';

export const SANDBOX_ISOLATION = 'sandbox/isolation';

const SANDBOX_RUNTIME = GKE_SANDBOX.runtimeClassName;
const SANDBOX_TAINT = { key: GKE_SANDBOX.nodeLabel, value: GKE_SANDBOX.value, effect: GKE_SANDBOX.effect } as const;
/** GKE's node-pool label, where the context does not name the cluster's. */
const GKE_POOL_LABEL = 'cloud.google.com/gke-nodepool';

/** Namespaces labelled as running untrusted code. */
export function untrustedNamespaces(model: Model): Set<string> {
  return new Set(
    model
      .ofKind(GK.Namespace)
      .filter((ns) => asStringMap(ns.obj.metadata.labels)[UNTRUSTED_NAMESPACE_LABEL.key] === UNTRUSTED_NAMESPACE_LABEL.value)
      .map((ns) => ns.name),
  );
}

function poolOf(pod: PodRef, label: string): string | undefined {
  return asStringMap(pod.spec.nodeSelector)[label];
}

function tolerates(pod: PodRef): boolean {
  return asArray(pod.spec.tolerations).some((t) => {
    const o = asObj(t) ?? {};
    const effect = asString(o.effect);
    const keyMatches = o.key === SANDBOX_TAINT.key || (o.key === undefined && o.operator === 'Exists');
    const valueMatches = o.operator === 'Exists' || o.value === SANDBOX_TAINT.value;
    return keyMatches && valueMatches && (effect === undefined || effect === SANDBOX_TAINT.effect);
  });
}

function checkIsolation(model: Model, ctx: ValidationContext, out: Violation[]): void {
  const label = ctx.nodePoolLabel ?? GKE_POOL_LABEL;
  const untrusted = untrustedNamespaces(model);
  if (untrusted.size === 0) return;
  const sandboxPods = model.pods.filter((p) => untrusted.has(p.entry.namespace));
  const sandboxPools = new Map<string, PodRef>();
  for (const pod of sandboxPods) {
    const runtime = pod.spec.runtimeClassName;
    if (runtime !== SANDBOX_RUNTIME) {
      out.push(
        violation(
          SANDBOX_ISOLATION,
          pod.entry,
          `${pod.path}.runtimeClassName`,
          `runtimeClassName is ${show(runtime ?? 'unset')} in namespace ${pod.entry.namespace}, which runs untrusted code: it would share the node's kernel with whatever runs there; set runtimeClassName: ${SANDBOX_RUNTIME} (GKE Sandbox)`,
        ),
      );
    }
    const pool = poolOf(pod, label);
    if (pool === undefined) {
      out.push(
        violation(
          SANDBOX_ISOLATION,
          pod.entry,
          `${pod.path}.nodeSelector`,
          `selects no node pool (${label}) in namespace ${pod.entry.namespace}, which runs untrusted code: pin it to the sandbox's own GKE Sandbox pool`,
        ),
      );
    } else {
      sandboxPools.set(pool, pod);
    }
    if (!tolerates(pod)) {
      out.push(
        violation(
          SANDBOX_ISOLATION,
          pod.entry,
          `${pod.path}.tolerations`,
          `does not tolerate ${SANDBOX_TAINT.key}=${SANDBOX_TAINT.value}:${SANDBOX_TAINT.effect}, the taint GKE puts on a GKE Sandbox pool's nodes: it can never be scheduled there`,
        ),
      );
    }
  }
  const others = [...model.pods.filter((p) => !untrusted.has(p.entry.namespace)), ...model.workloads.map((w) => w.pod)];
  const seen = new Set<PodRef>();
  for (const pod of others) {
    if (seen.has(pod) || untrusted.has(pod.entry.namespace)) continue;
    seen.add(pod);
    const pool = poolOf(pod, label);
    const sandbox = pool === undefined ? undefined : sandboxPools.get(pool);
    if (sandbox === undefined) continue;
    out.push(
      violation(
        SANDBOX_ISOLATION,
        pod.entry,
        `${pod.path}.nodeSelector`,
        `selects node pool ${show(pool)}, where ${sandbox.entry.id} runs untrusted code: a container escape there would reach this pod; run it on a pool of its own`,
      ),
    );
  }
}

export const sandboxRules: RuleFamily = {
  ids: [SANDBOX_ISOLATION],
  check(model, ctx, out) {
    checkIsolation(model, ctx, out);
  },
};
