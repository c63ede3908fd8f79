/**
 * OPS-01's alerts as one PrometheusRule: P1 pages (API down, database unreachable), P2 SLO breaches
 * (error rate, p95 latency, a node under disk pressure), P3 capacity warnings (volumes, memory).
 * Thresholds come from the environment's `slo` and `monitoring.alerts`; every expression is checked
 * with Prometheus's own PromQL grammar when the construct is built.
 *
 * An alert is emitted only where what it reads is exported and scraped in the same environment
 * (lib/alert-sources.ts; the validator's monitoring/alert-source rule checks the rendered set):
 * - kube-state-metrics (`kube_endpoint_*` from its `endpoints` collector, which the add-on's values
 *   switch on; `kube_node_status_condition`, `kube_pod_container_resource_limits`), scraped with
 *   honorLabels so its `namespace` and `endpoint` labels are the objects' own;
 * - the kubelet's cAdvisor (`container_memory_working_set_bytes`) and volume stats;
 * - Istio's standard metrics from the sidecars (`istio_requests_total`,
 *   `istio_request_duration_milliseconds_bucket`) of the web services a ServiceMonitor scrapes, the
 *   same series lib/constructs/analysis-template.ts queries;
 * - operated stores: CloudNativePG's instance exporter (`cnpg_*`, with the Barman Cloud plugin's
 *   `barman_cloud_cloudnative_pg_io_*` series) and the redis-operator's redis_exporter sidecar, scraped
 *   by the data chart's PodMonitors; a cluster's instance pods are `<cluster>-<n>`.
 * Not alerted on, because nothing here can see them: node filesystems (node-exporter needs hostPID,
 * hostNetwork and hostPath, which Pod Security "restricted" refuses, so the stack runs without it: the
 * kubelet's DiskPressure condition is the node-disk signal), managed stores (see `unwatchedStores`)
 * and in-cluster stores the platform neither runs nor scrapes.
 * A rule whose signal is missing stays silent, so each database rule has a P3 companion that fires
 * while its signal is absent.
 *
 * Each alert carries the series that make it fire and keep it quiet (`tests`), from which
 * app/alerts-test generates the `promtool test rules` cases that Prometheus's own rule engine runs.
 */
import type { Environment, OperatedPostgres, OperatedRedis, WebServiceSpec } from '../environments/schema';
import { Priority, seriesName, type Alert, type AlertTests, type InputSeries } from '../lib/constructs/alert-rules';
import { redisName } from '../lib/data-names';
import { POSTGRES_DEFAULTS } from '../lib/defaults';
import { serviceName } from '../lib/names';
import { eq, eqAll, escapeRegex, ne, oneOf, re, selector, type LabelMatcher } from '../lib/promql';
import { operatedPostgres, operatedRedis, postgresClusterName, postgresRole } from './resolve-data-store';
import { enabledServices, enabledWebServices } from './resolve-service';

/** Name of the environment's PrometheusRule. */
export function alertRulesName(environment: Pick<Environment, 'partOf'>): string {
  return `${environment.partOf}-alerts`;
}

/** Runbooks live beside the manifests, in the GitOps repository. */
export function defaultRunbookBaseUrl(environment: Environment): string {
  return `${environment.gitops.repository.replace(/\/$/, '')}/blob/${environment.gitops.branch}/docs/runbooks`;
}

const WINDOW = '5m';

/** Minutes of samples in each test series (one a minute): longer than any alert's `for` plus a rate's window. */
const SAMPLES = 60;

/** `value` for every sample. */
function steady(value: number): string {
  return `${value}x${SAMPLES}`;
}

/** A counter that grows by `perMinute` each minute. */
function counter(perMinute: number): string {
  return `0+${perMinute}x${SAMPLES}`;
}

function input(metric: string, labels: Record<string, string>, values: string): InputSeries {
  return { series: seriesName(metric, labels), values };
}

/** The smallest whole percentage above `threshold` (halfway to 100), and half of it for a healthy value. */
function above(threshold: number): number {
  return Math.max(Math.floor(threshold) + 1, Math.ceil((threshold + 100) / 2));
}

