/**
 * Where the series an alert reads come from. An alert over a metric that nothing in the environment
 * exports and scrapes never fires (and an `absent()` over it fires forever), so every metric the
 * platform's alerts read maps to the one exporter that produces it, and the validator
 * (validation/rules/alert-sources.ts) checks that exporter is deployed and scraped in the same
 * set of manifests.
 *
 * Upstream, as pinned (kube-prometheus-stack 88.5.3 and its kube-state-metrics 2.20.0 subchart):
 * - node-exporter: `node_*`; the stack's `nodeExporter.enabled` (default true) deploys it;
 * - the kubelet: `kubelet_*` (its own /metrics, `kubelet.serviceMonitor.kubelet`), `container_*` from
 *   its cAdvisor endpoint (`kubelet.serviceMonitor.cAdvisor`); the stack drops cAdvisor's cgroups
 *   without a pod, so node-level `container_*{id="/"}` series never arrive;
 * - kube-state-metrics: `kube_<resource>_*` from one collector per resource. The subchart passes
 *   `--resources=` with its `collectors` list, which in 2.20.0 has `endpointslices` but not
 *   `endpoints`: `kube_endpoint_*` exists only with `collectorsExtra: [endpoints]`;
 * - Istio's sidecars: `istio_*`, scraped where the ServiceMonitor reads the merged metrics on the
 *   status port (lib/constructs/service-monitor.ts);
 * - CloudNativePG's instance manager: `cnpg_*` on the instances' `metrics` port, and the Barman Cloud
 *   plugin's `barman_cloud_cloudnative_pg_io_*` through the same endpoint;
 * - the redis-operator's redis_exporter sidecar: `redis_*` on the `redis-exporter` port;
 * - a blackbox exporter behind a Prometheus Operator Probe: `probe_*`;
 * - KEDA's operator: `keda_*`.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { LabelMatcher, MatchOp } from './promql';

export const MetricSource = {
  NODE_EXPORTER: 'node-exporter',
  KUBELET: 'kubelet',
  CADVISOR: 'cadvisor',
  KUBE_STATE_METRICS: 'kube-state-metrics',
  ISTIO: 'istio',
  CLOUDNATIVE_PG: 'cloudnative-pg',
  BARMAN_CLOUD: 'barman-cloud',
  REDIS_EXPORTER: 'redis-exporter',
  BLACKBOX: 'blackbox-probe',
  KEDA: 'keda',
} as const;
export type MetricSource = (typeof MetricSource)[keyof typeof MetricSource];

/** A metric's exporter, and for kube-state-metrics the collector that must be on. */
export interface SourceOf {
  readonly source: MetricSource;
  /** kube-state-metrics' collector (its `--resources` name). */
  readonly collector?: string;
}

/** kube-state-metrics' metric prefix → collector, for the resources the platform's alerts may read. */
const KSM_COLLECTORS: Readonly<Record<string, string>> = {
  kube_endpointslice_: 'endpointslices',
  kube_endpoint_: 'endpoints',
  kube_node_: 'nodes',
  kube_pod_: 'pods',
  kube_deployment_: 'deployments',
  kube_statefulset_: 'statefulsets',
  kube_daemonset_: 'daemonsets',
  kube_job_: 'jobs',
  kube_cronjob_: 'cronjobs',
  kube_persistentvolumeclaim_: 'persistentvolumeclaims',
  kube_horizontalpodautoscaler_: 'horizontalpodautoscalers',
  kube_poddisruptionbudget_: 'poddisruptionbudgets',
};

/**
 * kube-state-metrics' collectors as the kube-prometheus-stack 88.5.3 subchart (kube-state-metrics
 * 2.20.0) lists them in its `collectors` value.
 */
