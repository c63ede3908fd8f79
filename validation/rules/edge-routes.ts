/**
 * What the public routes promise, checked on the routes the set holds (HTTPRoutes and GRPCRoutes of a
 * Gateway), whatever model wrote them:
 * - edge/route-conflict: one path of one host goes to one backend, across every route of the set. Two
 *   rules that match the same hostname with the same match (path, headers, method) and send it to
 *   different backends: on one Gateway, Gateway API gives the tie to the oldest route, then to the
 *   first by "{namespace}/{name}", and drops the other silently (HTTPRoute `spec.rules[].matches`,
 *   gateway-api v1.5.1 config/crd/standard/gateway.networking.k8s.io_httproutes.yaml), so which service
 *   answers depends on creation order; on two Gateways, on where DNS sends the host. A GRPCRoute
 *   and an HTTPRoute sharing a hostname on a Gateway conflict too: Gateway API accepts exactly one of
 *   the two (GRPCRoute `spec.hostnames`, v1.5.1).
 * - edge/unreachable: a public service the edge can reach. The service's pods, when Istio
 *   AuthorizationPolicies apply to them (the namespace's allow-nothing makes every pod's ALLOW list
 *   exhaustive), are allowed from the identity of the Gateway's NGINX pods (NGINX Gateway Fabric's
 *   service account `<gateway>-<gatewayClassName>` in the Gateway's namespace) on the target port; and
 *   each host a route serves has an HTTPS listener whose certificate (the cert-manager Certificate
 *   that writes its Secret) names it. Otherwise the route is accepted and every request fails: a 403
 *   RBAC denial, or a TLS handshake with a certificate for another name.
 * (ref/network-policy-ingress checks the NetworkPolicies of the same backends.)
 * - net/unreachable-service (warning): a Service whose pods NetworkPolicies isolate, and none admits
 *   anyone on the Service's target port: no route and no caller can reach it (a second UI left out of
 *   the routes, a service nobody calls). It runs and answers no one.
 */
import { gatewayServiceAccount } from '../../lib/names';
import { wildcardCovers } from '../../lib/constructs/public-certificate';
import type { Violation } from '../types';
import { GRPC_ROUTE, HTTP_ROUTE, routeBackends } from './gateway';
import {
  GK,
  asArray,
  asObj,
  asString,
  isObj,
  selectorMatches,
  show,
  violation,
  type Entry,
  type Model,
  type Obj,
  type RuleFamily,
} from './model';
import { podPorts, resolveTargetPort } from './ports';

export const ROUTE_CONFLICT = 'edge/route-conflict';
export const EDGE_UNREACHABLE = 'edge/unreachable';
export const UNREACHABLE_SERVICE = 'net/unreachable-service';

const CERTIFICATE = 'cert-manager.io/Certificate';

/** The Gateways (namespace/name) a route attaches to, with the listener it names (`*`: every listener). */
function parentGateways(route: Entry): { readonly gateway: string; readonly listener: string }[] {
  return asArray(asObj(route.obj.spec)?.parentRefs)
    .filter(isObj)
    .filter((ref) => (asString(ref.kind) ?? 'Gateway') === 'Gateway')
    .map((ref) => ({
      gateway: `${asString(ref.namespace) ?? route.namespace}/${asString(ref.name) ?? ''}`,
      listener: asString(ref.sectionName) ?? '*',
    }));
}

/** A match written canonically (Gateway API's defaults filled in): equal strings match the same requests. */
function matchKey(route: Entry, match: Obj | undefined): string {
  if (route.gk === GRPC_ROUTE) return JSON.stringify({ grpc: match ?? {} });
  const path = asObj(match?.path);
  return JSON.stringify({
    path: [asString(path?.type) ?? 'PathPrefix', asString(path?.value) ?? '/'],
    headers: asArray(match?.headers),
    query: asArray(match?.queryParams),
    method: asString(match?.method) ?? '',
  });
}

function backendKey(rule: Obj | undefined): string {
  return JSON.stringify(
    asArray(rule?.backendRefs)
      .filter(isObj)
      .map((ref) => [asString(ref.kind) ?? 'Service', asString(ref.namespace) ?? '', asString(ref.name) ?? '', ref.port ?? null]),
  );
}

