/**
 * net/default-deny: every namespace the set creates (a Namespace object) or installs a chart into (a
 * Flux HelmRelease's target namespace, an Argo CD Application's destination on this cluster with a
 * Helm source) has a default deny in both directions: a NetworkPolicy that selects every pod
 * (`podSelector: {}`) with policyType Ingress and no ingress rule, and one (the same or another) with
 * Egress and no egress rule (Kubernetes docs, Network Policies, "Default policies"). Without it every
 * pod there accepts connections from, and opens them to, anything: a webhook, an operator holding
 * cluster-wide rights, or the Istio agent's unauthenticated port 15020 would be guarded by nothing.
 * The namespaces the cluster owns (kube-system, kube-public, kube-node-lease, default) are not the
 * set's to isolate; an Application aimed at another cluster (a fleet hub's) is that cluster's.
 */
import type { Violation } from '../types';
import { helmInstalls } from './addons';
import { GK, asArray, asObj, asString, isObj, type Entry, type Model, type RuleFamily, violation } from './model';

export const DEFAULT_DENY = 'net/default-deny';

/** The namespaces every cluster has: its own, never this repository's to label or isolate. */
const CLUSTER_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'default']);

/** The in-cluster destination of an Argo CD Application (the cluster Argo CD runs in). */
const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** Where the set puts workloads of its own: each namespace with the object that puts them there. */
function ownNamespaces(model: Model): Map<string, { entry: Entry; path: string }> {
  const out = new Map<string, { entry: Entry; path: string }>();
  for (const namespace of model.ofKind(GK.Namespace)) out.set(namespace.name, { entry: namespace, path: 'metadata.name' });
  for (const install of helmInstalls(model)) {
    const spec = asObj(install.entry.obj.spec) ?? {};
    if (install.entry.kind === 'Application') {
      const destination = asObj(spec.destination) ?? {};
      const server = asString(destination.server);
      const name = asString(destination.name);
      const inCluster = server === IN_CLUSTER_SERVER || (server === undefined && (name === undefined || name === 'in-cluster'));
      const namespace = asString(destination.namespace);
      if (inCluster && namespace !== undefined && !out.has(namespace)) {
        out.set(namespace, { entry: install.entry, path: 'spec.destination.namespace' });
      }
    } else {
      const namespace = asString(spec.targetNamespace) ?? install.entry.namespace;
      if (!out.has(namespace)) out.set(namespace, { entry: install.entry, path: 'spec.targetNamespace' });
    }
  }
  for (const name of CLUSTER_NAMESPACES) out.delete(name);
  return out;
}

/** Whether a selector selects every pod: no labels and no expressions. */
function everyPod(selector: unknown): boolean {
  const o = asObj(selector);
  if (o === undefined) return false;
  return Object.keys(asObj(o.matchLabels) ?? {}).length === 0 && asArray(o.matchExpressions).length === 0;
}

/** The directions (Ingress, Egress) some policy of the namespace denies to every pod. */
function deniedDirections(model: Model, namespace: string): Set<string> {
  const denied = new Set<string>();
  for (const policy of model.ofKind(GK.NetworkPolicy)) {
    if (policy.namespace !== namespace) continue;
    const spec = asObj(policy.obj.spec) ?? {};
    if (!everyPod(spec.podSelector)) continue;
    const types = asArray(spec.policyTypes).filter((t): t is string => typeof t === 'string');
    // Without policyTypes, Ingress always applies and Egress only when egress rules are given.
    const effective = types.length > 0 ? types : ['Ingress', ...(spec.egress === undefined ? [] : ['Egress'])];
    for (const type of effective) {
      const rules = type === 'Ingress' ? spec.ingress : spec.egress;
      if (asArray(rules).filter(isObj).length === 0) denied.add(type);
    }
  }
  return denied;
}

export const defaultDenyRules: RuleFamily = {
  ids: [DEFAULT_DENY],
  check(model, _ctx, out: Violation[]) {
    for (const [namespace, { entry, path }] of ownNamespaces(model)) {
      const denied = deniedDirections(model, namespace);
      const missing = ['Ingress', 'Egress'].filter((type) => !denied.has(type));
      if (missing.length === 0) continue;
      out.push(
        violation(
          DEFAULT_DENY,
          entry,
          path,
          `namespace ${namespace} has no default-deny NetworkPolicy for ${missing.join(' and ')} (podSelector {}, policyTypes ${missing.join(', ')}, no rules): every pod there ${missing.includes('Ingress') ? 'accepts connections from anything' : 'may connect anywhere'}; deny by default and allow what its pods need`,
        ),
      );
    }
  },
};
