/** Which secrets a service gets, and where each lives in the environment's store. */
import type { Environment, ServiceSpec } from '../environments/schema';
import { queueCredentials } from '../lib/queue-credentials';

/** The secrets a service declares, and its queue credentials if it is a queue worker. */
export function secretNamesOf(spec: ServiceSpec): string[] {
  const queue = spec.kind === 'worker' ? queueCredentials(spec.queue.broker).map((c) => c.secret) : [];
  return [...new Set([...spec.secrets, ...queue])];
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
