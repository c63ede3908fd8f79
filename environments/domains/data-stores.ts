/**
 * The data stores services use: a provider's managed service, pods in the cluster, or PostgreSQL and
 * Redis run here by their operators, with their pooler, backups and DR replication.
 */
import { z } from 'zod';
import { POSTGRES_DEFAULTS, REDIS_DEFAULTS } from '../../lib/defaults';
import type { Environment as Env } from '../schema';
import { cidr, type Ctx, dnsLabel, image, port, quantity, strict, Tier } from './common';
import { RegionRole } from './region';

export const DataStoreMode = { MANAGED: 'managed', IN_CLUSTER: 'in-cluster', OPERATED: 'operated' } as const;

const engine = z.enum(['postgres', 'redis', 'mongodb', 'rabbitmq']);

/** A provider's service (DAT-05: Supabase, Atlas, Redis Cloud), reached over private endpoints. */
const managedStore = strict({
  engine,
  mode: z.literal(DataStoreMode.MANAGED),
  port,
  /** The provider's address ranges (private endpoints): egress is allowed to these only. */
  cidrs: z.array(cidr).min(1),
});

/** Pods in the cluster (DAT-02, DAT-03), found by namespace and labels. */
const inClusterStore = strict({
  engine,
  mode: z.literal(DataStoreMode.IN_CLUSTER),
  port,
  /** The namespace the store runs in. */
  namespace: dnsLabel,
  /** Labels of the store's pods. */
  podLabels: z.record(z.string(), z.string()),
});

/** CPU and memory of a data-store pod: requests and limits alike (Guaranteed QoS, as databases want). */
const podResources = strict({ cpu: quantity, memory: quantity });

/** A persistent volume per pod: its size and storage class (a key of `storageClasses`). */
const volume = strict({ size: quantity, storageClass: dnsLabel });

const GCS_BUCKET = /^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/;
const bucketName = z
  .string()
  .regex(GCS_BUCKET, 'must be a Cloud Storage bucket name: lowercase letters, digits, "-", "_" and ".", 3-63 characters');
const bucketPath = z.string().regex(/^[a-z0-9]([a-z0-9_/-]*[a-z0-9])?$/, 'must be a folder such as postgres or prod/postgres');
const GOOGLE_SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/** How the backup tools authenticate to the object store. Never a plain Secret in git. */
export const BACKUP_CREDENTIAL_VARIANTS = [
  /** GKE Workload Identity: the cluster's Kubernetes service account acts as this Google service account. */
  strict({
    type: z.literal('workload-identity'),
    serviceAccount: z
      .string()
      .regex(GOOGLE_SERVICE_ACCOUNT, 'must be a Google service account such as pg-backup@platform-prod.iam.gserviceaccount.com'),
  }),
  /** A service account key kept in the environment's secret store, written into the cluster by an ExternalSecret. */
  strict({ type: z.literal('external-secret'), secret: dnsLabel }),
] as const;

const backupCredentials = z.discriminatedUnion('type', BACKUP_CREDENTIAL_VARIANTS, {
  error: () => 'must be one of the types: workload-identity (with serviceAccount), external-secret (with secret)',
});

/** WAL archiving and base backups to the environment's object store (DAT-02, AVL-04). */
const postgresBackups = strict({
  /** The region's own bucket: WAL and base backups of this environment's cluster. */
  bucket: bucketName,
  path: bucketPath.default(POSTGRES_DEFAULTS.backups.path),
  credentials: backupCredentials,
  /** A base backup every this many hours (DAT-07: 6). */
  everyHours: z.number().int().min(1).max(24).default(POSTGRES_DEFAULTS.backups.everyHours),
  /** Backups and WAL are kept this long (DAT-02: 30). */
  retentionDays: z.number().int().min(1).max(3650).default(POSTGRES_DEFAULTS.backups.retentionDays),
  /** Recovery to any point in this many days (DAT-02: 7); within the retention. */
  pointInTimeDays: z.number().int().min(1).max(3650).default(POSTGRES_DEFAULTS.backups.pointInTimeDays),
  /** A partly filled WAL segment is archived after at most this long. */
  archiveTimeoutSeconds: z.number().int().min(10).max(3600).default(POSTGRES_DEFAULTS.backups.archiveTimeoutSeconds),
});

