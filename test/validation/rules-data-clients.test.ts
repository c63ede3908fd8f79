/**
 * data/postgres-verify-full, data/redis-client-user and data/redis-tls (validation/rules/data-clients.ts):
 * the apps verify PostgreSQL's server, sign in to Redis as users of their own and reach it over TLS
 * they verify (issue 24 #7, #13).
 */
import { describe, expect, it } from 'vitest';
import { validationContext } from '../../app/synthesize';
import { environmentNames } from '../../environments';
import type { Manifest } from '../../lib/core/manifest';
import { runRules } from '../../validation/rules/all';
import { POSTGRES_VERIFY_FULL, REDIS_CLIENT_USER, REDIS_TLS } from '../../validation/rules/data-clients';
import { CA_FILE, GOOD_ACL, dataClients } from '../fixtures/rules/data-clients';
import { findings as ruleFindings, type M } from '../fixtures/rules/factories';
import { environment, rendered } from '../helpers';

const RULES = [POSTGRES_VERIFY_FULL, REDIS_CLIENT_USER, REDIS_TLS];
const messages = (objects: readonly M[], rule: string) => ruleFindings(objects, rule).map((v) => `${v.object} ${v.path}: ${v.message}`);

describe(POSTGRES_VERIFY_FULL, () => {
  it('passes a URL with verify-full and a CA the Secret carries where the pod mounts it', () => {
    expect(messages(dataClients(), POSTGRES_VERIFY_FULL)).toEqual([]);
  });

  it('fails sslmode=require (no server check)', () => {
    expect(messages(dataClients({ postgresQuery: 'sslmode=require' }), POSTGRES_VERIFY_FULL)).toEqual([
      "ExternalSecret/platform/backend-secrets spec.target.template.data.database-url: connects to postgres-pooler.data.svc.cluster.local with sslmode=require and no sslrootcert: only sslmode=verify-full with the server's CA as sslrootcert checks that the server is the one named; require accepts any certificate",
    ]);
  });

  it('fails verify-full without a CA file, with a CA the Secret lacks, and with the Secret mounted elsewhere', () => {
    expect(messages(dataClients({ postgresQuery: 'sslmode=verify-full' }), POSTGRES_VERIFY_FULL)).toHaveLength(1);
    expect(messages(dataClients({ fetchCa: false }), POSTGRES_VERIFY_FULL)).toEqual([
      `ExternalSecret/platform/backend-secrets spec.target.template.data.database-url: verifies the server with sslrootcert ${CA_FILE}, but Secret backend-secrets has no key data-ca-cert (its keys: postgres-password, redis-password-backend, database-url, redis-url): fetch the CA certificate into it`,
    ]);
    expect(messages(dataClients({ mountPath: '/etc/secrets' }), POSTGRES_VERIFY_FULL)).toEqual([
      `Deployment/platform/backend spec.template.spec.containers[0]: reads database-url from Secret backend-secrets, whose sslrootcert is ${CA_FILE}, but mounts that Secret at /etc/secrets, not /var/run/secrets/app: the client would find no CA and refuse to connect`,
    ]);
  });
});

describe(REDIS_CLIENT_USER, () => {
  it('passes clients with users of their own and an ACL file that keeps default behind a password', () => {
    expect(messages(dataClients(), REDIS_CLIENT_USER)).toEqual([]);
  });

  it('fails a client signing in as default, or as another client', () => {
    expect(messages(dataClients({ redisUser: 'default' }), REDIS_CLIENT_USER)).toEqual([
      'ExternalSecret/platform/backend-secrets spec.target.template.data.redis-url: signs in to redis-master.data.svc.cluster.local as default, the user with every command: give the client an ACL user of its own',
    ]);
    expect(messages(dataClients({ workerUser: 'backend' }), REDIS_CLIENT_USER)).toEqual([
      'ExternalSecret/platform/worker-secrets spec.target.template.data.redis-url: signs in to redis-master.data.svc.cluster.local as backend, as Secret backend-secrets (ExternalSecret/platform/backend-secrets) does: each client needs a user of its own',
    ]);
  });

  it('fails a Redis its clients sign in to by user without an ACL file', () => {
    expect(messages(dataClients({ acl: false }), REDIS_CLIENT_USER)).toEqual([
      'RedisReplication/data/redis spec.acl: has no ACL file (spec.acl.secret) while clients sign in with users of their own: Redis knows only default, and they cannot sign in',
    ]);
  });

  it('fails an ACL file without default (Redis recreates it passwordless) or that grants a client too much', () => {
    const [, backend, worker] = GOOD_ACL;
    expect(messages(dataClients({ aclLines: [backend!, worker!] }), REDIS_CLIENT_USER)).toEqual([
      "ExternalSecret/data/redis-acl spec.target.template.data.user.acl: is RedisReplication/data/redis's ACL file and does not define default, which Redis then recreates without a password: define default with the store's password",
    ]);
    const everything = 'user backend on #{{ index . "redis-password-backend" | sha256sum }} ~* &* +@all';
    const lua = 'user backend on #{{ index . "redis-password-backend" | sha256sum }} ~* -@all +@string +@scripting';
    for (const [line, problem] of [
      [everything, 'is granted every command (+@all)'],
      [lua, 'does not end denying @dangerous'],
    ] as const) {
      expect(messages(dataClients({ aclLines: [GOOD_ACL[0]!, line, worker!] }), REDIS_CLIENT_USER)).toEqual([
        expect.stringContaining(`its client user backend ${problem}`),
      ]);
    }
  });
});

