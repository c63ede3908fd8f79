/**
 * The data layer and recovery (DAT-02 to DAT-08, AVL-04), as each environment renders it: every number pinned
 * exactly, and invariants that iterate over what each environment declares.
 */
import { describe, expect, it } from 'vitest';
import { enabledServices } from '../charts/resolve-service';
import { environmentNames } from '../environments';
import type { OperatedPostgres, OperatedRedis } from '../environments/schema';
import type { Manifest } from '../lib/core/manifest';
import { AUTOSCALING_DEFAULTS, LATENCY_SCALING_DEFAULTS } from '../lib/defaults';
import { operatedPods } from '../lib/operated-pods';
import { selectorMatches } from '../validation/rules/model';
import { environment, find, nonEmpty, objects, rendered } from './helpers';
import type { HpaJson, LabelSelector, Labels, NetworkPolicyJson, PdbJson, WithSpec } from './k8s-json';

type Resources = { readonly requests: Labels; readonly limits: Labels };

/** CloudNativePG's Cluster, as far as these tests read it. */
type PgCluster = WithSpec<{
  readonly instances: number;
  readonly imageName?: string;
  readonly resources: Resources;
  readonly replica?: { readonly self: string; readonly primary: string; readonly source: string };
  readonly postgresql: { readonly parameters: Labels };
  readonly bootstrap: { readonly recovery?: { readonly source: string } };
  readonly serviceAccountTemplate?: { readonly metadata: { readonly annotations: Labels } };
  readonly enablePDB?: boolean;
}>;
type ObjectStore = WithSpec<{
  readonly retentionPolicy?: string;
  readonly configuration: { readonly destinationPath: string; readonly googleCredentials?: Readonly<Record<string, unknown>> };
}>;
type ScheduledBackup = WithSpec<{ readonly schedule: string }>;
type Pooler = WithSpec<{ readonly instances: number; readonly pgbouncer: { readonly poolMode: string; readonly parameters: Labels } }>;
type RedisReplication = WithSpec<{
  readonly clusterSize: number;
  readonly sentinel?: { readonly size: number };
  readonly pdb?: { readonly enabled: boolean };
}>;
type RedisSentinel = WithSpec<{ readonly clusterSize: number }>;
type ConfigMap = Manifest & { readonly data: Labels };
type ExternalSecret = WithSpec<{ readonly target: { readonly template: { readonly data: Labels } } }>;
type ScaledObject = WithSpec<{
  readonly scaleTargetRef: { readonly kind?: string; readonly name: string };
  readonly triggers: readonly { readonly type: string; readonly metadata: Labels }[];
  readonly fallback: { readonly behavior: string };
  readonly advanced: {
    readonly horizontalPodAutoscalerConfig: { readonly behavior: { readonly scaleUp: { readonly stabilizationWindowSeconds: number } } };
  };
}>;
/** Chaos Mesh's Schedule of a PodChaos. */
type Schedule = WithSpec<{
  readonly schedule: string;
  readonly concurrencyPolicy?: string;
  readonly podChaos: {
    readonly selector: {
      readonly namespaces: readonly string[];
      readonly labelSelectors: Labels;
      readonly expressionSelectors?: LabelSelector['matchExpressions'];
    };
  };
}>;
type PodMonitor = WithSpec<{ readonly selector: LabelSelector }>;

const PROD_REGIONS = ['prod-us-west', 'prod-eu', 'prod-asia'] as const;

function postgres(name: string): OperatedPostgres {
  const store = environment(name).dataStores.postgres!;
  if (store.mode !== 'operated' || store.engine !== 'postgres') throw new Error(`${name}: postgres is ${store.mode}`);
  return store;
}

