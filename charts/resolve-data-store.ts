/**
 * The data stores an operator runs in the cluster (`mode: operated`), resolved once for every chart
 * that deals with them: what the apps connect to (the pooler, the Redis master), how their secrets
 * reach it, which pods a NetworkPolicy names, and what the region's role renders.
 *
 * The region's `role` decides what PostgreSQL is in this cluster:
 * - no region (dev, staging, prod) and `active` regions: a primary cluster of its own (an active
 *   region serves its own users from its own data: EU data stays in the EU);
 * - `primary`: a primary cluster whose WAL archive feeds the standby region's replica cluster (the DR
 *   pair, named in `replication`);
 * - `standby`: a replica cluster (the DR replica) restored from the primary region's archive and
 *   replaying it, read-only until it is promoted; its own archive takes over on promotion.
 * Redis is regional in every role: a cache and a queue, with no cross-region replication.
 */
import type { k8s } from 'cdk8s-plus-28';
import type { Environment, OperatedPostgres, OperatedRedis, OperatedStore } from '../environments/schema';
import { RegionRole, Tier } from '../environments/schema';
import {
  archiveName,
  DATA_CA,
  DATA_PORTS,
  peerArchiveName,
  poolerLabels,
  poolerName,
  postgresClusterName,
  postgresServerName,
  REDIS_MASTER_GROUP,
  redisLabels,
  redisMasterService,
  redisName,
  redisSentinelName,
  redisSentinelService,
  redisUserName,
  redisUsernameKey,
  redisUserPasswordSecret,
} from '../lib/data-names';
import { namespaceSelector } from '../lib/network-peers';
import { clusterHost, SECRETS_MOUNT_PATH } from '../lib/names';
import type { ClusterRole, StorePlacement, TopologyMember } from '../lib/constructs/postgres-cluster';
import { type RedisAclUser, RedisClientRole } from '../lib/redis-acl';

/** Every operated store, in declaration order. */
export function operatedStores(environment: Environment): [string, OperatedStore][] {
  return Object.entries(environment.dataStores).filter((entry): entry is [string, OperatedStore] => entry[1].mode === 'operated');
}

export function operatedPostgres(environment: Environment): [string, OperatedPostgres][] {
  return operatedStores(environment).filter((entry): entry is [string, OperatedPostgres] => entry[1].engine === 'postgres');
}

export function operatedRedis(environment: Environment): [string, OperatedRedis][] {
  return operatedStores(environment).filter((entry): entry is [string, OperatedRedis] => entry[1].engine === 'redis');
}

/** The namespaces the operated stores run in, each once. */
export function dataNamespaces(environment: Environment): string[] {
  return [...new Set(operatedStores(environment).map(([, store]) => store.namespace))];
}

/** Where a store's pods run: its pool, spread over zones (strictly outside dev). */
export function storePlacement(environment: Environment, store: OperatedStore): StorePlacement {
  return {
    nodeSelector: { [environment.cluster.nodePoolLabel]: store.pool },
    zoneSpread: environment.tier === Tier.DEVELOPMENT ? 'ScheduleAnyway' : 'DoNotSchedule',
  };
}

/** `repository:tag[@digest]`. */
export function imageRef(image: { repository: string; tag: string; digest?: string }): string {
  return `${image.repository}:${image.tag}${image.digest === undefined ? '' : `@${image.digest}`}`;
}

/** What the region's role renders for a PostgreSQL store (see the file comment). */
export function postgresRole(environment: Environment, name: string, store: OperatedPostgres): ClusterRole {
  const { replication } = store;
  const role = environment.region?.role;
  if (role === RegionRole.STANDBY) {
    if (replication === undefined) {
      throw new Error(`${environment.name}: dataStores.${name}.replication is required in a standby region`);
    }
    return { type: 'replica', primary: { serverName: postgresServerName(name, replication.region), archive: peerArchiveName(name) } };
  }
  if (role === RegionRole.PRIMARY && replication !== undefined) {
    return { type: 'primary', peer: { serverName: postgresServerName(name, replication.region), archive: peerArchiveName(name) } };
  }
  return { type: 'primary' };
}

