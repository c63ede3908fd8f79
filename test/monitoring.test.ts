/** Monitoring: OPS-01's alerts with the environment's thresholds, valid PromQL, and scrape targets that exist. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { AlertRules, Priority, type Alert } from '../lib/constructs/alert-rules';
import { platformAlerts } from '../charts/platform-alerts';
import { HTTP_PORT_NAME, METRICS_PORT_NAME } from '../lib/names';
import { PUBLIC_METRICS } from '../validation/rules/public-metrics';
import { findings, type M } from './fixtures/rules/factories';
import { assertPromql, promqlErrors } from '../lib/promql';
import { ISTIO_STATUS_PORT, metricsMergeAnnotations } from '../lib/istio-metrics';
import { environment, find, nonEmpty, objects, rendered, renderOverlay, workload } from './helpers';
import prodOverlay from '../environments/prod';
import type { Labels, ServiceJson, WithSpec } from './k8s-json';

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

type PrometheusRule = WithSpec<{ readonly groups: readonly { readonly name: string; readonly rules: readonly Rule[] }[] }>;

type AnalysisTemplate = WithSpec<{
  readonly metrics: readonly { readonly provider: { readonly prometheus?: { readonly query: string } } }[];
}>;

type ServiceMonitor = WithSpec<{
  readonly selector: { readonly matchLabels: Labels };
  readonly endpoints: readonly {
    readonly port?: string;
    readonly targetPort?: string;
    readonly path?: string;
    readonly interval?: string;
    readonly relabelings: readonly {
      readonly action?: string;
      readonly sourceLabels?: readonly string[];
      readonly targetLabel?: string;
      readonly regex: string;
      readonly replacement?: string;
    }[];
  }[];
}>;

function rules(name: string): Rule[] {
  return objects<PrometheusRule>(rendered(name), 'PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g) => g.rules));
}

function rule(all: Rule[], alert: string): Rule {
  const found = all.filter((r) => r.alert === alert);
  expect(found, `exactly one ${alert}`).toHaveLength(1);
  return found[0]!;
}

describe('prod alerts carry OPS-01 thresholds', () => {
  const prod = rules('prod');

  it('P2: error rate above 1 % of requests, from Istio request metrics', () => {
    const { expr } = rule(prod, 'HighErrorRate');
    expect(expr).toMatch(
      /^100 \* sum by \(destination_service_name\) \(rate\(istio_requests_total\{reporter="destination", .*response_code=~"5\.\."\}\[5m\]\)\) \/ sum by/,
    );
    expect(expr.endsWith(' > 1')).toBe(true);
  });

  it('P2: p95 latency above 2 s (Istio histogram in ms, divided to seconds)', () => {
    const { expr } = rule(prod, 'HighLatencyP95');
    expect(expr).toMatch(
      /^histogram_quantile\(0\.95, sum by \(destination_service_name, le\) \(rate\(istio_request_duration_milliseconds_bucket\{/,
    );
    expect(expr.endsWith(') / 1000 > 2')).toBe(true);
  });

  it('P3: volumes above 80 % and memory above 85 % of the container limit; P2: a node under disk pressure', () => {
    expect(rule(prod, 'NodeDiskPressure').labels.priority).toBe('P2');
    expect(rule(prod, 'VolumeDiskUsageHigh').expr.endsWith(' > 80')).toBe(true);
    const memory = rule(prod, 'ContainerMemoryHigh').expr;
    expect(memory).toContain('container_memory_working_set_bytes{namespace="platform"');
    expect(memory).toContain('kube_pod_container_resource_limits{namespace="platform", resource="memory"}');
    expect(memory.endsWith(' > 85')).toBe(true);
  });

  it('P1: the API is down when its Service has no ready endpoint, whatever rolls it out', () => {
    expect(rule(prod, 'ApiDown').expr).toBe(
      'kube_endpoint_info{namespace="platform", endpoint="backend"} unless on (namespace, endpoint) kube_endpoint_address{namespace="platform", endpoint="backend", ready="true"}',
    );
  });

  it('P1: operated databases are judged by their exporters, one rule per store; the managed MongoDB, which no probe can reach, by none', () => {
    const db = prod.filter((r) => r.alert === 'DatabaseUnreachable');
    expect(db.map((r) => [r.labels.datastore, r.expr])).toEqual([
      ['postgres', 'max(cnpg_collector_up{namespace="data", pod=~"postgres-[0-9]+"}) == 0'],
      ['redis', 'max(redis_up{namespace="data"}) == 0'],
    ]);
  });

  it('reads the same Istio series as the rollout analyses', () => {
    const queries = objects<AnalysisTemplate>(rendered('prod'), 'AnalysisTemplate').flatMap((t) =>
      t.spec.metrics.filter((m) => m.provider.prometheus).map((m) => m.provider.prometheus!.query),
    );
    for (const metric of ['istio_requests_total', 'istio_request_duration_milliseconds_bucket']) {
      expect(queries.some((q) => q.includes(metric) && q.includes('reporter="destination"'))).toBe(true);
      expect(prod.some((r) => r.expr.includes(metric) && r.expr.includes('reporter="destination"'))).toBe(true);
    }
  });
});

describe('thresholds come from the environment', () => {
  it('renders changed objectives into the expressions', () => {
    const changed = renderOverlay({
      name: 'prod-tight',
      extends: prodOverlay,
      slo: { errorRatePercent: 0.5, p95LatencySeconds: 1.5 },
      monitoring: { alerts: { diskPercent: 70, memoryPercent: 90 } },
    });
    const all = objects<PrometheusRule>(changed, 'PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g) => g.rules));
    expect(rule(all, 'HighErrorRate').expr.endsWith(' > 0.5')).toBe(true);
    expect(rule(all, 'HighLatencyP95').expr.endsWith(' / 1000 > 1.5')).toBe(true);
    expect(rule(all, 'VolumeDiskUsageHigh').expr.endsWith(' > 70')).toBe(true);
    expect(rule(all, 'ContainerMemoryHigh').expr.endsWith(' > 90')).toBe(true);
  });
});

describe('dev alerts', () => {
  const dev = rules('dev');

  it('judges the operated databases by their exporters in the data namespace, and not the in-cluster MongoDB nothing here scrapes', () => {
    const db = dev.filter((r) => r.alert === 'DatabaseUnreachable');
    expect(db.map((r) => r.expr)).toEqual([
      'max(cnpg_collector_up{namespace="data", pod=~"postgres-[0-9]+"}) == 0',
      'max(redis_up{namespace="data"}) == 0',
    ]);
  });

  it('has no SLO alerts without the mesh, whose metrics they read', () => {
    expect(dev.filter((r) => r.labels.priority === 'P2').map((r) => r.alert)).toEqual(['NodeDiskPressure']);
  });

  it('watches the volumes of the platform and in-cluster store namespaces', () => {
    expect(rule(dev, 'VolumeDiskUsageHigh').expr).toContain('kubelet_volume_stats_available_bytes{namespace=~"platform|data"}');
  });
});

describe.each(environmentNames())('%s alert rules', (name) => {
  const all = rules(name);

  it('labels every alert with its severity and priority, and links its runbook', () => {
    const severity: Record<string, string> = { P1: 'critical', P2: 'warning', P3: 'info' };
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) {
      expect(r.labels.severity, r.alert).toBe(severity[r.labels.priority!]);
      expect(r.annotations.runbook_url, r.alert).toMatch(/^https:\/\/\S+\/docs\/runbooks\/[a-z0-9-]+\.md$/);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.description, r.alert).toBeTruthy();
      expect(r.for, r.alert).toMatch(/^\d+m$/);
    }
  });

  it("has the P1 pages of OPS-01, and AVL-04's WAL archiving where PostgreSQL is backed up", () => {
    const p1 = new Set(all.filter((r) => r.labels.priority === 'P1').map((r) => r.alert));
    // WAL archiving is paged where the model backs PostgreSQL up.
    const archived = Object.values(environment(name).dataStores).some(
      (s) => s.mode === 'operated' && s.engine === 'postgres' && s.backups !== undefined,
    );
    expect(p1).toEqual(new Set(['ApiDown', 'DatabaseUnreachable', ...(archived ? ['PostgresWalArchivingFailing'] : [])]));
  });

  it('writes only expressions that Prometheus can parse', () => {
    for (const r of nonEmpty(all, `${name}: alert rules`)) expect(promqlErrors(r.expr), `${r.alert}: ${r.expr}`).toEqual([]);
  });
});

describe('PromQL checking', () => {
  it('fails an unbalanced expression, with the position', () => {
    const errors = promqlErrors('sum(rate(http_requests_total[5m])');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ line: 1, column: 34 });
  });

  it('fails a dangling operator, an unknown function and an empty expression', () => {
    expect(promqlErrors('up >')).not.toEqual([]);
    expect(promqlErrors('up{job="a"} ==')).not.toEqual([]);
    expect(promqlErrors('rate(up[5m]) histogram_quantile')).not.toEqual([]);
    expect(promqlErrors('  ')).not.toEqual([]);
  });

  it('accepts what Prometheus accepts', () => {
    expect(promqlErrors('absent(up{job="api"} == 1)')).toEqual([]);
    expect(promqlErrors('a unless on (namespace) b')).toEqual([]);
  });

  it('fails the construct with the rule name when an expression does not parse', () => {
    const env = environment('prod');
    const broken: Alert = { ...platformAlerts(env)[0]!, name: 'Broken', expr: 'sum(rate(x[5m]) >' };
    expect(
      () =>
        new AlertRules(new Chart(new App(), 'c'), 'Alerts', {
          name: 'platform-alerts',
          labels: {},
          alerts: [broken],
          runbookBaseUrl: 'https://example.com/runbooks',
          context: 'prod',
        }),
    ).toThrow(/prod: alert Broken: invalid PromQL at line 1, column \d+/);
    expect(() => assertPromql('alert Fine', 'up == 0')).not.toThrow();
  });

  it('maps priorities to Alertmanager severities', () => {
    expect([Priority.P1, Priority.P2, Priority.P3].map((p) => [p.name, p.severity])).toEqual([
      ['P1', 'critical'],
      ['P2', 'warning'],
      ['P3', 'info'],
    ]);
  });
});

/** Prometheus relabelling: the regex is anchored, `${1}` is the first group. */
function relabel(regex: string, replacement: string, value: string): string | undefined {
  const match = new RegExp(`^(?:${regex})$`).exec(value);
  return match ? replacement.replace(/\$\{(\d+)\}/g, (_, i) => match[Number(i)] ?? '') : undefined;
}