/** The blackbox-exporter metric a managed store's probe would export. */
export const PROBE_METRIC = 'probe_success';

/**
 * Stores the platform cannot see, with why. A managed store (DAT-05: Supabase, Atlas, Redis Cloud)
 * is known by its private-link address ranges only, not by a hostname a blackbox probe could dial, and
 * its provider monitors its availability; the services' own HighErrorRate and ApiDown show what users
 * feel. An in-cluster store is run by someone else, whose exporter nothing here scrapes. Alerting on
 * a probe or an exporter that does not exist would give a DatabaseSignalMissing that fires forever.
 */
export function unwatchedStores(environment: Environment): [string, string][] {
  return Object.entries(environment.dataStores).flatMap(([name, store]): [string, string][] => {
    if (store.mode === 'managed') {
      return [
        [
          name,
          `managed ${store.engine}: known by its address ranges only, so no ${PROBE_METRIC} probe can target it; its provider's monitoring watches it`,
        ],
      ];
    }
    if (store.mode === 'in-cluster') {
      return [[name, `in-cluster ${store.engine} in ${store.namespace}: run by its owners, and no exporter of it is scraped here`]];
    }
    return [];
  });
}

function apiDown(environment: Environment): Alert {
  const api = environment.ingress.apiService;
  const labels = { namespace: environment.namespace, endpoint: serviceName(api) };
  const endpoints = eqAll(labels);
  const address = (ready: boolean) => input('kube_endpoint_address', { ...labels, ip: '10.0.0.1', ready: String(ready) }, steady(1));
  const info = input('kube_endpoint_info', labels, steady(1));
  return {
    name: 'ApiDown',
    priority: Priority.P1,
    // The Service's Endpoints exist but list no ready address: nothing can serve the API. This reads
    // the Service, not the workload, so it holds for a Deployment and an Argo Rollout alike (for a
    // blue-green Rollout, the active Service points at the active ReplicaSet only).
    expr: `${selector('kube_endpoint_info', ...endpoints)} unless on (namespace, endpoint) ${selector('kube_endpoint_address', ...endpoints, eq('ready', 'true'))}`,
    for: '1m',
    summary: `The API (${api}) has no ready endpoints`,
    description: `Service ${environment.namespace}/${serviceName(api)} has had no ready pod for 1 minute: every API request fails.`,
    tests: {
      firing: { series: [info, address(false)], holdsFrom: 0, fires: [{ labels, value: () => 1 }] },
      healthy: [info, address(true)],
    },
  };
}

/** CloudNativePG's exporter: 1 while its instance manager reaches PostgreSQL. */
export const CNPG_UP_METRIC = 'cnpg_collector_up';

/** The redis-operator's redis_exporter: 1 while it reaches Redis. */
export const REDIS_UP_METRIC = 'redis_up';

/** The instance pods of a CloudNativePG cluster in its namespace: `<cluster>-<n>`. */
function instancePods(namespace: string, cluster: string): LabelMatcher[] {
  return [eq('namespace', namespace), re('pod', `${escapeRegex(cluster)}-[0-9]+`)];
}

/** What tells whether an operated store answers, and one series of it per pod with the given values. */
interface StoreSignal {
  readonly metric: string;
  readonly series: string;
  /** Labels `absent()` gives its result: the selector's equality matchers. */
  readonly absentLabels: Record<string, string>;
  readonly podSeries: (values: readonly number[]) => InputSeries[];
}

function storeSignal(name: string, store: OperatedPostgres | OperatedRedis): StoreSignal {
  if (store.engine === 'postgres') {
    const cluster = postgresClusterName(name);
    return {
      metric: CNPG_UP_METRIC,
      series: selector(CNPG_UP_METRIC, ...instancePods(store.namespace, cluster)),
      absentLabels: { namespace: store.namespace },
      podSeries: (values) =>
        values.map((v, i) => input(CNPG_UP_METRIC, { namespace: store.namespace, pod: `${cluster}-${i + 1}` }, steady(v))),
    };
  }
  return {
    metric: REDIS_UP_METRIC,
    series: selector(REDIS_UP_METRIC, eq('namespace', store.namespace)),
    absentLabels: { namespace: store.namespace },
    podSeries: (values) =>
      values.map((v, i) => input(REDIS_UP_METRIC, { namespace: store.namespace, pod: `${redisName(name)}-${i}` }, steady(v))),
  };
}