describe('PostgreSQL in the prod regions (DAT-02, DAT-04)', () => {
  it('the primary region runs a 4 vCPU / 16 GB primary and a hot standby of the same size (CloudNativePG sizes instances alike)', () => {
    const cluster = find<PgCluster>(rendered('prod-us-west'), 'Cluster', 'postgres');
    expect(cluster.spec.instances).toBe(2);
    expect(cluster.spec.resources).toEqual({ requests: { cpu: '4', memory: '16Gi' }, limits: { cpu: '4', memory: '16Gi' } });
  });

  it("the standby region runs the DR replica: one 2 vCPU / 8 GB instance replaying the primary region's archive", () => {
    const cluster = find<PgCluster>(rendered('prod-asia'), 'Cluster', 'postgres');
    expect(cluster.spec.instances).toBe(1);
    expect(cluster.spec.resources.limits).toEqual({ cpu: '2', memory: '8Gi' });
    expect(cluster.spec.replica).toEqual({ self: 'postgres-asia-southeast1', primary: 'postgres-us-west1', source: 'postgres-us-west1' });
    expect(find<ObjectStore>(rendered('prod-asia'), 'ObjectStore', 'postgres-peer-archive').spec.configuration.destinationPath).toBe(
      'gs://platform-prod-us-west-postgres/postgres',
    );
    // ...and the primary names it, so a switchover is a change of replica.primary on both.
    expect(find<PgCluster>(rendered('prod-us-west'), 'Cluster', 'postgres').spec.replica!.source).toBe('postgres-asia-southeast1');
  });

  it.each(PROD_REGIONS)('%s: base backups every 6 hours, 30 days of retention, recovery within 7 days, RPO 5 minutes', (name) => {
    const env = rendered(name);
    expect(find<ScheduledBackup>(env, 'ScheduledBackup', 'postgres-base-backup').spec.schedule).toBe('0 0 */6 * * *');
    expect(find<ObjectStore>(env, 'ObjectStore', 'postgres-archive').spec.retentionPolicy).toBe('30d');
    const backups = postgres(name).backups!;
    expect([backups.everyHours, backups.retentionDays, backups.pointInTimeDays]).toEqual([6, 30, 7]);
    const cluster = find<PgCluster>(env, 'Cluster', 'postgres');
    expect(cluster.metadata.annotations!['platform/rpo-seconds']).toBe('300');
    // A partly filled WAL segment is shipped within 2 minutes: inside the RPO, with room for the upload.
    expect(cluster.spec.postgresql.parameters.archive_timeout).toBe('120s');
  });

  it("RTO 15 minutes: the standby region's replica is already running and replaying, and its region keeps a warm floor", () => {
    // Promotion is a change of replica.primary, not a restore; the documents' 15 minutes bound the rest.
    expect(find<PgCluster>(rendered('prod-asia'), 'Cluster', 'postgres').spec.bootstrap.recovery!.source).toBe('postgres-us-west1');
    expect(environment('prod-asia').region?.role).toBe('standby');
  });

  it("the DR pair's two sides, and their apps, read one owner password: the pair's key, not a region's", () => {
    type ExternalSecret = WithSpec<{
      readonly data: readonly { readonly secretKey: string; readonly remoteRef: { readonly key: string } }[];
    }>;
    const key = 'platform-prod-postgres-password-dr-asia-southeast1-us-west1';
    for (const name of ['prod-us-west', 'prod-asia']) {
      const owner = find<ExternalSecret>(rendered(name), 'ExternalSecret', 'postgres-app-credentials').spec.data;
      expect(owner, name).toEqual([{ secretKey: 'password', remoteRef: { key } }]);
      const apps = objects<ExternalSecret>(rendered(name), 'ExternalSecret').flatMap((e) => e.spec.data ?? []);
      expect(apps.filter((d) => d.secretKey === 'postgres-password').map((d) => d.remoteRef.key)).toEqual([key, key]);
    }
    // A region outside the pair keeps its own.
    expect(find<ExternalSecret>(rendered('prod-eu'), 'ExternalSecret', 'postgres-app-credentials').spec.data[0]!.remoteRef.key).toBe(
      'platform-prod-eu-postgres-password',
    );
  });

  it('object-store credentials come by workload identity, one per region, never a Secret in git', () => {
    const identities = PROD_REGIONS.map((name) => {
      expect(find<ObjectStore>(rendered(name), 'ObjectStore', 'postgres-archive').spec.configuration.googleCredentials).toEqual({
        gkeEnvironment: true,
      });
      expect(objects(rendered(name), 'Secret')).toEqual([]);
      return find<PgCluster>(rendered(name), 'Cluster', 'postgres').spec.serviceAccountTemplate!.metadata.annotations[
        'iam.gke.io/gcp-service-account'
      ];
    });
    const backupIdentity = /^pg-backup(-[a-z-]+)?@platform-prod\.iam\.gserviceaccount\.com$/;
    expect(nonEmpty(identities, 'backup identities').every((identity) => backupIdentity.test(identity ?? ''))).toBe(true);
    // No region's identity is another's (issue 24 #9): none can write or delete another region's archive.
    expect(new Set(identities).size).toBe(PROD_REGIONS.length);
  });

  it('PgBouncer in transaction mode takes 200 client connections (DAT-06), 100 on each of its 2 pods', () => {
    const pooler = find<Pooler>(rendered('prod'), 'Pooler', 'postgres-pooler');
    expect(pooler.spec.instances).toBe(2);
    expect(pooler.spec.pgbouncer.poolMode).toBe('transaction');
    expect(pooler.spec.pgbouncer.parameters.max_client_conn).toBe('100');
  });
});

