/**
 * What a reviewer comparing two environments does not want to read: every object carries the
 * environment's name in its instance label and selectors (`backend-staging` vs `backend-prod`), and
 * lives in the environment's namespace. Both are expected differences, repeated on every object,
 * and would bury the ones that matter (replicas, strategies, hosts, resources). This rewrites them to
 * a placeholder on both sides before the comparison; hosts and every other value are left alone.
 */
import type { Manifest } from '../validation/types';

export const ENV_PLACEHOLDER = '{env}';

type Plain = Record<string, unknown>;

function rewrite(value: unknown, environment: string): unknown {
  if (typeof value === 'string') {
    if (value === environment) return ENV_PLACEHOLDER;
    return value.endsWith(`-${environment}`) ? `${value.slice(0, -environment.length)}${ENV_PLACEHOLDER}` : value;
  }
  if (Array.isArray(value)) return value.map((item) => rewrite(item, environment));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value as Plain).map(([key, item]) => [key, rewrite(item, environment)]));
  }
  return value;
}

/**
 * The object with its namespace dropped and the environment's name in string values (exactly, or as
 * a `-<env>` suffix) replaced by `{env}`.
 */
export function normalizeForEnvironment(object: Manifest, environment: string): Manifest {
  const { namespace: _namespace, ...metadata } = object.metadata ?? {};
  return rewrite({ ...object, metadata }, environment) as Manifest;
}
