/**
 * - ref/ingress-backend: each Ingress backend names an existing Service and one of its ports (by
 *   number or name).
 * - ref/network-policy-ingress: when NetworkPolicies isolate the pods behind a backend (of an Ingress,
 *   or of an HTTPRoute or GRPCRoute, through its ExternalName Services), one of those policies admits the edge's
 *   namespace (the ingress controller's, or the Gateway's) on the target port; otherwise the edge gets
 *   connection timeouts that look like an application outage.
 */
import type { ValidationContext, Violation } from '../types';
import {
  GK,
  asArray,
  asObj,
  asString,
  asStringMap,
  isObj,
  selectorMatches,
  show,
  violation,
  type Entry,
  type Model,
  type Obj,
  type RuleFamily,
  type Workload,
} from './model';
import { GRPC_ROUTE, HTTP_ROUTE, routeBackends } from './gateway';
import { podPorts, resolveTargetPort, type ContainerPort } from './ports';

export const INGRESS_BACKEND = 'ref/ingress-backend';
export const NETWORK_POLICY_INGRESS = 'ref/network-policy-ingress';

const DEFAULT_CONTROLLER_NAMESPACE = 'ingress-nginx';

interface Backend {
  readonly service: string;
  readonly port: Obj | undefined;
  readonly path: string;
}

function backendsOf(ingress: Entry): Backend[] {
  const spec = asObj(ingress.obj.spec) ?? {};
  const out: Backend[] = [];
  const add = (backend: unknown, path: string): void => {
    const service = asObj(asObj(backend)?.service);
    const name = asString(service?.name);
    if (service && name) out.push({ service: name, port: asObj(service.port), path: `${path}.service` });
  };
  add(spec.defaultBackend, 'spec.defaultBackend');
  asArray(spec.rules).forEach((rule, r) => {
    asArray(asObj(asObj(rule)?.http)?.paths).forEach((p, i) => {
      add(asObj(p)?.backend, `spec.rules[${r}].http.paths[${i}].backend`);
    });
  });
  return out;
}

export const ingressRules: RuleFamily = {
  ids: [INGRESS_BACKEND, NETWORK_POLICY_INGRESS],
  check(model, ctx, out: Violation[]) {
    const policies = new PolicyIndex(model, ctx);
    for (const ingress of model.ofKind(GK.Ingress)) {
      for (const b of backendsOf(ingress)) {
        const service = model.get(GK.Service, ingress.namespace, b.service);
        if (!service) {
          out.push(
            violation(
              INGRESS_BACKEND,
              ingress,
              `${b.path}.name`,
              `backend Service ${show(b.service)} does not exist in namespace ${ingress.namespace}`,
            ),
          );
          continue;
        }
        const servicePort = findServicePort(service, b.port);
        if (!servicePort) {
          const declared = asArray(asObj(service.obj.spec)?.ports)
            .filter(isObj)
            .map((p) => (p.name ? `${String(p.name)}=${String(p.port)}` : String(p.port)));
          out.push(
            violation(
              INGRESS_BACKEND,
              ingress,
              `${b.path}.port`,
              `backend port ${show(b.port?.number ?? b.port?.name)} is not a port of ${service.id} (declared: ${declared.join(', ') || 'none'})`,
            ),
          );
          continue;
        }
        policies.checkBackend(ingress, b, service, servicePort, out);
      }
    }
    // A Gateway's NGINX pods run in the edge namespace and reach the same backends.
    for (const route of [...model.ofKind(HTTP_ROUTE), ...model.ofKind(GRPC_ROUTE)]) {
      for (const b of routeBackends(model, route)) {
        policies.checkBackend(route, { service: b.service.name, port: { number: b.port.port }, path: b.path }, b.service, b.port, out);
      }
    }
  },
};

function findServicePort(service: Entry, port: Obj | undefined): Obj | undefined {
  const ports = asArray(asObj(service.obj.spec)?.ports).filter(isObj);
  if (typeof port?.number === 'number') return ports.find((p) => p.port === port.number);
  if (typeof port?.name === 'string') return ports.find((p) => p.name === port.name);
  return undefined;
}

/** NetworkPolicies per namespace, and the labels of the ingress controller's namespace. */
class PolicyIndex {
  /** Per namespace: policies keyed by the first matchLabels pair of their podSelector, and the rest. */
  private readonly byNamespace = new Map<string, { keyed: Map<string, Entry[]>; unkeyed: Entry[] }>();
  private readonly controllerNamespace: string;
  private readonly controllerLabels: Record<string, string>;

