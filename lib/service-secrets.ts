/** Which secrets a service gets, and where each lives in the environment's store. */
import type { Environment } from '../environments/schema';
import { queueCredentials } from './queue-credentials';

/** The secrets a service declares, and its queue credentials if it is a queue worker. */
export function secretNamesOf(environment: Environment, service: string): string[] {
  const spec = environment.services[service];
  if (!spec) return [];
  const queue = spec.queue === undefined ? [] : queueCredentials(spec.queue).map((c) => c.secret);
  return [...new Set([...spec.secrets, ...queue])];
}

/** The key of one secret in the environment's store. */
export function remoteKey(environment: Environment, secret: string): string {
  return `${environment.secrets.prefix}/${secret}`;
}