describe(REDIS_TLS, () => {
  const change = (objects: M[], kind: string, name: string, edit: (o: M) => void): M[] => {
    edit(objects.find((o) => o.kind === kind && o.metadata.name === name));
    return objects;
  };
  const sentinelCase = (edit: (o: M) => void) => change(dataClients(), 'RedisSentinel', 'redis', edit);

  it('passes clients on rediss:// with the CA, and a Redis and Sentinels on TLS that hand out names', () => {
    expect(messages(dataClients(), REDIS_TLS)).toEqual([]);
  });

  it('fails a plaintext URL, one that does not require the certificate, and a CA the Secret lacks', () => {
    expect(messages(dataClients({ redisScheme: 'redis', redisQuery: '' }), REDIS_TLS)).toEqual([
      "ExternalSecret/platform/backend-secrets spec.target.template.data.redis-url: connects to redis-master.data.svc.cluster.local in plaintext (redis://): use rediss:// with ssl_cert_reqs=required and the store's CA as ssl_ca_certs, so that the client checks the certificate and the name it dials",
    ]);
    expect(messages(dataClients({ redisQuery: `ssl_cert_reqs=none&ssl_ca_certs=${CA_FILE}` }), REDIS_TLS)).toEqual([
      expect.stringContaining('with ssl_cert_reqs=none:'),
    ]);
    expect(messages(dataClients({ fetchCa: false }), REDIS_TLS)).toEqual([
      expect.stringContaining(`verifies the server with ssl_ca_certs ${CA_FILE}, but Secret backend-secrets has no key data-ca-cert`),
    ]);
  });

  it('fails a Redis or a Sentinel without TLS, or without the CA variable its image reads', () => {
    const noTls = change(dataClients(), 'RedisReplication', 'redis', (o) => delete o.spec.TLS);
    expect(messages(noTls, REDIS_TLS)).toEqual([expect.stringMatching(/^RedisReplication\/data\/redis spec\.TLS: speaks no TLS/)]);
    const noEnv = sentinelCase((o) => (o.spec.env = o.spec.env.filter((e: { name: string }) => e.name !== 'REDIS_TLS_CA_KEY')));
    expect(messages(noEnv, REDIS_TLS)).toEqual([
      expect.stringMatching(/^RedisSentinel\/data\/redis spec\.env: does not set REDIS_TLS_CA_KEY to \/tls\/ca\.crt/),
    ]);
  });

  it('fails Sentinels that reach Redis in plaintext or hand out IPs, and a Redis whose pods do not announce names', () => {
    const plaintext = change(dataClients(), 'ConfigMap', 'redis-sentinel-config', (o) => (o.data['redis-sentinel-additional.conf'] = ''));
    expect(messages(plaintext, REDIS_TLS)).toEqual([
      expect.stringMatching(
        /^RedisSentinel\/data\/redis spec\.redisSentinelConfig\.additionalSentinelConfig: includes ConfigMap redis-sentinel-config, which does not say tls-replication yes/,
      ),
    ]);
    const ips = sentinelCase((o) => delete o.spec.redisSentinelConfig.announceHostnames);
    expect(messages(ips, REDIS_TLS)).toEqual([expect.stringContaining('does not set resolveHostnames and announceHostnames to "yes"')]);
    const quiet = sentinelCase((o) => delete o.spec.initContainer);
    // Without its init container the file it names is never written: the ConfigMap is not read either.
    expect(messages(quiet, REDIS_TLS)).toEqual([
      expect.stringContaining('which its init container does not make include /etc/redis/external.conf.d/redis-sentinel-additional.conf'),
      expect.stringMatching(/^RedisSentinel\/data\/redis spec\.initContainer: does not announce each Sentinel by name/),
    ]);
    const dropped = change(dataClients(), 'RedisReplication', 'redis', (o) => {
      o.spec.redisConfig = { additionalRedisConfig: 'redis-config' };
      o.spec.initContainer.command = ['sh', '-c', `printf 'replica-announce-ip %s.x\\n' "$(hostname)" > /data/redis-announce.conf`];
    });
    expect(messages(dropped, REDIS_TLS)).toEqual([
      'RedisReplication/data/redis spec.initContainer: points EXTERNAL_CONFIG_FILE at /data/redis-announce.conf, which its init container does not make include /etc/redis/external.conf.d/redis-additional.conf: the settings of ConfigMap redis-config would not be read',
    ]);
    const silent = change(dataClients(), 'RedisReplication', 'redis', (o) => delete o.spec.initContainer);
    expect(messages(silent, REDIS_TLS)).toEqual([
      expect.stringMatching(
        /^RedisReplication\/data\/redis spec\.initContainer: is failed over by RedisSentinel\/data\/redis, but its pods do not announce their names/,
      ),
    ]);
  });

  it("fails KEDA's Redis trigger without TLS, without a CA, or skipping the check", () => {
    const scaled = (metadata: Record<string, string>, ca: boolean): M[] => [
      ...dataClients(),
      {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'TriggerAuthentication',
        metadata: { name: 'worker-queue', namespace: 'platform' },
        spec: {
          secretTargetRef: [
            { parameter: 'password', name: 'worker-secrets', key: 'redis-password-worker' },
            ...(ca ? [{ parameter: 'ca', name: 'worker-secrets', key: 'data-ca-cert' }] : []),
          ],
        },
      },
      {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'worker', namespace: 'platform' },
        spec: {
          scaleTargetRef: { name: 'worker' },
          triggers: [
            {
              type: 'redis-sentinel',
              metadata: {
                addresses: 'redis-sentinel.data.svc.cluster.local:26379',
                sentinelMaster: 'mymaster',
                listName: 'celery',
                ...metadata,
              },
              authenticationRef: { name: 'worker-queue' },
            },
          ],
        },
      },
    ];
    expect(messages(scaled({ enableTLS: 'true' }, true), REDIS_TLS)).toEqual([]);
    expect(messages(scaled({}, false), REDIS_TLS)).toEqual([
      "ScaledObject/platform/worker spec.triggers[0]: KEDA's redis-sentinel trigger does not turn TLS on (enableTLS), reads no CA (its TriggerAuthentication has no ca parameter): it must speak TLS to Redis and verify the certificate against the store's CA",
    ]);
    expect(messages(scaled({ enableTLS: 'true', unsafeSsl: 'true' }, true), REDIS_TLS)).toEqual([
      expect.stringContaining('skips certificate checks (unsafeSsl)'),
    ]);
  });
});