/**
 * AVL-04's recovery objectives, watched for each operated PostgreSQL (each alert with a runbook):
 * - replication lag above the RPO, on a standby that streams (its WAL receiver is up); a DR replica
 *   cluster fed only from the primary region's archive has no WAL receiver, and CloudNativePG then
 *   reports lag as the time since the last replayed transaction (default-monitoring.yaml pg_replication,
 *   v1.30.0), which grows through every quiet period: there its archive's freshness is watched instead
 *   (the replica archives every segment it restores, archive_mode always);
 * - the newest base backup older than its schedule plus a margin;
 * - WAL archiving failing: the last failure is newer than the last success, so the RPO is not held;
 * - connections above 80 % of max_connections (OPS-05: the trigger for adding a read replica).
 */
function postgresAlerts(environment: Environment): Alert[] {
  return operatedPostgres(environment).flatMap(([name, store]) => dataStoreAlerts(environment, name, store));
}

function dataStoreAlerts(environment: Environment, name: string, store: OperatedPostgres): Alert[] {
  const cluster = postgresClusterName(name);
  const pods = instancePods(store.namespace, cluster);
  const pod = (n: number) => ({ namespace: store.namespace, pod: `${cluster}-${n}` });
  const labels = { datastore: name, engine: store.engine };
  const rpoSeconds = store.rpoMinutes * 60;
  const replica = postgresRole(environment, name, store).type === 'replica';
  const alerts: Alert[] = [];
  // --- issue 20 #5 (DR replica lag): the lag alert only where a WAL receiver streams; archive freshness on a DR replica.
  if (store.instances > 1) {
    const lag = (n: number, seconds: number, receiver: number) => [
      input('cnpg_pg_replication_lag', pod(n), steady(seconds)),
      input('cnpg_pg_replication_is_wal_receiver_up', pod(n), steady(receiver)),
    ];
    alerts.push({
      name: 'PostgresReplicationLagHigh',
      priority: Priority.P2,
      expr: `max by (pod) (${selector('cnpg_pg_replication_lag', ...pods)} and on (namespace, pod) ${selector('cnpg_pg_replication_is_wal_receiver_up', ...pods)} == 1) > ${rpoSeconds}`,
      for: '5m',
      summary: `${cluster}: a streaming standby is more than the RPO (${store.rpoMinutes} min) behind`,
      description: `{{ $labels.pod }} has replayed nothing newer than {{ $value | printf "%.0f" }} s ago while its WAL receiver is up (RPO ${rpoSeconds} s): a failover now would lose more than the recovery point objective allows.`,
      labels,
      tests: {
        firing: {
          series: lag(2, 2 * rpoSeconds, 1),
          holdsFrom: 0,
          fires: [{ labels: { pod: `${cluster}-2` }, value: () => 2 * rpoSeconds }],
        },
        // A streaming standby within the RPO, and an archive-fed one (no WAL receiver) in a quiet period,
        // whose "lag" is only the time since the last replayed transaction.
        healthy: [...lag(2, Math.floor(rpoSeconds / 2), 1), ...lag(3, 10 * rpoSeconds, 0)],
      },
    });
  }
  if (replica) {
    const archived = (at: number) => input('cnpg_pg_stat_archiver_last_archived_time', pod(1), steady(at));
    alerts.push({
      name: 'PostgresDrArchiveStale',
      priority: Priority.P2,
      // No segment archived at all counts as the oldest possible, so the alert fires instead of staying silent.
      expr: `time() - (max(${selector('cnpg_pg_stat_archiver_last_archived_time', ...pods)}) or vector(0)) > ${rpoSeconds}`,
      for: '10m',
      summary: `${cluster}: the DR replica has restored no WAL segment for more than the RPO (${store.rpoMinutes} min)`,
      description: `The DR replica ${cluster} last archived a segment restored from the primary region's archive {{ $value | humanizeDuration }} ago (RPO ${rpoSeconds} s): it is not keeping up with the primary's archive, or that archive is not being written.`,
      labels,
      tests: {
        firing: { series: [archived(-10 * rpoSeconds)], holdsFrom: 0, fires: [{ value: (at) => at + 10 * rpoSeconds }] },
        healthy: [input('cnpg_pg_stat_archiver_last_archived_time', pod(1), `0+60x${SAMPLES}`)],
        noSeries: { series: [], holdsFrom: rpoSeconds / 60 + 1, fires: [{ value: (at) => at }] },
      },
    });
  }
  // --- end issue 20 #5
  const { backups } = store;
  if (backups !== undefined) {
    const { backupMarginMinutes } = POSTGRES_DEFAULTS.alerts;
    const lateSeconds = backups.everyHours * 3600 + backupMarginMinutes * 60;
    const lastBackup = 'barman_cloud_cloudnative_pg_io_last_available_backup_timestamp';
    // An hour later than late from the first sample on; healthy: a backup every minute.
    const stale = -(lateSeconds + 3600);
    const archiver = (failed: number, archived: number) => [
      input('cnpg_pg_stat_archiver_last_failed_time', pod(1), steady(failed)),
      input('cnpg_pg_stat_archiver_last_archived_time', pod(1), steady(archived)),
    ];
    alerts.push(
      {
        name: 'PostgresBackupLate',
        priority: Priority.P2,
        // No backup reported at all (the plugin never succeeded, or its metric is gone) counts as the
        // oldest backup possible, so the alert fires instead of staying silent without data.
        expr: `time() - (max(${selector(lastBackup, ...pods)}) or vector(0)) > ${lateSeconds}`,
        for: '15m',
        summary: `${cluster}: no base backup for more than ${backups.everyHours} h + ${backupMarginMinutes} min`,
        description: `The newest base backup of ${cluster} is {{ $value | humanizeDuration }} old (decades: none is reported at all; schedule: every ${backups.everyHours} h): point-in-time recovery replays ever more WAL, and the retention of ${backups.retentionDays} days is not being renewed.`,
        labels,
        tests: {
          firing: { series: [input(lastBackup, pod(1), steady(stale))], holdsFrom: 0, fires: [{ value: (at) => at - stale }] },
          healthy: [input(lastBackup, pod(1), `0+60x${SAMPLES}`)],
          // time() starts at 0 in a test, so "no backup ever" is late once time() passes the limit.
          noSeries: { series: [], holdsFrom: lateSeconds / 60 + 1, fires: [{ value: (at) => at }] },
        },
      },
      {
        name: 'PostgresWalArchivingFailing',
        priority: Priority.P1,
        expr: `max by (pod) (${selector('cnpg_pg_stat_archiver_last_failed_time', ...pods)} - ${selector('cnpg_pg_stat_archiver_last_archived_time', ...pods)}) > 0`,
        for: '5m',
        summary: `${cluster}: WAL archiving to gs://${backups.bucket}/${backups.path} is failing`,
        description: `{{ $labels.pod }} failed to archive a WAL segment after its last success: the archive falls behind, the RPO (${store.rpoMinutes} min) is not held, and pg_wal grows until the volume fills.`,
        labels,
        tests: {
          firing: { series: archiver(2000, 1000), holdsFrom: 0, fires: [{ labels: { pod: `${cluster}-1` }, value: () => 1000 }] },
          healthy: archiver(1000, 2000),
        },
      },
    );
  }
  const percent = POSTGRES_DEFAULTS.alerts.connectionsPercent;
  const connections = (backends: number) => [
    input('cnpg_backends_total', { ...pod(1), datname: 'app', state: 'active' }, steady(backends)),
    input('cnpg_pg_settings_setting', { ...pod(1), name: 'max_connections' }, steady(store.maxConnections)),
  ];
  const busy = Math.ceil((store.maxConnections * above(percent)) / 100);
  alerts.push({
    name: 'PostgresConnectionsHigh',
    priority: Priority.P3,
    expr: `100 * sum by (pod) (${selector('cnpg_backends_total', ...pods)}) / max by (pod) (${selector('cnpg_pg_settings_setting', ...pods, eq('name', 'max_connections'))}) > ${percent}`,
    for: '10m',
    summary: `${cluster}: connections above ${percent} % of max_connections`,
    description: `{{ $labels.pod }} uses {{ $value | printf "%.0f" }} % of max_connections (${store.maxConnections}); OPS-05 adds a read replica at ${percent} %. Check the pooler's pool sizes first.`,
    labels,
    tests: {
      firing: {
        series: connections(busy),
        holdsFrom: 0,
        fires: [{ labels: { pod: `${cluster}-1` }, value: () => (100 * busy) / store.maxConnections }],
      },
      healthy: connections(Math.floor((store.maxConnections * percent) / 200)),
    },
  });
  return alerts;
}

