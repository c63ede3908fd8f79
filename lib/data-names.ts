/**
 * Names and labels of the data layer that cross objects: the CloudNativePG Cluster, its pooler, its
 * archives and backups, the Redis set, the Secrets they read, and the labels their operators put on
 * the pods (which NetworkPolicies, PDBs, PodMonitors and chaos drills select). One function each, so
 * a Cluster and the policy that protects it cannot disagree about a name. The host of a Service is
 * lib/names.ts's clusterHost (the rule for names is there).
 */

/** The CloudNativePG Cluster of a PostgreSQL store: the store's name, in every region. */
export function postgresClusterName(store: string): string {
  return store;
}

/**
 * The cluster's name in the DR topology and its folder in the archive (barman's serverName): the store
 * and the region, so the primary's and the standby's WAL never mix in one folder.
 */
export function postgresServerName(store: string, region: string | undefined): string {
  return region === undefined ? store : `${store}-${region}`;
}

/** The PgBouncer Pooler and the Service CloudNativePG names after it: the apps' only way in. */
export function poolerName(store: string): string {
  return `${store}-pooler`;
}

/** The Barman Cloud ObjectStore of the cluster's own archive. */
export function archiveName(store: string): string {
  return `${store}-archive`;
}

/** The ObjectStore of the DR peer's archive (read by the standby; kept by the primary for switching back). */
export function peerArchiveName(store: string): string {
  return `${store}-peer-archive`;
}

/**
 * A DR pair's name, the same on both sides: `dr-` and the two regions in sorted order. The secrets the
 * pair shares (its owner role's password) are named after it.
 */
export function drPairName(regions: readonly [string, string]): string {
  return `dr-${[...regions].sort().join('-')}`;
}

/** The ScheduledBackup of the cluster's base backups. */
export function baseBackupName(store: string): string {
  return `${store}-base-backup`;
}

/** The basic-auth Secret of the app's role (written by an ExternalSecret, the same password in every region). */
export function postgresCredentialsName(store: string): string {
  return `${store}-app-credentials`;
}

/** The Secret with the object store's service account key, when it is not reached by workload identity. */
export function backupCredentialsName(store: string): string {
  return `${store}-backup-credentials`;
}

/** The key of the service account key in that Secret. */
export const BACKUP_CREDENTIALS_KEY = 'credentials.json';

/** The Barman Cloud plugin, as CloudNativePG names it in `plugins` and `externalClusters`. */
export const BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/** CloudNativePG's pod labels (pkg/utils/labels_annotations.go, v1.30.0). */
export const CNPG_LABELS = {
  cluster: 'cnpg.io/cluster',
  podRole: 'cnpg.io/podRole',
  instanceRole: 'cnpg.io/instanceRole',
  poolerName: 'cnpg.io/poolerName',
} as const;

/** The instance pods of a cluster (Jobs and poolers carry `cnpg.io/cluster` too, but not this role). */
export function postgresInstanceLabels(cluster: string): Record<string, string> {
  return { [CNPG_LABELS.cluster]: cluster, [CNPG_LABELS.podRole]: 'instance' };
}

/** The pods of a pooler. */
export function poolerLabels(pooler: string): Record<string, string> {
  return { [CNPG_LABELS.poolerName]: pooler };
}

/** The RedisReplication of a Redis store, and its pods' `app` label. */
export function redisName(store: string): string {
  return store;
}

/** The redis-operator's Service that selects the current master (`redis-role: master`). */
export function redisMasterService(store: string): string {
  return `${redisName(store)}-master`;
}

/** The RedisSentinel of a Redis store: named as its RedisReplication (`redisReplicationName`). */
export function redisSentinelResource(store: string): string {
  return redisName(store);
}

/**
 * The RedisSentinel's StatefulSet, its pods' `app` label, its ClusterIP Service (port
 * DATA_PORTS.sentinel) and its PDB: `<cr>-sentinel` (redis-operator v0.26.0
 * api/redissentinel/v1beta2/redissentinel_types.go, internal/k8sutils/redis-sentinel.go).
 */
export function redisSentinelName(store: string): string {
  return `${redisSentinelResource(store)}-sentinel`;
}

/** The master group the Sentinels monitor (the RedisSentinel's `masterGroupName`; the operator's default is `myMaster`). */
export const REDIS_MASTER_GROUP = 'mymaster';

/** The Service a Sentinel client asks for the current master of REDIS_MASTER_GROUP, on DATA_PORTS.sentinel. */
export function redisSentinelService(store: string): string {
  return redisSentinelName(store);
}

/** The redis-operator's headless Service of a RedisSentinel, which names each Sentinel pod (`<pod>.<service>`). */
export function redisSentinelHeadlessService(store: string): string {
  return `${redisSentinelName(store)}-headless`;
}

/** The redis-operator's headless Service of a RedisReplication, which names each pod (`<pod>.<service>`). */
export function redisHeadlessService(store: string): string {
  return `${redisName(store)}-headless`;
}

/** The ConfigMap the Sentinel image includes as redis-sentinel-additional.conf. */
export function redisSentinelConfigName(store: string): string {
  return `${redisSentinelName(store)}-config`;
}

