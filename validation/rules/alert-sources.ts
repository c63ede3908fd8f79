/**
 * monitoring/alert-source: every metric a PrometheusRule's alert reads is produced and scraped by
 * something in the same set (lib/alert-sources.ts maps each metric to its exporter). An alert over a
 * series nobody exports never fires, and an `absent()` over it fires forever. What counts:
 * - node-exporter, the kubelet and its cAdvisor, kube-state-metrics: a kube-prometheus-stack release
 *   whose values do not switch the exporter (or its scrape) off; for kube-state-metrics the metric's
 *   collector is among the subchart's `collectors` (minus `collectorsExclude`, plus `collectorsExtra`);
 * - Istio: istiod is installed, and each service the selector names (`destination_service_name`,
 *   in `destination_service_namespace`) has a ServiceMonitor that selects its Service and scrapes
 *   Istio's merged metrics path;
 * - CloudNativePG (and the Barman Cloud plugin's series): a Cluster whose instance pods the
 *   selector's `pod` pattern matches, in its `namespace`, with a PodMonitor on its instances'
 *   `metrics` port (and, for the plugin, the plugin installed and named in the Cluster's plugins);
 * - redis_exporter: a RedisReplication in the namespace and a PodMonitor on a `redis-exporter` port;
 * - a blackbox probe: a Probe in the namespace with a prober and a target labelled as the selector's
 *   other equality matchers require;
 * - KEDA: its release.
 * A metric no exporter is known for fails too: its source cannot be shown.
 */
import { ISTIO_MERGED_METRICS_PATH } from '../../lib/istio-metrics';
import {
  KUBE_STATE_METRICS_DEFAULT_COLLECTORS,
  MetricSource,
  equalTo,
  literalValues,
  selectorsOf,
  sourceOf,
  type PromSelector,
} from '../../lib/alert-sources';
import type { Violation } from '../types';
import { helmInstalls, type HelmInstall } from './addons';
import { GK, asArray, asObj, asString, asStringMap, mapMatches, violation, type Model, type Obj, type RuleFamily } from './model';

export const ALERT_SOURCE = 'monitoring/alert-source';

const PROMETHEUS_RULE = 'monitoring.coreos.com/PrometheusRule';
const SERVICE_MONITOR = 'monitoring.coreos.com/ServiceMonitor';
const POD_MONITOR = 'monitoring.coreos.com/PodMonitor';
const PROBE = 'monitoring.coreos.com/Probe';
const CNPG_CLUSTER = 'postgresql.cnpg.io/Cluster';
const REDIS_REPLICATION = 'redis.redis.opstreelabs.in/RedisReplication';
const BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';

const STACK = 'kube-prometheus-stack';

function path(values: Obj, ...keys: string[]): unknown {
  let at: unknown = values;
  for (const key of keys) at = asObj(at)?.[key];
  return at;
}

function stringList(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
}

/** kube-state-metrics' effective `--resources`, computed as the subchart's helper does. */
export function kubeStateMetricsCollectors(values: Obj): string[] {
  const ksm = asObj(values['kube-state-metrics']) ?? {};
  const base = ksm.collectors === undefined ? [...KUBE_STATE_METRICS_DEFAULT_COLLECTORS] : stringList(ksm.collectors);
  const exclude = new Set(stringList(ksm.collectorsExclude));
  return [...new Set([...base.filter((c) => !exclude.has(c)), ...stringList(ksm.collectorsExtra)])];
}

function stackProblem(
  stack: HelmInstall | undefined,
  selector: PromSelector,
  source: MetricSource,
  collector?: string,
): string | undefined {
  if (stack === undefined) return `and no ${STACK} release in the set deploys or scrapes ${source}`;
  const off = (keys: string[]) => path(stack.values, ...keys) === false;
  const where = (keys: string[]) => `${stack.valuesPath}.${keys.join('.')}`;
  const checks: Record<string, string[][]> = {
    [MetricSource.NODE_EXPORTER]: [['nodeExporter', 'enabled']],
    [MetricSource.KUBELET]: [
      ['kubelet', 'enabled'],
      ['kubelet', 'serviceMonitor', 'kubelet'],
    ],
    [MetricSource.CADVISOR]: [
      ['kubelet', 'enabled'],
      ['kubelet', 'serviceMonitor', 'cAdvisor'],
    ],
    [MetricSource.KUBE_STATE_METRICS]: [['kubeStateMetrics', 'enabled']],
  };
  for (const keys of checks[source] ?? []) {
    if (off(keys)) return `which only ${source} exports, and ${STACK}'s ${where(keys)} is false`;
  }
  if (collector !== undefined && !kubeStateMetricsCollectors(stack.values).includes(collector)) {
    return `which kube-state-metrics exports only with its "${collector}" collector, and ${STACK} runs it without (add it to ${stack.valuesPath}["kube-state-metrics"].collectorsExtra)`;
  }
  void selector;
  return undefined;
}