describe('every environment', () => {
  const check = (name: string, objects: readonly M[]) =>
    runRules(objects as Manifest[], validationContext(environment(name))).filter((v) => RULES.includes(v.rule));

  it.each(environmentNames())('passes %s', (name) => expect(check(name, structuredClone(rendered(name).objects) as M[])).toEqual([]));

  it("fails prod as it was: the pooler's URL with sslmode=require and the apps signing in to Redis as default", () => {
    const objects = structuredClone(rendered('prod').objects) as M[];
    const backend = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'backend-secrets');
    const data = backend.spec.target.template.data;
    data['database-url'] = data['database-url'].replace(/\?.*$/, '?sslmode=require');
    data['redis-url'] = data['redis-url'].replace('sentinel://backend:', 'sentinel://:');
    expect(check('prod', objects).map((v) => `${v.rule} ${v.object}`)).toEqual([
      `${POSTGRES_VERIFY_FULL} ExternalSecret/platform/backend-secrets`,
      `${REDIS_CLIENT_USER} ExternalSecret/platform/backend-secrets`,
    ]);
  });

  it('fails prod as it was: plaintext Redis URLs and the embedded Sentinel, which speaks no TLS', () => {
    const objects = (structuredClone(rendered('prod').objects) as M[]).filter((o) => o.kind !== 'RedisSentinel');
    const backend = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'backend-secrets');
    backend.spec.target.template.data['redis-url'] = backend.spec.target.template.data['redis-url'].replace(/\?.*$/, '');
    const redis = objects.find((o) => o.kind === 'RedisReplication');
    delete redis.spec.TLS;
    expect(
      check('prod', objects)
        .filter((v) => v.rule === REDIS_TLS)
        .map((v) => `${v.object} ${v.path}`),
    ).toEqual(['ExternalSecret/platform/backend-secrets spec.target.template.data.redis-url', 'RedisReplication/data/redis spec.TLS']);
  });
});