describe.each(environmentNames())('%s ServiceMonitors', (name) => {
  const env = rendered(name);
  const spec = environment(name);
  const monitors = objects<ServiceMonitor>(env, 'ServiceMonitor');

  it('scrape every web service that exposes metrics, and nothing else', () => {
    const expected = Object.entries(spec.services)
      .filter(([, s]) => s.kind === 'web' && s.metricsPath !== undefined)
      .map(([n]) => n);
    expect(monitors.map((m) => m.metadata.name)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it("select their Service by the Service's own selector labels, on a port it names", () => {
    for (const monitor of nonEmpty(monitors, `${name}: ServiceMonitors`)) {
      const service = find<ServiceJson>(env, 'Service', monitor.metadata.name);
      expect(monitor.spec.selector).toEqual({ matchLabels: service.spec.selector });
      expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
      const [endpoint] = monitor.spec.endpoints;
      if (spec.mesh.enabled) {
        expect(endpoint.port).toBe(HTTP_PORT_NAME);
        expect(service.spec.ports!.map((p) => p.name)).toContain(endpoint.port);
      } else {
        // The pods' metrics port, which the Service does not expose.
        expect(endpoint).not.toHaveProperty('port');
        expect(endpoint.targetPort).toBe(METRICS_PORT_NAME);
        expect(service.spec.ports!.map((p) => p.name)).not.toContain(METRICS_PORT_NAME);
      }
      expect(endpoint.interval).toBe('30s');
    }
  });

  it('admit the Prometheus pods to the metrics port alone (the status port in the mesh), never to the port the routes reach', () => {
    for (const monitor of nonEmpty(monitors, `${name}: ServiceMonitors`)) {
      const service = spec.services[monitor.metadata.name]!;
      if (service.kind !== 'web') throw new Error(`${monitor.metadata.name} is a web service`);
      const policy = find<WithSpec<{ ingress: { from: { podSelector?: { matchLabels: Labels } }[]; ports: { port: number }[] }[] }>>(
        env,
        'NetworkPolicy',
        monitor.metadata.name,
      );
      const scrape = policy.spec.ingress.filter((rule) =>
        rule.from.some((peer) => peer.podSelector?.matchLabels['app.kubernetes.io/name'] === 'prometheus'),
      );
      expect(scrape.map((rule) => rule.ports.map((p) => p.port))).toEqual([[spec.mesh.enabled ? ISTIO_STATUS_PORT : service.metricsPort]]);
    }
  });

  it('never scrape a port a public route reaches (edge/public-metrics), and the pods serve metrics on a port of their own', () => {
    expect(findings(env.objects as M[], PUBLIC_METRICS, { environment: name, production: false })).toEqual([]);
    for (const monitor of nonEmpty(monitors, `${name}: ServiceMonitors`)) {
      const service = spec.services[monitor.metadata.name]!;
      if (service.kind !== 'web') throw new Error(`${monitor.metadata.name} is a web service`);
      const ports = workload(env, monitor.metadata.name).spec.template.spec.containers[0]!.ports;
      expect(ports).toEqual([
        { name: service.protocol, containerPort: service.port, protocol: 'TCP' },
        { name: METRICS_PORT_NAME, containerPort: service.metricsPort, protocol: 'TCP' },
      ]);
    }
  });

  it('keep only the live Service, so a blue-green preview Service does not scrape its pods twice', () => {
    for (const monitor of nonEmpty(monitors, `${name}: ServiceMonitors`)) {
      const keep = monitor.spec.endpoints[0].relabelings[0];
      expect(keep).toEqual({ action: 'keep', sourceLabels: ['__meta_kubernetes_service_name'], regex: monitor.metadata.name });
      expect(relabel(keep.regex, '', `${monitor.metadata.name}-preview`)).toBeUndefined();
    }
  });

  if (spec.mesh.enabled) {
    it("scrape Istio's merged metrics on the status port, which STRICT mTLS does not cover", () => {
      for (const monitor of nonEmpty(monitors, `${name}: ServiceMonitors`)) {
        const [endpoint] = monitor.spec.endpoints;
        expect(endpoint.path).toBe('/stats/prometheus');
        const move = endpoint.relabelings[1];
        expect(move.sourceLabels).toEqual(['__address__']);
        expect(move.targetLabel).toBe('__address__');
        expect(relabel(move.regex, move.replacement!, '10.4.2.7:8001')).toBe(`10.4.2.7:${ISTIO_STATUS_PORT}`);
        expect(relabel(move.regex, move.replacement!, '[fd00::7]:8001')).toBe(`[fd00::7]:${ISTIO_STATUS_PORT}`);
      }
    });
  } else {
    it('scrape metricsPath on the app port directly', () => {
      for (const monitor of nonEmpty(monitors, `${name}: ServiceMonitors`)) {
        const service = spec.services[monitor.metadata.name]!;
        expect(monitor.spec.endpoints[0].path).toBe(service.kind === 'web' ? service.metricsPath : undefined);
        expect(monitor.spec.endpoints[0].relabelings).toHaveLength(1);
      }
    });
  }
});

describe('metrics merging annotations', () => {
  it("tell Istio's agent the app's metrics port (never the port its routes reach) and path", () => {
    const backend = environment('prod').services.backend!;
    if (backend.kind !== 'web') throw new Error('backend is a web service');
    expect(metricsMergeAnnotations(backend)).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9464',
      'prometheus.io/path': '/metrics',
    });
    expect(backend.metricsPort).not.toBe(backend.port);
    expect(metricsMergeAnnotations({ metricsPort: 9464 })).toEqual({});
  });

  it('are on the pods of every scraped service in the mesh, and nowhere outside it', () => {
    for (const service of ['frontend', 'backend', 'ai']) {
      expect(workload(rendered('prod'), service).spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/path': '/metrics',
      });
      expect(workload(rendered('dev'), service).spec.template.metadata).not.toHaveProperty('annotations');
    }
  });
});

