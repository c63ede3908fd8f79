/**
 * The add-on namespaces' isolation (issue 24 #11, charts/addon-network-chart.ts): monitoring and every
 * namespace an add-on is installed into deny by default in both directions, and each chart pod gets
 * what its chart's network facts (lib/addons/chart-network.ts) say it needs, from the Prometheus pods
 * (never their whole namespace) and the API server's ranges.
 */
import { describe, expect, it } from 'vitest';
import { addonNamespaces, addonPods, isolatedWithApps } from '../charts/addon-network-chart';
import { clusterAddons, monitoringNamespace } from '../charts/addons-catalog';
import { CHART_FACTS } from '../lib/addons/chart-facts';
import { CHART_NETWORK } from '../lib/addons/chart-network';
import type { Manifest } from '../lib/core/manifest';
import { ISTIO_STATUS_PORT } from '../lib/istio-metrics';
import { PROMETHEUS_POD_LABELS } from '../lib/network-peers';
import { DEFAULT_DENY } from '../validation/rules/default-deny';
import { SCRAPE_FROM } from '../validation/rules/scrape-peers';
import { findings, type M } from './fixtures/rules/factories';
import { environment, nonEmpty, rendered } from './helpers';

interface Peer {
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
  readonly namespaceSelector?: { readonly matchLabels?: Record<string, string> };
  readonly podSelector?: { readonly matchLabels?: Record<string, string> };
}
interface Rule {
  readonly from?: readonly Peer[];
  readonly to?: readonly Peer[];
  readonly ports?: readonly { readonly port: number }[];
}
interface Policy extends Manifest {
  readonly spec: {
    readonly podSelector: { readonly matchLabels?: Record<string, string> };
    readonly policyTypes: readonly string[];
    readonly ingress?: readonly Rule[];
    readonly egress?: readonly Rule[];
  };
}

const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

function policies(name: string): Policy[] {
  return rendered(name).objects.filter((o) => o.kind === 'NetworkPolicy') as Policy[];
}

function policy(name: string, namespace: string, policyName: string): Policy {
  const found = policies(name).find((p) => p.metadata.namespace === namespace && p.metadata.name === policyName);
  if (found === undefined) throw new Error(`${name}: no NetworkPolicy ${namespace}/${policyName}`);
  return found;
}

const sorted = (labels: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(labels).sort());
const ports = (rule: Rule) => (rule.ports ?? []).map((p) => p.port);
const isPrometheus = (peer: Peer, namespace: string) =>
  peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === namespace &&
  sorted(peer.podSelector?.matchLabels ?? {}) === sorted(PROMETHEUS_POD_LABELS);

describe('chart network facts', () => {
  it('exist for every chart with facts, and name only pods the chart facts know', () => {
    expect(Object.keys(CHART_NETWORK).sort()).toEqual(Object.keys(CHART_FACTS).sort());
    for (const [chart, network] of nonEmpty(Object.entries(CHART_NETWORK), 'chart network facts')) {
      const known = CHART_FACTS[chart]!.pods.map((pod) => pod.name);
      for (const pod of network.pods) expect(known, `${chart}: ${pod.pod}`).toContain(pod.pod);
    }
  });

  it("leave out the pods an add-on's values turn off (Grafana, node-exporter)", () => {
    const pods = addonPods(clusterAddons(environment('prod'))).map((p) => `${p.addon.name}/${p.network.pod}`);
    expect(pods).toContain('kube-prometheus-stack/prometheus');
    expect(pods.filter((p) => p.endsWith('/grafana') || p.endsWith('/node-exporter'))).toEqual([]);
  });

  it('fail an add-on whose chart has no network facts, naming the file', () => {
    const [first] = clusterAddons(environment('dev'));
    expect(() => addonPods([{ ...first!, chart: { ...first!.chart, chart: 'unknown-chart' } }])).toThrow(
      'add-on kube-prometheus-stack: no network facts for chart unknown-chart in lib/addons/chart-network.ts',
    );
  });
});