describe('Redis (DAT-03)', () => {
  it.each([...PROD_REGIONS, 'staging'])('%s: three nodes with Sentinels, AOF every second and an hourly RDB snapshot', (name) => {
    const env = rendered(name);
    const set = find<RedisReplication>(env, 'RedisReplication', 'redis');
    expect(set.spec.clusterSize).toBe(3);
    expect(set.spec.sentinel).toBeUndefined();
    expect(find<RedisSentinel>(env, 'RedisSentinel', 'redis').spec.clusterSize).toBe(3);
    expect(find<ConfigMap>(env, 'ConfigMap', 'redis-config').data['redis-additional.conf']).toBe(
      'appendonly yes\nappendfsync everysec\nsave ""\nsave 3600 1\n',
    );
  });

  it("the apps' Redis URL and the workers' KEDA trigger ask the Sentinels for the master, so a failover is followed", () => {
    const prod = rendered('prod');
    const data = find<ExternalSecret>(prod, 'ExternalSecret', 'backend-secrets').spec.target.template.data;
    // kombu's (Celery's) Sentinel transport URL; the master group beside it (broker_transport_options master_name).
    // Signed in as the backend's own ACL user (test/data-clients.test.ts), never as the store's default user.
    // TLS, verified against the data CA the Secret carries (data/redis-tls).
    expect(data['redis-url']).toBe(
      'sentinel://backend:{{ index . "redis-password-backend" | urlquery }}@redis-sentinel.data.svc.cluster.local:26379/0?ssl_cert_reqs=required&ssl_ca_certs=/var/run/secrets/app/data-ca-cert',
    );
    expect(data['redis-url-sentinel-master']).toBe('mymaster');
    expect(find<ExternalSecret>(prod, 'ExternalSecret', 'backend-secrets').spec.target.template.data['database-url']).toBe(
      'postgresql://app:{{ index . "postgres-password" | urlquery }}@postgres-pooler.data.svc.cluster.local:5432/app?sslmode=verify-full&sslrootcert=/var/run/secrets/app/data-ca-cert',
    );
    expect(find<ScaledObject>(prod, 'ScaledObject', 'worker').spec.triggers[0]).toMatchObject({
      type: 'redis-sentinel',
      metadata: { addresses: 'redis-sentinel.data.svc.cluster.local:26379', sentinelMaster: 'mymaster', enableTLS: 'true' },
    });
    // Without Sentinels (dev) the master Service is the only address there is.
    expect(find<ExternalSecret>(rendered('dev'), 'ExternalSecret', 'backend-secrets').spec.target.template.data['redis-url']).toBe(
      'rediss://backend:{{ index . "redis-password-backend" | urlquery }}@redis-master.data.svc.cluster.local:6379/0?ssl_cert_reqs=required&ssl_ca_certs=/var/run/secrets/app/data-ca-cert',
    );
  });
});

describe('dev and staging run smaller variants', () => {
  it('dev: one PostgreSQL instance without backups, one Redis node without Sentinels', () => {
    const dev = rendered('dev');
    expect(find<PgCluster>(dev, 'Cluster', 'postgres').spec.instances).toBe(1);
    expect(objects(dev, 'ScheduledBackup')).toEqual([]);
    expect(objects(dev, 'ObjectStore')).toEqual([]);
    expect(find<RedisReplication>(dev, 'RedisReplication', 'redis').spec.clusterSize).toBe(1);
    expect(find<RedisReplication>(dev, 'RedisReplication', 'redis').spec.sentinel).toBeUndefined();
  });

  it('staging: a primary and a standby of 1 vCPU / 4 GB, backed up to its own bucket', () => {
    const cluster = find<PgCluster>(rendered('staging'), 'Cluster', 'postgres');
    expect([cluster.spec.instances, cluster.spec.resources.limits]).toEqual([2, { cpu: '1', memory: '4Gi' }]);
    expect(find<ObjectStore>(rendered('staging'), 'ObjectStore', 'postgres-archive').spec.configuration.destinationPath).toBe(
      'gs://platform-staging-postgres-backups/postgres',
    );
  });
});