export const KUBE_STATE_METRICS_DEFAULT_COLLECTORS: readonly string[] = [
  'certificatesigningrequests',
  'configmaps',
  'cronjobs',
  'daemonsets',
  'deployments',
  'endpointslices',
  'horizontalpodautoscalers',
  'ingresses',
  'jobs',
  'leases',
  'limitranges',
  'mutatingwebhookconfigurations',
  'namespaces',
  'networkpolicies',
  'nodes',
  'persistentvolumeclaims',
  'persistentvolumes',
  'poddisruptionbudgets',
  'pods',
  'replicasets',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'services',
  'statefulsets',
  'storageclasses',
  'validatingwebhookconfigurations',
  'volumeattachments',
];

const PREFIXES: readonly (readonly [string, MetricSource])[] = [
  ['node_', MetricSource.NODE_EXPORTER],
  ['kubelet_', MetricSource.KUBELET],
  ['container_', MetricSource.CADVISOR],
  ['istio_', MetricSource.ISTIO],
  ['cnpg_', MetricSource.CLOUDNATIVE_PG],
  ['barman_cloud_cloudnative_pg_io_', MetricSource.BARMAN_CLOUD],
  ['redis_', MetricSource.REDIS_EXPORTER],
  ['probe_', MetricSource.BLACKBOX],
  ['keda_', MetricSource.KEDA],
];

/** The exporter of `metric`; undefined when the platform knows none. */
export function sourceOf(metric: string): SourceOf | undefined {
  const ksm = Object.keys(KSM_COLLECTORS)
    .filter((prefix) => metric.startsWith(prefix))
    .sort((a, b) => b.length - a.length)[0];
  if (ksm !== undefined) return { source: MetricSource.KUBE_STATE_METRICS, collector: KSM_COLLECTORS[ksm]! };
  const found = PREFIXES.find(([prefix]) => metric.startsWith(prefix));
  return found === undefined ? undefined : { source: found[1] };
}

/** One vector selector of an expression: its metric name and label matchers. */
export interface PromSelector {
  readonly metric: string;
  readonly matchers: readonly LabelMatcher[];
}

function unquote(literal: string): string {
  if (literal.startsWith('"')) return JSON.parse(literal) as string;
  return literal.slice(1, -1);
}

/** Every vector selector of `expr` that names a metric, in order (Prometheus's own grammar). */
export function selectorsOf(expr: string): PromSelector[] {
  const out: PromSelector[] = [];
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.name !== 'VectorSelector') continue;
    const node = cursor.node;
    const identifier = node.getChild('Identifier');
    if (identifier === null) continue;
    const matchers: LabelMatcher[] = [];
    for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
      const label = m.getChild('LabelName');
      const op = m.getChild('MatchOp');
      const value = m.getChild('StringLiteral');
      if (label === null || op === null || value === null) continue;
      matchers.push({
        label: expr.slice(label.from, label.to),
        op: expr.slice(op.from, op.to) as MatchOp,
        value: unquote(expr.slice(value.from, value.to)),
      });
    }
    out.push({ metric: expr.slice(identifier.from, identifier.to), matchers });
  } while (cursor.next());
  return out;
}

/** The value an equality matcher on `label` requires, if there is one. */
export function equalTo(selector: PromSelector, label: string): string | undefined {
  return selector.matchers.find((m) => m.label === label && m.op === '=')?.value;
}

/**
 * The literal values a matcher on `label` accepts: `a` for `="a"`, `a`, `b` for `=~"a|b"` (as
 * lib/promql.ts `oneOf` writes it); undefined when the label is not matched or not literally.
 */
export function literalValues(selector: PromSelector, label: string): string[] | undefined {
  const m = selector.matchers.find((x) => x.label === label && (x.op === '=' || x.op === '=~'));
  if (m === undefined) return undefined;
  if (m.op === '=') return [m.value];
  const parts = m.value.split(/(?<!\\)\|/);
  if (parts.some((p) => /(?<!\\)[.*+?^${}()[\]]/.test(p))) return undefined;
  return parts.map((p) => p.replace(/\\(.)/g, '$1'));
}
