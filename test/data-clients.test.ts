/**
 * How the apps reach the operated stores (issue 24 #7, #13): PostgreSQL's pooler verified with
 * `sslmode=verify-full` against the data CA, and one Redis ACL user per client service with only the
 * categories its role needs, derived from the model.
 */
import { describe, expect, it } from 'vitest';
import { redisClientRole, operatedPostgres, operatedRedis, usersOfStore } from '../charts/resolve-data-store';
import { environmentNames, loadEnvironment } from '../environments';
import dev from '../environments/dev';
import {
  DATA_CA,
  poolerName,
  redisAclName,
  redisHeadlessService,
  redisName,
  redisTlsName,
  redisUserPasswordSecret,
} from '../lib/data-names';
import { clusterHost, SECRETS_MOUNT_PATH } from '../lib/names';
import { DENIED_CATEGORIES, RedisClientRole, ROLE_CATEGORIES, roleRules } from '../lib/redis-acl';
import { environment, find, nonEmpty, objects, rendered } from './helpers';
import type { Labels, WithSpec } from './k8s-json';

type ExternalSecretJson = WithSpec<{
  readonly data: readonly { readonly secretKey: string; readonly remoteRef: { readonly key: string } }[];
  readonly target: { readonly name: string; readonly template?: { readonly data: Labels; readonly mergePolicy: string } };
}>;
type ClusterJson = WithSpec<{ readonly certificates?: { readonly serverCASecret: string; readonly serverAltDNSNames: readonly string[] } }>;
type CertificateJson = WithSpec<{ readonly dnsNames: readonly string[] }>;
type PoolerJson = WithSpec<{ readonly pgbouncer: { readonly parameters: Labels } }>;
type TriggerAuthJson = WithSpec<{ readonly secretTargetRef: readonly { readonly parameter: string; readonly key: string }[] }>;

const appSecrets = (name: string) =>
  objects<ExternalSecretJson>(rendered(name), 'ExternalSecret').filter((e) => e.metadata.namespace === environment(name).namespace);

describe('Redis: one ACL user per client, with its role’s categories only', () => {
  it('derives each role from the model: the queue worker consumes, its producer produces, the others cache', () => {
    const prod = environment('prod');
    expect(usersOfStore(prod, 'redis').map((s) => [s, redisClientRole(prod, 'redis', s)])).toEqual([
      ['backend', RedisClientRole.PRODUCER],
      ['ai', RedisClientRole.CACHE],
      ['worker', RedisClientRole.CONSUMER],
    ]);
    const secops = environment('secops');
    expect(usersOfStore(secops, 'redis').map((s) => [s, redisClientRole(secops, 'redis', s)])).toEqual([
      ['auth-api', RedisClientRole.CACHE],
      ['scan-api', RedisClientRole.PRODUCER],
      ['scan-worker', RedisClientRole.CONSUMER],
    ]);
  });

  it('makes every other user of a broker a producer where the queue names no producers', () => {
    const env = loadEnvironment({ name: 'any-producer', extends: dev, services: { worker: { queue: { producers: null } } } });
    expect(redisClientRole(env, 'redis', 'ai')).toBe(RedisClientRole.PRODUCER);
  });

  it('grants no role scripting, admin or dangerous commands, and denies them last', () => {
    for (const role of Object.values(RedisClientRole)) {
      for (const denied of DENIED_CATEGORIES) expect(ROLE_CATEGORIES[role]).not.toContain(denied);
      expect(roleRules(role).endsWith(DENIED_CATEGORIES.map((c) => `-@${c}`).join(' '))).toBe(true);
    }
    expect(roleRules(RedisClientRole.CACHE)).toBe(
      'resetchannels ~* -@all +@connection +@keyspace +@string +@hash +@transaction -@dangerous -@admin -@scripting',
    );
  });

  it('writes prod’s ACL file from the store: default keeps the store password, each client its own', () => {
    const acl = find<ExternalSecretJson>(rendered('prod'), 'ExternalSecret', redisAclName('redis'));
    expect(acl.spec.data.map((d) => d.remoteRef.key)).toEqual(
      ['redis-password', 'redis-password-backend', 'redis-password-ai', 'redis-password-worker'].map((k) => `platform-prod-${k}`),
    );
    expect(acl.spec.target.template?.mergePolicy).toBe('Replace');
    expect((acl.spec.target.template?.data['user.acl'] ?? '').split('\n')).toEqual([
      'user default on #{{ index . "password" | sha256sum }} ~* &* +@all',
      `user backend on #{{ index . "redis-password-backend" | sha256sum }} ${roleRules(RedisClientRole.PRODUCER)}`,
      `user ai on #{{ index . "redis-password-ai" | sha256sum }} ${roleRules(RedisClientRole.CACHE)}`,
      `user worker on #{{ index . "redis-password-worker" | sha256sum }} ${roleRules(RedisClientRole.CONSUMER)}`,
      '',
    ]);
    const redis = find<WithSpec<{ readonly acl: { readonly secret: { readonly secretName: string } } }>>(
      rendered('prod'),
      'RedisReplication',
      'redis',
    );
    expect(redis.spec.acl.secret.secretName).toBe(redisAclName('redis'));
  });

  it.each(environmentNames())('%s: no app Secret holds a Redis store’s own password; each signs in as itself', (name) => {
    const env = environment(name);
    for (const [store, spec] of operatedRedis(env)) {
      for (const secret of nonEmpty(appSecrets(name), `${name}: app ExternalSecrets`)) {
        expect(secret.spec.data.map((d) => d.secretKey)).not.toContain(spec.passwordSecret);
      }
      for (const service of nonEmpty(usersOfStore(env, store), `${name}: services using ${store}`)) {
        const secret = find<ExternalSecretJson>(rendered(name), 'ExternalSecret', `${service}-secrets`);
        expect(secret.spec.data.map((d) => d.secretKey)).toContain(redisUserPasswordSecret(spec.passwordSecret, service));
        expect(secret.spec.target.template?.data[spec.urlSecret]).toMatch(new RegExp(`^(rediss|sentinel)://${service}:`));
      }
    }
  });

  it.each(environmentNames())('%s: every client dials a name on the store’s certificate, over TLS it verifies', (name) => {
    const env = environment(name);
    for (const [store, spec] of operatedRedis(env)) {
      const certificate = find<CertificateJson>(rendered(name), 'Certificate', redisTlsName(store));
      const covers = (host: string) =>
        certificate.spec.dnsNames.some(
          (n) => n === host || (n.startsWith('*.') && host.endsWith(n.slice(1)) && !host.slice(0, -n.length + 1).includes('.')),
        );
      // What Sentinels hand out: each Redis pod by its name under the headless Service (replica-announce-ip).
      for (let pod = 0; pod < spec.nodes; pod++)
        expect(covers(`${redisName(store)}-${pod}.${clusterHost(redisHeadlessService(store), spec.namespace)}`)).toBe(true);
      for (const service of nonEmpty(usersOfStore(env, store), `${name}: services using ${store}`)) {
        const secret = find<ExternalSecretJson>(rendered(name), 'ExternalSecret', `${service}-secrets`);
        const url = new URL(secret.spec.target.template!.data[spec.urlSecret]!.replace(/\{\{[^}]*\}\}/g, 'x'));
        expect(covers(url.hostname), `${service}: ${url.hostname}`).toBe(true);
        expect(url.searchParams.get('ssl_cert_reqs')).toBe('required');
        expect(url.searchParams.get('ssl_ca_certs')).toBe(`${SECRETS_MOUNT_PATH}/${DATA_CA.certSecret}`);
        expect(secret.spec.data.map((d) => d.secretKey)).toContain(DATA_CA.certSecret);
      }
    }
  });

  it('runs on the environments whose model operates Redis (prod among them)', () => {
    expect(nonEmpty(operatedRedis(environment('prod')), 'prod: operated Redis stores').map(([store]) => store)).toContain('redis');
  });

  it('has KEDA read the queue as the worker’s own user', () => {
    const auth = find<TriggerAuthJson>(rendered('prod'), 'TriggerAuthentication', 'worker-queue');
    expect(auth.spec.secretTargetRef.map((r) => [r.parameter, r.key])).toEqual([
      ['username', 'redis-url-username'],
      ['password', 'redis-password-worker'],
      ['ca', 'data-ca-cert'],
    ]);
  });

  it('fails a queue producer that does not use the broker', () => {
    expect(() =>
      loadEnvironment({ name: 'bad-producer', extends: dev, services: { worker: { queue: { producers: ['frontend'] } } } }),
    ).toThrow(
      /bad-producer \(.*\): services\.worker\.queue\.producers\[0\] = "frontend": must name another service that uses the queue's redis broker \(redis\): backend, ai$/,
    );
  });
});

