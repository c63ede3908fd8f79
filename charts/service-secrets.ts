/** Which secrets a service gets, and where each lives in the environment's store. */
import type { Environment, ServiceSpec } from '../environments/schema';
import { DATA_CA, drPairName, REDIS_MASTER_GROUP, redisUsernameKey } from '../lib/data-names';
import { inClusterRedisCredentials, queueCredentials, type QueueCredential } from '../lib/queue-credentials';
import {
  clientPasswordSecret,
  connectionSecretExtras,
  connectionUrlTemplate,
  followsSentinels,
  storeHost,
  storePort,
  usedStoreOfEngine,
} from './resolve-data-store';

/**
 * How a queue worker's KEDA trigger reaches its broker: a managed broker's address and password are
 * secrets; a Redis the platform operates is addressed by its master Service, and KEDA signs in as the
 * worker's own ACL user (its name and password, from the worker's Secret).
 */
export function queueConnection(
  environment: Environment,
  service: string,
  spec: ServiceSpec,
):
  | {
      readonly credentials: readonly QueueCredential[];
      readonly address?: string;
      readonly sentinelMaster?: string;
      readonly tlsCaKey?: string;
    }
  | undefined {
  if (spec.kind !== 'worker' || spec.queue === undefined) return undefined;
  const operated = spec.queue.broker === 'redis' ? usedStoreOfEngine(environment, spec.uses, 'redis') : undefined;
  if (operated === undefined) return { credentials: queueCredentials(spec.queue.broker) };
  const [name, store] = operated;
  // With Sentinels KEDA asks them for the master (its redis-sentinel scaler), as the workers do.
  return {
    credentials: inClusterRedisCredentials(clientPasswordSecret(store, service), redisUsernameKey(store.urlSecret)),
    address: `${storeHost(name, store)}:${storePort(store)}`,
    ...(followsSentinels(store) ? { sentinelMaster: REDIS_MASTER_GROUP } : {}),
    // Redis speaks TLS only: KEDA verifies it against the data CA, a key of the worker's Secret.
    tlsCaKey: DATA_CA.certSecret,
  };
}

/** The secrets a service declares, and its queue credentials if it is a queue worker. */
export function secretNamesOf(environment: Environment, service: string, spec: ServiceSpec): string[] {
  const queue = queueConnection(environment, service, spec)?.credentials.map((c) => c.secret) ?? [];
  return [...new Set([...spec.secrets, ...queue])];
}

/** What a service's ExternalSecret fetches from the store, and which keys it writes from templates. */
export interface SecretPlan {
  /** Secrets read from the store, each under its own name. */
  readonly fetched: readonly string[];
  /** Keys written from a template over the fetched ones (connection URLs of operated stores). */
  readonly templates: Readonly<Record<string, string>>;
}

/**
 * The secrets of a service. A connection URL (`urlSecret`) of a store the platform operates is not
 * read from the store: it is written to point at the store in this cluster (PostgreSQL's pooler,
 * Redis's master Service) around a password, which is read instead: PostgreSQL's owner password, or
 * the service's own Redis user's (never the Redis store's own password, which only the operator and
 * the Redis pods hold); and the data CA's certificate the client verifies the server with.
 * The apps keep reading the same file; where it points follows the environment.
 */
export function secretPlanOf(environment: Environment, service: string, spec: ServiceSpec): SecretPlan {
  const declared = secretNamesOf(environment, service, spec);
  const templates: Record<string, string> = {};
  const passwords: string[] = [];
  for (const name of spec.uses) {
    const store = environment.dataStores[name];
    if (store?.mode !== 'operated') continue;
    // The keys beside the URL are written when the URL is, or when a queue worker's autoscaler reads one.
    const extras = connectionSecretExtras(store, service);
    const url = declared.includes(store.urlSecret);
    if (!url && !Object.keys(extras).some((key) => declared.includes(key))) continue;
    if (url) templates[store.urlSecret] = connectionUrlTemplate(name, store, service);
    Object.assign(templates, extras);
    passwords.push(clientPasswordSecret(store, service));
  }
  // Every client of an operated store verifies it: the CA its URLs name (sslrootcert, ssl_ca_certs) is
  // a file beside them, and a queue worker's autoscaler reads it from the same Secret.
  const ca = passwords.length > 0 ? [DATA_CA.certSecret] : [];
  return {
    fetched: [...new Set([...declared.filter((secret) => !(secret in templates)), ...passwords, ...ca])],
    templates,
  };
}

/**
 * The key of one secret in the environment's store: a path under the prefix in AWS Secrets Manager
 * and Vault; in Google Secret Manager, whose secret IDs cannot contain "/", the prefix and the name
 * joined by "-". The owner password of a PostgreSQL store in a DR pair is the pair's, not the region's:
 * `<sharedPrefix>` and `<passwordSecret>-<pair>` (lib/data-names.ts drPairName), which both sides
 * compute alike. CloudNativePG requires identical role secrets in a distributed topology and sets the
 * owner's password from the local secret on promotion (docs/src/replica_cluster.md, v1.30.0); the
 * apps' connection URL reads the same key. Rule data/dr-credentials compares the two sides.
 */
export function remoteKey(environment: Environment, secret: string): string {
  const { prefix, sharedPrefix, store } = environment.secrets;
  const pair = drPairOfSecret(environment, secret);
  const [at, name] = pair === undefined ? [prefix, secret] : [sharedPrefix ?? prefix, `${secret}-${pair}`];
  return store.provider === 'gcp' ? `${at}-${name}` : `${at}/${name}`;
}

/** The DR pair whose owner password `secret` is, in this environment's region. */
function drPairOfSecret(environment: Environment, secret: string): string | undefined {
  const region = environment.region?.name;
  if (region === undefined) return undefined;
  for (const store of Object.values(environment.dataStores)) {
    if (store.mode !== 'operated' || store.engine !== 'postgres' || store.replication === undefined) continue;
    if (store.passwordSecret === secret) return drPairName([region, store.replication.region]);
  }
  return undefined;
}
