/**
 * Untrusted code (the user-project sandbox, SEC-09). A namespace labelled `workload-trust: untrusted`
 * runs code the platform did not write:
 * - sandbox/isolation: every pod template there runs under GKE Sandbox's `gvisor` RuntimeClass (gVisor's
 *   user-space kernel; GKE creates the RuntimeClass with handler `gvisor` and taints the pool's nodes
 *   `sandbox.gke.io/runtime=gvisor:NoSchedule`), is pinned to one node pool by the pool label, and no pod
 *   template outside the namespace selects that pool: a container escape must land beside no platform
 *   pod, its secrets or its mesh identity.
 * - sandbox/admission: the API server holds the namespace's pods to one shape, whoever creates them: a
 *   ValidatingAdmissionPolicyBinding with `validationActions: [Deny]` selects the namespace and binds an
 *   emitted policy that matches pod CREATE (kube-apiserver evaluates only bound policies); the `default`
 *   ServiceAccount (which a pod naming no account gets) sets automountServiceAccountToken: false; and no
 *   Role there grants Secrets, exec, attach or port-forward, or every resource or verb.
 * - sandbox/guaranteed: untrusted pods cannot starve their neighbours: every container there requests
 *   what it may use (cpu and memory requests equal limits: Guaranteed QoS), and a LimitRange holds
 *   anything else created there to that (maxLimitRequestRatio 1 for cpu and memory).
 */
import { isQuantity, parseQuantity } from '../../lib/core/quantity';
import { GKE_SANDBOX, UNTRUSTED_NAMESPACE_LABEL } from '../../lib/sandbox-runtime';
import type { ValidationContext, Violation } from '../types';
import {
  asArray,
  asObj,
  asString,
  asStringMap,
  GK,
  type Obj,
  type Model,
  type PodRef,
  type RuleFamily,
  selectorMatches,
  show,
  violation,
} from './model';

export const SANDBOX_ISOLATION = 'sandbox/isolation';
export const SANDBOX_ADMISSION = 'sandbox/admission';
export const SANDBOX_GUARANTEED = 'sandbox/guaranteed';
const LIMIT_RANGE = '/LimitRange';

const VAP = 'admissionregistration.k8s.io/ValidatingAdmissionPolicy';
const VAP_BINDING = 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding';
const ROLE = 'rbac.authorization.k8s.io/Role';
/** Resources a role in an untrusted namespace must never grant. */
const FORBIDDEN_RESOURCES = ['secrets', 'pods/exec', 'pods/attach', 'pods/portforward', '*'];

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

/** Whether a binding's namespaceSelector selects the namespace (matchLabels only, as emitted here). */
function selectsNamespace(binding: Obj, namespace: string, labels: Readonly<Record<string, string>>): boolean {
  const selector = asObj(asObj(asObj(binding.spec)?.matchResources)?.namespaceSelector);
  if (selector === undefined) return false;
  const all = { ...labels, 'kubernetes.io/metadata.name': namespace };
  return selectorMatches(selector, all);
}

function matchesPodCreate(policy: Obj): boolean {
  const rules = asArray(asObj(asObj(policy.spec)?.matchConstraints)?.resourceRules);
  return rules.some((r) => {
    const o = asObj(r) ?? {};
    const groups = asArray(o.apiGroups);
    const resources = asArray(o.resources);
    const operations = asArray(o.operations);
    return (
      (groups.includes('') || groups.includes('*')) &&
      (resources.includes('pods') || resources.includes('*')) &&
      (operations.includes('CREATE') || operations.includes('*'))
    );
  });
}