/** The other region of the DR pair: the standby's replica cluster is fed from the primary's archive. */
const postgresReplication = strict({
  /** The peer's cloud region; its cluster is named after it. */
  region: z.string().regex(/^[a-z0-9-]+$/, 'must be a cloud region name such as us-west1'),
  /** The peer's archive bucket (its `backups.bucket`). */
  bucket: bucketName,
  path: bucketPath.default(POSTGRES_DEFAULTS.backups.path),
});

const { pooler: POOLER } = POSTGRES_DEFAULTS;

/** PgBouncer in front of PostgreSQL (DAT-06): the only way in for the apps. */
const pooler = strict({
  instances: z.number().int().min(1).max(20).default(POOLER.instances),
  poolMode: z.enum(['transaction', 'session']).default(POOLER.poolMode),
  /** Client connections the pooler accepts in total, shared by its pods (DAT-06: 200). */
  maxClientConnections: z.number().int().min(1).max(100_000).default(POOLER.maxClientConnections),
  /** Server connections per pod for the app's database and role. */
  defaultPoolSize: z.number().int().min(1).max(10_000).default(POOLER.defaultPoolSize),
  /** Extra server connections per pod for bursts. */
  reservePoolSize: z.number().int().min(0).max(10_000).default(POOLER.reservePoolSize),
  resources: podResources.prefault({ ...POOLER.resources }),
});

/** PostgreSQL run by CloudNativePG in this cluster, behind its pooler. */
const operatedPostgres = strict({
  engine: z.literal('postgres'),
  mode: z.literal(DataStoreMode.OPERATED),
  port: port.default(5432),
  /** The namespace the cluster, its pooler and its backups run in. */
  namespace: dnsLabel.default(POSTGRES_DEFAULTS.namespace),
  image: image.prefault({ ...POSTGRES_DEFAULTS.image }),
  /** The primary and its hot standbys (read replicas, failover targets); CloudNativePG sizes them alike. */
  instances: z.number().int().min(1).max(9).default(POSTGRES_DEFAULTS.instances),
  resources: podResources,
  storage: volume,
  /** A separate volume for the WAL. @default - WAL on the data volume */
  walStorage: volume.optional(),
  /** The node pool the instances and poolers run on (never spot). */
  pool: dnsLabel,
  maxConnections: z.number().int().min(10).max(100_000).default(POSTGRES_DEFAULTS.maxConnections),
  /** The app's database and its owner role. */
  database: dnsLabel.default(POSTGRES_DEFAULTS.database),
  pooler: pooler.prefault({}),
  /** WAL archiving and base backups. @default - none (dev) */
  backups: postgresBackups.optional(),
  /** Recovery point objective, minutes (AVL-04: 5): the most data a failure may lose. */
  rpoMinutes: z.number().int().min(1).max(1440).default(POSTGRES_DEFAULTS.rpoMinutes),
  /** The DR pair's other region (primary and standby regions). @default - no cross-region replica */
  replication: postgresReplication.optional(),
  /** The services' secret that holds the connection URL: written to point at the pooler. */
  urlSecret: dnsLabel.default(POSTGRES_DEFAULTS.urlSecret),
  /** The secret in the store with the app role's password. */
  passwordSecret: dnsLabel.default(POSTGRES_DEFAULTS.passwordSecret),
});

