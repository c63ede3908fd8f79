/**
 * The data layer's constructs, each in a fresh test chart: what they emit, the numbers of DAT-02 to DAT-08
 * they carry, and the props they refuse.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BarmanArchive } from '../../lib/constructs/barman-archive';
import { BaseBackupSchedule } from '../../lib/constructs/base-backup-schedule';
import { LatencyAutoscaler, istioLatencyQuery } from '../../lib/constructs/latency-autoscaler';
import { PodKillSchedule } from '../../lib/constructs/pod-kill-schedule';
import { PodMonitor } from '../../lib/constructs/pod-monitor';
import { PostgresCluster, type PostgresClusterProps, RPO_ANNOTATION } from '../../lib/constructs/postgres-cluster';
import { PostgresPooler, type PostgresPoolerProps } from '../../lib/constructs/postgres-pooler';
import { RedisSentinels, type RedisSentinelsProps } from '../../lib/constructs/redis-sentinels';
import { ReplicatedRedis, type ReplicatedRedisProps } from '../../lib/constructs/replicated-redis';
import type { Manifest } from '../../lib/core/manifest';
import type { LabelSelector, Labels, PdbJson, WithSpec } from '../k8s-json';
import { ofKind, only, synth } from './synth';

type Resources = { readonly requests: Labels; readonly limits: Labels };
type SecurityContext = Readonly<Record<string, unknown>>;

/** CloudNativePG's Cluster. */
type PgCluster = WithSpec<{
  readonly instances: number;
  readonly resources: Resources;
  readonly plugins: readonly Readonly<Record<string, unknown>>[];
  readonly postgresql: { readonly parameters: Labels };
  readonly replica: { readonly self: string; readonly primary: string; readonly source: string };
  readonly externalClusters: readonly { readonly name: string }[];
  readonly bootstrap: { readonly initdb?: Readonly<Record<string, unknown>>; readonly recovery?: { readonly source: string } };
  readonly primaryUpdateMethod?: string;
  readonly affinity: Readonly<Record<string, unknown>>;
  readonly enablePDB: boolean;
}>;
type Pooler = WithSpec<{ readonly type: string; readonly pgbouncer: { readonly poolMode: string; readonly parameters: Labels } }>;
type PodMonitorJson = WithSpec<{
  readonly selector: LabelSelector;
  readonly podMetricsEndpoints: readonly { readonly port: string; readonly interval: string }[];
}>;
type ObjectStore = WithSpec<{
  readonly retentionPolicy?: string;
  readonly configuration: { readonly destinationPath: string; readonly googleCredentials: Readonly<Record<string, unknown>> };
}>;
type ScheduledBackup = WithSpec<{
  readonly schedule: string;
  readonly method: string;
  readonly target: string;
  readonly immediate: boolean;
}>;
type RedisReplication = WithSpec<{
  readonly clusterSize: number;
  readonly securityContext: SecurityContext;
  readonly podSecurityContext: { readonly seccompProfile: { readonly type: string } };
  readonly sentinel?: unknown;
  readonly redisExporter: { readonly securityContext: SecurityContext };
  readonly redisConfig: { readonly dynamicConfig: readonly string[] };
  readonly pdb: { readonly enabled: boolean; readonly maxUnavailable: number };
  readonly TLS: Record<string, unknown>;
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly initContainer: { readonly command: readonly string[]; readonly securityContext: SecurityContext };
}>;
type RedisSentinel = WithSpec<{
  readonly clusterSize: number;
  readonly redisSentinelConfig: Record<string, unknown>;
  readonly TLS: { readonly secret: unknown };
  readonly env: readonly unknown[];
  readonly pdb: unknown;
  readonly topologySpreadConstraints: readonly { readonly labelSelector: LabelSelector }[];
  readonly securityContext: SecurityContext;
  readonly volumeMount: unknown;
  readonly initContainer: { readonly command: readonly string[]; readonly securityContext: SecurityContext };
}>;
type ConfigMap = Manifest & { readonly data: Labels };
type ScaledObject = WithSpec<{
  readonly triggers: readonly {
    readonly type: string;
    readonly metadata: {
      readonly value?: string;
      readonly threshold?: string;
      readonly query?: string;
      readonly ignoreNullValues?: string;
    };
  }[];
  readonly fallback: { readonly failureThreshold: number; readonly replicas: number; readonly behavior: string };
  readonly advanced: {
    readonly horizontalPodAutoscalerConfig: {
      readonly behavior: {
        readonly scaleUp: { readonly stabilizationWindowSeconds: number };
        readonly scaleDown: { readonly stabilizationWindowSeconds: number };
      };
    };
  };
}>;
/** Chaos Mesh's Schedule of a PodChaos. */
type Schedule = WithSpec<{
  readonly schedule: string;
  readonly concurrencyPolicy: string;
  readonly podChaos: { readonly action: string; readonly mode: string; readonly selector: Readonly<Record<string, unknown>> };
}>;

