/**
 * Seed 000's alerts as one PrometheusRule: P1 pages (API down, database unreachable), P2 SLO breaches
 * (error rate, p95 latency), P3 capacity warnings (disk, memory). Thresholds come from the
 * environment's `slo` and `monitoring.alerts`; every expression is checked with Prometheus's own
 * PromQL grammar when the construct is built.
 *
 * What each rule assumes is scraped (the cluster's monitoring stack, e.g. kube-prometheus-stack):
 * - kube-state-metrics >= 2.6 (`kube_endpoint_*`, `kube_pod_container_resource_limits`), scraped
 *   with honorLabels so its `namespace` and `endpoint` labels are the objects' own;
 * - the kubelet's cAdvisor (`container_memory_working_set_bytes`) and volume stats;
 * - node-exporter (`node_filesystem_*`);
 * - Istio's standard metrics from the sidecars (`istio_requests_total`,
 *   `istio_request_duration_milliseconds_bucket`), the same series lib/analysis-template.ts queries;
 * - managed data stores: a blackbox-exporter `tcp_connect` probe (a Prometheus Operator Probe in the
 *   environment's namespace) of each store's private endpoint, its target labelled
 *   `datastore: <name>`. The environment knows the stores' address ranges, not their hostnames, so
 *   the Probe is not emitted here;
 * - in-cluster data stores: the engine's standard exporter beside it (postgres_exporter `pg_up`,
 *   redis_exporter `redis_up`, percona mongodb_exporter `mongodb_up`, rabbitmq_exporter
 *   `rabbitmq_up`), scraped in the store's namespace.
 * - operated stores: CloudNativePG's instance exporter (`cnpg_*`, with the Barman Cloud plugin's
 *   `barman_cloud_cloudnative_pg_io_*` series) and the redis-operator's redis_exporter sidecar, scraped
 *   by the data chart's PodMonitors; a cluster's instance pods are `<cluster>-<n>`.
 * A rule whose signal is missing stays silent, so each database rule has a P3 companion that fires
 * while its signal is absent.
 */
import type { DataStore, Environment, OperatedPostgres } from '../environments/schema';
import { Priority, type Alert } from '../lib/alert-rules';
import { POSTGRES_DEFAULTS } from '../lib/defaults';
import { serviceName } from '../lib/names';
import { eq, eqAll, escapeRegex, ne, oneOf, re, selector, type LabelMatcher } from '../lib/promql';
import { operatedPostgres, postgresClusterName, postgresRole } from './resolve-data-store';
import { enabledServices } from './resolve-service';

/** Name of the environment's PrometheusRule. */
export function alertRulesName(environment: Pick<Environment, 'partOf'>): string {
  return `${environment.partOf}-alerts`;
}

/** Runbooks live beside the manifests, in the GitOps repository. */
export function defaultRunbookBaseUrl(environment: Environment): string {
  return `${environment.gitops.repository.replace(/\/$/, '')}/blob/${environment.gitops.branch}/docs/runbooks`;
}

const WINDOW = '5m';

/** The exporter metric that reports whether an in-cluster store of each engine answers (1) or not (0). */
export const EXPORTER_UP_METRIC: Readonly<Record<DataStore['engine'], string>> = {
  postgres: 'pg_up',
  redis: 'redis_up',
  mongodb: 'mongodb_up',
  rabbitmq: 'rabbitmq_up',
};

/** The blackbox-exporter metric of a managed store's probe. */
export const PROBE_METRIC = 'probe_success';

function apiDown(environment: Environment): Alert {
  const api = environment.ingress.apiService;
  const endpoints = [eq('namespace', environment.namespace), eq('endpoint', serviceName(api))];
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
  };
}

/** CloudNativePG's exporter: 1 while its instance manager reaches PostgreSQL. */
export const CNPG_UP_METRIC = 'cnpg_collector_up';

