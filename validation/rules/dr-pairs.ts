/**
 * Rules over several environments at once (a DR pair spans two regions, each its own environment):
 * - data/dr-credentials: a replica cluster and its primary read the same credentials. CloudNativePG
 *   requires identical role definitions, secrets included, in every Cluster of a distributed topology,
 *   and manages the application owner's password from the local secret when a replica cluster is
 *   promoted (docs/src/replica_cluster.md "About PostgreSQL roles", v1.30.0): with different secrets the
 *   apps' password stops working at failover. Each Cluster with a DR peer (`spec.replica.self` and a
 *   `primary` or `source` other than itself) names its owner's secret, written by an ExternalSecret
 *   from the same store and keys as its peer's. A peer in no environment given, a Cluster with no
 *   owner secret (CloudNativePG then generates a random password per cluster), or a secret no
 *   ExternalSecret writes cannot be shown to match: each fails.
 */
import type { Manifest } from '../../lib/core/manifest';
import type { Violation } from '../types';
import { asArray, asObj, asString, type Entry, Model, show, violation } from './model';

export const DR_CREDENTIALS = 'data/dr-credentials';

/** One environment's objects. */
export interface EnvironmentObjects {
  readonly environment: string;
  readonly objects: readonly Manifest[];
}

/** A violation and the environment whose object it names. */
export interface EnvironmentViolation {
  readonly environment: string;
  readonly violation: Violation;
}

const CLUSTER_GK = 'postgresql.cnpg.io/Cluster';
const EXTERNAL_SECRET_GK = 'external-secrets.io/ExternalSecret';

interface PairMember {
  readonly environment: string;
  readonly model: Model;
  readonly entry: Entry;
  readonly self: string;
  readonly peer: string;
}

/** Where the owner's secret is named in a Cluster, and the name. */
function ownerSecret(entry: Entry): { readonly path: string; readonly name?: string } {
  const bootstrap = asObj(asObj(entry.obj.spec)?.bootstrap) ?? {};
  const method = bootstrap.initdb !== undefined ? 'initdb' : bootstrap.recovery !== undefined ? 'recovery' : 'pg_basebackup';
  return { path: `spec.bootstrap.${method}.secret`, name: asString(asObj(asObj(bootstrap[method])?.secret)?.name) };
}

/** The store and keys the ExternalSecret writing `secret` reads, as one comparable string. */
function credentialsSource(model: Model, namespace: string, secret: string): string | undefined {
  const writer = model
    .ofKind(EXTERNAL_SECRET_GK)
    .find((e) => e.namespace === namespace && (asString(asObj(asObj(e.obj.spec)?.target)?.name) ?? e.name) === secret);
  if (writer === undefined) return undefined;
  const spec = asObj(writer.obj.spec) ?? {};
  const store = asObj(spec.secretStoreRef) ?? {};
  const keys = asArray(spec.data)
    .map((d) => `${asString(asObj(d)?.secretKey)}=${asString(asObj(asObj(d)?.remoteRef)?.key)}`)
    .sort();
  return `${asString(store.kind) ?? 'SecretStore'} ${asString(store.name)}: ${keys.join(', ')}`;
}

export function checkDrPairs(sets: readonly EnvironmentObjects[]): EnvironmentViolation[] {
  const members: PairMember[] = sets.flatMap(({ environment, objects }) => {
    const model = new Model(objects);
    return model.ofKind(CLUSTER_GK).flatMap((entry) => {
      const replica = asObj(asObj(entry.obj.spec)?.replica) ?? {};
      const self = asString(replica.self);
      const primary = asString(replica.primary);
      const peer = primary !== undefined && primary !== self ? primary : asString(replica.source);
      return self === undefined || peer === undefined || peer === self ? [] : [{ environment, model, entry, self, peer }];
    });
  });
  const out: EnvironmentViolation[] = [];
  const fail = (member: PairMember, path: string, message: string) =>
    out.push({ environment: member.environment, violation: violation(DR_CREDENTIALS, member.entry, path, message) });
  for (const member of members) {
    const peer = members.find((m) => m.self === member.peer);
    if (peer === undefined) {
      fail(
        member,
        'spec.replica',
        `the DR peer ${show(member.peer)} is in none of the environments checked with ${member.environment}: that both read the same credentials cannot be shown`,
      );
      continue;
    }
    const mine = ownerSecret(member.entry);
    if (mine.name === undefined) {
      fail(
        member,
        mine.path,
        `names no owner secret: CloudNativePG generates a random password per cluster, so ${member.self} and ${peer.self} differ`,
      );
      continue;
    }
    const source = credentialsSource(member.model, member.entry.namespace, mine.name);
    if (source === undefined) {
      fail(
        member,
        mine.path,
        `no ExternalSecret writes the owner secret ${show(mine.name)}: that it matches ${peer.self}'s cannot be shown`,
      );
      continue;
    }
    const theirs = ownerSecret(peer.entry);
    const peerSource = theirs.name === undefined ? undefined : credentialsSource(peer.model, peer.entry.namespace, theirs.name);
    if (peerSource !== undefined && peerSource !== source) {
      fail(
        member,
        mine.path,
        `the owner's credentials come from ${source}, but the DR peer ${peer.self} (${peer.environment}) reads ${peerSource}: CloudNativePG requires identical role secrets in a distributed topology and sets the owner's password from the local secret on promotion; read one secret for the pair`,
      );
    }
  }
  return out;
}