const labels = { 'app.kubernetes.io/name': 'postgres' };
const placement = { nodeSelector: { pool: 'data' }, zoneSpread: 'DoNotSchedule' as const };

const cluster: PostgresClusterProps = {
  name: 'postgres',
  labels,
  description: 'prod',
  image: 'ghcr.io/cloudnative-pg/postgresql:18.6-standard-bookworm',
  instances: 2,
  resources: { cpu: '4', memory: '16Gi' },
  storage: { size: '200Gi', storageClass: 'premium-rwo' },
  placement,
  maxConnections: 200,
  database: 'app',
  credentialsSecret: 'postgres-app-credentials',
  role: { type: 'primary', peer: { serverName: 'postgres-asia-southeast1', archive: 'postgres-peer-archive' } },
  archive: { serverName: 'postgres-us-west1', archive: 'postgres-archive', archiveTimeoutSeconds: 120 },
  rpoSeconds: 300,
};

describe('PostgresCluster', () => {
  const spec = (props: PostgresClusterProps) =>
    only<PgCluster>(
      synth((c) => new PostgresCluster(c, 'pg', props)),
      'Cluster',
    );

  it("sizes every instance alike with Guaranteed QoS: DAT-08's primary, 4 vCPU / 16 GB", () => {
    const pg = spec(cluster);
    expect(pg.spec.instances).toBe(2);
    expect(pg.spec.resources).toEqual({ requests: { cpu: '4', memory: '16Gi' }, limits: { cpu: '4', memory: '16Gi' } });
    expect(pg.metadata.annotations).toEqual({ [RPO_ANNOTATION]: '300' });
  });

  it('archives WAL through the Barman Cloud plugin at least every 120 s, within the 5-minute RPO', () => {
    const pg = spec(cluster);
    expect(pg.spec.plugins).toEqual([
      {
        name: 'barman-cloud.cloudnative-pg.io',
        isWALArchiver: true,
        parameters: { barmanObjectName: 'postgres-archive', serverName: 'postgres-us-west1' },
      },
    ]);
    expect(pg.spec.postgresql.parameters).toEqual({ max_connections: '200', archive_timeout: '120s' });
  });

  it('as the DR primary, names itself and its standby peer in the distributed topology', () => {
    const pg = spec(cluster);
    expect(pg.spec.replica).toEqual({ self: 'postgres-us-west1', primary: 'postgres-us-west1', source: 'postgres-asia-southeast1' });
    expect(pg.spec.externalClusters.map((e) => e.name)).toEqual(['postgres-us-west1', 'postgres-asia-southeast1']);
    expect(pg.spec.bootstrap).toEqual({ initdb: { database: 'app', owner: 'app', secret: { name: 'postgres-app-credentials' } } });
  });

  it("as the DR replica (DAT-08's standby, 2 vCPU / 8 GB), restores from the primary's archive and follows it", () => {
    const pg = spec({
      ...cluster,
      instances: 1,
      resources: { cpu: '2', memory: '8Gi' },
      role: { type: 'replica', primary: { serverName: 'postgres-us-west1', archive: 'postgres-peer-archive' } },
      archive: { serverName: 'postgres-asia-southeast1', archive: 'postgres-archive', archiveTimeoutSeconds: 120 },
    });
    expect(pg.spec.resources.limits).toEqual({ cpu: '2', memory: '8Gi' });
    expect(pg.spec.bootstrap.recovery!.source).toBe('postgres-us-west1');
    expect(pg.spec.replica).toEqual({ self: 'postgres-asia-southeast1', primary: 'postgres-us-west1', source: 'postgres-us-west1' });
    expect(pg.spec.primaryUpdateMethod).toBe('restart');
    // One instance: CloudNativePG's primary PDB could never allow an eviction.
    expect(pg.spec.enablePDB).toBe(false);
  });

  it('spreads instances over zones (required anti-affinity) and keeps the PDB', () => {
    const pg = spec(cluster);
    expect(pg.spec.affinity).toMatchObject({ podAntiAffinityType: 'required', topologyKey: 'topology.kubernetes.io/zone' });
    expect(pg.spec.enablePDB).toBe(true);
  });

  it('fails on a replica without its own archive, naming the cluster', () => {
    expect(() => spec({ ...cluster, archive: undefined, role: { type: 'replica', primary: { serverName: 'p', archive: 'a' } } })).toThrow(
      'postgres: a replica cluster needs its own archive',
    );
  });
});

