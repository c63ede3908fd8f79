/**
 * edge/public-metrics: a port Prometheus scrapes is never one a public route reaches. A ServiceMonitor
 * or PodMonitor that scrapes the container port an HTTPRoute, GRPCRoute or Ingress backend resolves to
 * publishes the metrics (and whatever else that server answers) on the route's host: a route to `/`
 * answers `/metrics` too. The scraped port is the endpoint's `targetPort` (a container port of the
 * pods), its `port` (a Service port, then that port's target), a PodMonitor's `port`, or, where the
 * endpoint moves the target to Istio's status port (merged metrics), the app port the pods'
 * `prometheus.io/port` annotation gives the Istio agent. Serve the metrics on a port of their own that
 * no Service exposes (`services.<name>.metricsPort`).
 */
import type { Violation } from '../types';
import { GRPC_ROUTE, HTTP_ROUTE, routeBackends } from './gateway';
import {
  GK,
  asArray,
  asObj,
  asString,
  mapMatches,
  type Entry,
  type Model,
  type Obj,
  type PodRef,
  type RuleFamily,
  violation,
} from './model';
import { podPorts, resolveTargetPort } from './ports';

export const PUBLIC_METRICS = 'edge/public-metrics';

const SERVICE_MONITOR = 'monitoring.coreos.com/ServiceMonitor';
const POD_MONITOR = 'monitoring.coreos.com/PodMonitor';

/** Where a route reaches: `<pod object id>:<container port>`, and the route that does. */
type Reached = Map<string, string>;

function podsOf(model: Model, service: Entry): PodRef[] {
  const selector = asObj(asObj(service.obj.spec)?.selector) as Record<string, string> | undefined;
  if (selector === undefined || Object.keys(selector).length === 0) return [];
  return model.workloadsMatchingMap(service.namespace, selector).map((w) => w.pod);
}

/** The container ports of the Service's pods a Service port (given by its object) leads to. */
function throughServicePort(model: Model, service: Entry, port: Obj): string[] {
  const target = port.targetPort ?? port.port;
  return podsOf(model, service).flatMap((pod) => {
    const resolved = resolveTargetPort(podPorts(pod), target);
    return resolved === undefined ? [] : [`${pod.entry.id}:${resolved.number}`];
  });
}

function servicePortBy(service: Entry, ref: Obj | undefined): Obj | undefined {
  const ports = asArray(asObj(service.obj.spec)?.ports).map((p) => asObj(p) ?? {});
  if (typeof ref?.number === 'number') return ports.find((p) => p.port === ref.number);
  const name = asString(ref?.name);
  return name === undefined ? undefined : ports.find((p) => p.name === name);
}

function reachedByRoutes(model: Model): Reached {
  const reached: Reached = new Map();
  for (const route of [...model.ofKind(HTTP_ROUTE), ...model.ofKind(GRPC_ROUTE)]) {
    for (const backend of routeBackends(model, route)) {
      for (const key of throughServicePort(model, backend.service, backend.port)) if (!reached.has(key)) reached.set(key, route.id);
    }
  }
  for (const ingress of model.ofKind(GK.Ingress)) {
    const spec = asObj(ingress.obj.spec) ?? {};
    const backends = [
      asObj(spec.defaultBackend),
      ...asArray(spec.rules).flatMap((rule) => asArray(asObj(asObj(rule)?.http)?.paths).map((p) => asObj(asObj(p)?.backend))),
    ];
    for (const backend of backends) {
      const ref = asObj(backend?.service);
      const service = ref === undefined ? undefined : model.get(GK.Service, ingress.namespace, asString(ref.name) ?? '');
      const port = service === undefined ? undefined : servicePortBy(service, asObj(ref?.port));
      if (service === undefined || port === undefined) continue;
      for (const key of throughServicePort(model, service, port)) if (!reached.has(key)) reached.set(key, ingress.id);
    }
  }
  return reached;
}