/** The instance pods of a CloudNativePG cluster in its namespace: `<cluster>-<n>`. */
function instancePods(namespace: string, cluster: string): LabelMatcher[] {
  return [eq('namespace', namespace), re('pod', `${escapeRegex(cluster)}-[0-9]+`)];
}

function databaseSignal(environment: Environment, name: string, store: DataStore): { metric: string; series: string } {
  if (store.mode === 'managed') {
    return { metric: PROBE_METRIC, series: selector(PROBE_METRIC, ...eqAll({ namespace: environment.namespace, datastore: name })) };
  }
  if (store.mode === 'operated' && store.engine === 'postgres') {
    return { metric: CNPG_UP_METRIC, series: selector(CNPG_UP_METRIC, ...instancePods(store.namespace, postgresClusterName(name))) };
  }
  const metric = EXPORTER_UP_METRIC[store.engine];
  return { metric, series: selector(metric, eq('namespace', store.namespace)) };
}

/**
 * Seed 004's recovery objectives, watched for each operated PostgreSQL (each alert with a runbook):
 * - replication lag above the RPO, on any standby (hot standbys, and a DR replica cluster behind the
 *   primary region's archive);
 * - the newest base backup older than its schedule plus a margin;
 * - WAL archiving failing: the last failure is newer than the last success, so the RPO is not held;
 * - connections above 80 % of max_connections (seed 004's trigger for adding a read replica).
 */
function postgresAlerts(environment: Environment): Alert[] {
  return operatedPostgres(environment).flatMap(([name, store]) => dataStoreAlerts(environment, name, store));
}

function dataStoreAlerts(environment: Environment, name: string, store: OperatedPostgres): Alert[] {
  const cluster = postgresClusterName(name);
  const pods = instancePods(store.namespace, cluster);
  const labels = { datastore: name, engine: store.engine };
  const rpoSeconds = store.rpoMinutes * 60;
  const replica = postgresRole(environment, name, store).type === 'replica';
  const alerts: Alert[] = [];
  if (store.instances > 1 || replica) {
    alerts.push({
      name: 'PostgresReplicationLagHigh',
      priority: Priority.P2,
      expr: `max by (pod) (${selector('cnpg_pg_replication_lag', ...pods)}) > ${rpoSeconds}`,
      for: '5m',
      summary: `${cluster}: a standby is more than the RPO (${store.rpoMinutes} min) behind`,
      description: `{{ $labels.pod }} has replayed nothing newer than {{ $value | printf "%.0f" }} s ago (RPO ${rpoSeconds} s): a failover now would lose more than the recovery point objective allows.`,
      labels,
    });
  }
  const { backups } = store;
  if (backups !== undefined) {
    const { backupMarginMinutes } = POSTGRES_DEFAULTS.alerts;
    const lateSeconds = backups.everyHours * 3600 + backupMarginMinutes * 60;
    alerts.push(
      {
        name: 'PostgresBackupLate',
        priority: Priority.P2,
        // No backup reported at all (the plugin never succeeded, or its metric is gone) counts as the
        // oldest backup possible, so the alert fires instead of staying silent without data.
        expr: `time() - (max(${selector('barman_cloud_cloudnative_pg_io_last_available_backup_timestamp', ...pods)}) or vector(0)) > ${lateSeconds}`,
        for: '15m',
        summary: `${cluster}: no base backup for more than ${backups.everyHours} h + ${backupMarginMinutes} min`,
        description: `The newest base backup of ${cluster} is {{ $value | humanizeDuration }} old (decades: none is reported at all; schedule: every ${backups.everyHours} h): point-in-time recovery replays ever more WAL, and the retention of ${backups.retentionDays} days is not being renewed.`,
        labels,
      },
      {
        name: 'PostgresWalArchivingFailing',
        priority: Priority.P1,
        expr: `max by (pod) (${selector('cnpg_pg_stat_archiver_last_failed_time', ...pods)} - ${selector('cnpg_pg_stat_archiver_last_archived_time', ...pods)}) > 0`,
        for: '5m',
        summary: `${cluster}: WAL archiving to gs://${backups.bucket}/${backups.path} is failing`,
        description: `{{ $labels.pod }} failed to archive a WAL segment after its last success: the archive falls behind, the RPO (${store.rpoMinutes} min) is not held, and pg_wal grows until the volume fills.`,
        labels,
      },
    );
  }
  const percent = POSTGRES_DEFAULTS.alerts.connectionsPercent;
  alerts.push({
    name: 'PostgresConnectionsHigh',
    priority: Priority.P3,
    expr: `100 * sum by (pod) (${selector('cnpg_backends_total', ...pods)}) / max by (pod) (${selector('cnpg_pg_settings_setting', ...pods, eq('name', 'max_connections'))}) > ${percent}`,
    for: '10m',
    summary: `${cluster}: connections above ${percent} % of max_connections`,
    description: `{{ $labels.pod }} uses {{ $value | printf "%.0f" }} % of max_connections (${store.maxConnections}); seed 004 adds a read replica at ${percent} %. Check the pooler's pool sizes first.`,
    labels,
  });
  return alerts;
}

