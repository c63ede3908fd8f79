import { Chart } from 'cdk8s';
import type { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import type { ClusterAddon } from '../lib/addons/addon';
import { CHART_FACTS } from '../lib/addons/chart-facts';
import {
  AddonCaller,
  AddonDestination,
  CHART_NETWORK,
  type AddonEgress,
  type AddonIngress,
  type PodNetwork,
} from '../lib/addons/chart-network';
import { clusterAddress } from '../lib/cluster-address';
import { usesArgoCd } from '../lib/gitops/tools';
import { GOOGLE_APIS, METADATA_SERVER } from '../lib/gke-network';
import { platformLabels } from '../lib/labels';
import { NamespaceIsolation } from '../lib/constructs/namespace-isolation';
import { ipPeer, namespaceSelector, prometheusPeer, tcp } from '../lib/network-peers';
import { ServiceNetworkPolicy, type NetworkRule } from '../lib/constructs/service-network-policy';
import { clusterAddons, monitoringNamespace } from './addons-catalog';
import type { EnvironmentChartProps } from './chart-props';

/** The chart's id, and so its file: addon-network.yaml. */
export const ADDON_NETWORK_CHART = 'addon-network';

/**
 * Whether the add-on namespaces' isolation is applied with the apps rather than with the add-ons.
 * Flux applies the add-ons' folder (their namespaces, then the releases), and the isolation goes
 * there, from the namespaces' creation on. Where Argo CD may install the add-ons (an Application per
 * chart, which creates its namespace; its add-ons project takes Helm charts only) it goes with the
 * apps, which both tools sync once the add-ons are installed.
 */
export function isolatedWithApps(environment: Environment): boolean {
  return usesArgoCd(environment.gitops.tool);
}

/** One pod an add-on runs, with the namespace it runs in. */
export interface AddonPod {
  readonly addon: ClusterAddon;
  readonly network: PodNetwork;
}

/** The value at `path` of an add-on's values, if any. */
function valueAt(values: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined),
    values,
  );
}

/**
 * The pods each add-on runs with its values, as the network sees them: the chart's network facts,
 * without the pods its values turn off (CHART_FACTS `enabledBy`).
 * @throws Error for a chart without network facts (lib/addons/chart-network.ts).
 */
export function addonPods(addons: readonly ClusterAddon[]): AddonPod[] {
  return addons.flatMap((addon) => {
    const network = CHART_NETWORK[addon.chart.chart];
    if (network === undefined) {
      throw new Error(
        `add-on ${addon.name}: no network facts for chart ${addon.chart.chart} in lib/addons/chart-network.ts (its pods' ports and labels)`,
      );
    }
    const facts = CHART_FACTS[addon.chart.chart]?.pods ?? [];
    return network.pods
      .filter((pod) => {
        const enabledBy = facts.find((fact) => fact.name === pod.pod)?.enabledBy;
        return enabledBy === undefined || valueAt(addon.values, enabledBy) !== false;
      })
      .map((pod) => ({ addon, network: pod }));
  });
}

/** The namespaces the add-ons are installed into that this repository owns (not kube-system), each once. */
export function addonNamespaces(addons: readonly ClusterAddon[]): ClusterAddon['namespace'][] {
  return [...new Map(addons.filter((a) => a.namespace.enforce !== undefined).map((a) => [a.namespace.name, a.namespace])).values()];
}

/** Google's APIs through the Private Google Access range the cluster's DNS answers with, and the metadata server's tokens. */
function googleApis(environment: Environment): NetworkRule[] {
  const { googleApis, dataplane } = environment.cluster.network;
  return [
    { peers: [ipPeer(GOOGLE_APIS[googleApis].cidr)], ports: [tcp(443)] },
    { peers: [ipPeer(METADATA_SERVER[dataplane].cidr)], ports: [tcp(METADATA_SERVER[dataplane].port)] },
  ];
}

/** Where the external-secrets operator reads the environment's secrets. */
function secretStore(environment: Environment): NetworkRule[] {
  const { store } = environment.secrets;
  switch (store.provider) {
    case 'gcp':
      return googleApis(environment);
    case 'aws':
      // AWS Secrets Manager and STS (web identity) are public endpoints.
      return [{ peers: [ipPeer('0.0.0.0/0')], ports: [tcp(443)] }];
    case 'vault': {
      const inCluster = clusterAddress(store.server);
      if (inCluster !== undefined)
        return [{ peers: [{ namespaceSelector: namespaceSelector(inCluster.namespace) }], ports: [tcp(inCluster.port)] }];
      const url = new URL(store.server);
      return [{ peers: [ipPeer('0.0.0.0/0')], ports: [tcp(url.port === '' ? 443 : Number(url.port))] }];
    }
  }
}