/** The cluster's own archive, when it has backups. */
export function ownArchive(environment: Environment, name: string, store: OperatedPostgres): TopologyMember | undefined {
  if (store.backups === undefined) return undefined;
  return { serverName: postgresServerName(name, environment.region?.name), archive: archiveName(name) };
}

/**
 * Whether the apps follow a Redis failover through its Sentinels. The redis-operator's `-master`
 * Service selects the pod it labelled master, and in Sentinel mode it relabels only once both
 * StatefulSets are Ready again (v0.26.0 redisreplication_controller.go: reconcileRedis returns before
 * reconcileStatus runs UpdateRedisRoleLabel), so after the master's node dies the Service keeps
 * selecting the dead pod while Sentinel has promoted a replica. Clients ask the Sentinels instead.
 */
export function followsSentinels(store: OperatedStore): store is OperatedRedis {
  return store.engine === 'redis' && store.sentinels > 0;
}

/**
 * The pods an app connects to for a store: the pooler for PostgreSQL, Redis's pods (and its Sentinels,
 * which a Sentinel-aware client asks for the master first).
 */
export function storeEndpointPeer(name: string, store: OperatedStore): k8s.NetworkPolicyPeer {
  if (store.engine === 'postgres') {
    return { namespaceSelector: namespaceSelector(store.namespace), podSelector: { matchLabels: poolerLabels(poolerName(name)) } };
  }
  const apps = [redisName(name), ...(followsSentinels(store) ? [redisSentinelName(name)] : [])];
  return {
    namespaceSelector: namespaceSelector(store.namespace),
    podSelector:
      apps.length === 1
        ? { matchLabels: redisLabels(redisName(name)) }
        : { matchExpressions: [{ key: 'app', operator: 'In', values: apps }] },
  };
}

/** The host the apps connect to: the pooler's Service, the Sentinels' Service, or the Redis master's. */
export function storeHost(name: string, store: OperatedStore): string {
  if (store.engine === 'postgres') return clusterHost(poolerName(name), store.namespace);
  return clusterHost(followsSentinels(store) ? redisSentinelService(name) : redisMasterService(name), store.namespace);
}

/** The port the apps connect to first: the pooler's, the Sentinels', or Redis's. */
export function storePort(store: OperatedStore): number {
  if (store.engine === 'postgres') return DATA_PORTS.postgres;
  return followsSentinels(store) ? DATA_PORTS.sentinel : DATA_PORTS.redis;
}

/** Every port the apps reach a store on: a Sentinel client asks on 26379, then talks to the master on 6379. */
export function storePorts(store: OperatedStore): number[] {
  return followsSentinels(store) ? [DATA_PORTS.sentinel, DATA_PORTS.redis] : [storePort(store)];
}

/**
 * Where a client finds the data CA's certificate: a file of its own Secret (SECRETS_MOUNT_PATH, one
 * file per key), which its ExternalSecret fetches from the store as DATA_CA.certSecret.
 */
export const DATA_CA_FILE = `${SECRETS_MOUNT_PATH}/${DATA_CA.certSecret}`;

/** The Redis store a worker consumes its queue from, if it is one the platform operates. */
function brokerStore(environment: Environment, spec: Environment['services'][string]): string | undefined {
  if (spec.kind !== 'worker' || spec.queue?.broker !== 'redis') return undefined;
  return usedStoreOfEngine(environment, spec.uses, 'redis')?.[0];
}

/**
 * How a service uses a Redis store, from the model alone: a worker whose queue's broker the store is
 * consumes it; a service that enqueues on such a queue (its `queue.producers`, by default every other
 * user of the broker store) produces; any other user caches.
 */
export function redisClientRole(environment: Environment, store: string, service: string): RedisClientRole {
  const spec = environment.services[service];
  if (spec === undefined) throw new Error(`${environment.name}: services.${service} does not exist`);
  if (brokerStore(environment, spec) === store) return RedisClientRole.CONSUMER;
  const produces = Object.entries(environment.services).some(
    ([worker, other]) =>
      other.enabled &&
      other.kind === 'worker' &&
      worker !== service &&
      brokerStore(environment, other) === store &&
      (other.queue?.producers ?? [service]).includes(service),
  );
  return produces ? RedisClientRole.PRODUCER : RedisClientRole.CACHE;
}