  constructor(
    private readonly model: Model,
    ctx: ValidationContext,
  ) {
    for (const np of model.ofKind(GK.NetworkPolicy)) {
      let ns = this.byNamespace.get(np.namespace);
      if (!ns) {
        ns = { keyed: new Map(), unkeyed: [] };
        this.byNamespace.set(np.namespace, ns);
      }
      const first = Object.entries(asStringMap(asObj(asObj(np.obj.spec)?.podSelector)?.matchLabels))[0];
      if (!first) {
        ns.unkeyed.push(np);
        continue;
      }
      const k = pairKey(first[0], first[1]);
      let list = ns.keyed.get(k);
      if (!list) {
        list = [];
        ns.keyed.set(k, list);
      }
      list.push(np);
    }
    this.controllerNamespace = ctx.ingressControllerNamespace ?? DEFAULT_CONTROLLER_NAMESPACE;
    // The API server stamps every namespace with its name label; emitted Namespace labels add to it.
    const ns = model.get(GK.Namespace, '', this.controllerNamespace);
    this.controllerLabels = {
      ...asStringMap(ns?.obj.metadata.labels),
      'kubernetes.io/metadata.name': this.controllerNamespace,
    };
  }

  checkBackend(ingress: Entry, b: Backend, service: Entry, servicePort: Obj, out: Violation[]): void {
    const policies = this.byNamespace.get(service.namespace);
    if (!policies) return;
    const selector = asStringMap(asObj(service.obj.spec)?.selector);
    if (Object.keys(selector).length === 0) return;
    const target = servicePort.targetPort ?? servicePort.port;
    for (const w of this.model.workloadsMatchingMap(service.namespace, selector)) {
      const port = resolveTargetPort(podPorts(w.pod), target);
      if (!port) continue; // ref/service-target-port reports it
      const isolating = candidatePolicies(policies, w).filter((np) => isolatesIngress(np, w));
      if (isolating.length === 0) continue;
      if (isolating.some((np) => this.admitsController(np, port))) continue;
      out.push(
        violation(
          NETWORK_POLICY_INGRESS,
          ingress,
          b.path,
          `backend ${service.id} port ${show(servicePort.port)} (targetPort ${show(target)}) reaches ${w.entry.id}, which NetworkPolicies [${isolating.map((np) => np.name).join(', ')}] isolate, but none allows ingress from namespace ${this.controllerNamespace} on port ${port.number}${port.name ? `/${port.name}` : ''} (add an ingress rule with namespaceSelector kubernetes.io/metadata.name: ${this.controllerNamespace})`,
        ),
      );
    }
  }

  private admitsController(np: Entry, port: ContainerPort): boolean {
    const rules = asArray(asObj(np.obj.spec)?.ingress).filter(isObj);
    return rules.some((rule) => this.fromController(np, rule.from) && portAllowed(rule.ports, port));
  }

  private fromController(np: Entry, from: unknown): boolean {
    const peers = asArray(from);
    if (peers.length === 0) return true; // no `from` admits every source
    return peers.some((peer) => {
      if (!isObj(peer)) return false;
      if (peer.namespaceSelector !== undefined) return selectorMatches(peer.namespaceSelector, this.controllerLabels);
      // A podSelector-only peer means the policy's own namespace.
      return peer.podSelector !== undefined && np.namespace === this.controllerNamespace;
    });
  }
}

function pairKey(k: string, v: string): string {
  return `${k}\u0000${v}`;
}

/** Policies that may select the workload: every policy keyed by one of its labels, plus the unkeyed ones. */
function candidatePolicies(policies: { keyed: Map<string, Entry[]>; unkeyed: Entry[] }, w: Workload): Entry[] {
  const out = [...policies.unkeyed];
  for (const k in w.pod.labels) {
    const list = policies.keyed.get(pairKey(k, w.pod.labels[k]!));
    if (list) out.push(...list);
  }
  return out;
}

/** Whether the policy selects the workload's pods and applies to ingress traffic. */
function isolatesIngress(np: Entry, w: Workload): boolean {
  const spec = asObj(np.obj.spec) ?? {};
  const types = spec.policyTypes;
  // Without policyTypes every policy affects ingress (egress only when it has egress rules).
  if (Array.isArray(types) && !types.includes('Ingress')) return false;
  return selectorMatches(spec.podSelector ?? {}, w.pod.labels);
}

function portAllowed(ports: unknown, port: ContainerPort): boolean {
  const list = asArray(ports);
  if (list.length === 0) return true;
  return list.some((raw) => {
    if (!isObj(raw)) return false;
    const protocol = typeof raw.protocol === 'string' ? raw.protocol : 'TCP';
    if (protocol !== port.protocol) return false;
    if (raw.port === undefined) return true;
    if (typeof raw.port === 'string') return raw.port === port.name;
    if (typeof raw.port !== 'number') return false;
    const end = typeof raw.endPort === 'number' ? raw.endPort : raw.port;
    return port.number >= raw.port && port.number <= end;
  });
}
