/**
 * data/postgres-verify-full and data/redis-client-user (validation/rules/data-clients.ts): the apps
 * verify PostgreSQL's server and sign in to Redis as users of their own (issue 24 #7, #13).
 */
import { describe, expect, it } from 'vitest';
import { validationContext } from '../../app/synthesize';
import { environmentNames } from '../../environments';
import type { Manifest } from '../../lib/core/manifest';
import { runRules } from '../../validation/rules/all';
import { POSTGRES_VERIFY_FULL, REDIS_CLIENT_USER } from '../../validation/rules/data-clients';
import { CA_FILE, GOOD_ACL, dataClients } from '../fixtures/rules/data-clients';
import { findings as ruleFindings, type M } from '../fixtures/rules/factories';
import { environment, rendered } from '../helpers';

const RULES = [POSTGRES_VERIFY_FULL, REDIS_CLIENT_USER];
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
});