const pooler: PostgresPoolerProps = {
  name: 'postgres-pooler',
  labels,
  cluster: 'postgres',
  instances: 2,
  poolMode: 'transaction',
  maxClientConnections: 200,
  defaultPoolSize: 20,
  reservePoolSize: 5,
  resources: { cpu: '500m', memory: '256Mi' },
  placement,
};

describe('PostgresPooler', () => {
  it("runs PgBouncer in transaction mode with DAT-06's 200 client connections, shared by its pods", () => {
    const objects = synth((c) => new PostgresPooler(c, 'pooler', pooler));
    const p = only<Pooler>(objects, 'Pooler');
    expect(p.spec.type).toBe('rw');
    expect(p.spec.pgbouncer.poolMode).toBe('transaction');
    // Clients without TLS are refused (CloudNativePG's default is prefer).
    expect(p.spec.pgbouncer.parameters).toEqual({
      max_client_conn: '100',
      default_pool_size: '20',
      reserve_pool_size: '5',
      client_tls_sslmode: 'require',
    });
    expect(only<PdbJson>(objects, 'PodDisruptionBudget').spec.selector.matchLabels).toEqual({ 'cnpg.io/poolerName': 'postgres-pooler' });
    expect(only<PodMonitorJson>(objects, 'PodMonitor').spec.podMetricsEndpoints).toEqual([{ port: 'metrics', interval: '30s' }]);
  });

  it('fails with fewer client connections than pods', () => {
    expect(() => synth((c) => new PostgresPooler(c, 'pooler', { ...pooler, maxClientConnections: 1 }))).toThrow(
      'postgres-pooler: maxClientConnections (1) must be at least instances (2)',
    );
  });
});