describe('runbooks', () => {
  it('exist in docs/runbooks for every alert in every environment', () => {
    for (const name of environmentNames()) {
      const alerts = objects<PrometheusRule>(rendered(name), 'PrometheusRule').flatMap((rule) => rule.spec.groups.flatMap((g) => g.rules));
      for (const alert of nonEmpty(alerts, `${name}: alerts`)) {
        const file = /\/blob\/main\/(docs\/runbooks\/[a-z0-9-]+\.md)$/.exec(alert.annotations.runbook_url)?.[1];
        expect(file, alert.alert).toBeDefined();
        expect(existsSync(join(__dirname, '..', file!)), `${alert.alert}: ${file}`).toBe(true);
      }
    }
  });
});

describe("AVL-04's recovery objectives, watched for operated PostgreSQL", () => {
  const asia = rules('prod-asia');
  const pods = 'namespace="data", pod=~"postgres-[0-9]+"';

  it('replication lag above the RPO of 5 minutes (300 s) where a WAL receiver streams; archive freshness on the archive-fed DR replica', () => {
    expect(rule(rules('prod-us-west'), 'PostgresReplicationLagHigh').expr).toBe(
      `max by (pod) (cnpg_pg_replication_lag{${pods}} and on (namespace, pod) cnpg_pg_replication_is_wal_receiver_up{${pods}} == 1) > 300`,
    );
    // The DR replica (one instance, fed from the primary's archive) has no WAL receiver: its "lag" grows
    // in every quiet period, so it gets no lag alert, and its archive's freshness is watched instead.
    expect(asia.map((r) => r.alert)).not.toContain('PostgresReplicationLagHigh');
    expect(rule(asia, 'PostgresDrArchiveStale').expr).toBe(
      `time() - (max(cnpg_pg_stat_archiver_last_archived_time{${pods}}) or vector(0)) > 300`,
    );
    expect(rules('prod-us-west').map((r) => r.alert)).not.toContain('PostgresDrArchiveStale');
  });

  it('the last base backup older than its 6-hour schedule plus a 2-hour margin (28800 s), and no backup at all', () => {
    // Without the metric (no backup ever succeeded) the newest backup counts as time 0: the alert fires.
    expect(rule(asia, 'PostgresBackupLate').expr).toBe(
      `time() - (max(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${pods}}) or vector(0)) > 28800`,
    );
  });

  it('WAL archiving failing: the last failure newer than the last success, paging', () => {
    const archiving = rule(asia, 'PostgresWalArchivingFailing');
    expect(archiving.expr).toBe(
      `max by (pod) (cnpg_pg_stat_archiver_last_failed_time{${pods}} - cnpg_pg_stat_archiver_last_archived_time{${pods}}) > 0`,
    );
    expect(archiving.labels.priority).toBe('P1');
  });

  it('connections above 80 % of max_connections', () => {
    expect(rule(asia, 'PostgresConnectionsHigh').expr).toBe(
      `100 * sum by (pod) (cnpg_backends_total{${pods}}) / max by (pod) (cnpg_pg_settings_setting{${pods}, name="max_connections"}) > 80`,
    );
  });

  it('dev, without backups or a standby, has only the connections alert', () => {
    const dev = rules('dev')
      .map((r) => r.alert)
      .filter((a) => a.startsWith('Postgres'));
    expect(dev).toEqual(['PostgresConnectionsHigh']);
  });
});