function checkConflicts(model: Model, out: Violation[]): void {
  const seen = new Map<string, { route: Entry; gateway: string; backends: string }>();
  const kindOfHost = new Map<string, Entry>();
  for (const route of [...model.ofKind(HTTP_ROUTE), ...model.ofKind(GRPC_ROUTE)]) {
    const spec = asObj(route.obj.spec) ?? {};
    const hostnames = asArray(spec.hostnames).map(String);
    for (const { gateway, listener } of parentGateways(route)) {
      for (const host of hostnames.length === 0 ? ['*'] : hostnames) {
        // Routes of the two kinds conflict on a listener; paths conflict on the Gateway, whichever listener serves them.
        const hostKey = `${gateway} ${listener} ${host}`;
        const other = kindOfHost.get(hostKey);
        if (other === undefined) kindOfHost.set(hostKey, route);
        else if (other.gk !== route.gk) {
          out.push(
            violation(
              ROUTE_CONFLICT,
              route,
              'spec.hostnames',
              `${host} on Gateway ${gateway} is also a hostname of ${other.id}: Gateway API accepts only one of an HTTPRoute and a GRPCRoute that share a hostname on a listener; give the gRPC service a host of its own`,
            ),
          );
        }
        asArray(spec.rules).forEach((raw, r) => {
          const rule = asObj(raw);
          if (asArray(rule?.backendRefs).length === 0) return; // a redirect
          const matches = asArray(rule?.matches).filter(isObj);
          for (const match of matches.length === 0 ? [undefined] : matches) {
            // Across every Gateway of the set: a host on two Gateways is the same host to its clients,
            // and which Gateway (so which backend) answers depends on where DNS points.
            const key = `${host} ${route.gk} ${matchKey(route, match)}`;
            const backends = backendKey(rule);
            const first = seen.get(key);
            if (first === undefined) {
              seen.set(key, { route, gateway, backends });
            } else if (first.backends !== backends) {
              const what = asObj(match?.path)
                ? `${show(asObj(match?.path)?.value ?? '/')} (${asString(asObj(match?.path)?.type) ?? 'PathPrefix'})`
                : 'every request';
              out.push(
                violation(
                  ROUTE_CONFLICT,
                  route,
                  `spec.rules[${r}]`,
                  first.gateway === gateway
                    ? `sends ${what} of ${host} to other backends than ${first.route.id} does: Gateway API gives a match to the oldest route, so which service answers depends on creation order; route each path of a host to one service`
                    : `sends ${what} of ${host} through Gateway ${gateway} to other backends than ${first.route.id} does through Gateway ${first.gateway}: which service answers depends on where DNS sends the host; route each path of a host to one service`,
                ),
              );
            }
          }
        });
      }
    }
  }
}

/** Whether an Istio principal pattern (exact, `*`, `prefix*` or `*suffix`) matches. */
function principalMatches(pattern: string, principal: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return principal.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return principal.startsWith(pattern.slice(0, -1));
  return pattern === principal;
}

/** Whether one ALLOW rule admits `principal` (any trust domain) on `port`. */
function ruleAdmits(rule: Obj, identity: string, port: number): boolean {
  const from = asArray(rule.from).filter(isObj);
  const fromOk =
    from.length === 0 ||
    from.some((f) => {
      const source = asObj(f.source) ?? {};
      const principals = asArray(source.principals).map(String);
      if (principals.length === 0) return Object.keys(source).length === 0;
      // The trust domain is the mesh's; the rest of the SPIFFE path names the edge's account.
      return principals.some((p) => principalMatches(p, `${p.split('/ns/')[0]}${identity}`));
    });
  const to = asArray(rule.to).filter(isObj);
  const toOk =
    to.length === 0 ||
    to.some((t) => {
      const ports = asArray(asObj(t.operation)?.ports).map(String);
      return ports.length === 0 || ports.includes(String(port));
    });
  return fromOk && toOk && asArray(rule.when).length === 0;
}

function checkMeshAllows(model: Model, route: Entry, out: Violation[]): void {
  const policies = model.ofKind(GK.AuthorizationPolicy);
  for (const gatewayRef of asArray(asObj(route.obj.spec)?.parentRefs).filter(isObj)) {
    const gateway = model.get(GK.Gateway, asString(gatewayRef.namespace) ?? route.namespace, asString(gatewayRef.name) ?? '');
    if (gateway === undefined) continue; // ref/route-parent reports it
    const account = gatewayServiceAccount(gateway.name, asString(asObj(gateway.obj.spec)?.gatewayClassName) ?? '');
    const identity = `/ns/${gateway.namespace}/sa/${account}`;
    for (const backend of routeBackends(model, route)) {
      const selector = asObj(backend.service.obj.spec)?.selector;
      if (!isObj(selector)) continue;
      for (const w of model.workloadsMatchingMap(backend.service.namespace, selector as Record<string, string>)) {
        const target = resolveTargetPort(podPorts(w.pod), backend.port.targetPort ?? backend.port.port);
        if (target === undefined) continue; // ref/service-target-port reports it
        const applying = policies.filter(
          (p) =>
            p.namespace === backend.service.namespace &&
            (asString(asObj(p.obj.spec)?.action) ?? 'ALLOW') === 'ALLOW' &&
            (asObj(p.obj.spec)?.selector === undefined || selectorMatches(asObj(p.obj.spec)?.selector, w.pod.labels)),
        );
        if (applying.length === 0) continue;
        const admitted = applying.some((p) =>
          asArray(asObj(p.obj.spec)?.rules)
            .filter(isObj)
            .some((rule) => ruleAdmits(rule, identity, target.number)),
        );
        if (admitted) continue;
        out.push(
          violation(
            EDGE_UNREACHABLE,
            route,
            backend.path,
            `routes to ${backend.service.id}, whose pods (${w.entry.id}) Istio authorization allows to no request from the edge (principal .../ns/${gateway.namespace}/sa/${account}) on port ${target.number}: every request answers 403; allow the edge's principal in an ALLOW AuthorizationPolicy of the service`,
          ),
        );
      }
    }
  }
}