function installed(model: Model, chart: string): boolean {
  return helmInstalls(model).some((i) => i.chart === chart);
}

function inNamespace(model: Model, gk: string, namespace: string | undefined) {
  return model.ofKind(gk).filter((e) => namespace === undefined || e.namespace === namespace);
}

function istioProblem(model: Model, selector: PromSelector): string | undefined {
  if (!installed(model, 'istiod')) return 'which Istio sidecars export, and istiod is not installed';
  const namespace = equalTo(selector, 'destination_service_namespace');
  const names = literalValues(selector, 'destination_service_name');
  const monitors = inNamespace(model, SERVICE_MONITOR, namespace).filter((m) =>
    asArray(asObj(m.obj.spec)?.endpoints).some((e) => asString(asObj(e)?.path) === ISTIO_MERGED_METRICS_PATH),
  );
  if (names === undefined)
    return monitors.length > 0 ? undefined : `and no ServiceMonitor scrapes Istio's merged metrics (${ISTIO_MERGED_METRICS_PATH})`;
  const unscraped = names.filter((name) => {
    const services = inNamespace(model, GK.Service, namespace).filter((s) => s.name === name);
    return !services.some((service) =>
      monitors.some(
        (m) =>
          m.namespace === service.namespace &&
          mapMatches(asStringMap(asObj(asObj(m.obj.spec)?.selector)?.matchLabels), asStringMap(service.obj.metadata?.labels)),
      ),
    );
  });
  return unscraped.length === 0
    ? undefined
    : `and no ServiceMonitor scrapes Istio's merged metrics (${ISTIO_MERGED_METRICS_PATH}) of Service ${unscraped.join(', ')}${namespace === undefined ? '' : ` in ${namespace}`}`;
}