describe.each(ENVIRONMENTS)('%s add-on namespaces', (name) => {
  const env = environment(name);
  const addons = clusterAddons(env);
  const monitoring = monitoringNamespace(env);
  const namespaces = addonNamespaces(addons).map((n) => n.name);

  it('include monitoring, and leave the cluster’s kube-system alone', () => {
    expect(namespaces).toContain(monitoring);
    expect(namespaces).not.toContain('kube-system');
    expect(policies(name).filter((p) => p.metadata.namespace === 'kube-system')).toEqual([]);
  });

  it('deny every pod all ingress and egress, and allow DNS and the Kubernetes API only', () => {
    for (const namespace of nonEmpty(namespaces, `${name}: add-on namespaces`)) {
      expect(policy(name, namespace, 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const api = policy(name, namespace, 'allow-api-server').spec;
      expect(api.policyTypes).toEqual(['Egress']);
      expect(api.egress).toEqual([
        {
          to: env.cluster.apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [{ protocol: 'TCP', port: env.cluster.apiServer.port }],
        },
      ]);
      expect(policy(name, namespace, 'allow-dns').spec.policyTypes).toEqual(['Egress']);
    }
  });

  it('pass net/default-deny, and fail it without the add-on isolation', () => {
    const all = rendered(name).objects as M[];
    expect(findings(all, DEFAULT_DENY)).toEqual([]);
    const without = all.filter((o) => !(o.kind === 'NetworkPolicy' && namespaces.includes(o.metadata.namespace)));
    expect(findings(without, DEFAULT_DENY).map((v) => v.message.split(' has ')[0])).toEqual(namespaces.map((n) => `namespace ${n}`));
  });

  it('go with the add-ons where Flux installs them, with the apps where Argo CD may', () => {
    const file = rendered(name).files.find((f) => f.objects.some((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === monitoring));
    expect(file?.name).toBe(isolatedWithApps(env) ? 'addon-network.yaml' : 'addons/addon-network.yaml');
  });

  it('admit scraping from the Prometheus pods alone, never their whole namespace, and never open 15020', () => {
    const inAddons = policies(name).filter((p) => namespaces.includes(p.metadata.namespace!));
    const scraping = inAddons.flatMap((p) =>
      (p.spec.ingress ?? []).filter((rule) =>
        (rule.from ?? []).some((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === monitoring),
      ),
    );
    expect(scraping.length).toBeGreaterThan(0);
    for (const rule of scraping) {
      for (const peer of rule.from!) if (peer.namespaceSelector?.matchLabels) expect(peer.podSelector?.matchLabels).toBeDefined();
    }
    expect(inAddons.flatMap((p) => (p.spec.ingress ?? []).flatMap(ports))).not.toContain(ISTIO_STATUS_PORT);
    expect(findings(rendered(name).objects as M[], SCRAPE_FROM)).toEqual([]);
  });

  it("admit the API server to each webhook's port, from the chart sources", () => {
    const webhook = (addon: string, pod: string) =>
      (policy(name, addons.find((a) => a.name === addon)!.namespace.name, `${addon}-${pod}`).spec.ingress ?? []).filter((rule) =>
        (rule.from ?? []).every((peer) => env.cluster.apiServer.cidrs.includes(peer.ipBlock?.cidr ?? '')),
      );
    expect(webhook('cert-manager', 'webhook').map(ports)).toEqual([[10250]]);
    expect(webhook('external-secrets', 'webhook').map(ports)).toEqual([[10250]]);
    expect(webhook('kube-prometheus-stack', 'operator').map(ports)).toEqual([[10250]]);
    expect(webhook('keda', 'metrics-apiserver').map(ports)).toEqual([[6443]]);
  });

  it('admit to Prometheus the Prometheus pods and the add-ons that query it, nothing else', () => {
    const server = policy(name, monitoring, 'kube-prometheus-stack-prometheus').spec;
    expect(server.podSelector.matchLabels).toEqual(PROMETHEUS_POD_LABELS);
    const [self, clients] = server.ingress!;
    expect(nonEmpty(self!.from!, 'Prometheus peers').every((peer) => isPrometheus(peer, monitoring))).toBe(true);
    expect(
      clients!.from!.map((peer) => peer.podSelector?.matchLabels?.app ?? peer.podSelector?.matchLabels?.['app.kubernetes.io/name']),
    ).toEqual(['keda-operator', 'argo-rollouts']);
    expect(ports(clients!)).toEqual([9090]);
  });
});