/**
 * The Secret cert-manager writes a Redis store's certificate to (`ca.crt`, `tls.crt`, `tls.key`), which
 * its Redis and Sentinel pods serve and present to each other.
 */
export function redisTlsName(store: string): string {
  return `${redisName(store)}-tls`;
}

/** The Secret with the Redis password (written by an ExternalSecret) and its key. */
export function redisAuthName(store: string): string {
  return `${redisName(store)}-auth`;
}
export const REDIS_PASSWORD_KEY = 'password';

/** The ConfigMap the Redis image includes as redis-additional.conf. */
export function redisConfigName(store: string): string {
  return `${redisName(store)}-config`;
}

/** The redis-operator's pod labels (internal/controller/common/labels.go, v0.26.0). */
export function redisLabels(store: string): Record<string, string> {
  return { app: redisName(store), role: 'replication' };
}
export function sentinelLabels(store: string): Record<string, string> {
  return { app: redisSentinelName(store), role: 'sentinel' };
}

/** The label the redis-operator sets to each Redis pod's role, and the replicas' value. */
export const REDIS_ROLE_LABEL = 'redis-role';
export const REDIS_REPLICA_ROLE = 'slave';
export const REDIS_MASTER_ROLE = 'master';

/** Ports of the data layer's pods. */
export const DATA_PORTS = {
  postgres: 5432,
  /** The instance manager's status endpoint, which the operator calls. */
  postgresStatus: 8000,
  postgresMetrics: 9187,
  poolerMetrics: 9127,
  redis: 6379,
  sentinel: 26379,
  redisMetrics: 9121,
} as const;

/**
 * The private CA PostgreSQL's server certificates chain to, which the apps verify the pooler with. Its
 * certificate and its key (ECDSA: CloudNativePG parses `ca.key` as an EC key, pkg/certs ParseECPrivateKey,
 * v1.30.0) are secrets in the environment's store, like the stores' passwords, and the same in every
 * region: an ExternalSecret writes them into the data namespace as the Cluster's `serverCASecret`
 * (`ca.crt`, `ca.key`), and each client's own ExternalSecret fetches the certificate alone. A CA that
 * CloudNativePG generates (`<cluster>-ca`) would live only in the data namespace, where no app can
 * mount it.
 */
export const DATA_CA = {
  /**
   * The Secret in the data namespace CloudNativePG signs the server certificates with, and cert-manager's
   * CA Issuer (`issuer`) signs Redis's with: it carries the pair under both operators' keys.
   */
  secret: 'data-ca',
  /** cert-manager's Issuer of the data namespace over `secret`. */
  issuer: 'data-ca',
  /** The store's secrets: the CA certificate (public; also in every client's Secret) and its key. */
  certSecret: 'data-ca-cert',
  keySecret: 'data-ca-key',
} as const;

/** The keys of a CloudNativePG CA Secret (pkg/certs CACertKey, CAPrivateKeyKey, v1.30.0). */
export const CNPG_CA_KEYS = { cert: 'ca.crt', key: 'ca.key' } as const;
/**
 * The keys of a Secret cert-manager writes (`ca.crt`, `tls.crt`, `tls.key`); a CA Issuer reads its own
 * pair under `tls.crt` and `tls.key`.
 */
export const CERT_MANAGER_KEYS = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

/** Where the redis-operator mounts `spec.TLS.secret` (v0.26.0 statefulset.go getVolumeMount). */
export const REDIS_TLS_MOUNT = '/tls';

/**
 * The file the OT-CONTAINER-KIT images include after their own configuration (EXTERNAL_CONFIG_FILE's
 * default in entrypoint.sh and entrypoint-sentinel.sh): the ConfigMap of `additionalRedisConfig` or
 * `additionalSentinelConfig`, mounted at /etc/redis/external.conf.d, under this key.
 */
export const REDIS_INCLUDED_CONFIG = {
  redis: { key: 'redis-additional.conf', path: '/etc/redis/external.conf.d/redis-additional.conf' },
  sentinel: { key: 'redis-sentinel-additional.conf', path: '/etc/redis/external.conf.d/redis-sentinel-additional.conf' },
} as const;

/** The Secret with a Redis store's ACL file (written by an ExternalSecret), and the key the operator mounts. */
export function redisAclName(store: string): string {
  return `${redisName(store)}-acl`;
}
/** Fixed by the redis-operator: it mounts this key at /etc/redis/user.acl (v0.26.0 statefulset.go getVolumeMount). */
export const REDIS_ACL_KEY = 'user.acl';

/** A client service's ACL user on a Redis store. */
export function redisUserName(service: string): string {
  return service;
}

/** The secret in the store with a client service's Redis password: the store's password secret and the service. */
export function redisUserPasswordSecret(passwordSecret: string, service: string): string {
  return `${passwordSecret}-${service}`;
}

/** The key, beside a store's connection URL, that holds the client's Redis user name (KEDA reads it). */
export function redisUsernameKey(urlSecret: string): string {
  return `${urlSecret}-username`;
}