describe('BarmanArchive and BaseBackupSchedule', () => {
  it('keeps 30 days of backups and WAL, by workload identity', () => {
    const store = only<ObjectStore>(
      synth(
        (c) =>
          new BarmanArchive(c, 'a', {
            name: 'postgres-archive',
            labels,
            destinationPath: 'gs://bucket/postgres',
            credentials: { type: 'workload-identity' },
            retentionDays: 30,
          }),
      ),
      'ObjectStore',
    );
    expect(store.spec.retentionPolicy).toBe('30d');
    expect(store.spec.configuration.googleCredentials).toEqual({ gkeEnvironment: true });
    expect(store.spec.configuration.destinationPath).toBe('gs://bucket/postgres');
  });

  it('reads a key from a Secret an ExternalSecret writes, never a key in git', () => {
    const store = only<ObjectStore>(
      synth(
        (c) =>
          new BarmanArchive(c, 'a', {
            name: 'a',
            labels,
            destinationPath: 'gs://b/p',
            credentials: { type: 'secret', name: 'postgres-backup-credentials', key: 'credentials.json' },
          }),
      ),
      'ObjectStore',
    );
    expect(store.spec.configuration.googleCredentials).toEqual({
      applicationCredentials: { name: 'postgres-backup-credentials', key: 'credentials.json' },
    });
    expect(store.spec.retentionPolicy).toBeUndefined();
  });

  it('takes a base backup every 6 hours through the plugin, from a standby when there is one', () => {
    let schedule = '';
    const backup = only<ScheduledBackup>(
      synth((c) => {
        schedule = new BaseBackupSchedule(c, 'b', { name: 'postgres-base-backup', labels, cluster: 'postgres', everyHours: 6 }).schedule;
      }),
      'ScheduledBackup',
    );
    expect(schedule).toBe('0 0 */6 * * *');
    expect(backup.spec).toMatchObject({ schedule: '0 0 */6 * * *', method: 'plugin', target: 'prefer-standby', immediate: true });
  });

  it('fails on a schedule that is not whole hours 1-24', () => {
    expect(() => synth((c) => new BaseBackupSchedule(c, 'b', { name: 'x', labels, cluster: 'x', everyHours: 25 }))).toThrow(
      'x: everyHours (25) must be a whole number of hours, 1-24',
    );
  });
});

const redis: ReplicatedRedisProps = {
  name: 'redis',
  labels,
  images: { redis: 'quay.io/opstree/redis:v7.2.16', exporter: 'quay.io/opstree/redis-exporter:v1.44.0' },
  nodes: 3,
  resources: { cpu: '1', memory: '4Gi' },
  exporterResources: { cpu: '50m', memory: '64Mi' },
  storage: { size: '20Gi', storageClass: 'premium-rwo' },
  placement,
  appendfsync: 'everysec',
  snapshotSeconds: 3600,
  maxMemoryPercent: 50,
  passwordSecret: { name: 'redis-auth', key: 'password' },
  tlsSecret: 'redis-tls',
  podDomain: 'redis-headless.data.svc.cluster.local',
};