function databaseAlerts(environment: Environment): Alert[] {
  const stores: [string, OperatedPostgres | OperatedRedis][] = [...operatedPostgres(environment), ...operatedRedis(environment)];
  const order = Object.keys(environment.dataStores);
  stores.sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  return stores.flatMap(([name, store]) => {
    const signal = storeSignal(name, store);
    const storeLabels = { datastore: name, engine: store.engine };
    const pods = store.engine === 'postgres' ? store.instances : store.nodes;
    // One pod down while another answers is not "unreachable": max over the pods.
    const healthy = signal.podSeries(Array.from({ length: Math.max(pods, 1) }, (_, i) => (i === 0 ? 1 : 0)));
    const missing: AlertTests['firing'] = { series: [], holdsFrom: 0, fires: [{ labels: signal.absentLabels, value: () => 1 }] };
    return [
      {
        name: 'DatabaseUnreachable',
        priority: Priority.P1,
        // max: unreachable when no instance reaches it.
        expr: `max(${signal.series}) == 0`,
        for: '2m',
        summary: `Data store ${name} (${store.engine}, ${store.mode}) is unreachable`,
        description: `its exporter (${signal.metric}) has reported ${name} down for 2 minutes; services that use it (${usersOf(environment, name)}) are failing.`,
        labels: storeLabels,
        tests: {
          firing: {
            series: signal.podSeries(Array.from({ length: Math.max(pods, 1) }, () => 0)),
            holdsFrom: 0,
            fires: [{ value: () => 0 }],
          },
          healthy,
        },
      },
      {
        name: 'DatabaseSignalMissing',
        priority: Priority.P3,
        expr: `absent(${signal.series})`,
        for: '15m',
        summary: `No reachability signal for data store ${name}`,
        description: `${signal.metric} has no series for ${name}, so DatabaseUnreachable cannot fire. Fix its exporter (${signal.metric}) or the PodMonitor that scrapes it.`,
        labels: storeLabels,
        tests: { firing: missing, healthy, noSeries: missing },
      },
    ];
  });
}