describe('PostgreSQL: the apps verify the pooler (verify-full, the data CA)', () => {
  it('runs on the environments whose model operates PostgreSQL (prod among them)', () => {
    nonEmpty(operatedPostgres(environment('prod')), 'prod: operated PostgreSQL clusters');
  });

  it.each(environmentNames())('%s: every URL is verify-full against the CA file the Secret carries', (name) => {
    const env = environment(name);
    for (const [store, spec] of operatedPostgres(env)) {
      const host = clusterHost(poolerName(store), spec.namespace);
      const cluster = find<ClusterJson>(rendered(name), 'Cluster', store);
      // The pooler serves the cluster's server certificate: its names must include the host the apps verify.
      expect(cluster.spec.certificates?.serverCASecret).toBe(DATA_CA.secret);
      expect(cluster.spec.certificates?.serverAltDNSNames).toContain(host);
      expect(find<PoolerJson>(rendered(name), 'Pooler', poolerName(store)).spec.pgbouncer.parameters.client_tls_sslmode).toBe('require');
      const ca = find<ExternalSecretJson>(rendered(name), 'ExternalSecret', DATA_CA.secret);
      // CloudNativePG's keys, and cert-manager's where a Redis has its certificate issued from the same CA.
      expect(Object.keys(ca.spec.target.template?.data ?? {})).toEqual(
        operatedRedis(env).length > 0 ? ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'] : ['ca.crt', 'ca.key'],
      );
      for (const service of nonEmpty(usersOfStore(env, store), `${name}: services using ${store}`)) {
        const secret = find<ExternalSecretJson>(rendered(name), 'ExternalSecret', `${service}-secrets`);
        expect(secret.spec.target.template?.data[spec.urlSecret]).toMatch(
          new RegExp(
            `@${host.replaceAll('.', '\\.')}:5432/${spec.database}\\?sslmode=verify-full&sslrootcert=${SECRETS_MOUNT_PATH}/${DATA_CA.certSecret}$`,
          ),
        );
        expect(secret.spec.data.map((d) => d.secretKey)).toContain(DATA_CA.certSecret);
      }
    }
  });
});
