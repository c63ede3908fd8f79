/**
 * Istio references:
 * - ref/mesh-hosts: every VirtualService destination (http/tcp/tls routes and http mirrors) names a
 *   Service in the set (short `svc`, `svc.ns`, `svc.ns.svc`, FQDN `svc.ns.svc.cluster.local`) or a
 *   ServiceEntry host; a destination port is a port of that Service; a subset is defined by a
 *   DestinationRule for that host.
 * - ref/route-weights: the weights of one route's destinations sum to 100 (a lone destination may
 *   omit its weight).
 */
import type { Violation } from '../types';
import { GK, asArray, asObj, asString, isObj, show, violation, type Entry, type Model, type Obj, type RuleFamily } from './model';

export const MESH_HOSTS = 'ref/mesh-hosts';
export const ROUTE_WEIGHTS = 'ref/route-weights';

const CLUSTER_SUFFIX = '.svc.cluster.local';
const ROUTE_KINDS = ['http', 'tcp', 'tls'] as const;

export interface ServiceName {
  readonly namespace: string;
  readonly name: string;
}

/** Resolves a mesh host to a Kubernetes Service name, relative to the namespace of the config. */
export function resolveHost(host: string, namespace: string): ServiceName | undefined {
  const local = host.endsWith(CLUSTER_SUFFIX) ? host.slice(0, -CLUSTER_SUFFIX.length) : undefined;
  const parts = (local ?? host).split('.');
  if (local !== undefined) return parts.length === 2 ? { name: parts[0]!, namespace: parts[1]! } : undefined;
  if (parts.length === 1) return { name: parts[0]!, namespace };
  if (parts.length === 2 || (parts.length === 3 && parts[2] === 'svc')) return { name: parts[0]!, namespace: parts[1]! };
  return undefined;
}

/** Subsets by host, and ServiceEntry hosts, indexed once. */
export class MeshIndex {
  private readonly subsets = new Map<string, { readonly rule: Entry; readonly names: Set<string> }[]>();
  private readonly externalHosts = new Set<string>();

  constructor(private readonly model: Model) {
    for (const dr of model.ofKind(GK.DestinationRule)) {
      const spec = asObj(dr.obj.spec) ?? {};
      const host = asString(spec.host);
      if (!host) continue;
      const key = this.hostKey(host, dr.namespace);
      const names = new Set(
        asArray(spec.subsets)
          .map((s) => asString(asObj(s)?.name))
          .filter((s): s is string => !!s),
      );
      let list = this.subsets.get(key);
      if (!list) {
        list = [];
        this.subsets.set(key, list);
      }
      list.push({ rule: dr, names });
    }
    for (const se of model.ofKind(GK.ServiceEntry)) {
      for (const h of asArray(asObj(se.obj.spec)?.hosts)) if (typeof h === 'string') this.externalHosts.add(h);
    }
  }

  /** The Service a host names, if it is in the set. */
  service(host: string, namespace: string): Entry | undefined {
    const svc = resolveHost(host, namespace);
    return svc && this.model.get(GK.Service, svc.namespace, svc.name);
  }

  isExternal(host: string): boolean {
    if (this.externalHosts.has(host)) return true;
    const dot = host.indexOf('.');
    return dot > 0 && this.externalHosts.has(`*${host.slice(dot)}`);
  }

  /** DestinationRules for the host with the subset names they define. */
  rulesFor(host: string, namespace: string): readonly { readonly rule: Entry; readonly names: Set<string> }[] {
    return this.subsets.get(this.hostKey(host, namespace)) ?? [];
  }

  /** Canonical key: `name.namespace` for cluster Services, the literal host otherwise. */
  hostKey(host: string, namespace: string): string {
    const svc = resolveHost(host, namespace);
    return svc ? `${svc.name}.${svc.namespace}${CLUSTER_SUFFIX}` : host;
  }
}

interface Destination {
  readonly destination: Obj;
  readonly weight: unknown;
  readonly path: string;
}