function usersOf(environment: Environment, store: string): string {
  const users = enabledServices(environment)
    .filter(([, s]) => s.uses.includes(store))
    .map(([n]) => n);
  return users.length > 0 ? users.join(', ') : 'none';
}

/**
 * Web services whose metrics a ServiceMonitor scrapes (those that declare a `metricsPath`): under the
 * mesh their Istio metrics come through it. Preview Services are judged by their analyses.
 */
export function scrapedWebServices(environment: Environment): [string, WebServiceSpec & { readonly metricsPath: string }][] {
  return enabledWebServices(environment).filter(
    (entry): entry is [string, WebServiceSpec & { readonly metricsPath: string }] => entry[1].metricsPath !== undefined,
  );
}

function sloAlerts(environment: Environment): Alert[] {
  // Istio's metrics exist only under the mesh, and only the scraped services' reach Prometheus;
  // without them there is no per-service request metric, and these alerts are not emitted.
  const names = scrapedWebServices(environment).map(([name]) => serviceName(name));
  if (!environment.mesh.enabled || names.length === 0) return [];
  const { errorRatePercent, p95LatencySeconds } = environment.slo;
  // Server-side (destination) reports, as the rollout analyses read them.
  const requests = (...extra: LabelMatcher[]) => [
    eq('reporter', 'destination'),
    eq('destination_service_namespace', environment.namespace),
    oneOf('destination_service_name', names),
    ...extra,
  ];
  const by = 'destination_service_name';
  const rate = (metric: string, ...extra: LabelMatcher[]) => `rate(${selector(metric, ...requests(...extra))}[${WINDOW}])`;
  const of = (service: string, extra: Record<string, string> = {}) => ({
    reporter: 'destination',
    destination_service_namespace: environment.namespace,
    destination_service_name: service,
    ...extra,
  });
  // 1000 requests a minute to each service; the first one's 5xx share is `percent`.
  const errorTraffic = (percent: number): InputSeries[] =>
    names.flatMap((service, i) => {
      const errors = i === 0 ? (1000 * percent) / 100 : 0;
      return [
        input('istio_requests_total', of(service, { response_code: '200' }), counter(1000 - errors)),
        ...(errors > 0 ? [input('istio_requests_total', of(service, { response_code: '503' }), counter(errors))] : []),
      ];
    });
  const failing = Math.min(2 * errorRatePercent, (errorRatePercent + 100) / 2);
  // Every request of a service within its one finite bucket: p95 is 95 % of the bucket's bound.
  const thresholdMs = p95LatencySeconds * 1000;
  const latencies = (firstBoundMs: number): InputSeries[] =>
    names.flatMap((service, i) => {
      const bound = i === 0 ? firstBoundMs : thresholdMs / 2;
      return [String(bound), '+Inf'].map((le) => input('istio_request_duration_milliseconds_bucket', of(service, { le }), counter(100)));
    });
  const first = { [by]: names[0]! };
  return [
    {
      name: 'HighErrorRate',
      priority: Priority.P2,
      // No traffic gives 0/0 = NaN, which compares false: an idle service does not alert.
      expr: `100 * sum by (${by}) (${rate('istio_requests_total', re('response_code', '5..'))}) / sum by (${by}) (${rate('istio_requests_total')}) > ${errorRatePercent}`,
      for: '5m',
      summary: `{{ $labels.${by} }}: more than ${errorRatePercent} % of requests fail`,
      description: `{{ $value | printf "%.2f" }} % of requests to {{ $labels.${by} }} returned 5xx over ${WINDOW} (objective: at most ${errorRatePercent} %).`,
      tests: {
        firing: { series: errorTraffic(failing), holdsFrom: 1, fires: [{ labels: first, value: () => failing }] },
        healthy: errorTraffic(errorRatePercent / 2),
      },
    },
    {
      name: 'HighLatencyP95',
      priority: Priority.P2,
      // Istio's histogram is in milliseconds; the threshold is stated in seconds, as the objective is.
      expr: `histogram_quantile(0.95, sum by (${by}, le) (${rate('istio_request_duration_milliseconds_bucket')})) / 1000 > ${p95LatencySeconds}`,
      for: '5m',
      summary: `{{ $labels.${by} }}: p95 latency above ${p95LatencySeconds} s`,
      description: `p95 latency of {{ $labels.${by} }} is {{ $value | printf "%.2f" }} s over ${WINDOW} (objective: at most ${p95LatencySeconds} s).`,
      tests: {
        firing: {
          series: latencies(2 * thresholdMs),
          holdsFrom: 1,
          fires: [{ labels: first, value: () => (0.95 * 2 * thresholdMs) / 1000 }],
        },
        healthy: latencies(thresholdMs),
      },
    },
  ];
}

