import { Chart } from 'cdk8s';
import type { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { Environment, ExternalEndpoint, ServiceSpec } from '../environments/schema';
import { clusterAddress } from '../lib/cluster-address';
import { GOOGLE_APIS } from '../lib/gke-network';
import { ISTIO_STATUS_PORT } from '../lib/istio-metrics';
import { platformLabels, selectorLabels } from '../lib/labels';
import { NamespaceIsolation } from '../lib/constructs/namespace-isolation';
import { RELEASE_SMOKE, serviceName } from '../lib/names';
import { ipPeer, namespaceSelector, prometheusPeer, tcp } from '../lib/network-peers';
import { ServiceNetworkPolicy, type NetworkRule } from '../lib/constructs/service-network-policy';
import type { EnvironmentChartProps } from './chart-props';
import { storeEndpointPeer, storePorts } from './resolve-data-store';
import { enabledServices, serviceLabels, serviceSpec } from './resolve-service';
import { smokeTrafficLabels } from './delivery-chart';
import { type Caller, callersOf, edgePeer, smokeTargets } from './service-graph';

function pods(environment: Environment, service: string): k8s.NetworkPolicyPeer {
  return { podSelector: { matchLabels: selectorLabels({ name: service, environment: environment.name }) } };
}

function webPort(environment: Environment, service: string): number {
  const spec = serviceSpec(environment, service);
  if (spec.kind !== 'web') throw new Error(`${environment.name}: services.${service} is not a web service and has no port`);
  return spec.port;
}

function callerPeer(environment: Environment, caller: Caller): k8s.NetworkPolicyPeer {
  switch (caller.kind) {
    case 'ingress':
      return edgePeer(environment);
    case 'smoke':
      return pods(environment, RELEASE_SMOKE);
    case 'service':
      return pods(environment, caller.name);
  }
}

/** Who may connect in: the callers the service graph declares, the ingress controller, Prometheus. */
export function ingressRules(environment: Environment, service: string, spec: ServiceSpec): NetworkRule[] {
  if (spec.kind !== 'web') return [];
  const port = [tcp(spec.port)];
  const callers: NetworkRule[] = callersOf(environment, service).map((caller) => ({
    peers: [callerPeer(environment, caller)],
    ports: port,
  }));
  const prometheus = clusterAddress(environment.monitoring.prometheusUrl);
  const scrape: NetworkRule[] =
    spec.metricsPath === undefined || prometheus === undefined
      ? []
      : [
          {
            peers: [prometheusPeer(prometheus.namespace)],
            // The metrics port alone, never the port the routes reach; in the mesh Prometheus scrapes the
            // merged metrics on the Istio agent's status port instead.
            ports: [tcp(environment.mesh.enabled ? ISTIO_STATUS_PORT : spec.metricsPort)],
          },
        ];
  return [...callers, ...scrape];
}

/** The address ranges of an external endpoint: its own, or the range the cluster's network reaches it through. */
export function externalRanges(environment: Environment, endpoint: ExternalEndpoint): string[] {
  if (endpoint.cidrs !== undefined) return [...endpoint.cidrs];
  return [GOOGLE_APIS[environment.cluster.network.googleApis].cidr];
}

/** Where the service may connect out: the services it calls, its data stores, its external APIs, the trace collector. */
export function egressRules(environment: Environment, spec: ServiceSpec): NetworkRule[] {
  const callees: NetworkRule[] = spec.calls.map((callee) => ({
    peers: [pods(environment, callee)],
    ports: [tcp(webPort(environment, callee))],
  }));
  const stores: NetworkRule[] = spec.uses.map((name) => {
    const store = environment.dataStores[name];
    if (store === undefined) throw new Error(`${environment.name}: no data store "${name}"`);
    // An operated PostgreSQL is reached through its pooler only; an operated Redis on its pods.
    if (store.mode === 'operated') return { peers: [storeEndpointPeer(name, store)], ports: storePorts(store).map(tcp) };
    const peers: k8s.NetworkPolicyPeer[] =
      store.mode === 'managed'
        ? store.cidrs.map(ipPeer)
        : [{ namespaceSelector: namespaceSelector(store.namespace), podSelector: { matchLabels: { ...store.podLabels } } }];
    return { peers, ports: [tcp(store.port)] };
  });
  const external: NetworkRule[] = spec.egress.map((endpoint) => ({
    peers: externalRanges(environment, endpoint).map(ipPeer),
    ports: [tcp(endpoint.port)],
  }));
  const collector = environment.monitoring.tracing && clusterAddress(environment.monitoring.tracing.otlpEndpoint);
  const tracing: NetworkRule[] = collector
    ? [{ peers: [{ namespaceSelector: namespaceSelector(collector.namespace) }], ports: [tcp(collector.port)] }]
    : [];
  return [...callees, ...stores, ...external, ...tracing];
}

/**
 * Network isolation: deny by default, then one policy per service derived from the same service graph
 * the mesh authorization uses (DAT-01, SEC-04, SEC-06: the backend reachable only from the
 * ingress controller and its callers; data stores reachable only from the services that use them).
 */
export class NetworkChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const { environment } = props;
    new NamespaceIsolation(this, 'Isolation', { labels: platformLabels(environment, 'network'), mesh: environment.mesh.enabled });
    const previews = smokeTargets(environment);
    if (previews.length > 0) {
      // The gate's smoke traffic reaches the blue-green services' pods (the preview's among them), nothing else.
      new ServiceNetworkPolicy(this, RELEASE_SMOKE, {
        name: RELEASE_SMOKE,
        labels: smokeTrafficLabels(environment),
        podSelector: { matchLabels: selectorLabels({ name: RELEASE_SMOKE, environment: environment.name }) },
        ingress: [],
        egress: previews.map((service) => ({ peers: [pods(environment, service)], ports: [tcp(webPort(environment, service))] })),
      });
    }
    for (const [service, spec] of enabledServices(environment)) {
      new ServiceNetworkPolicy(this, service, {
        name: serviceName(service),
        labels: serviceLabels(environment, service),
        podSelector: { matchLabels: selectorLabels({ name: service, environment: environment.name }) },
        ingress: ingressRules(environment, service, spec),
        egress: egressRules(environment, spec),
      });
    }
  }
}
