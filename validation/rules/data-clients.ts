/**
 * How the apps reach the data stores, read from the connection URLs their ExternalSecrets write
 * (`spec.target.template.data`):
 * - data/postgres-verify-full: a PostgreSQL URL verifies the server: `sslmode=verify-full` (libpq
 *   checks the chain and that the host is among the certificate's names; `require` checks neither)
 *   with `sslrootcert`, a file the Secret itself carries and every pod that mounts the Secret finds at
 *   that path.
 * - data/redis-client-user: a Redis URL signs in as a user of its own: a user name other than
 *   `default` (the operator's, with every command), used by no other Secret for the same host; and each
 *   redis-operator Redis whose ACL file an ExternalSecret writes grants its client users neither every
 *   command nor @dangerous, @admin or @scripting, and keeps a password on `default` (a file without it
 *   makes `default` passwordless: Redis 7.2 src/acl.c ACLLoadFromFile).
 * TLS to Redis is not asked for: the redis-operator's embedded Sentinel (v0.26.0) cannot speak it, and
 * a Sentinel hands clients addresses no certificate names (docs/design/redis-tls.md).
 */
import type { Violation } from '../types';
import { asArray, asObj, asString, type Entry, type Model, type RuleFamily, violation } from './model';

export const POSTGRES_VERIFY_FULL = 'data/postgres-verify-full';
export const REDIS_CLIENT_USER = 'data/redis-client-user';

const EXTERNAL_SECRET = 'external-secrets.io/ExternalSecret';
const REDIS_KINDS = ['RedisReplication', 'Redis', 'RedisCluster'].map((k) => `redis.redis.opstreelabs.in/${k}`);
/** Where the redis-operator mounts the ACL Secret's key (v0.26.0 statefulset.go getVolumeMount). */
const ACL_KEY = 'user.acl';

/** One templated value of an ExternalSecret. */
interface Templated {
  readonly entry: Entry;
  readonly secret: string;
  readonly key: string;
  readonly value: string;
  /** Keys the Secret ends with: the templated ones, and the fetched ones when merged. */
  readonly keys: readonly string[];
}

function templatedValues(model: Model): Templated[] {
  const out: Templated[] = [];
  for (const entry of model.ofKind(EXTERNAL_SECRET)) {
    const spec = asObj(entry.obj.spec) ?? {};
    const target = asObj(spec.target);
    const template = asObj(target?.template);
    const data = asObj(template?.data) ?? {};
    const fetched = template?.mergePolicy === 'Merge' ? asArray(spec.data).map((d) => asString(asObj(d)?.secretKey) ?? '') : [];
    const keys = [...fetched, ...Object.keys(data)];
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'string') out.push({ entry, secret: asString(target?.name) ?? entry.name, key, value, keys });
    }
  }
  return out;
}

/** A connection URL with its Go template actions blanked (a password is `{{ ... }}`), parsed; undefined if it is none. */
function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value.trim().replace(/\{\{[^}]*\}\}/g, 'x'));
  } catch {
    return undefined;
  }
}

/** Where each pod that mounts `secret` in `namespace` has it: [pod, mount path] pairs. */
function secretMounts(model: Model, namespace: string, secret: string): { entry: Entry; path: string; mountPath?: string }[] {
  const out: { entry: Entry; path: string; mountPath?: string }[] = [];
  for (const pod of model.pods) {
    if (pod.entry.namespace !== namespace) continue;
    const volumes = asArray(pod.spec.volumes)
      .map((v) => asObj(v) ?? {})
      .filter((v) => asString(asObj(v.secret)?.secretName) === secret)
      .map((v) => asString(v.name));
    if (volumes.length === 0) continue;
    for (const [c, container] of asArray(pod.spec.containers).entries()) {
      const mount = asArray(asObj(container)?.volumeMounts)
        .map((m) => asObj(m) ?? {})
        .find((m) => volumes.includes(asString(m.name)));
      out.push({ entry: pod.entry, path: `${pod.path}.containers[${c}]`, mountPath: asString(mount?.mountPath) });
    }
  }
  return out;
}

function checkPostgres(model: Model, out: Violation[]): void {
  for (const t of templatedValues(model)) {
    const url = parseUrl(t.value);
    if (url === undefined || !['postgres:', 'postgresql:'].includes(url.protocol)) continue;
    const at = `spec.target.template.data.${t.key}`;
    const mode = url.searchParams.get('sslmode');
    const root = url.searchParams.get('sslrootcert');
    if (mode !== 'verify-full' || root === null) {
      out.push(
        violation(
          POSTGRES_VERIFY_FULL,
          t.entry,
          at,
          `connects to ${url.hostname} with sslmode=${mode ?? '(unset: prefer)'}${root === null ? ' and no sslrootcert' : ''}: only sslmode=verify-full with the server's CA as sslrootcert checks that the server is the one named; ${mode === 'require' ? 'require' : 'anything less'} accepts any certificate`,
        ),
      );
      continue;
    }
    const slash = root.lastIndexOf('/');
    const [dir, file] = [root.slice(0, slash), root.slice(slash + 1)];
    if (!t.keys.includes(file)) {
      out.push(
        violation(
          POSTGRES_VERIFY_FULL,
          t.entry,
          at,
          `verifies the server with sslrootcert ${root}, but Secret ${t.secret} has no key ${file} (its keys: ${t.keys.join(', ')}): fetch the CA certificate into it`,
        ),
      );
      continue;
    }
    for (const mount of secretMounts(model, t.entry.namespace, t.secret)) {
      if (mount.mountPath === dir) continue;
      out.push(
        violation(
          POSTGRES_VERIFY_FULL,
          mount.entry,
          mount.path,
          `reads ${t.key} from Secret ${t.secret}, whose sslrootcert is ${root}, but mounts that Secret at ${mount.mountPath ?? '(nowhere)'}, not ${dir}: the client would find no CA and refuse to connect`,
        ),
      );
    }
  }
}

