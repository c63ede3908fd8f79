/** Which secrets a service gets, and where each lives in the environment's store. */
import type { Environment, ServiceSpec } from '../environments/schema';
import { inClusterRedisCredentials, queueCredentials, type QueueCredential } from '../lib/queue-credentials';
import { connectionUrlTemplate, storeHost, storePort, usedStoreOfEngine } from './resolve-data-store';

/**
 * How a queue worker's KEDA trigger reaches its broker: a managed broker's address and password are
 * secrets; a Redis the platform operates is addressed by its master Service, only its password is read.
 */
export function queueConnection(
  environment: Environment,
  spec: ServiceSpec,
): { readonly credentials: readonly QueueCredential[]; readonly address?: string } | undefined {
  if (spec.kind !== 'worker') return undefined;
  const operated = spec.queue.broker === 'redis' ? usedStoreOfEngine(environment, spec.uses, 'redis') : undefined;
  if (operated === undefined) return { credentials: queueCredentials(spec.queue.broker) };
  const [name, store] = operated;
  return { credentials: inClusterRedisCredentials(store.passwordSecret), address: `${storeHost(name, store)}:${storePort(store)}` };
}

/** The secrets a service declares, and its queue credentials if it is a queue worker. */
export function secretNamesOf(environment: Environment, spec: ServiceSpec): string[] {
  const queue = queueConnection(environment, spec)?.credentials.map((c) => c.secret) ?? [];
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
 * Redis's master Service) around the store's password, which is read instead. The apps keep reading
 * the same file; where it points follows the environment.
 */
export function secretPlanOf(environment: Environment, spec: ServiceSpec): SecretPlan {
  const declared = secretNamesOf(environment, spec);
  const templates: Record<string, string> = {};
  const passwords: string[] = [];
  for (const name of spec.uses) {
    const store = environment.dataStores[name];
    if (store?.mode !== 'operated' || !declared.includes(store.urlSecret)) continue;
    templates[store.urlSecret] = connectionUrlTemplate(name, store);
    passwords.push(store.passwordSecret);
  }
  return { fetched: [...new Set([...declared.filter((secret) => !(secret in templates)), ...passwords])], templates };
}

/**
 * The key of one secret in the environment's store: a path under the prefix in AWS Secrets Manager
 * and Vault; in Google Secret Manager, whose secret IDs cannot contain "/", the prefix and the name
 * joined by "-".
 */
export function remoteKey(environment: Environment, secret: string): string {
  const { prefix, store } = environment.secrets;
  return store.provider === 'gcp' ? `${prefix}-${secret}` : `${prefix}/${secret}`;
}