/** Whether an endpoint moves its targets to another address (Istio's status port for merged metrics). */
function rewritesAddress(endpoint: Obj): boolean {
  return asArray(endpoint.relabelings).some((r) => asString(asObj(r)?.targetLabel) === '__address__');
}

/** The app port the Istio agent scrapes for merged metrics on each pod. */
function mergedAppPorts(pods: readonly PodRef[]): string[] {
  return pods.flatMap((pod) => {
    const meta = pod.metaPath.split('.').reduce<unknown>((at, key) => asObj(at)?.[key], pod.entry.obj);
    const annotations = asObj(asObj(meta)?.annotations) ?? {};
    const port = Number(asString(annotations['prometheus.io/port']));
    return Number.isInteger(port) && port > 0 ? [`${pod.entry.id}:${port}`] : [];
  });
}

function scrapedByServiceMonitor(model: Model, monitor: Entry, endpoint: Obj): string[] {
  const spec = asObj(monitor.obj.spec) ?? {};
  const selector = (asObj(asObj(spec.selector)?.matchLabels) ?? {}) as Record<string, string>;
  const services = model
    .ofKind(GK.Service)
    .filter(
      (svc) => svc.namespace === monitor.namespace && mapMatches(selector, (svc.obj.metadata.labels ?? {}) as Record<string, string>),
    );
  return services.flatMap((service) => {
    const pods = podsOf(model, service);
    if (rewritesAddress(endpoint)) return mergedAppPorts(pods);
    if (endpoint.targetPort !== undefined) {
      return pods.flatMap((pod) => {
        const resolved = resolveTargetPort(podPorts(pod), endpoint.targetPort);
        return resolved === undefined ? [] : [`${pod.entry.id}:${resolved.number}`];
      });
    }
    const port = servicePortBy(service, { name: endpoint.port });
    return port === undefined ? [] : throughServicePort(model, service, port);
  });
}

function scrapedByPodMonitor(model: Model, monitor: Entry, endpoint: Obj): string[] {
  const selector = (asObj(asObj(asObj(monitor.obj.spec)?.selector)?.matchLabels) ?? {}) as Record<string, string>;
  if (Object.keys(selector).length === 0) return [];
  const pods = model.workloadsMatchingMap(monitor.namespace, selector).map((w) => w.pod);
  if (rewritesAddress(endpoint)) return mergedAppPorts(pods);
  return pods.flatMap((pod) => {
    const resolved = resolveTargetPort(podPorts(pod), endpoint.port ?? endpoint.portNumber);
    return resolved === undefined ? [] : [`${pod.entry.id}:${resolved.number}`];
  });
}

export const publicMetricsRules: RuleFamily = {
  ids: [PUBLIC_METRICS],
  check(model, _ctx, out: Violation[]) {
    const reached = reachedByRoutes(model);
    if (reached.size === 0) return;
    const monitors = [
      ...model.ofKind(SERVICE_MONITOR).map((m) => ({ monitor: m, field: 'endpoints', scraped: scrapedByServiceMonitor })),
      ...model.ofKind(POD_MONITOR).map((m) => ({ monitor: m, field: 'podMetricsEndpoints', scraped: scrapedByPodMonitor })),
    ];
    for (const { monitor, field, scraped } of monitors) {
      asArray(asObj(monitor.obj.spec)?.[field]).forEach((raw, i) => {
        const endpoint = asObj(raw) ?? {};
        const hit = [...new Set(scraped(model, monitor, endpoint))].find((key) => reached.has(key));
        if (hit === undefined) return;
        const [pods, port] = [hit.slice(0, hit.lastIndexOf(':')), hit.slice(hit.lastIndexOf(':') + 1)];
        out.push(
          violation(
            PUBLIC_METRICS,
            monitor,
            `spec.${field}[${i}]`,
            `scrapes the metrics served on container port ${port} of ${pods}, which ${reached.get(hit)} routes to: they are public on its hosts (a route to / answers every path); serve them on a port of their own that no Service exposes (services.<name>.metricsPort)`,
          ),
        );
      });
    }
  },
};