/** Redis run by the redis-operator: a primary, replicas and Sentinels, persisted. */
const operatedRedis = strict({
  engine: z.literal('redis'),
  mode: z.literal(DataStoreMode.OPERATED),
  port: port.default(6379),
  namespace: dnsLabel.default(REDIS_DEFAULTS.namespace),
  image: image.prefault({ ...REDIS_DEFAULTS.image }),
  sentinelImage: image.prefault({ ...REDIS_DEFAULTS.sentinelImage }),
  exporterImage: image.prefault({ ...REDIS_DEFAULTS.exporterImage }),
  /** A primary and its replicas (DAT-03: 3). */
  nodes: z.number().int().min(1).max(9).default(REDIS_DEFAULTS.nodes),
  /** Sentinels that fail the primary over; 0: none (the operator re-elects on its next reconcile). */
  sentinels: z.number().int().min(0).max(9).default(REDIS_DEFAULTS.sentinels),
  resources: podResources,
  storage: volume,
  pool: dnsLabel,
  persistence: strict({
    /** AOF fsync policy (DAT-03: AOF enabled; every second loses at most a second). */
    appendfsync: z.enum(['always', 'everysec', 'no']).default(REDIS_DEFAULTS.persistence.appendfsync),
    /** An RDB snapshot at most this often, seconds (DAT-03: hourly). */
    snapshotSeconds: z.number().int().min(60).max(86_400).default(REDIS_DEFAULTS.persistence.snapshotSeconds),
  }).prefault({}),
  /** maxmemory as a share of the memory limit. */
  maxMemoryPercent: z.number().int().min(10).max(90).default(REDIS_DEFAULTS.maxMemoryPercent),
  urlSecret: dnsLabel.default(REDIS_DEFAULTS.urlSecret),
  passwordSecret: dnsLabel.default(REDIS_DEFAULTS.passwordSecret),
});

/** The operated stores, by their `engine`. */
export const OPERATED_STORE_VARIANTS = [operatedPostgres, operatedRedis] as const;

const operatedStore = z.discriminatedUnion('engine', OPERATED_STORE_VARIANTS, {
  error: () => 'must be an engine an operator runs here: postgres (CloudNativePG) or redis (redis-operator)',
});

/** The data-store variants, by their `mode` (operated ones by their engine). */
export const DATA_STORE_VARIANTS = [managedStore, inClusterStore, ...OPERATED_STORE_VARIANTS] as const;

export const dataStore = z.discriminatedUnion('mode', [managedStore, inClusterStore, operatedStore], {
  error: () =>
    'must be one of the modes: managed (with cidrs), in-cluster (with namespace and podLabels), operated (postgres or redis run by an operator here)',
});

/** The operated stores: placement, prices, the pooler's arithmetic, backups and the region's role. */
export function checkDataStores(env: Env, ctx: Ctx): void {
  for (const [name, store] of Object.entries(env.dataStores)) {
    if (store.mode === DataStoreMode.OPERATED) checkOperatedStore(env, name, store, ctx);
  }
}

type Operated = z.infer<typeof operatedStore>;

