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
 * - data/redis-tls: Redis is reached over TLS and verified. A Redis URL is `rediss://` (or the
 *   Sentinels' `sentinel://`) with `ssl_cert_reqs=required` and `ssl_ca_certs`, a file the Secret
 *   carries where every pod that mounts it looks; a KEDA Redis trigger that reads such a Redis sets `enableTLS` with its
 *   TriggerAuthentication's `ca` and no `unsafeSsl`; every redis-operator Redis and RedisSentinel sets
 *   `spec.TLS` with its CA and REDIS_TLS_CA_KEY (the images' entrypoints read the CA from it, the
 *   operator never sets it: without it Redis 7.2 does not start), a RedisSentinel's included file turns
 *   on `tls-replication` (Sentinel's own links; the entrypoint does not), it hands out names
 *   (`resolveHostnames`, `announceHostnames`), and the Redis it watches announces each pod by name
 *   (`replica-announce-ip` in the file its entrypoint includes), as each Sentinel does (`sentinel
 *   announce-ip`): a client verifies the address Sentinel gives it, which must be a name on the
 *   certificate, not a pod IP; a file of its own in place of the image's included one includes that
 *   one in turn (docs/design/redis-tls.md).
 */
import type { Violation } from '../types';
import { OPERATED_KINDS } from '../../lib/operated-pods';
import { REDIS_ACL_KEY, REDIS_INCLUDED_CONFIG, REDIS_TLS_MOUNT } from '../../lib/data-names';
import { watchedReplication } from './data-layer';
import { GK, asArray, asObj, asString, type Entry, type Model, type RuleFamily, violation } from './model';

export const POSTGRES_VERIFY_FULL = 'data/postgres-verify-full';
export const REDIS_CLIENT_USER = 'data/redis-client-user';
export const REDIS_TLS = 'data/redis-tls';

const EXTERNAL_SECRET = 'external-secrets.io/ExternalSecret';
const REDIS_KINDS = ['RedisReplication', 'Redis', 'RedisCluster'].map((k) => `redis.redis.opstreelabs.in/${k}`);
const TRIGGER_AUTHENTICATION = 'keda.sh/TriggerAuthentication';

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
    checkCaFile(model, t, POSTGRES_VERIFY_FULL, 'sslrootcert', root, out);
  }
}

