/**
 * What a reviewer comparing two environments does not want to read: every object carries the
 * environment's name in its instance label and selectors (`backend-staging` vs `backend-prod`), and
 * lives in the environment's namespace. Both are expected differences, repeated on every object,
 * and would bury the ones that matter (replicas, strategies, hosts, resources). This rewrites them to
 * a placeholder on both sides before the comparison; hosts and every other value are left alone.
 * The placeholder also applies to names and keys made from the environment (a TLS secret
 * `public-prod-tls`, a secret-store key `platform/prod/database-url`, `deployment.environment=prod`).
 */
import type { Manifest } from '../../lib/core/manifest';
import type { Plain } from '../../lib/core/plain';

export const ENV_PLACEHOLDER = '{env}';

/** Characters that delimit the environment's name as a part of a value; not `.`, which delimits hosts. */
const DELIMITERS = '-/=,:_';

/**
 * The name as a whole part of a value: `prod`, `backend-prod`, `public-prod-tls`, `platform/prod/db-url`,
 * `deployment.environment=prod`; not `prod.example.com`, `api-prod.example.com` or `production`.
 */
function token(environment: string): RegExp {
  const name = environment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[${DELIMITERS}])${name}(?=[${DELIMITERS}]|$)`, 'g');
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
 * part between `- / = , : _`: `backend-prod`, `platform/prod/db-url`) replaced by `{env}`. Dotted
 * names such as hosts keep it: a host is a difference a reviewer must see.
 */
export function normalizeForEnvironment(object: Manifest, environment: string): Manifest {
  const { namespace: _namespace, ...metadata } = object.metadata ?? {};
  return rewrite({ ...object, metadata }, token(environment)) as Manifest;
}