/** Every client of a Redis store, its ACL user and the secret its password is kept in, in declaration order. */
export function redisUsers(environment: Environment, name: string, store: OperatedRedis): RedisAclUser[] {
  return usersOfStore(environment, name).map((service) => ({
    name: redisUserName(service),
    role: redisClientRole(environment, name, service),
    passwordKey: redisUserPasswordSecret(store.passwordSecret, service),
  }));
}

/**
 * The secret in the store whose password a service connects to a store with: the PostgreSQL owner's,
 * or the service's own Redis user's.
 */
export function clientPasswordSecret(store: OperatedStore, service: string): string {
  return store.engine === 'redis' ? redisUserPasswordSecret(store.passwordSecret, service) : store.passwordSecret;
}

/**
 * The connection URL a service's `urlSecret` is written as: the in-cluster endpoint around the password
 * the store's secret holds (External Secrets' template, `urlquery`-escaped).
 * - PostgreSQL: the pooler, `sslmode=verify-full` with the data CA as `sslrootcert` (libpq checks the
 *   chain and that the host is among the certificate's names: the cluster's server certificate, which
 *   the pooler serves, carries the pooler's names, see charts/data-chart.ts and lib/data-names.ts DATA_CA).
 * - Redis: the service's own ACL user and password, over TLS verified against the data CA (a
 *   `rediss://` URL, or the Sentinels' `sentinel://` with the same TLS parameters).
 */
export function connectionUrlTemplate(name: string, store: OperatedStore, service: string): string {
  const password = `{{ index . ${JSON.stringify(clientPasswordSecret(store, service))} | urlquery }}`;
  const host = storeHost(name, store);
  if (store.engine === 'postgres') {
    return `postgresql://${store.database}:${password}@${host}:${storePort(store)}/${store.database}?sslmode=verify-full&sslrootcert=${DATA_CA_FILE}`;
  }
  const user = redisUserName(service);
  // TLS only, verified against the data CA (redis-py's and kombu's `ssl_cert_reqs`/`ssl_ca_certs`;
  // redis-py checks the host name by default): the name dialled is on the store's certificate.
  const tls = `ssl_cert_reqs=required&ssl_ca_certs=${DATA_CA_FILE}`;
  // kombu's (Celery's) Sentinel transport: the Sentinels' address; the master group is REDIS_MASTER_GROUP
  // (the app's broker_transport_options master_name; connectionSecretExtras writes it beside the URL).
  // The Sentinels hand out each Redis by its pod name, which the certificate carries too.
  if (followsSentinels(store)) return `sentinel://${user}:${password}@${host}:${storePort(store)}/0?${tls}`;
  return `rediss://${user}:${password}@${host}:${storePort(store)}/0?${tls}`;
}

/**
 * Keys written beside a store's connection URL: a Redis client's user name (KEDA reads it for a queue
 * worker), and the Sentinel master group a Sentinel client asks for.
 */
export function connectionSecretExtras(store: OperatedStore, service: string): Readonly<Record<string, string>> {
  if (store.engine !== 'redis') return {};
  return {
    [redisUsernameKey(store.urlSecret)]: redisUserName(service),
    ...(followsSentinels(store) ? { [`${store.urlSecret}-sentinel-master`]: REDIS_MASTER_GROUP } : {}),
  };
}

/** The operated store of an engine that a service uses, if any (the one its queue's broker is). */
export function usedStoreOfEngine(environment: Environment, uses: readonly string[], engine: string): [string, OperatedStore] | undefined {
  for (const name of uses) {
    const store = environment.dataStores[name];
    if (store?.mode === 'operated' && store.engine === engine) return [name, store];
  }
  return undefined;
}

/** Services (enabled) that use a store, by name, in declaration order. */
export function usersOfStore(environment: Environment, store: string): string[] {
  return Object.entries(environment.services)
    .filter(([, spec]) => spec.enabled && spec.uses.includes(store))
    .map(([service]) => service);
}

export { postgresClusterName };
