/**
 * The Gateway API edge (Gateway, HTTPRoute, NGINX Gateway Fabric's NginxProxy) and the retired one:
 * - ref/route-parent: each HTTPRoute (and GRPCRoute) parent names a Gateway that exists and one of its listeners, the
 *   listener admits routes from the route's namespace, and the route's hostnames are ones the listener
 *   serves. Otherwise the route is never attached and its paths answer 404.
 * - ref/route-backend: each HTTPRoute backend names a Service and one of its ports, in the route's
 *   namespace. An ExternalName Service must name a Service of the set by its cluster FQDN with the same
 *   port, and the Gateway's NginxProxy must give NGINX a DNS resolver to look it up (NGF refuses the
 *   backend otherwise).
 * - edge/client-address: NginxProxy `rewriteClientIP` makes NGINX take the client's address from a
 *   header or the PROXY protocol of the peers in `trustedAddresses`; trusting every address (or none
 *   named) lets any client choose its own address and escape per-address rate limits.
 * - addon/pod-admissible: a Gateway's NGINX pods in a namespace with Istio injection that enforces
 *   Pod Security "restricted" get a pod-level seccomp profile through the NginxProxy's deployment
 *   patches: NGF sets one on its own containers only, and the injected ones carry none.
 * - edge/unmaintained (warning): ingress-nginx was retired in March 2026 and gets no security fixes.
 */
import type { Violation } from '../types';
import { helmInstalls, CLIENT_ADDRESS, POD_ADMISSIBLE } from './addons';
import {
  GK,
  asArray,
  asObj,
  asString,
  asStringMap,
  isObj,
  show,
  violation,
  type Entry,
  type Model,
  type Obj,
  type RuleFamily,
} from './model';

export const ROUTE_PARENT = 'ref/route-parent';
export const ROUTE_BACKEND = 'ref/route-backend';
export const EDGE_UNMAINTAINED = 'edge/unmaintained';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const HTTP_ROUTE = `${GATEWAY_GROUP}/HTTPRoute`;
export const GRPC_ROUTE = `${GATEWAY_GROUP}/GRPCRoute`;
const CLUSTER_FQDN = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\.cluster\.local\.?$/;
const EVERY_ADDRESS = new Set(['0.0.0.0/0', '::/0']);

/** Whether a listener hostname (possibly `*.example.com`) serves a route hostname. */
function hostnameServed(listener: string, host: string): boolean {
  if (listener.startsWith('*.')) return host.endsWith(listener.slice(1)) && host.split('.').length > listener.split('.').length - 1;
  return listener === host;
}