function podPattern(selector: PromSelector): RegExp | undefined {
  const m = selector.matchers.find((x) => x.label === 'pod' && (x.op === '=' || x.op === '=~'));
  if (m === undefined) return undefined;
  return m.op === '=' ? new RegExp(`^${m.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : new RegExp(`^(?:${m.value})$`);
}

function cnpgProblem(model: Model, selector: PromSelector, plugin: boolean): string | undefined {
  if (!installed(model, 'cloudnative-pg')) return 'which CloudNativePG instances export, and cloudnative-pg is not installed';
  if (plugin && !installed(model, 'plugin-barman-cloud'))
    return 'which the Barman Cloud plugin exports, and plugin-barman-cloud is not installed';
  const namespace = equalTo(selector, 'namespace');
  const pods = podPattern(selector);
  const clusters = inNamespace(model, CNPG_CLUSTER, namespace).filter((c) => pods === undefined || pods.test(`${c.name}-1`));
  if (clusters.length === 0)
    return `and no CloudNativePG Cluster${namespace === undefined ? '' : ` in ${namespace}`} has instance pods it selects`;
  const scraped = clusters.filter((c) =>
    inNamespace(model, POD_MONITOR, c.namespace).some((m) => {
      const spec = asObj(m.obj.spec) ?? {};
      return (
        asStringMap(asObj(spec.selector)?.matchLabels)['cnpg.io/cluster'] === c.name &&
        asArray(spec.podMetricsEndpoints).some((e) => asString(asObj(e)?.port) === 'metrics')
      );
    }),
  );
  if (scraped.length === 0)
    return `and no PodMonitor scrapes the "metrics" port of Cluster ${clusters.map((c) => c.name).join(', ')}'s instances`;
  if (plugin) {
    const withPlugin = scraped.filter((c) => asArray(asObj(c.obj.spec)?.plugins).some((p) => asString(asObj(p)?.name) === BARMAN_PLUGIN));
    if (withPlugin.length === 0)
      return `which the Barman Cloud plugin exports, and Cluster ${scraped.map((c) => c.name).join(', ')} does not use it`;
  }
  return undefined;
}

function redisProblem(model: Model, selector: PromSelector): string | undefined {
  const namespace = equalTo(selector, 'namespace');
  if (inNamespace(model, REDIS_REPLICATION, namespace).length === 0) {
    return `which the redis-operator's exporter exports, and no RedisReplication runs${namespace === undefined ? '' : ` in ${namespace}`}`;
  }
  const scraped = inNamespace(model, POD_MONITOR, namespace).some((m) =>
    asArray(asObj(m.obj.spec)?.podMetricsEndpoints).some((e) => asString(asObj(e)?.port) === 'redis-exporter'),
  );
  return scraped ? undefined : `and no PodMonitor${namespace === undefined ? '' : ` in ${namespace}`} scrapes a "redis-exporter" port`;
}

function probeProblem(model: Model, selector: PromSelector): string | undefined {
  const namespace = equalTo(selector, 'namespace');
  const wanted = selector.matchers.filter((m) => m.op === '=' && m.label !== 'namespace' && m.label !== 'job');
  const probes = inNamespace(model, PROBE, namespace).filter((p) => {
    const spec = asObj(p.obj.spec) ?? {};
    const labels = asStringMap(asObj(asObj(spec.targets)?.staticConfig)?.labels);
    return asString(asObj(spec.prober)?.url) !== undefined && wanted.every((m) => labels[m.label] === m.value);
  });
  if (probes.length > 0) return undefined;
  const target = wanted.map((m) => `${m.label}=${m.value}`).join(', ');
  return `which a blackbox exporter's Probe produces, and no Probe${namespace === undefined ? '' : ` in ${namespace}`} has a prober and a target${target === '' ? '' : ` labelled ${target}`}`;
}

/** Why nothing in the set produces `selector`'s series, or undefined when something does. */
export function missingSource(model: Model, selector: PromSelector): string | undefined {
  const of = sourceOf(selector.metric);
  if (of === undefined) return 'which no exporter the platform knows produces (lib/alert-sources.ts)';
  switch (of.source) {
    case MetricSource.NODE_EXPORTER:
    case MetricSource.KUBELET:
    case MetricSource.CADVISOR:
    case MetricSource.KUBE_STATE_METRICS:
      return stackProblem(
        helmInstalls(model).find((i) => i.chart === STACK),
        selector,
        of.source,
        of.collector,
      );
    case MetricSource.ISTIO:
      return istioProblem(model, selector);
    case MetricSource.CLOUDNATIVE_PG:
      return cnpgProblem(model, selector, false);
    case MetricSource.BARMAN_CLOUD:
      return cnpgProblem(model, selector, true);
    case MetricSource.REDIS_EXPORTER:
      return redisProblem(model, selector);
    case MetricSource.BLACKBOX:
      return probeProblem(model, selector);
    case MetricSource.KEDA:
      return installed(model, 'keda') ? undefined : 'which the KEDA operator exports, and keda is not installed';
  }
}

function check(model: Model, out: Violation[]): void {
  for (const entry of model.ofKind(PROMETHEUS_RULE)) {
    asArray(asObj(entry.obj.spec)?.groups).forEach((group, g) => {
      asArray(asObj(group)?.rules).forEach((rule, r) => {
        const alert = asString(asObj(rule)?.alert);
        const expr = asObj(rule)?.expr;
        if (alert === undefined || typeof expr !== 'string') return;
        const seen = new Set<string>();
        for (const selector of selectorsOf(expr)) {
          const problem = missingSource(model, selector);
          const key = `${selector.metric} ${problem}`;
          if (problem === undefined || seen.has(key)) continue;
          seen.add(key);
          out.push(
            violation(
              ALERT_SOURCE,
              entry,
              `spec.groups[${g}].rules[${r}].expr`,
              `alert ${alert} reads ${selector.metric}, ${problem}: the alert cannot see its data`,
            ),
          );
        }
      });
    });
  }
}

export const alertSourceRules: RuleFamily = {
  ids: [ALERT_SOURCE],
  check: (model, _ctx, out) => check(model, out),
};