describe('scaling triggers (CAP-04, CAP-05, OPS-05)', () => {
  it("CPU above CAP-03's target for its up window scales up, and its down window scales down", () => {
    const hpa = find<HpaJson>(rendered('prod'), 'HorizontalPodAutoscaler', 'frontend').spec;
    const { cpuPercent, scaleUp, scaleDown } = AUTOSCALING_DEFAULTS;
    expect(hpa.metrics.find((m) => m.resource!.name === 'cpu')!.resource!.target.averageUtilization).toBe(cpuPercent);
    expect(hpa.behavior!.scaleUp!.stabilizationWindowSeconds).toBe(scaleUp.stabilizationSeconds);
    expect(hpa.behavior!.scaleDown!.stabilizationWindowSeconds).toBe(scaleDown.stabilizationSeconds);
  });

  it("request latency above CAP-04's threshold scales the API, CPU and memory alongside, with a fallback that never removes pods", () => {
    const scaled = find<ScaledObject>(rendered('prod'), 'ScaledObject', 'backend').spec;
    expect(scaled.scaleTargetRef).toMatchObject({ kind: 'Rollout', name: 'backend' });
    expect(scaled.triggers.find((t) => t.type === 'prometheus')!.metadata.threshold).toBe(String(LATENCY_SCALING_DEFAULTS.p95Milliseconds));
    expect(scaled.fallback.behavior).toBe('currentReplicasIfHigher');
    expect(scaled.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.stabilizationWindowSeconds).toBe(
      AUTOSCALING_DEFAULTS.scaleUp.stabilizationSeconds,
    );
    expect(objects(rendered('prod'), 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).not.toContain('backend');
  });

  it("queue depth above the worker's target per replica (CAP-05) adds workers", () => {
    const worker = environment('prod').services.worker;
    const target = worker?.kind === 'worker' ? worker.queue?.targetPerReplica : undefined;
    expect(target).toBeDefined();
    expect(find<ScaledObject>(rendered('prod'), 'ScaledObject', 'worker').spec.triggers[0].metadata.listLength).toBe(String(target));
  });
});

describe('the PostgreSQL operand image', () => {
  it.each(environmentNames())(
    "%s: every Cluster runs one build, the 2026-08-17 catalog's 18.6 by digest, never the rebuilt tag",
    (name) => {
      const clusters = objects<PgCluster>(rendered(name), 'Cluster');
      if (Object.values(environment(name).dataStores).some((s) => s.mode === 'operated' && s.engine === 'postgres')) {
        expect(clusters.length).toBeGreaterThan(0);
      }
      for (const cluster of clusters) {
        expect(cluster.spec.imageName).toBe(
          'ghcr.io/cloudnative-pg/postgresql:18.6-202608170814-standard-bookworm@sha256:9446e83aa490df3f14ebf5bf2f6002a1347728690ff38f35dd7a85b925a62468',
        );
      }
    },
  );
});

describe('chaos drills (AVL-05)', () => {
  const schedules = (name: string) => objects<Schedule>(rendered(name), 'Schedule');

  it('staging: a weekly pod kill of each service and of each store but its primaries, staggered on Mondays', () => {
    const drills = schedules('staging').map((s) => [s.metadata.namespace, s.metadata.name, s.spec.schedule]);
    // One at a time: the i-th drill starts 10 minutes after the one before it, from 03:00 on Mondays.
    expect(drills.map(([, , cron]) => cron)).toEqual(drills.map((_, i) => `${(i * 10) % 60} ${3 + Math.floor((i * 10) / 60)} * * 1`));
    // Each service that runs all the time (a job's pod runs to completion), first and in the model's order.
    const model = environment('staging');
    const services = enabledServices(model).flatMap(([name, spec]) => (spec.kind === 'job' ? [] : [name]));
    expect(services.length).toBeGreaterThan(0);
    expect(drills.slice(0, services.length).map(([ns, name]) => [ns, name])).toEqual(
      services.map((name) => [model.namespace, `${name}-pod-kill`]),
    );
    // Then the example's stores: PostgreSQL's standbys and pooler, Redis's replicas, Sentinels, and the
    // failover drill (chaos.failover: Sentinel promotes a replica, the clients must follow).
    expect(drills.slice(services.length).map(([ns, name]) => [ns, name])).toEqual([
      ['data', 'postgres-pod-kill'],
      ['data', 'postgres-pooler-pod-kill'],
      ['data', 'redis-pod-kill'],
      ['data', 'redis-sentinel-pod-kill'],
      ['data', 'redis-master-pod-kill'],
    ]);
  });

  it('production: monthly, because prod opts in; dev: none', () => {
    expect(nonEmpty(schedules('prod'), 'prod: drill Schedules').every((s) => / 1 \* \*$/.test(s.spec.schedule))).toBe(true);
    expect(schedules('dev')).toEqual([]);
  });

  it.each(environmentNames())(
    '%s: every drill is scoped to one namespace and labels, and never selects a primary but in a failover drill',
    (name) => {
      // An environment without drills (chaos.podKill off) emits no Schedule at all.
      if (environment(name).chaos.podKill === 'off') {
        expect(schedules(name)).toEqual([]);
        return;
      }
      expect(schedules(name).length).toBeGreaterThan(0);
      for (const s of schedules(name)) {
        // Forbid (also the default) would let a run that selected nothing stop the drill for good.
        expect(s.spec.concurrencyPolicy, s.metadata.name).toBe('Allow');
        const selector = s.spec.podChaos.selector;
        expect(selector.namespaces).toEqual([s.metadata.namespace]);
        expect(Object.keys(selector.labelSelectors).length).toBeGreaterThan(0);
        const labels = selector.labelSelectors;
        if (labels['cnpg.io/podRole'] === 'instance') {
          expect(selector.expressionSelectors).toEqual([{ key: 'cnpg.io/instanceRole', operator: 'In', values: ['replica'] }]);
        }
        // Only the failover drill of an environment that asks for one (chaos.failover) picks the Redis master.
        const failover = environment(name).chaos.failover && s.metadata.name.endsWith('-master-pod-kill');
        if (labels.role === 'replication')
          expect(selector.expressionSelectors).toEqual([{ key: 'redis-role', operator: 'In', values: [failover ? 'master' : 'slave'] }]);
      }
    },
  );
});

describe.each(environmentNames())('%s: every operated store', (name) => {
  const env = rendered(name);
  const stores = Object.entries(environment(name).dataStores).filter(([, s]) => s.mode === 'operated') as [
    string,
    OperatedPostgres | OperatedRedis,
  ][];
  const owners = env.objects.filter((o) => operatedPods(o).length > 0);
  const sets = owners.flatMap((o) => operatedPods(o));

  it('is declared, and its pods run', () => {
    expect(stores.length).toBeGreaterThan(0);
    expect(sets.length).toBeGreaterThan(0);
  });

  it('has a disruption budget for each of its pod sets', () => {
    const budgets = objects<PdbJson>(env, 'PodDisruptionBudget');
    for (const set of nonEmpty(sets, `${name}: data pod sets`)) {
      // CloudNativePG's PDB where it can allow an eviction (two or more instances); off on a single instance.
      if (set.role === 'instances') expect((set.owner as PgCluster).spec.enablePDB, set.owner.metadata.name).toBe(set.replicas > 1);
      else if (set.role === 'redis' || set.role === 'sentinel') expect((set.owner as RedisReplication).spec.pdb!.enabled).toBe(true);
      else
        expect(
          budgets.some((b) => selectorMatches(b.spec.selector, set.labels)),
          `${set.role} of ${set.owner.metadata.name}`,
        ).toBe(true);
    }
  });

  it('is scraped by a PodMonitor and fenced by a NetworkPolicy', () => {
    const monitors = objects<PodMonitor>(env, 'PodMonitor');
    const namespaces = new Set(stores.map(([, s]) => s.namespace));
    const policies = objects<NetworkPolicyJson>(env, 'NetworkPolicy').filter((p) => namespaces.has(p.metadata.namespace!));
    for (const set of nonEmpty(
      sets.filter((s) => s.role !== 'sentinel'),
      `${name}: data pod sets`,
    )) {
      expect(
        monitors.some((m) => selectorMatches(m.spec.selector, set.labels)),
        `${set.role}: PodMonitor`,
      ).toBe(true);
    }
    for (const set of sets)
      expect(
        policies.some((p) => selectorMatches(p.spec.podSelector, set.labels)),
        `${set.role}: NetworkPolicy`,
      ).toBe(true);
  });

  it('is reached by the apps that use PostgreSQL only through the pooler', () => {
    const users = Object.entries(environment(name).services).filter(([, spec]) => spec.enabled && spec.uses.includes('postgres'));
    for (const [service] of nonEmpty(users, `${name}: services using PostgreSQL`)) {
      const rule = find<NetworkPolicyJson>(env, 'NetworkPolicy', service).spec.egress!.find((r) => r.ports![0].port === 5432)!;
      expect(
        rule.to!.map((peer) => peer.podSelector!.matchLabels),
        service,
      ).toEqual([{ 'cnpg.io/poolerName': 'postgres-pooler' }]);
    }
  });

  it("runs in a namespace that enforces Pod Security 'restricted'", () => {
    expect(stores.length).toBeGreaterThan(0);
    for (const namespace of new Set(stores.map(([, s]) => s.namespace)))
      expect(find(env, 'Namespace', namespace).metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});