/** The DNS names of the Certificates that write a Secret, in its namespace (undefined: no Certificate writes it). */
function certificateNames(model: Model, namespace: string, secret: string): string[] | undefined {
  const certificates = model
    .ofKind(CERTIFICATE)
    .filter((c) => c.namespace === namespace && asString(asObj(c.obj.spec)?.secretName) === secret);
  if (certificates.length === 0) return undefined;
  return certificates.flatMap((c) => asArray(asObj(c.obj.spec)?.dnsNames).map(String));
}

const covers = (name: string, host: string) => name === host || (name.startsWith('*.') && wildcardCovers(name, host));

function checkCertificates(model: Model, out: Violation[]): void {
  for (const gateway of model.ofKind(GK.Gateway)) {
    asArray(asObj(gateway.obj.spec)?.listeners).forEach((raw, i) => {
      const listener = asObj(raw) ?? {};
      const host = asString(listener.hostname);
      if (listener.protocol !== 'HTTPS' || host === undefined) return;
      for (const ref of asArray(asObj(listener.tls)?.certificateRefs).filter(isObj)) {
        if ((asString(ref.kind) ?? 'Secret') !== 'Secret') continue;
        const secret = asString(ref.name) ?? '';
        const names = certificateNames(model, asString(ref.namespace) ?? gateway.namespace, secret);
        if (names === undefined || names.some((name) => covers(name, host))) continue;
        out.push(
          violation(
            EDGE_UNREACHABLE,
            gateway,
            `spec.listeners[${i}].tls.certificateRefs`,
            `listener ${show(listener.name)} serves ${host} with Secret ${secret}, whose Certificate names ${names.join(', ') || 'no host'}: clients refuse the handshake; add ${host} to the certificate`,
          ),
        );
      }
    });
  }
}

/** Whether a NetworkPolicy ingress rule's ports admit a container port (no ports: every port). */
function admitsPort(ports: unknown, port: { number: number; name?: string; protocol: string }): boolean {
  const list = asArray(ports).filter(isObj);
  if (asArray(ports).length === 0) return true;
  return list.some((raw) => {
    if ((asString(raw.protocol) ?? 'TCP') !== port.protocol) return false;
    if (raw.port === undefined) return true;
    if (typeof raw.port === 'string') return raw.port === port.name;
    const end = typeof raw.endPort === 'number' ? raw.endPort : raw.port;
    return typeof raw.port === 'number' && port.number >= raw.port && port.number <= (end as number);
  });
}

function checkServicesReachable(model: Model, out: Violation[]): void {
  for (const service of model.ofKind(GK.Service)) {
    const spec = asObj(service.obj.spec) ?? {};
    const selector = spec.selector;
    if (asString(spec.type) === 'ExternalName' || !isObj(selector) || Object.keys(selector).length === 0) continue;
    const policies = model.ofKind(GK.NetworkPolicy).filter((np) => np.namespace === service.namespace);
    for (const w of model.workloadsMatchingMap(service.namespace, selector as Record<string, string>)) {
      const isolating = policies.filter((np) => {
        const npSpec = asObj(np.obj.spec) ?? {};
        const types = npSpec.policyTypes;
        if (Array.isArray(types) && !types.includes('Ingress')) return false;
        return selectorMatches(npSpec.podSelector ?? {}, w.pod.labels);
      });
      if (isolating.length === 0) continue;
      asArray(spec.ports)
        .filter(isObj)
        .forEach((servicePort, i) => {
          const target = resolveTargetPort(podPorts(w.pod), servicePort.targetPort ?? servicePort.port);
          if (target === undefined) return; // ref/service-target-port reports it
          const admitted = isolating.some((np) =>
            asArray(asObj(np.obj.spec)?.ingress)
              .filter(isObj)
              .some((rule) => admitsPort(rule.ports, target)),
          );
          if (admitted) return;
          out.push(
            violation(
              UNREACHABLE_SERVICE,
              service,
              `spec.ports[${i}]`,
              `no NetworkPolicy admits anyone to ${w.entry.id} on port ${target.number}: no route and no caller reaches ${service.id}, which runs and answers no one; route it (ingress.routes), call it (a service's calls), or disable it`,
              'warning',
            ),
          );
        });
    }
  }
}

export const edgeRouteRules: RuleFamily = {
  ids: [ROUTE_CONFLICT, EDGE_UNREACHABLE, UNREACHABLE_SERVICE],
  check(model, _ctx, out) {
    checkConflicts(model, out);
    checkServicesReachable(model, out);
    for (const route of [...model.ofKind(HTTP_ROUTE), ...model.ofKind(GRPC_ROUTE)]) checkMeshAllows(model, route, out);
    checkCertificates(model, out);
  },
};