/** A CA file a connection URL names (`param`): a key of its Secret, where every pod that mounts the Secret looks. */
function checkCaFile(model: Model, t: Templated, rule: string, param: string, root: string, out: Violation[]): void {
  const at = `spec.target.template.data.${t.key}`;
  const slash = root.lastIndexOf('/');
  const [dir, file] = [root.slice(0, slash), root.slice(slash + 1)];
  if (!t.keys.includes(file)) {
    out.push(
      violation(
        rule,
        t.entry,
        at,
        `verifies the server with ${param} ${root}, but Secret ${t.secret} has no key ${file} (its keys: ${t.keys.join(', ')}): fetch the CA certificate into it`,
      ),
    );
    return;
  }
  for (const mount of secretMounts(model, t.entry.namespace, t.secret)) {
    if (mount.mountPath === dir) continue;
    out.push(
      violation(
        rule,
        mount.entry,
        mount.path,
        `reads ${t.key} from Secret ${t.secret}, whose ${param} is ${root}, but mounts that Secret at ${mount.mountPath ?? '(nowhere)'}, not ${dir}: the client would find no CA and refuse to connect`,
      ),
    );
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
  for (const t of templatedValues(model)) if (t.key === REDIS_ACL_KEY) aclFiles.set(`${t.entry.namespace}/${t.secret}`, t);
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
    const at = `spec.target.template.data.${REDIS_ACL_KEY}`;
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

/** The value of an environment variable a redis-operator resource sets (`spec.env`). */
function envValue(spec: Record<string, unknown>, name: string): string | undefined {
  return asString(asObj(asArray(spec.env).find((e) => asObj(e)?.name === name))?.value);
}

function checkRedisTls(model: Model, out: Violation[]): void {
  // Clients: the URLs the apps read.
  for (const t of templatedValues(model)) {
    const url = parseUrl(t.value);
    if (url === undefined || !['redis:', 'rediss:', 'sentinel:'].includes(url.protocol)) continue;
    const at = `spec.target.template.data.${t.key}`;
    const reqs = url.searchParams.get('ssl_cert_reqs');
    const ca = url.searchParams.get('ssl_ca_certs');
    if (url.protocol === 'redis:' || reqs !== 'required' || ca === null) {
      out.push(
        violation(
          REDIS_TLS,
          t.entry,
          at,
          `connects to ${url.hostname} ${url.protocol === 'redis:' ? 'in plaintext (redis://)' : `with ssl_cert_reqs=${reqs ?? '(unset)'}${ca === null ? ' and no ssl_ca_certs' : ''}`}: use ${url.protocol === 'sentinel:' ? 'sentinel://' : 'rediss://'} with ssl_cert_reqs=required and the store's CA as ssl_ca_certs, so that the client checks the certificate and the name it dials`,
        ),
      );
      continue;
    }
    checkCaFile(model, t, REDIS_TLS, 'ssl_ca_certs', ca, out);
  }
  // KEDA's Redis triggers that read a redis-operator Redis (its Services are `<name>-...` in its namespace).
  const operated = [...REDIS_KINDS, OPERATED_KINDS.redisSentinel].flatMap((gk) => model.ofKind(gk));
  const readsOperated = (value: string) =>
    value
      .split(',')
      .map((address) => address.trim().split(':')[0] ?? '')
      .some((host) => operated.some((r) => host.startsWith(`${r.name}-`) && host.includes(`.${r.namespace}`)));
  const authentications = new Map(model.ofKind(TRIGGER_AUTHENTICATION).map((e) => [`${e.namespace}/${e.name}`, e]));
  for (const entry of model.ofKind(GK.ScaledObject)) {
    asArray(asObj(entry.obj.spec)?.triggers).forEach((raw, i) => {
      const trigger = asObj(raw) ?? {};
      const type = asString(trigger.type) ?? '';
      if (!type.startsWith('redis')) return;
      const metadata = asObj(trigger.metadata) ?? {};
      const address = ['address', 'addresses', 'host', 'hosts'].map((f) => asString(metadata[f]) ?? '').join(',');
      if (!readsOperated(address)) return;
      const auth = authentications.get(`${entry.namespace}/${asString(asObj(trigger.authenticationRef)?.name) ?? ''}`);
      const params = asArray(asObj(auth?.obj.spec)?.secretTargetRef).map((r) => asString(asObj(r)?.parameter));
      const problems = [
        ...(metadata.enableTLS !== 'true' && !params.includes('tls') ? ['does not turn TLS on (enableTLS)'] : []),
        ...(!params.includes('ca') ? ['reads no CA (its TriggerAuthentication has no ca parameter)'] : []),
        ...(metadata.unsafeSsl === 'true' ? ['skips certificate checks (unsafeSsl)'] : []),
      ];
      if (problems.length > 0) {
        out.push(
          violation(
            REDIS_TLS,
            entry,
            `spec.triggers[${i}]`,
            `KEDA's ${type} trigger ${problems.join(', ')}: it must speak TLS to Redis and verify the certificate against the store's CA`,
          ),
        );
      }
    });
  }
  // Servers: every redis-operator Redis and Sentinel.
  const sentinels = model.ofKind(OPERATED_KINDS.redisSentinel);
  for (const entry of [...REDIS_KINDS.flatMap((gk) => model.ofKind(gk)), ...sentinels]) {
    const spec = asObj(entry.obj.spec) ?? {};
    const tls = asObj(spec.TLS);
    const ca = asString(tls?.ca);
    if (asString(asObj(tls?.secret)?.secretName) === undefined || ca === undefined) {
      out.push(
        violation(
          REDIS_TLS,
          entry,
          'spec.TLS',
          `${tls === undefined ? 'speaks no TLS' : 'names no certificate Secret or no CA key (ca)'}: set spec.TLS with the Secret cert-manager writes and ca: ca.crt, so that Redis serves TLS only and verifies its peers`,
        ),
      );
      continue;
    }
    if (envValue(spec, 'REDIS_TLS_CA_KEY') !== `${REDIS_TLS_MOUNT}/${ca}`) {
      out.push(
        violation(
          REDIS_TLS,
          entry,
          'spec.env',
          `does not set REDIS_TLS_CA_KEY to ${REDIS_TLS_MOUNT}/${ca}: the image's entrypoint reads the CA from it (the operator sets REDIS_TLS_CA_CERT only), and Redis 7.2 does not start with an empty tls-ca-cert-file once tls-replication is on`,
        ),
      );
    }
  }
  // A file of its own in place of the ConfigMap the image includes must include that ConfigMap in turn.
  for (const entry of [...REDIS_KINDS.flatMap((gk) => model.ofKind(gk)), ...sentinels]) {
    const spec = asObj(entry.obj.spec) ?? {};
    const external = envValue(spec, 'EXTERNAL_CONFIG_FILE');
    const sentinel = entry.kind === 'RedisSentinel';
    const configMap = sentinel
      ? asString(asObj(spec.redisSentinelConfig)?.additionalSentinelConfig)
      : asString(asObj(spec.redisConfig)?.additionalRedisConfig);
    const included = REDIS_INCLUDED_CONFIG[sentinel ? 'sentinel' : 'redis'].path;
    if (external === undefined || external === included || configMap === undefined) continue;
    if (!asArray(asObj(spec.initContainer)?.command).join(' ').includes(`include ${included}`)) {
      out.push(
        violation(
          REDIS_TLS,
          entry,
          'spec.initContainer',
          `points EXTERNAL_CONFIG_FILE at ${external}, which its init container does not make include ${included}: the settings of ConfigMap ${configMap} would not be read`,
        ),
      );
    }
  }
  const configMaps = new Map(model.ofKind('/ConfigMap').map((e) => [`${e.namespace}/${e.name}`, e]));
  for (const entry of sentinels) {
    const config = asObj(asObj(entry.obj.spec)?.redisSentinelConfig) ?? {};
    const included = asString(config.additionalSentinelConfig);
    const file = asString(asObj(configMaps.get(`${entry.namespace}/${included ?? ''}`)?.obj.data)?.[REDIS_INCLUDED_CONFIG.sentinel.key]);
    if (file === undefined || !/^\s*tls-replication\s+yes\s*$/m.test(file)) {
      out.push(
        violation(
          REDIS_TLS,
          entry,
          'spec.redisSentinelConfig.additionalSentinelConfig',
          `${included === undefined ? 'includes no file' : `includes ConfigMap ${included}, which does not say tls-replication yes under ${REDIS_INCLUDED_CONFIG.sentinel.key}`}: the Sentinel image's entrypoint does not write it, and without it a Sentinel reaches Redis and the other Sentinels in plaintext, which a TLS-only Redis refuses`,
        ),
      );
    }
    if (config.resolveHostnames !== 'yes' || config.announceHostnames !== 'yes') {
      out.push(
        violation(
          REDIS_TLS,
          entry,
          'spec.redisSentinelConfig',
          `does not set resolveHostnames and announceHostnames to "yes": Sentinels would hand clients pod IPs, which no certificate names, so a client that verifies the name it dials is refused`,
        ),
      );
    }
    const own = envValue(asObj(entry.obj.spec) ?? {}, 'EXTERNAL_CONFIG_FILE');
    const ownCommand = asArray(asObj(asObj(entry.obj.spec)?.initContainer)?.command).join(' ');
    if (own === undefined || !ownCommand.includes('sentinel announce-ip') || !ownCommand.includes(own)) {
      out.push(
        violation(
          REDIS_TLS,
          entry,
          'spec.initContainer',
          `does not announce each Sentinel by name (an init container writing sentinel announce-ip into the file EXTERNAL_CONFIG_FILE names): Sentinels tell each other, and clients that discover them, their IPs, which no certificate names`,
        ),
      );
    }
    const watched = watchedReplication(model, entry);
    if (watched === undefined) continue;
    const spec = asObj(watched.obj.spec) ?? {};
    const external = envValue(spec, 'EXTERNAL_CONFIG_FILE');
    const command = asArray(asObj(spec.initContainer)?.command).join(' ');
    if (external === undefined || !command.includes('replica-announce-ip') || !command.includes(external)) {
      out.push(
        violation(
          REDIS_TLS,
          watched,
          'spec.initContainer',
          `is failed over by ${entry.id}, but its pods do not announce their names (an init container writing replica-announce-ip into the file EXTERNAL_CONFIG_FILE names): Sentinels would know each replica by its IP, and after a failover hand clients an address no certificate names`,
        ),
      );
    }
  }
}

export const dataClientRules: RuleFamily = {
  ids: [POSTGRES_VERIFY_FULL, REDIS_CLIENT_USER, REDIS_TLS],
  check(model, _ctx, out) {
    checkPostgres(model, out);
    checkRedis(model, out);
    checkRedisTls(model, out);
  },
};
