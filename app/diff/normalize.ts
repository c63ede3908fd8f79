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

/** The environment's name in one string replaced by `{env}`, as `normalizeForEnvironment` does. */
export function normalizeString(value: string, environment: string): string {
  return value.replace(token(environment), `$1${ENV_PLACEHOLDER}`);
}

/**
 * Two values of two environments are the same when they are equal, or when they differ only by each
 * environment's own name (`backend-staging` and `backend-prod`). Values are compared as written and
 * shown as written: normalizing only decides sameness, so it can never show a difference that is not
 * there (a `/dev/shm` path on both sides is equal as it stands, whichever environment is called dev).
 */
export function sameAcrossEnvironments(from: string, to: string): (a: unknown, b: unknown) => boolean {
  return (a, b) => typeof a === 'string' && typeof b === 'string' && normalizeString(a, from) === normalizeString(b, to);
}

/** The object without its namespace: across environments the namespace is the environment's. */
export function withoutNamespace(object: Manifest): Manifest {
  const { namespace: _namespace, ...metadata } = object.metadata ?? {};
  return { ...object, metadata: metadata as Manifest['metadata'] };
}

/** A value with the environment's name read as `{env}` in every string in it. */
export function rewriteForEnvironment(value: unknown, environment: string): unknown {
  return rewrite(value, token(environment));
}