/** The user lines of an ACL file (Go template actions blanked). */
function aclUsers(file: string): { name: string; rules: string[] }[] {
  return file
    .replace(/\{\{[^}]*\}\}/g, 'x')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((words) => words[0] === 'user' && words.length >= 2)
    .map((words) => ({ name: words[1]!, rules: words.slice(2) }));
}

/** What is wrong with a client user's rules, or undefined. */
function clientRuleProblem(rules: readonly string[]): string | undefined {
  const all = rules.findIndex((r) => r === '+@all' || r === 'allcommands');
  if (all >= 0 && !rules.slice(all + 1).includes('-@all')) return 'is granted every command (+@all)';
  for (const category of ['dangerous', 'admin', 'scripting']) {
    const granted = rules.lastIndexOf(`+@${category}`);
    const denied = rules.lastIndexOf(`-@${category}`);
    if (denied <= granted) return `does not end denying @${category} (-@${category} after every category it is granted)`;
  }
  return undefined;
}

function checkRedis(model: Model, out: Violation[]): void {
  const usersByHost = new Map<string, Map<string, Templated>>();
  for (const t of templatedValues(model)) {
    const url = parseUrl(t.value);
    if (url === undefined || !['redis:', 'rediss:', 'sentinel:'].includes(url.protocol)) continue;
    const at = `spec.target.template.data.${t.key}`;
    const user = decodeURIComponent(url.username);
    if (user === '' || user === 'default') {
      out.push(
        violation(
          REDIS_CLIENT_USER,
          t.entry,
          at,
          `signs in to ${url.hostname} as ${user === '' ? 'the default user (no user name)' : 'default'}, the user with every command: give the client an ACL user of its own`,
        ),
      );
      continue;
    }
    const users = usersByHost.get(url.hostname) ?? new Map<string, Templated>();
    usersByHost.set(url.hostname, users);
    const other = users.get(user);
    if (other !== undefined && other.secret !== t.secret) {
      out.push(
        violation(
          REDIS_CLIENT_USER,
          t.entry,
          at,
          `signs in to ${url.hostname} as ${user}, as Secret ${other.secret} (${other.entry.id}) does: each client needs a user of its own`,
        ),
      );
    }
    users.set(user, t);
  }
  const aclFiles = new Map<string, Templated>();
  for (const t of templatedValues(model)) if (t.key === ACL_KEY) aclFiles.set(`${t.entry.namespace}/${t.secret}`, t);
  for (const redis of REDIS_KINDS.flatMap((gk) => model.ofKind(gk))) {
    const secret = asString(asObj(asObj(asObj(redis.obj.spec)?.acl)?.secret)?.secretName);
    if (secret === undefined) {
      // Its Services are `<name>-...` in its namespace (the master's, the Sentinels').
      const served = [...usersByHost.keys()].some((host) => host.startsWith(`${redis.name}-`) && host.includes(`.${redis.namespace}.`));
      if (served) {
        out.push(
          violation(
            REDIS_CLIENT_USER,
            redis,
            'spec.acl',
            'has no ACL file (spec.acl.secret) while clients sign in with users of their own: Redis knows only default, and they cannot sign in',
          ),
        );
      }
      continue;
    }
    const file = aclFiles.get(`${redis.namespace}/${secret}`);
    if (file === undefined) continue;
    const users = aclUsers(file.value);
    const admin = users.find((u) => u.name === 'default');
    const at = `spec.target.template.data.${ACL_KEY}`;
    if (admin === undefined || admin.rules.includes('nopass') || !admin.rules.some((r) => r.startsWith('#') || r.startsWith('>'))) {
      out.push(
        violation(
          REDIS_CLIENT_USER,
          file.entry,
          at,
          `is ${redis.id}'s ACL file and ${admin === undefined ? 'does not define default, which Redis then recreates without a password' : 'leaves default without a password'}: define default with the store's password`,
        ),
      );
    }
    for (const user of users) {
      if (user.name === 'default') continue;
      const problem = clientRuleProblem(user.rules);
      if (problem !== undefined) {
        out.push(
          violation(
            REDIS_CLIENT_USER,
            file.entry,
            at,
            `is ${redis.id}'s ACL file; its client user ${user.name} ${problem}: grant only the categories its role needs`,
          ),
        );
      }
    }
  }
}

export const dataClientRules: RuleFamily = {
  ids: [POSTGRES_VERIFY_FULL, REDIS_CLIENT_USER],
  check(model, _ctx, out) {
    checkPostgres(model, out);
    checkRedis(model, out);
  },
};