/** A store an operator runs here: placement, prices, the pooler's arithmetic, backups and the region's role. */
function checkOperatedStore(env: Env, name: string, store: Operated, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) =>
    ctx.addIssue({ code: 'custom', path: ['dataStores', name, ...path], input, message });
  const pool = env.nodePools[store.pool];
  if (pool === undefined) {
    issue(['pool'], store.pool, `must be a node pool of this environment: ${Object.keys(env.nodePools).join(', ') || '(none declared)'}`);
  } else if (pool.spot) {
    issue(['pool'], store.pool, 'is a spot pool: a reclaimed node would take a database down; use an on-demand pool');
  }
  if (store.namespace === env.namespace) {
    issue(
      ['namespace'],
      store.namespace,
      `must differ from namespace (${env.namespace}): data stores run outside the apps' mesh and quota, in their own namespace`,
    );
  }
  const volumes: [string, { storageClass: string } | undefined][] = [
    ['storage', store.storage],
    ['walStorage', store.engine === 'postgres' ? store.walStorage : undefined],
  ];
  for (const [field, vol] of volumes) {
    if (vol !== undefined && !(vol.storageClass in env.storageClasses)) {
      issue(
        [field, 'storageClass'],
        vol.storageClass,
        `must be a storage class of this environment: ${Object.keys(env.storageClasses).join(', ')}`,
      );
    }
  }
  if (store.engine === 'redis') {
    if (store.sentinels !== 0 && (store.sentinels < 3 || store.sentinels % 2 === 0)) {
      issue(['sentinels'], store.sentinels, 'must be 0 or an odd number of at least 3: a majority of Sentinels must agree on a failover');
    } else if (store.sentinels > 0 && store.nodes < 2) {
      issue(['sentinels'], store.sentinels, 'must be 0 with a single node: Sentinel fails over to a replica, and there is none');
    }
    return;
  }
  const { pooler } = store;
  const serverConnections = pooler.instances * (pooler.defaultPoolSize + pooler.reservePoolSize);
  const budget = Math.floor((store.maxConnections * POSTGRES_DEFAULTS.alerts.connectionsPercent) / 100);
  if (serverConnections > budget) {
    issue(
      ['pooler', 'defaultPoolSize'],
      pooler.defaultPoolSize,
      `gives the pooler ${pooler.instances} x (${pooler.defaultPoolSize} + ${pooler.reservePoolSize} reserve) = ${serverConnections} server connections, above ${POSTGRES_DEFAULTS.alerts.connectionsPercent} % of maxConnections (${budget} of ${store.maxConnections}): lower it or raise maxConnections`,
    );
  }
  if (pooler.maxClientConnections < pooler.instances) {
    issue(
      ['pooler', 'maxClientConnections'],
      pooler.maxClientConnections,
      `must be at least pooler.instances (${pooler.instances}): it is shared by the pooler's pods`,
    );
  }
  const { backups, replication } = store;
  if (backups !== undefined) {
    if (backups.pointInTimeDays > backups.retentionDays) {
      issue(
        ['backups', 'pointInTimeDays'],
        backups.pointInTimeDays,
        `must be within backups.retentionDays (${backups.retentionDays}): recovery needs the WAL and a base backup from before the target`,
      );
    }
    if (backups.archiveTimeoutSeconds >= store.rpoMinutes * 60) {
      issue(
        ['backups', 'archiveTimeoutSeconds'],
        backups.archiveTimeoutSeconds,
        `must be shorter than the RPO (rpoMinutes ${store.rpoMinutes} = ${store.rpoMinutes * 60} s): a WAL segment may wait this long before it is archived, and the upload and the DR replica's replay come on top`,
      );
    }
  } else if (env.tier === Tier.PRODUCTION) {
    issue(
      ['backups'],
      undefined,
      'is required in production: WAL archiving and base backups are what the RPO and point-in-time recovery rest on (AVL-04, DAT-02)',
    );
  }
  const role = env.region?.role;
  if (replication !== undefined) {
    if (role !== RegionRole.PRIMARY && role !== RegionRole.STANDBY) {
      issue(
        ['replication'],
        replication,
        `is for the DR pair: region.role primary (whose archive feeds the peer) or standby (which runs the replica cluster), not ${role === undefined ? 'an environment without a region' : `role ${role}`}`,
      );
    } else if (replication.region === env.region?.name) {
      issue(['replication', 'region'], replication.region, `must be another region than this one (${env.region?.name})`);
    }
    if (backups === undefined) {
      issue(['backups'], undefined, "is required with replication: the DR replica cluster is fed from the primary region's archive");
    }
  } else if (role === RegionRole.STANDBY) {
    issue(
      ['replication'],
      undefined,
      "is required in a standby region: its DR replica cluster is fed from the primary region's archive (set the primary's region and bucket)",
    );
  }
}