/** Every weighted route list of a VirtualService, with its path. */
export function routesOf(
  vs: Entry,
): { readonly kind: string; readonly route: Obj; readonly path: string; readonly destinations: Destination[] }[] {
  const spec = asObj(vs.obj.spec) ?? {};
  const out: { kind: string; route: Obj; path: string; destinations: Destination[] }[] = [];
  for (const kind of ROUTE_KINDS) {
    asArray(spec[kind]).forEach((r, i) => {
      if (!isObj(r)) return;
      const path = `spec.${kind}[${i}]`;
      const destinations: Destination[] = [];
      asArray(r.route).forEach((d, j) => {
        const dest = asObj(asObj(d)?.destination);
        if (dest) destinations.push({ destination: dest, weight: asObj(d)?.weight, path: `${path}.route[${j}]` });
      });
      out.push({ kind, route: r, path, destinations });
    });
  }
  return out;
}

export const istioRules: RuleFamily = {
  ids: [MESH_HOSTS, ROUTE_WEIGHTS],
  check(model, _ctx, out: Violation[]) {
    const mesh = new MeshIndex(model);
    for (const vs of model.ofKind(GK.VirtualService)) {
      for (const r of routesOf(vs)) {
        for (const d of r.destinations) checkDestination(mesh, vs, d.destination, `${d.path}.destination`, out);
        const mirror = asObj(r.route.mirror);
        if (r.kind === 'http' && mirror) checkDestination(mesh, vs, mirror, `${r.path}.mirror`, out);
        checkWeights(vs, r.path, r.destinations, out);
      }
    }
  },
};

function checkDestination(mesh: MeshIndex, vs: Entry, dest: Obj, path: string, out: Violation[]): void {
  const host = asString(dest.host);
  if (!host) {
    out.push(violation(MESH_HOSTS, vs, `${path}.host`, 'destination has no host (must name a Service)'));
    return;
  }
  const service = mesh.service(host, vs.namespace);
  if (!service && !mesh.isExternal(host)) {
    out.push(
      violation(
        MESH_HOSTS,
        vs,
        `${path}.host`,
        `destination host ${show(host)} is not a Service in the set (resolved as ${mesh.hostKey(host, vs.namespace)}; use svc, svc.ns or svc.ns.svc.cluster.local, or declare a ServiceEntry)`,
      ),
    );
    return;
  }
  const portNumber = asObj(dest.port)?.number;
  if (service && typeof portNumber === 'number') {
    const ports = asArray(asObj(service.obj.spec)?.ports).filter(isObj);
    if (!ports.some((p) => p.port === portNumber)) {
      out.push(
        violation(
          MESH_HOSTS,
          vs,
          `${path}.port.number`,
          `destination port ${portNumber} is not a port of ${service.id} (declared: ${ports.map((p) => String(p.port)).join(', ') || 'none'})`,
        ),
      );
    }
  }
  const subset = asString(dest.subset);
  if (subset === undefined) return;
  const rules = mesh.rulesFor(host, vs.namespace);
  if (rules.some((r) => r.names.has(subset))) return;
  const defined = rules.map((r) => `${r.rule.id}: [${[...r.names].join(', ')}]`);
  out.push(
    violation(
      MESH_HOSTS,
      vs,
      `${path}.subset`,
      `subset ${show(subset)} of host ${show(host)} is defined by no DestinationRule (${defined.length > 0 ? defined.join('; ') : 'no DestinationRule for this host'})`,
    ),
  );
}

function checkWeights(vs: Entry, path: string, destinations: readonly Destination[], out: Violation[]): void {
  if (destinations.length === 0) return;
  if (destinations.length === 1 && destinations[0]!.weight === undefined) return;
  let sum = 0;
  for (const d of destinations) {
    const w = d.weight ?? 0;
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 100) {
      out.push(violation(ROUTE_WEIGHTS, vs, `${d.path}.weight`, `weight ${show(d.weight)} must be an integer from 0 to 100`));
      return;
    }
    sum += w;
  }
  if (sum === 100) return;
  out.push(
    violation(
      ROUTE_WEIGHTS,
      vs,
      `${path}.route`,
      `destination weights ${show(destinations.map((d) => d.weight ?? null))} sum to ${sum} (must sum to 100)`,
    ),
  );
}
