/**
 * Redis ACL users (Redis 7.2 ACL file syntax): one user per client service, each with only the command
 * categories its role needs, and the `default` user kept for the operator's own connections.
 *
 * Why the file must name `default`: when Redis loads an ACL file that does not define it, it recreates
 * `default` as `on nopass ~* &* +@all` (src/acl.c ACLLoadFromFile and ACLCreateDefaultUser, 7.2), so
 * `requirepass` from redis.conf would no longer hold. The operator, replication (`masterauth`), the
 * exporter, the probes and the Sentinels all authenticate as `default` with the store's password
 * (redis-operator v0.26.0 statefulset.go REDIS_PASSWORD, OT-CONTAINER-KIT/redis entrypoint.sh), so
 * `default` keeps every command; the apps never receive its password.
 *
 * Passwords are given as SHA-256 hashes (`#<64 lowercase hex>`, src/acl.c ACLCheckPasswordHash), computed
 * by External Secrets' `sha256sum` template function (lowercase hex: runtime/template/v2/sprig/crypto.go),
 * so the ACL Secret holds no password. The file has no comments: Redis refuses them (ACLLoadFromFile).
 */

/** How a service uses a Redis store, as the model states it (charts/resolve-data-store.ts redisClientRole). */
export const RedisClientRole = {
  /** Reads and writes its own keys: strings and hashes, with expiry. */
  CACHE: 'cache',
  /** Enqueues Celery tasks on a queue some worker consumes (kombu: LPUSH, the binding sets, events) and caches. */
  PRODUCER: 'producer',
  /** Consumes a Celery queue (kombu: BRPOP, the unacked hash and sorted set, fanout by pub/sub). */
  CONSUMER: 'consumer',
} as const;
export type RedisClientRole = (typeof RedisClientRole)[keyof typeof RedisClientRole];

const CACHE_CATEGORIES = ['connection', 'keyspace', 'string', 'hash', 'transaction'] as const;
const PRODUCER_CATEGORIES = [...CACHE_CATEGORIES, 'list', 'set', 'pubsub'] as const;

/** The ACL categories each role is granted (each adds commands; Redis has no intersection). */
export const ROLE_CATEGORIES: Readonly<Record<RedisClientRole, readonly string[]>> = {
  [RedisClientRole.CACHE]: CACHE_CATEGORIES,
  [RedisClientRole.PRODUCER]: PRODUCER_CATEGORIES,
  [RedisClientRole.CONSUMER]: [...PRODUCER_CATEGORIES, 'sortedset'],
};

/**
 * Categories no client is granted, removed last so no category above brings them back: @keyspace
 * includes FLUSHALL and KEYS, @connection CLIENT KILL (both @dangerous), and no role runs Lua
 * (CVE-2025-49844 was an authenticated Lua use-after-free).
 */
export const DENIED_CATEGORIES = ['dangerous', 'admin', 'scripting'] as const;

/** Roles that use pub/sub channels (Celery's events and fanout); the others get none. */
function usesChannels(role: RedisClientRole): boolean {
  return ROLE_CATEGORIES[role].includes('pubsub');
}

/** The rules after `user <name> on <password>`: keys, channels and commands of a role. */
export function roleRules(role: RedisClientRole): string {
  const commands = [...ROLE_CATEGORIES[role].map((c) => `+@${c}`), ...DENIED_CATEGORIES.map((c) => `-@${c}`)];
  return ['resetchannels', '~*', ...(usesChannels(role) ? ['&*'] : []), '-@all', ...commands].join(' ');
}

/** One client's user, and the key of its password among the ExternalSecret's fetched values. */
export interface RedisAclUser {
  readonly name: string;
  readonly role: RedisClientRole;
  readonly passwordKey: string;
}

/** External Secrets' template for a password's hash: `#` and its SHA-256 in lowercase hex. */
function hashedPassword(key: string): string {
  return `#{{ index . ${JSON.stringify(key)} | sha256sum }}`;
}

export const ADMIN_USER = 'default';

/** The ACL file, as an External Secrets template: `default` with every command, then each client. */
export function aclFileTemplate(adminPasswordKey: string, users: readonly RedisAclUser[]): string {
  const names = new Set<string>([ADMIN_USER]);
  for (const user of users) {
    if (names.has(user.name)) throw new Error(`Redis ACL user ${user.name} is declared twice (or is the operator's own user)`);
    names.add(user.name);
  }
  const lines = [
    `user ${ADMIN_USER} on ${hashedPassword(adminPasswordKey)} ~* &* +@all`,
    ...users.map((user) => `user ${user.name} on ${hashedPassword(user.passwordKey)} ${roleRules(user.role)}`),
  ];
  return `${lines.join('\n')}\n`;
}