function databaseAlerts(environment: Environment): Alert[] {
  return Object.entries(environment.dataStores).flatMap(([name, store]) => {
    const { metric, series } = databaseSignal(environment, name, store);
    const how = store.mode === 'managed' ? `the blackbox probe of its private endpoint (${PROBE_METRIC})` : `its exporter (${metric})`;
    const storeLabels = { datastore: name, engine: store.engine };
    return [
      {
        name: 'DatabaseUnreachable',
        priority: Priority.P1,
        // max: unreachable when no probe or exporter instance reaches it.
        expr: `max(${series}) == 0`,
        for: '2m',
        summary: `Data store ${name} (${store.engine}, ${store.mode}) is unreachable`,
        description: `${how} has reported ${name} down for 2 minutes; services that use it (${usersOf(environment, name)}) are failing.`,
        labels: storeLabels,
      },
      {
        name: 'DatabaseSignalMissing',
        priority: Priority.P3,
        expr: `absent(${series})`,
        for: '15m',
        summary: `No reachability signal for data store ${name}`,
        description: `${metric} has no series for ${name}, so DatabaseUnreachable cannot fire. Deploy or fix ${how}.`,
        labels: storeLabels,
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

/** Web services whose live Service receives traffic; preview Services are judged by their analyses. */
function webServiceNames(environment: Environment): string[] {
  return enabledServices(environment)
    .filter(([, s]) => s.kind === 'web')
    .map(([name]) => serviceName(name));
}

function sloAlerts(environment: Environment): Alert[] {
  // Istio's metrics exist only under the mesh; without it there is no per-service request metric the
  // platform controls, and these alerts are not emitted.
  if (!environment.mesh.enabled) return [];
  const { errorRatePercent, p95LatencySeconds } = environment.slo;
  // Server-side (destination) reports, as the rollout analyses read them.
  const requests = (...extra: LabelMatcher[]) => [
    eq('reporter', 'destination'),
    eq('destination_service_namespace', environment.namespace),
    oneOf('destination_service_name', webServiceNames(environment)),
    ...extra,
  ];
  const by = 'destination_service_name';
  const rate = (metric: string, ...extra: LabelMatcher[]) => `rate(${selector(metric, ...requests(...extra))}[${WINDOW}])`;
  return [
    {
      name: 'HighErrorRate',
      priority: Priority.P2,
      // No traffic gives 0/0 = NaN, which compares false: an idle service does not alert.
      expr: `100 * sum by (${by}) (${rate('istio_requests_total', re('response_code', '5..'))}) / sum by (${by}) (${rate('istio_requests_total')}) > ${errorRatePercent}`,
      for: '5m',
      summary: `{{ $labels.${by} }}: more than ${errorRatePercent} % of requests fail`,
      description: `{{ $value | printf "%.2f" }} % of requests to {{ $labels.${by} }} returned 5xx over ${WINDOW} (objective: at most ${errorRatePercent} %).`,
    },
    {
      name: 'HighLatencyP95',
      priority: Priority.P2,
      // Istio's histogram is in milliseconds; the threshold is stated in seconds, as the objective is.
      expr: `histogram_quantile(0.95, sum by (${by}, le) (${rate('istio_request_duration_milliseconds_bucket')})) / 1000 > ${p95LatencySeconds}`,
      for: '5m',
      summary: `{{ $labels.${by} }}: p95 latency above ${p95LatencySeconds} s`,
      description: `p95 latency of {{ $labels.${by} }} is {{ $value | printf "%.2f" }} s over ${WINDOW} (objective: at most ${p95LatencySeconds} s).`,
    },
  ];
}

function capacityAlerts(environment: Environment): Alert[] {
  const { diskPercent, memoryPercent } = environment.monitoring.alerts;
  // Real disks only: tmpfs, overlay and squashfs mounts are not where space runs out.
  const fs = re('fstype', 'ext[34]|xfs|btrfs');
  const volumeNamespaces = [
    ...new Set([
      environment.namespace,
      ...Object.values(environment.dataStores).flatMap((s) => (s.mode === 'managed' ? [] : [s.namespace])),
    ]),
  ];
  const volume = oneOf('namespace', volumeNamespaces);
  // container="" is the pod-level cgroup and POD the pause container: neither has a limit of its own.
  const containers = selector(
    'container_memory_working_set_bytes',
    eq('namespace', environment.namespace),
    ne('container', ''),
    ne('container', 'POD'),
  );
  const limits = selector('kube_pod_container_resource_limits', eq('namespace', environment.namespace), eq('resource', 'memory'));
  const perContainer = 'max by (namespace, pod, container)';
  return [
    {
      name: 'NodeDiskUsageHigh',
      priority: Priority.P3,
      // Pods here write only to emptyDirs, image layers and logs: all on the nodes' disks.
      expr: `100 * (1 - ${selector('node_filesystem_avail_bytes', fs)} / ${selector('node_filesystem_size_bytes', fs)}) > ${diskPercent}`,
      for: '15m',
      summary: `Node disk above ${diskPercent} %`,
      description: `{{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | printf "%.0f" }} % full (threshold ${diskPercent} %); kubelet evicts pods when it fills.`,
    },
    {
      name: 'VolumeDiskUsageHigh',
      priority: Priority.P3,
      expr: `100 * (1 - ${selector('kubelet_volume_stats_available_bytes', volume)} / ${selector('kubelet_volume_stats_capacity_bytes', volume)}) > ${diskPercent}`,
      for: '15m',
      summary: `Persistent volume above ${diskPercent} %`,
      description: `{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | printf "%.0f" }} % full (threshold ${diskPercent} %).`,
    },
    {
      name: 'ContainerMemoryHigh',
      priority: Priority.P3,
      // Working set is what the OOM killer compares with the limit.
      expr: `100 * ${perContainer} (${containers}) / ${perContainer} (${limits}) > ${memoryPercent}`,
      for: '15m',
      summary: `Container memory above ${memoryPercent} % of its limit`,
      description: `{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} uses {{ $value | printf "%.0f" }} % of its memory limit (threshold ${memoryPercent} %); at 100 % it is OOM-killed.`,
    },
  ];
}

/** Seed 000's alerts for one environment, P1 first. */
export function platformAlerts(environment: Environment): Alert[] {
  return [
    apiDown(environment),
    ...databaseAlerts(environment),
    ...postgresAlerts(environment),
    ...sloAlerts(environment),
    ...capacityAlerts(environment),
  ];
}