function nodeDiskPressure(): Alert {
  const condition = (status: string, value: number) =>
    input('kube_node_status_condition', { node: 'node-1', condition: 'DiskPressure', status }, steady(value));
  return {
    name: 'NodeDiskPressure',
    priority: Priority.P2,
    // The kubelet's own verdict on its node's disks (nodefs and imagefs below its eviction thresholds),
    // as kube-state-metrics reports the node's conditions: the node takes no new pods and evicts
    // running ones. Node filesystem usage itself would need node-exporter, which the stack runs
    // without (it needs a privileged pod).
    expr: `max by (node) (${selector('kube_node_status_condition', eq('condition', 'DiskPressure'), eq('status', 'true'))}) == 1`,
    for: '10m',
    summary: 'A node is under disk pressure',
    description:
      '{{ $labels.node }} has reported DiskPressure for 10 minutes: the kubelet evicts pods from it and the scheduler places none there until its disks have room again.',
    tests: {
      firing: {
        series: [condition('true', 1), condition('false', 0)],
        holdsFrom: 0,
        fires: [{ labels: { node: 'node-1' }, value: () => 1 }],
      },
      healthy: [condition('true', 0), condition('false', 1)],
    },
  };
}

function capacityAlerts(environment: Environment): Alert[] {
  const { diskPercent, memoryPercent } = environment.monitoring.alerts;
  const volumeNamespaces = [
    ...new Set([
      environment.namespace,
      ...Object.values(environment.dataStores).flatMap((s) => (s.mode === 'managed' ? [] : [s.namespace])),
    ]),
  ];
  const volume = oneOf('namespace', volumeNamespaces);
  const claim = { namespace: volumeNamespaces[0]!, persistentvolumeclaim: 'data-0' };
  const capacity = 100_000_000_000;
  const volumeUsed = (percent: number) => [
    input('kubelet_volume_stats_available_bytes', claim, steady((capacity * (100 - percent)) / 100)),
    input('kubelet_volume_stats_capacity_bytes', claim, steady(capacity)),
  ];
  // container="" is the pod-level cgroup and POD the pause container: neither has a limit of its own.
  const containers = selector(
    'container_memory_working_set_bytes',
    eq('namespace', environment.namespace),
    ne('container', ''),
    ne('container', 'POD'),
  );
  const limits = selector('kube_pod_container_resource_limits', eq('namespace', environment.namespace), eq('resource', 'memory'));
  const perContainer = 'max by (namespace, pod, container)';
  const container = { namespace: environment.namespace, pod: 'app-0', container: 'app' };
  const limit = 1_000_000_000;
  const memoryUsed = (percent: number) => [
    input('container_memory_working_set_bytes', container, steady((limit * percent) / 100)),
    // The pod's own cgroup, at the limit: never compared.
    input('container_memory_working_set_bytes', { ...container, container: '' }, steady(limit)),
    input('kube_pod_container_resource_limits', { ...container, resource: 'memory', unit: 'byte' }, steady(limit)),
  ];
  return [
    {
      name: 'VolumeDiskUsageHigh',
      priority: Priority.P3,
      expr: `100 * (1 - ${selector('kubelet_volume_stats_available_bytes', volume)} / ${selector('kubelet_volume_stats_capacity_bytes', volume)}) > ${diskPercent}`,
      for: '15m',
      summary: `Persistent volume above ${diskPercent} %`,
      description: `{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | printf "%.0f" }} % full (threshold ${diskPercent} %).`,
      tests: {
        firing: {
          series: volumeUsed(above(diskPercent)),
          holdsFrom: 0,
          fires: [{ labels: claim, value: () => 100 * (1 - (capacity * (100 - above(diskPercent))) / 100 / capacity) }],
        },
        healthy: volumeUsed(Math.floor(diskPercent / 2)),
      },
    },
    {
      name: 'ContainerMemoryHigh',
      priority: Priority.P3,
      // Working set is what the OOM killer compares with the limit.
      expr: `100 * ${perContainer} (${containers}) / ${perContainer} (${limits}) > ${memoryPercent}`,
      for: '15m',
      summary: `Container memory above ${memoryPercent} % of its limit`,
      description: `{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} uses {{ $value | printf "%.0f" }} % of its memory limit (threshold ${memoryPercent} %); at 100 % it is OOM-killed.`,
      tests: {
        firing: {
          series: memoryUsed(above(memoryPercent)),
          holdsFrom: 0,
          fires: [{ labels: container, value: () => (100 * ((limit * above(memoryPercent)) / 100)) / limit }],
        },
        healthy: memoryUsed(Math.floor(memoryPercent / 2)),
      },
    },
  ];
}

/** OPS-01's alerts for one environment, P1 first. */
export function platformAlerts(environment: Environment): Alert[] {
  return [
    apiDown(environment),
    ...databaseAlerts(environment),
    ...postgresAlerts(environment),
    ...sloAlerts(environment),
    nodeDiskPressure(),
    ...capacityAlerts(environment),
  ];
}