/** The DNS API cert-manager answers DNS-01 challenges through, if the issuer's solver is one. */
function dnsSolver(environment: Environment): NetworkRule[] {
  const { solver } = environment.tls.issuer;
  if (solver.type === 'http01') return [];
  // Cloud DNS is a Google API; Route 53 a public AWS endpoint.
  return solver.type === 'dns01-clouddns' ? googleApis(environment) : [{ peers: [ipPeer('0.0.0.0/0')], ports: [tcp(443)] }];
}

/**
 * The add-on namespaces' isolation (issue 24 #11): in every namespace the add-ons are installed into
 * (monitoring among them), every pod denies all ingress and egress but DNS and the Kubernetes API,
 * and each pod the charts run gets the rest from its chart's network facts: the API server to its
 * webhooks and aggregated APIs, the Prometheus pods (never their whole namespace) to its metrics, the
 * add-ons that query Prometheus to Prometheus, and its own egress resolved from the environment.
 * In the add-ons' folder for Flux, with the apps where Argo CD may install the add-ons (isolatedWithApps).
 */
export class AddonNetworkChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id);
    const { environment } = props;
    const addons = clusterAddons(environment);
    const labels = platformLabels(environment, 'addons');
    const prometheusAddress = clusterAddress(environment.monitoring.prometheusUrl);
    const prometheus = prometheusPeer(monitoringNamespace(environment));
    const pods = addonPods(addons).filter((pod) => pod.addon.namespace.enforce !== undefined);
    const podPeer = (pod: AddonPod): k8s.NetworkPolicyPeer => ({
      namespaceSelector: namespaceSelector(pod.addon.namespace.name),
      podSelector: { matchLabels: { ...pod.network.labels } },
    });
    // Who queries Prometheus: the add-on pods whose egress names it.
    const clients = pods.filter((pod) => (pod.network.egress ?? []).some((e) => e.to === AddonDestination.PROMETHEUS)).map(podPeer);
    const apiServer = environment.cluster.apiServer;

    const ingress = (rule: AddonIngress): NetworkRule[] => {
      const ports = rule.ports.map(tcp);
      switch (rule.from) {
        case AddonCaller.API_SERVER:
          return [{ peers: apiServer.cidrs.map(ipPeer), ports }];
        case AddonCaller.PROMETHEUS:
          return [{ peers: [prometheus], ports }];
        case AddonCaller.PROMETHEUS_CLIENTS:
          return clients.length === 0 ? [] : [{ peers: clients, ports }];
        case AddonCaller.NAMESPACE:
          return [{ peers: [{ podSelector: {} }], ports }];
        case AddonCaller.CLUSTER:
          return [{ peers: [{ namespaceSelector: {} }], ports }];
        case AddonCaller.ANYWHERE:
          return [{ peers: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports }];
      }
    };
    const egress = (rule: AddonEgress): NetworkRule[] => {
      const ports = (rule.ports ?? []).map(tcp);
      switch (rule.to) {
        case AddonDestination.PROMETHEUS:
          return prometheusAddress === undefined ? [] : [{ peers: [prometheus], ports: [tcp(prometheusAddress.port)] }];
        case AddonDestination.NAMESPACE:
          return [{ peers: [{ podSelector: {} }], ports }];
        case AddonDestination.CLUSTER:
          return [{ peers: [{ namespaceSelector: {} }], ports }];
        case AddonDestination.NODES:
          // The nodes' addresses are not in the model: any address, on these ports only.
          return [{ peers: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports }];
        case AddonDestination.INTERNET:
          return [{ peers: [ipPeer('0.0.0.0/0')], ports }];
        case AddonDestination.SECRET_STORE:
          return secretStore(environment);
        case AddonDestination.DNS_SOLVER:
          return dnsSolver(environment);
      }
    };

    for (const namespace of addonNamespaces(addons)) {
      new NamespaceIsolation(this, `isolation-${namespace.name}`, {
        labels,
        namespace: namespace.name,
        mesh: namespace.labels['istio-injection'] === 'enabled',
        apiServer,
      });
    }
    for (const pod of pods) {
      const name = `${pod.addon.name}-${pod.network.pod}`;
      new ServiceNetworkPolicy(this, name, {
        name,
        namespace: pod.addon.namespace.name,
        labels,
        podSelector: { matchLabels: { ...pod.network.labels } },
        ingress: pod.network.ingress.flatMap(ingress),
        egress: (pod.network.egress ?? []).flatMap(egress),
      });
    }
  }
}
