/**
 * data/dr-credentials (validation/rules/dr-pairs.ts): the two Clusters of a DR pair, each in its own
 * environment, read their owner's password from the same store and key.
 */
import { describe, expect, it } from 'vitest';
import { checkDrPairs, type EnvironmentObjects } from '../../validation/rules/dr-pairs';
import type { M } from '../fixtures/rules/factories';

/** One side of the pair: its Cluster (`self`, replicating with `peer`) and the ExternalSecret of its owner. */
function side(
  environment: string,
  self: string,
  peer: string,
  opts: { key?: string; role?: 'primary' | 'replica'; secret?: boolean; writer?: boolean } = {},
): EnvironmentObjects {
  const { key = 'platform-prod-postgres-password-dr', role = 'primary', secret = true, writer = true } = opts;
  const owner = { database: 'app', owner: 'app', ...(secret ? { secret: { name: 'postgres-app-credentials' } } : {}) };
  const cluster: M = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'postgres', namespace: 'data' },
    spec: {
      instances: 1,
      bootstrap: role === 'primary' ? { initdb: owner } : { recovery: { ...owner, source: peer } },
      replica: role === 'primary' ? { self, primary: self, source: peer } : { self, primary: peer, source: peer },
    },
  };
  const externalSecret: M = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'postgres-app-credentials', namespace: 'data' },
    spec: {
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'platform-secrets' },
      target: { name: 'postgres-app-credentials' },
      data: [{ secretKey: 'password', remoteRef: { key } }],
    },
  };
  return { environment, objects: writer ? [cluster, externalSecret] : [cluster] };
}

const primary = (opts = {}) => side('prod-us-west', 'postgres-us-west1', 'postgres-asia-southeast1', opts);
const standby = (opts = {}) => side('prod-asia', 'postgres-asia-southeast1', 'postgres-us-west1', { role: 'replica', ...opts });

describe('data/dr-credentials', () => {
  it('passes when both sides read one key of one store', () => {
    expect(checkDrPairs([primary(), standby()])).toEqual([]);
  });

  it("fails on both sides when each reads its own region's password", () => {
    const found = checkDrPairs([
      primary({ key: 'platform-prod-us-west-postgres-password' }),
      standby({ key: 'platform-prod-asia-postgres-password' }),
    ]);
    expect(found.map((f) => [f.environment, f.violation.rule, f.violation.object, f.violation.path])).toEqual([
      ['prod-us-west', 'data/dr-credentials', 'Cluster/data/postgres', 'spec.bootstrap.initdb.secret'],
      ['prod-asia', 'data/dr-credentials', 'Cluster/data/postgres', 'spec.bootstrap.recovery.secret'],
    ]);
    expect(found[1]!.violation.message).toBe(
      "the owner's credentials come from ClusterSecretStore platform-secrets: password=platform-prod-asia-postgres-password, but the DR peer postgres-us-west1 (prod-us-west) reads ClusterSecretStore platform-secrets: password=platform-prod-us-west-postgres-password: CloudNativePG requires identical role secrets in a distributed topology and sets the owner's password from the local secret on promotion; read one secret for the pair",
    );
  });

  it('fails when the peer is in none of the environments given: the match cannot be shown', () => {
    const found = checkDrPairs([standby()]);
    expect(found.map((f) => f.violation.path)).toEqual(['spec.replica']);
    expect(found[0]!.violation.message).toContain('the DR peer "postgres-us-west1" is in none of the environments checked with prod-asia');
  });

  it('fails when a side names no owner secret (a random password per cluster) or no ExternalSecret writes it', () => {
    expect(checkDrPairs([primary({ secret: false }), standby()])[0]!.violation.message).toContain('names no owner secret');
    expect(checkDrPairs([primary({ writer: false }), standby()])[0]!.violation.message).toContain(
      'no ExternalSecret writes the owner secret "postgres-app-credentials"',
    );
  });

  it('ignores a Cluster without a DR peer', () => {
    const single = side('dev', 'postgres', 'postgres');
    expect(checkDrPairs([single])).toEqual([]);
  });
});