function parentGateway(model: Model, route: Entry, ref: Obj): Entry | undefined {
  if ((asString(ref.group) ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (asString(ref.kind) ?? 'Gateway') !== 'Gateway') return undefined;
  return model.get(GK.Gateway, asString(ref.namespace) ?? route.namespace, asString(ref.name) ?? '');
}

function checkParents(model: Model, route: Entry, out: Violation[]): void {
  const spec = asObj(route.obj.spec) ?? {};
  const hostnames = asArray(spec.hostnames).map(String);
  // The hostnames of every listener the route attaches to (undefined: a listener that serves any).
  const served: (string | undefined)[] = [];
  asArray(spec.parentRefs).forEach((raw, i) => {
    const ref = asObj(raw) ?? {};
    const path = `spec.parentRefs[${i}]`;
    const gateway = parentGateway(model, route, ref);
    if (gateway === undefined) {
      out.push(
        violation(
          ROUTE_PARENT,
          route,
          `${path}.name`,
          `parent Gateway ${show(ref.name)} does not exist in namespace ${asString(ref.namespace) ?? route.namespace}`,
        ),
      );
      return;
    }
    const listeners = asArray(asObj(gateway.obj.spec)?.listeners).filter(isObj);
    const section = asString(ref.sectionName);
    const chosen = section === undefined ? listeners : listeners.filter((l) => l.name === section);
    if (chosen.length === 0) {
      const names = listeners.map((l) => String(l.name)).join(', ');
      out.push(
        violation(
          ROUTE_PARENT,
          route,
          `${path}.sectionName`,
          `${gateway.id} has no listener ${show(section)} (listeners: ${names || 'none'})`,
        ),
      );
      return;
    }
    for (const listener of chosen) {
      const from = asString(asObj(asObj(listener.allowedRoutes)?.namespaces)?.from) ?? 'Same';
      if (from === 'Same' && gateway.namespace !== route.namespace) {
        out.push(
          violation(
            ROUTE_PARENT,
            route,
            path,
            `listener ${show(listener.name)} of ${gateway.id} admits routes from its own namespace only, not ${route.namespace}`,
          ),
        );
      }
    }
    for (const listener of chosen) served.push(asString(listener.hostname));
  });
  // A route attaches to each listener that serves one of its hostnames; a hostname no listener of
  // its parents serves is never routed.
  if (served.length === 0 || served.includes(undefined)) return;
  const unserved = hostnames.length === 0 ? ['every hostname'] : hostnames.filter((host) => !served.some((l) => hostnameServed(l!, host)));
  if (unserved.length > 0) {
    out.push(
      violation(
        ROUTE_PARENT,
        route,
        'spec.hostnames',
        `the listeners of its parents serve ${served.map(show).join(', ')} only, not ${unserved.map((h) => (h === 'every hostname' ? h : show(h))).join(', ')}`,
      ),
    );
  }
}

/** Whether the NginxProxy that parameterises the route's Gateways gives NGINX a DNS resolver. */
function parentsResolveDns(model: Model, route: Entry): boolean {
  const gateways = asArray(asObj(route.obj.spec)?.parentRefs)
    .map((ref) => parentGateway(model, route, asObj(ref) ?? {}))
    .filter((g): g is Entry => g !== undefined);
  return gateways.every((gateway) => asObj(nginxProxyOf(model, gateway)?.obj.spec)?.dnsResolver !== undefined);
}

function nginxProxyOf(model: Model, gateway: Entry): Entry | undefined {
  const ref = asObj(asObj(asObj(gateway.obj.spec)?.infrastructure)?.parametersRef);
  if (ref === undefined || ref.kind !== 'NginxProxy') return undefined;
  return model.get(GK.NginxProxy, gateway.namespace, asString(ref.name) ?? '');
}

function servicePort(service: Entry, port: unknown): Obj | undefined {
  return asArray(asObj(service.obj.spec)?.ports)
    .filter(isObj)
    .find((p) => p.port === port);
}

function declaredPorts(service: Entry): string {
  return (
    asArray(asObj(service.obj.spec)?.ports)
      .filter(isObj)
      .map((p) => String(p.port))
      .join(', ') || 'none'
  );
}

function checkBackends(model: Model, route: Entry, out: Violation[]): void {
  asArray(asObj(route.obj.spec)?.rules).forEach((rule, r) => {
    asArray(asObj(rule)?.backendRefs).forEach((raw, b) => {
      const ref = asObj(raw) ?? {};
      const path = `spec.rules[${r}].backendRefs[${b}]`;
      if ((asString(ref.group) ?? '') !== '' || (asString(ref.kind) ?? 'Service') !== 'Service') return;
      const namespace = asString(ref.namespace) ?? route.namespace;
      if (namespace !== route.namespace) {
        out.push(
          violation(
            ROUTE_BACKEND,
            route,
            `${path}.namespace`,
            `backend in namespace ${namespace} needs a ReferenceGrant there; route through an ExternalName Service in ${route.namespace} instead`,
          ),
        );
        return;
      }
      const service = model.get(GK.Service, namespace, asString(ref.name) ?? '');
      if (service === undefined) {
        out.push(
          violation(ROUTE_BACKEND, route, `${path}.name`, `backend Service ${show(ref.name)} does not exist in namespace ${namespace}`),
        );
        return;
      }
      if (servicePort(service, ref.port) === undefined) {
        out.push(
          violation(
            ROUTE_BACKEND,
            route,
            `${path}.port`,
            `backend port ${show(ref.port)} is not a port of ${service.id} (declared: ${declaredPorts(service)})`,
          ),
        );
        return;
      }
      const spec = asObj(service.obj.spec) ?? {};
      if (spec.type !== 'ExternalName') return;
      const target = CLUSTER_FQDN.exec(asString(spec.externalName) ?? '');
      const resolved = target === null ? undefined : model.get(GK.Service, target[3]!, target[1]!);
      if (resolved === undefined || servicePort(resolved, ref.port) === undefined) {
        out.push(
          violation(
            ROUTE_BACKEND,
            route,
            `${path}.name`,
            `ExternalName ${service.id} points at ${show(spec.externalName)}, which is no Service of this set with port ${show(ref.port)}`,
          ),
        );
      } else if (!parentsResolveDns(model, route)) {
        out.push(
          violation(
            ROUTE_BACKEND,
            route,
            `${path}.name`,
            `ExternalName ${service.id} needs a DNS resolver: set spec.dnsResolver in the NginxProxy of every parent Gateway`,
          ),
        );
      }
    });
  });
}

/** A route backend that reaches a Service of the set: the Service itself or the one an ExternalName names. */
export interface RouteBackend {
  readonly path: string;
  readonly service: Entry;
  readonly port: Obj;
}

/** The backends of an HTTPRoute that resolve to a Service of the set (ExternalName followed). */
export function routeBackends(model: Model, route: Entry): RouteBackend[] {
  const out: RouteBackend[] = [];
  asArray(asObj(route.obj.spec)?.rules).forEach((rule, r) => {
    asArray(asObj(rule)?.backendRefs).forEach((raw, b) => {
      const ref = asObj(raw) ?? {};
      if ((asString(ref.group) ?? '') !== '' || (asString(ref.kind) ?? 'Service') !== 'Service') return;
      let service = model.get(GK.Service, asString(ref.namespace) ?? route.namespace, asString(ref.name) ?? '');
      const spec = asObj(service?.obj.spec) ?? {};
      if (spec.type === 'ExternalName') {
        const target = CLUSTER_FQDN.exec(asString(spec.externalName) ?? '');
        service = target === null ? undefined : model.get(GK.Service, target[3]!, target[1]!);
      }
      const port = service === undefined ? undefined : servicePort(service, ref.port);
      if (service !== undefined && port !== undefined) out.push({ path: `spec.rules[${r}].backendRefs[${b}]`, service, port });
    });
  });
  return out;
}

function checkClientAddress(proxy: Entry, out: Violation[]): void {
  const rewrite = asObj(asObj(proxy.obj.spec)?.rewriteClientIP);
  if (rewrite === undefined) return;
  const trusted = asArray(rewrite.trustedAddresses).map((a) => asString(asObj(a)?.value) ?? '');
  if (trusted.length === 0 || trusted.some((value) => EVERY_ADDRESS.has(value))) {
    out.push(
      violation(
        CLIENT_ADDRESS,
        proxy,
        'spec.rewriteClientIP.trustedAddresses',
        `the client address is taken from ${show(rewrite.mode ?? 'the forwarded headers')} sent by ${trusted.length === 0 ? 'any peer' : show(trusted.join(', '))}: any client can set its own address and bypass per-address rate limits; behind a layer-4 load balancer leave rewriteClientIP unset, behind a proxy trust its ranges only`,
      ),
    );
  }
}

/** Whether a strategic-merge patch of the NginxProxy's Deployment sets a pod-level seccomp profile. */
function patchesPodSeccomp(proxy: Entry | undefined): boolean {
  const patches = asArray(asObj(asObj(asObj(proxy?.obj.spec)?.kubernetes)?.deployment)?.patches);
  return patches.some((raw) => {
    const patch = asObj(raw);
    const template = asObj(asObj(asObj(patch?.value)?.spec)?.template);
    const type = asString(asObj(asObj(asObj(template?.spec)?.securityContext)?.seccompProfile)?.type);
    return (asString(patch?.type) ?? 'StrategicMerge') === 'StrategicMerge' && (type === 'RuntimeDefault' || type === 'Localhost');
  });
}

function checkGatewayPods(model: Model, gateway: Entry, out: Violation[]): void {
  const labels = asStringMap(asObj(model.get(GK.Namespace, '', gateway.namespace)?.obj.metadata)?.labels);
  const podLabels = asStringMap(asObj(asObj(gateway.obj.spec)?.infrastructure)?.labels);
  const injected = labels['istio-injection'] === 'enabled' && podLabels['sidecar.istio.io/inject'] !== 'false';
  if (!injected || labels['pod-security.kubernetes.io/enforce'] !== 'restricted') return;
  const proxy = nginxProxyOf(model, gateway);
  if (patchesPodSeccomp(proxy)) return;
  out.push(
    violation(
      POD_ADMISSIBLE,
      proxy ?? gateway,
      proxy === undefined ? 'spec.infrastructure.parametersRef' : 'spec.kubernetes.deployment.patches',
      `the NGINX pods of ${gateway.id} get Istio's containers in ${gateway.namespace}, which enforces "restricted", and none has a seccomp profile: patch the Deployment's spec.template.spec.securityContext.seccompProfile to RuntimeDefault in its NginxProxy`,
    ),
  );
}

function checkUnmaintained(model: Model, out: Violation[]): void {
  const retired =
    'ingress-nginx was retired in March 2026 and gets no security fixes: move the edge to Gateway API (ingress.implementation: gateway; README "Migrating from ingress-nginx")';
  for (const install of helmInstalls(model)) {
    if (install.chart === 'ingress-nginx') out.push(violation(EDGE_UNMAINTAINED, install.entry, install.valuesPath, retired, 'warning'));
  }
  for (const ingress of model.ofKind(GK.Ingress)) {
    if (asString(asObj(ingress.obj.spec)?.ingressClassName) === 'nginx') {
      out.push(violation(EDGE_UNMAINTAINED, ingress, 'spec.ingressClassName', retired, 'warning'));
    }
  }
}

export const gatewayRules: RuleFamily = {
  ids: [ROUTE_PARENT, ROUTE_BACKEND, EDGE_UNMAINTAINED],
  check(model, _ctx, out) {
    for (const route of [...model.ofKind(HTTP_ROUTE), ...model.ofKind(GRPC_ROUTE)]) {
      checkParents(model, route, out);
      checkBackends(model, route, out);
    }
    for (const proxy of model.ofKind(GK.NginxProxy)) checkClientAddress(proxy, out);
    for (const gateway of model.ofKind(GK.Gateway)) checkGatewayPods(model, gateway, out);
    checkUnmaintained(model, out);
  },
};
