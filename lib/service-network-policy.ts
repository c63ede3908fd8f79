import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { clusterAddress } from './cluster-address';
import { ISTIO_STATUS_PORT } from './istio-metrics';
import { selectorLabels } from './labels';
import { ipPeer, namespaceSelector, tcp } from './network-peers';
import { serviceName } from './names';
import { serviceOf } from './pod-template';
import { callersOf } from './service-graph';


export interface ServiceNetworkPolicyProps {
  readonly environment: Environment;
  readonly service: string;
  readonly labels: Record<string, string>;
}

type Rule = { peers: k8s.NetworkPolicyPeer[]; ports: k8s.NetworkPolicyPort[] };

function pods(environment: Environment, service: string): k8s.NetworkPolicyPeer {
  return { podSelector: { matchLabels: selectorLabels({ name: service, environment: environment.name }) } };
}

/** Who may connect in: the callers the service graph declares, the ingress controller, Prometheus. */
function ingressRules(environment: Environment, service: string): Rule[] {
  const spec = serviceOf(environment, service);
  if (spec.kind !== 'web') return [];
  const port = [tcp(spec.port!)];
  const callers: Rule[] = callersOf(environment, service).map((caller) => ({
    peers: [caller.kind === 'ingress' ? { namespaceSelector: namespaceSelector(environment.ingress.controller.namespace) } : pods(environment, caller.name)],
    ports: port,
  }));
  const prometheus = clusterAddress(environment.monitoring.prometheusUrl);
  const scrape: Rule[] =
    spec.metricsPath === undefined || prometheus === undefined
      ? []
      : [
          {
            peers: [{ namespaceSelector: namespaceSelector(prometheus.namespace) }],
            ports: [...port, ...(environment.mesh.enabled ? [tcp(ISTIO_STATUS_PORT)] : [])],
          },
        ];
  return [...callers, ...scrape];
}

/** Where the service may connect out: the services it calls, its data stores, its external APIs, the trace collector. */
function egressRules(environment: Environment, service: string): Rule[] {
  const spec = serviceOf(environment, service);
  const callees: Rule[] = spec.calls.map((callee) => ({ peers: [pods(environment, callee)], ports: [tcp(serviceOf(environment, callee).port!)] }));
  const stores: Rule[] = spec.uses.map((name) => {
    const store = environment.dataStores[name]!;
    const peers: k8s.NetworkPolicyPeer[] =
      store.mode === 'managed'
        ? (store.cidrs ?? []).map(ipPeer)
        : [{ namespaceSelector: namespaceSelector(store.namespace!), podSelector: { matchLabels: { ...store.podLabels } } }];
    return { peers, ports: [tcp(store.port)] };
  });
  const external: Rule[] = spec.egress.map((endpoint) => ({ peers: endpoint.cidrs.map(ipPeer), ports: [tcp(endpoint.port)] }));
  const collector = environment.monitoring.tracing && clusterAddress(environment.monitoring.tracing.otlpEndpoint);
  const tracing: Rule[] = collector ? [{ peers: [{ namespaceSelector: namespaceSelector(collector.namespace) }], ports: [tcp(collector.port)] }] : [];
  return [...callees, ...stores, ...external, ...tracing];
}

/**
 * One service's allowed traffic, derived from the same service graph the mesh authorization uses:
 * seed 000's security groups (the backend reachable only from the ingress controller and its
 * callers; PostgreSQL, MongoDB and Redis reachable only from the services that use them).
 */
export class ServiceNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: ServiceNetworkPolicyProps) {
    super(scope, id);
    const { environment, service } = props;
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: serviceName(service), labels: props.labels },
      spec: {
        podSelector: { matchLabels: selectorLabels({ name: service, environment: environment.name }) },
        policyTypes: ['Ingress', 'Egress'],
        ingress: ingressRules(environment, service).map((rule) => ({ from: rule.peers, ports: rule.ports })),
        egress: egressRules(environment, service).map((rule) => ({ to: rule.peers, ports: rule.ports })),
      },
    });
  }
}
