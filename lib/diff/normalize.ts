/**
 * What a reviewer comparing two environments does not want to read: every object carries the
 * environment's name in its instance label and selectors (`backend-staging` vs `backend-prod`), and
 * lives in the environment's namespace. Both are expected differences, repeated on every object,
 * and would bury the ones that matter (replicas, strategies, hosts, resources). This rewrites them to
 * a placeholder on both sides before the comparison; hosts and every other value are left alone.
 * The placeholder also applies to names made from the environment (a TLS secret `public-prod-tls`).
 */
import type { Manifest } from '../validation/types';

export const ENV_PLACEHOLDER = '{env}';

type Plain = Record<string, unknown>;

/** The name as a whole dash-separated part: `backend-prod`, `public-prod-tls`, `prod`; not `prod.example.com`. */
function token(environment: string): RegExp {
  return new RegExp(`(^|-)${environment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=-|$)`, 'g');
}

function rewrite(value: unknown, pattern: RegExp): unknown {
  if (typeof value === 'string') return value.replace(pattern, `$1${ENV_PLACEHOLDER}`);
  if (Array.isArray(value)) return value.map((item) => rewrite(item, pattern));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value as Plain).map(([key, item]) => [key, rewrite(item, pattern)]));
  }
  return value;
}

/**
 * The object with its namespace dropped and the environment's name in string values (as a whole
 * dash-separated part: `prod`, `backend-prod`, `public-prod-tls`) replaced by `{env}`. Dotted names
 * such as hosts keep it: a host is a difference a reviewer must see.
 */
export function normalizeForEnvironment(object: Manifest, environment: string): Manifest {
  const { namespace: _namespace, ...metadata } = object.metadata ?? {};
  return rewrite({ ...object, metadata }, token(environment)) as Manifest;
}