function checkAdmission(model: Model, out: Violation[]): void {
  for (const ns of model.ofKind(GK.Namespace)) {
    const labels = asStringMap(ns.obj.metadata.labels);
    if (labels[UNTRUSTED_NAMESPACE_LABEL.key] !== UNTRUSTED_NAMESPACE_LABEL.value) continue;
    const bound = model.ofKind(VAP_BINDING).filter((b) => {
      const spec = asObj((b.obj as Obj).spec) ?? {};
      const policy = model.get(VAP, '', asString(spec.policyName) ?? '');
      return (
        asArray(spec.validationActions).includes('Deny') &&
        selectsNamespace(b.obj as Obj, ns.name, labels) &&
        policy !== undefined &&
        matchesPodCreate(policy.obj as Obj)
      );
    });
    if (bound.length === 0) {
      out.push(
        violation(
          SANDBOX_ADMISSION,
          ns,
          'metadata.labels',
          `namespace ${ns.name} runs untrusted code but no ValidatingAdmissionPolicyBinding with validationActions Deny binds a policy on pod CREATE to it: whoever can create pods there picks any image, ServiceAccount, runtime and volume`,
        ),
      );
    }
    const account = model.get(GK.ServiceAccount, ns.name, 'default');
    if (account === undefined || (account.obj as Obj).automountServiceAccountToken !== false) {
      out.push(
        violation(
          SANDBOX_ADMISSION,
          ns,
          'metadata.name',
          `namespace ${ns.name} runs untrusted code but its default ServiceAccount is ${account === undefined ? 'not emitted' : 'emitted'} without automountServiceAccountToken: false: a pod that names no account gets an API token`,
        ),
      );
    }
    for (const role of model.ofKind(ROLE).filter((r) => r.namespace === ns.name)) {
      asArray((role.obj as Obj).rules).forEach((rule, i) => {
        const o = asObj(rule) ?? {};
        const granted = asArray(o.resources).filter((r): r is string => typeof r === 'string' && FORBIDDEN_RESOURCES.includes(r));
        const everyVerb = asArray(o.verbs).includes('*');
        if (granted.length === 0 && !everyVerb) return;
        out.push(
          violation(
            SANDBOX_ADMISSION,
            role,
            `rules[${i}]`,
            `grants ${[...granted, ...(everyVerb ? ['every verb'] : [])].join(', ')} in namespace ${ns.name}, which runs untrusted code: a launcher needs pods (create, get, list, watch, delete) and its template, never Secrets, exec, attach or port-forward`,
          ),
        );
      });
    }
  }
}

function quantityOf(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : asString(value);
  return text !== undefined && isQuantity(text) ? parseQuantity(text) : undefined;
}

function checkGuaranteed(model: Model, out: Violation[]): void {
  const untrusted = untrustedNamespaces(model);
  for (const ns of model.ofKind(GK.Namespace).filter((n) => untrusted.has(n.name))) {
    const ranges = model.ofKind(LIMIT_RANGE).filter((r) => r.namespace === ns.name);
    const holds = ranges.some((r) =>
      asArray(asObj((r.obj as Obj).spec)?.limits).some((l) => {
        const o = asObj(l) ?? {};
        const ratio = asObj(o.maxLimitRequestRatio) ?? {};
        return o.type === 'Container' && quantityOf(ratio.cpu) === 1 && quantityOf(ratio.memory) === 1;
      }),
    );
    if (!holds) {
      out.push(
        violation(
          SANDBOX_GUARANTEED,
          ns,
          'metadata.name',
          `namespace ${ns.name} runs untrusted code but no LimitRange there sets maxLimitRequestRatio 1 for cpu and memory on containers: a pod may request little and burst into what its neighbours were promised`,
        ),
      );
    }
  }
  for (const pod of model.pods.filter((p) => untrusted.has(p.entry.namespace))) {
    asArray(pod.spec.containers).forEach((c, i) => {
      const resources = asObj(asObj(c)?.resources) ?? {};
      const requests = asObj(resources.requests) ?? {};
      const limits = asObj(resources.limits) ?? {};
      const unequal = ['cpu', 'memory'].filter((r) => {
        const limit = quantityOf(limits[r]);
        // An absent request defaults to the limit (the API server's defaulting).
        const request = requests[r] === undefined ? limit : quantityOf(requests[r]);
        return limit === undefined || request !== limit;
      });
      if (unequal.length === 0) return;
      out.push(
        violation(
          SANDBOX_GUARANTEED,
          pod.entry,
          `${pod.path}.containers[${i}].resources`,
          `${unequal.join(' and ')} ${unequal.length > 1 ? 'requests differ from their limits or have none' : 'request differs from its limit or has none'} in namespace ${pod.entry.namespace}, which runs untrusted code: set requests equal to limits (Guaranteed QoS)`,
        ),
      );
    });
  }
}

export const sandboxRules: RuleFamily = {
  ids: [SANDBOX_ISOLATION, SANDBOX_ADMISSION, SANDBOX_GUARANTEED],
  check(model, ctx, out) {
    checkIsolation(model, ctx, out);
    checkAdmission(model, out);
    checkGuaranteed(model, out);
  },
};