describe('ReplicatedRedis', () => {
  const objects = synth((c) => new ReplicatedRedis(c, 'redis', redis));
  const set = only<RedisReplication>(objects, 'RedisReplication');

  it('runs 3 nodes, AOF fsynced every second and an hourly RDB snapshot', () => {
    expect(set.spec.clusterSize).toBe(3);
    expect(set.spec.sentinel).toBeUndefined();
    expect(only<ConfigMap>(objects, 'ConfigMap').data['redis-additional.conf']).toBe(
      'appendonly yes\nappendfsync everysec\nsave ""\nsave 3600 1\n',
    );
    expect(set.spec.redisConfig.dynamicConfig).toEqual(['appendfsync everysec', 'save 3600 1']);
  });

  it('serves TLS with its CA, the variable the image reads it from, and announces each pod by name', () => {
    expect(set.spec.TLS).toEqual({ ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key', secret: { secretName: 'redis-tls' } });
    expect(set.spec.env).toEqual([
      { name: 'REDIS_TLS_CA_KEY', value: '/tls/ca.crt' },
      { name: 'EXTERNAL_CONFIG_FILE', value: '/data/redis-announce.conf' },
    ]);
    expect(set.spec.initContainer.command).toEqual([
      'sh',
      '-c',
      `printf 'include /etc/redis/external.conf.d/redis-additional.conf\\nreplica-announce-ip %s.redis-headless.data.svc.cluster.local\\n' "$(hostname)" > /data/redis-announce.conf`,
    ]);
  });

  it('writes an announcement file that includes the ConfigMap and names the pod, as sh runs it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'announce-'));
    const script = (set.spec.initContainer.command[2] as string).replaceAll('/data/', `${dir}/`).replace('$(hostname)', 'redis-1');
    execFileSync('sh', ['-c', script]);
    expect(readFileSync(join(dir, 'redis-announce.conf'), 'utf8')).toBe(
      'include /etc/redis/external.conf.d/redis-additional.conf\nreplica-announce-ip redis-1.redis-headless.data.svc.cluster.local\n',
    );
  });

  it('is Pod Security "restricted" in every container, with the operator\'s budget for the Redis pods', () => {
    for (const context of [set.spec.securityContext, set.spec.redisExporter.securityContext, set.spec.initContainer.securityContext]) {
      expect(context).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    expect(set.spec.podSecurityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(set.spec.pdb).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(ofKind<PdbJson>(objects, 'PodDisruptionBudget')).toEqual([]);
  });

  it('fails on a pod domain that is not a DNS name', () => {
    expect(() => synth((c) => new ReplicatedRedis(c, 'r', { ...redis, podDomain: 'Redis Headless' }))).toThrow(
      'redis: podDomain "Redis Headless" is not a DNS name',
    );
  });
});

const sentinels: RedisSentinelsProps = {
  name: 'redis',
  labels,
  image: 'quay.io/opstree/redis-sentinel:v7.2.16',
  size: 3,
  resources: { cpu: '100m', memory: '128Mi' },
  replication: 'redis',
  passwordSecret: { name: 'redis-auth', key: 'password' },
  tlsSecret: 'redis-tls',
  placement,
  podDomain: 'redis-sentinel-headless.data.svc.cluster.local',
  initResources: { cpu: '50m', memory: '64Mi' },
};

describe('RedisSentinels', () => {
  const objects = synth((c) => new RedisSentinels(c, 's', sentinels));
  const set = only<RedisSentinel>(objects, 'RedisSentinel');

  it('watch the replication on TLS, hand out names, and keep a majority through a drain', () => {
    expect(set.spec.clusterSize).toBe(3);
    expect(set.spec.redisSentinelConfig).toMatchObject({
      redisReplicationName: 'redis',
      masterGroupName: 'mymaster',
      quorum: '2',
      resolveHostnames: 'yes',
      announceHostnames: 'yes',
      additionalSentinelConfig: 'redis-sentinel-config',
    });
    expect(only<ConfigMap>(objects, 'ConfigMap').data['redis-sentinel-additional.conf']).toBe('tls-replication yes\n');
    expect(set.spec.TLS.secret).toEqual({ secretName: 'redis-tls' });
    expect(set.spec.env).toEqual([
      { name: 'REDIS_TLS_CA_KEY', value: '/tls/ca.crt' },
      { name: 'EXTERNAL_CONFIG_FILE', value: '/etc/redis/announce/sentinel-announce.conf' },
    ]);
    expect(set.spec.pdb).toEqual({ enabled: true, minAvailable: 2 });
    expect(set.spec.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual({ app: 'redis-sentinel', role: 'sentinel' });
    expect(set.spec.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false });
  });

  it('announce each Sentinel by name, from a file an init container writes and the entrypoint includes', () => {
    expect(set.spec.volumeMount).toEqual({
      volume: [{ name: 'announce', emptyDir: {} }],
      mountPath: [{ name: 'announce', mountPath: '/etc/redis/announce' }],
    });
    const dir = mkdtempSync(join(tmpdir(), 'announce-'));
    const script = set.spec.initContainer.command[2]!.replaceAll('/etc/redis/announce', dir).replace('$(hostname)', 'redis-sentinel-2');
    execFileSync('sh', ['-c', script]);
    expect(readFileSync(join(dir, 'sentinel-announce.conf'), 'utf8')).toBe(
      'include /etc/redis/external.conf.d/redis-sentinel-additional.conf\nsentinel announce-ip redis-sentinel-2.redis-sentinel-headless.data.svc.cluster.local\n',
    );
    expect(set.spec.initContainer.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false });
  });

  it('fails on an even number of Sentinels', () => {
    expect(() => synth((c) => new RedisSentinels(c, 'r', { ...sentinels, size: 2 }))).toThrow(
      'redis: size (2) must be an odd number of at least 3',
    );
  });
});

describe('LatencyAutoscaler', () => {
  const scaled = only<ScaledObject>(
    synth(
      (c) =>
        new LatencyAutoscaler(c, 'l', {
          name: 'backend',
          target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'backend' },
          minReplicas: 20,
          maxReplicas: 36,
          labels,
          prometheusUrl: 'http://prometheus:9090',
          query: istioLatencyQuery('platform', 'backend', 120),
          thresholdMilliseconds: 500,
        }),
    ),
    'ScaledObject',
  );

  it('scales up on a p95 above 500 ms beside CPU 70 % and memory 80 %', () => {
    expect(scaled.spec.triggers.map((t) => [t.type, t.metadata.value ?? t.metadata.threshold])).toEqual([
      ['cpu', '70'],
      ['memory', '80'],
      ['prometheus', '500'],
    ]);
    expect(scaled.spec.triggers[2].metadata.query).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination", destination_service_namespace="platform", destination_service_name="backend"}[120s])))',
    );
  });

  it('never removes pods when the metric is missing: no series counts as 0, a failing Prometheus holds the count', () => {
    expect(scaled.spec.triggers[2].metadata.ignoreNullValues).toBe('true');
    expect(scaled.spec.fallback).toEqual({ failureThreshold: 3, replicas: 20, behavior: 'currentReplicasIfHigher' });
  });

  it("keeps CAP-03's windows: up after 3 minutes (180 s), down after 10 (600 s)", () => {
    const behavior = scaled.spec.advanced.horizontalPodAutoscalerConfig.behavior;
    expect(behavior.scaleUp.stabilizationWindowSeconds).toBe(180);
    expect(behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
  });
});

describe('PodKillSchedule and PodMonitor', () => {
  it('kills one running pod of one namespace and label set, keeping primaries out with a positive role match', () => {
    const schedule = only<Schedule>(
      synth(
        (c) =>
          new PodKillSchedule(c, 'k', {
            name: 'redis-pod-kill',
            labels,
            cron: '0 3 * * 1',
            namespace: 'data',
            selector: { app: 'redis', role: 'replication' },
            requirements: [{ key: 'redis-role', operator: 'In', values: ['slave'] }],
          }),
      ),
      'Schedule',
    );
    expect(schedule.spec.schedule).toBe('0 3 * * 1');
    // Forbid would let one run that selected nothing (never finished) stop every later one.
    expect(schedule.spec.concurrencyPolicy).toBe('Allow');
    expect(schedule.spec.podChaos).toMatchObject({ action: 'pod-kill', mode: 'one' });
    expect(schedule.spec.podChaos.selector).toEqual({
      namespaces: ['data'],
      labelSelectors: { app: 'redis', role: 'replication' },
      expressionSelectors: [{ key: 'redis-role', operator: 'In', values: ['slave'] }],
      podPhaseSelectors: ['Running'],
    });
  });

  it('refuses an empty selector, which would pick any pod of the namespace', () => {
    expect(() =>
      synth((c) => new PodKillSchedule(c, 'k', { name: 'x', labels, cron: '0 3 * * 1', namespace: 'data', selector: {} })),
    ).toThrow('x: a pod-kill drill needs a label selector');
  });

  it('scrapes the named port every 30 s', () => {
    const monitor = only<PodMonitorJson>(
      synth((c) => new PodMonitor(c, 'm', { name: 'postgres', labels, selector: { a: 'b' }, port: 'metrics' })),
      'PodMonitor',
    );
    expect(monitor.spec).toEqual({ selector: { matchLabels: { a: 'b' } }, podMetricsEndpoints: [{ port: 'metrics', interval: '30s' }] });
  });
});
