/**
 * Callers inside the cluster reach what they call:
 * - net/in-cluster-peer: an in-cluster peer is admitted by selector, never only by a CIDR. Dataplanes
 *   that enforce policy by pod identity (GKE Dataplane V2, Cilium) never match a pod's or node's source
 *   against an `ipBlock` (Cilium maintainers, cilium/cilium#19601: "Cilium doesn't support using ipBlock
 *   statements to match on pod IPs"; the Kubernetes NetworkPolicy docs leave it to the implementation),
 *   so `0.0.0.0/0` admits the internet and not the pod next door. The in-cluster caller checked here is
 *   cert-manager's controller, which fetches every HTTP-01 challenge through the edge before it asks the
 *   CA to (its reachability self-check, pkg/issuer/acme/http/http.go): the Gateway an ACME issuer's
 *   HTTP-01 route attaches to must admit the controller's pods by namespace (and pod) selector on the
 *   listener's port whenever NetworkPolicies isolate the Gateway's pods. Where cert-manager runs must be
 *   visible (its HelmRelease or Application); otherwise the rule fails.
 */
import { CERT_MANAGER_CONTROLLER_LABELS } from '../../lib/addons/names';
import type { Violation } from '../types';
import { helmInstalls } from './addons';
import { GK, asArray, asObj, asString, selectorMatches, show, violation, type Entry, type Model, type Obj, type RuleFamily } from './model';

export const IN_CLUSTER_PEER = 'net/in-cluster-peer';

const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

/** The namespace the cert-manager chart is installed into, if the set installs it. */
function certManagerNamespace(model: Model): string | undefined {
  const install = helmInstalls(model).find((i) => i.chart === 'cert-manager');
  if (install === undefined) return undefined;
  const spec = asObj(install.entry.obj.spec) ?? {};
  return install.entry.kind === 'Application' ? asString(asObj(spec.destination)?.namespace) : asString(spec.targetNamespace);
}

/** The Gateways (namespace, name, listener section) an issuer's HTTP-01 solvers attach their routes to. */
function http01Parents(issuer: Entry): { namespace: string; name: string; section?: string }[] {
  return asArray(asObj(asObj(issuer.obj.spec)?.acme)?.solvers).flatMap((solver) =>
    asArray(asObj(asObj(asObj(solver)?.http01)?.gatewayHTTPRoute)?.parentRefs).flatMap((raw) => {
      const ref = asObj(raw) ?? {};
      if ((asString(ref.kind) ?? 'Gateway') !== 'Gateway') return [];
      const namespace = asString(ref.namespace) ?? issuer.namespace;
      const section = asString(ref.sectionName);
      return [{ namespace, name: asString(ref.name) ?? '', ...(section === undefined ? {} : { section }) }];
    }),
  );
}

/** Whether an ingress rule lets `port` in. */
function rulePort(rule: Obj, port: number): boolean {
  const ports = asArray(rule.ports);
  return ports.length === 0 || ports.some((p) => asObj(p)?.port === port || asObj(p)?.port === undefined);
}

/** Whether a peer selects pods with `labels` in `namespace` by selector (an ipBlock never counts). */
function selects(peer: Obj, policyNamespace: string, namespace: string, labels: Record<string, string>): boolean {
  if (peer.ipBlock !== undefined) return false;
  const nsSelector = asObj(peer.namespaceSelector);
  const inNamespace =
    nsSelector === undefined ? policyNamespace === namespace : selectorMatches(nsSelector, { [NAMESPACE_LABEL]: namespace });
  const podSelector = asObj(peer.podSelector);
  return inNamespace && (podSelector === undefined || selectorMatches(podSelector, labels));
}

function checkHttp01SelfCheck(model: Model, out: Violation[]): void {
  const issuers = [...model.ofKind('cert-manager.io/ClusterIssuer'), ...model.ofKind('cert-manager.io/Issuer')];
  for (const issuer of issuers) {
    const parents = http01Parents(issuer);
    if (parents.length === 0) continue;
    const callerNamespace = certManagerNamespace(model);
    if (callerNamespace === undefined) {
      out.push(
        violation(
          IN_CLUSTER_PEER,
          issuer,
          'spec.acme.solvers',
          'answers HTTP-01 challenges, but no cert-manager install in the set says where its controller runs: that the Gateway admits its self-check cannot be shown',
        ),
      );
      continue;
    }
    for (const parent of parents) {
      const gateway = model.get(GK.Gateway, parent.namespace, parent.name);
      const pods = model.workloads.find((w) => w.entry === gateway);
      if (gateway === undefined || pods === undefined) continue;
      const listener = asArray(asObj(gateway.obj.spec)?.listeners)
        .map((l) => asObj(l) ?? {})
        .find((l) => parent.section === undefined || l.name === parent.section);
      const port = typeof listener?.port === 'number' ? listener.port : 80;
      const policies = model.ofKind(GK.NetworkPolicy).filter((np) => {
        const spec = asObj(np.obj.spec) ?? {};
        const types = asArray(spec.policyTypes);
        return (
          np.namespace === gateway.namespace &&
          (types.length === 0 || types.includes('Ingress')) &&
          selectorMatches(spec.podSelector ?? {}, pods.pod.labels)
        );
      });
      if (policies.length === 0) continue;
      const admitted = policies.some((np) =>
        asArray(asObj(np.obj.spec)?.ingress).some((raw) => {
          const rule = asObj(raw) ?? {};
          if (!rulePort(rule, port)) return false;
          const from = asArray(rule.from);
          return (
            from.length === 0 ||
            from.some((peer) => selects(asObj(peer) ?? {}, np.namespace, callerNamespace, { ...CERT_MANAGER_CONTROLLER_LABELS }))
          );
        }),
      );
      if (admitted) continue;
      out.push(
        violation(
          IN_CLUSTER_PEER,
          policies[0]!,
          'spec.ingress',
          `${policies.map((p) => p.id).join(', ')} admit cert-manager's controller (${callerNamespace}, ${show(CERT_MANAGER_CONTROLLER_LABELS)}) to ${gateway.id} on port ${port} by no selector: its HTTP-01 self-check comes from a pod, which dataplanes that enforce by identity (GKE Dataplane V2, Cilium) never match against an ipBlock such as 0.0.0.0/0; admit it by namespaceSelector and podSelector`,
        ),
      );
    }
  }
}

export const inClusterPeerRules: RuleFamily = {
  ids: [IN_CLUSTER_PEER],
  check(model, _ctx, out) {
    checkHttp01SelfCheck(model, out);
  },
};
