/**
 * The operated data stores (CloudNativePG clusters and poolers, redis-operator replication sets):
 * - data/pooler-only: apps reach PostgreSQL only through a PgBouncer Pooler. A Cluster has a Pooler;
 *   no NetworkPolicy lets a pod other than the cluster's own instances and its poolers in on
 *   PostgreSQL's port (nor any source, with an empty `from`); no policy outside the cluster's namespace
 *   lets pods out to the instances; and no connection URL names the cluster's own Services
 *   (`<cluster>-rw`, `-ro`, `-r`), which bypass the pooler.
 * - data/backup-rpo: a Cluster held to a recovery point objective (the `platform/rpo-seconds`
 *   annotation) can keep it. With WAL archiving, a partly filled segment waits at most
 *   `archive_timeout` (CloudNativePG's default 5 minutes) before it is shipped, which must be shorter
 *   than the RPO. Without it the last base backup is the recovery point, so the longest gap of its
 *   ScheduledBackup must be within the RPO (and a cluster with neither cannot keep any).
 * - data/store-pdb: every set of data-store pods has a PodDisruptionBudget, so a node drain takes
 *   one pod at a time: a Cluster of two or more instances keeps CloudNativePG's (`enablePDB` not
 *   false), each Pooler and each Redis or Sentinel set has one that selects it (the redis-operator's
 *   own `spec.pdb` counts for the Redis pods). A single-instance Cluster turns CloudNativePG's off
 *   (`enablePDB: false`): its primary PDB (minAvailable 1 on the only pod, pkg/specs/
 *   poddisruptionbudget.go v1.30.0) can never allow an eviction, so its node could never be drained;
 *   CloudNativePG's api/v1/cluster_types.go advises `false` for such clusters (found by `npm run simulate`).
 * - data/failover-client: a client of a replicated store follows failover. For a RedisReplication with
 *   Sentinels, the operator's `<name>-master` Service selects the pod it labelled master, and it relabels
 *   only after both StatefulSets are Ready again (redis-operator v0.26.0 redisreplication_controller.go:
 *   reconcileRedis returns before reconcileStatus), so after the master's node dies the Service keeps
 *   selecting the dead pod while Sentinel has promoted a replica. No connection URL an ExternalSecret
 *   writes and no KEDA trigger names that Service: clients ask the Sentinels (`<name>-s-hl`, 26379).
 * - data/operand-digest: a CloudNativePG Cluster runs one build of PostgreSQL on every instance. Its
 *   operand images are rebuilt under the same tag (`18.6-standard-bookworm` weekly; the catalogs of
 *   cloudnative-pg/artifacts name each build by a timestamped tag and its digest), so an instance
 *   restarted later would pull another build. `spec.imageName` carries a digest; a Cluster naming no
 *   image (the operator's default, a tag) or a catalog the set does not hold with digests fails.
 */
import { DATA_PORTS } from '../../lib/data-names';
import { OPERATED_KINDS, operatedPods, type OperatedPodSet } from '../../lib/operated-pods';
import { longestGapSeconds } from '../../lib/cron';
import { RPO_ANNOTATION } from '../../lib/constructs/postgres-cluster';
import type { Violation } from '../types';
import {
  GK,
  asArray,
  asObj,
  asString,
  selectorMatches,
  show,
  violation,
  type Entry,
  type Model,
  type Obj,
  type RuleFamily,
  type Workload,
} from './model';

export const DATA_POOLER_ONLY = 'data/pooler-only';
export const DATA_BACKUP_RPO = 'data/backup-rpo';
export const DATA_STORE_PDB = 'data/store-pdb';
export const DATA_OPERAND_DIGEST = 'data/operand-digest';
export const DATA_FAILOVER_CLIENT = 'data/failover-client';

/** CloudNativePG's archive_timeout when the cluster sets none (its default parameters, v1.30). */
const DEFAULT_ARCHIVE_TIMEOUT_SECONDS = 300;

const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

const POOLER_GK = 'postgresql.cnpg.io/Pooler';
const SCHEDULED_BACKUP_GK = 'postgresql.cnpg.io/ScheduledBackup';
const CLUSTER_GK = OPERATED_KINDS.cluster;
const EXTERNAL_SECRET_GK = 'external-secrets.io/ExternalSecret';

/** A PostgreSQL duration parameter in seconds (`120s`, `5min`, `1h`, or a bare number of seconds). */
export function durationSeconds(value: string): number | undefined {
  const m = /^\s*(\d+)\s*(ms|s|min|h|d)?\s*$/.exec(value);
  if (!m) return undefined;
  const units: Record<string, number> = { ms: 0.001, s: 1, min: 60, h: 3600, d: 86_400 };
  return Number(m[1]) * units[m[2] ?? 's']!;
}

function hours(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

/** Namespaces a peer's namespaceSelector names: its own without one, undefined for "any". */
function peerNamespaces(peer: Obj, own: string): string | undefined {
  const selector = asObj(peer.namespaceSelector);
  if (selector === undefined) return own;
  return asString(asObj(selector.matchLabels)?.[NAMESPACE_LABEL]);
}

/** The workloads a NetworkPolicy peer admits (ipBlock peers name none). */
function peerWorkloads(model: Model, peer: Obj, own: string): Workload[] {
  if (peer.ipBlock !== undefined) return [];
  const namespace = peerNamespaces(peer, own);
  const podSelector = asObj(peer.podSelector) ?? {};
  return model.workloads.filter(
    (w) => (namespace === undefined || w.entry.namespace === namespace) && selectorMatches(podSelector, w.pod.labels),
  );
}

/** Whether a rule's ports cover PostgreSQL's (no ports: every port). */
function coversPostgres(rule: Obj): boolean {
  const ports = asArray(rule.ports);
  return ports.length === 0 || ports.some((p) => asObj(p)?.port === DATA_PORTS.postgres || asObj(p)?.port === undefined);
}

function operatorSets(entry: Entry): OperatedPodSet[] {
  return operatedPods(entry.obj);
}

function checkPoolerOnly(model: Model, out: Violation[]): void {
  const poolers = model.ofKind(POOLER_GK);
  for (const cluster of model.ofKind(CLUSTER_GK)) {
    const fronting = poolers.filter(
      (p) => p.namespace === cluster.namespace && asString(asObj(asObj(p.obj.spec)?.cluster)?.name) === cluster.name,
    );
    if (fronting.length === 0) {
      out.push(
        violation(
          DATA_POOLER_ONLY,
          cluster,
          'metadata.name',
          `no Pooler fronts cluster ${show(cluster.name)}: apps would connect to PostgreSQL directly; add a PgBouncer Pooler (spec.cluster.name: ${cluster.name})`,
        ),
      );
    }
    const instances = operatorSets(cluster).find((s) => s.role === 'instances');
    if (instances === undefined) continue;
    const own = new Set<Entry>([cluster, ...fronting]);
    for (const policy of model.ofKind(GK.NetworkPolicy)) {
      const spec = asObj(policy.obj.spec) ?? {};
      const selects = policy.namespace === cluster.namespace && selectorMatches(asObj(spec.podSelector) ?? {}, instances.labels);
      if (selects) {
        asArray(spec.ingress).forEach((raw, i) => {
          const rule = asObj(raw) ?? {};
          if (!coversPostgres(rule)) return;
          const from = asArray(rule.from);
          if (from.length === 0) {
            out.push(
              violation(
                DATA_POOLER_ONLY,
                policy,
                `spec.ingress[${i}]`,
                `admits every source to cluster ${cluster.name}'s instances on PostgreSQL's port: only its poolers may connect`,
              ),
            );
            return;
          }
          from.forEach((p, j) => {
            const strangers = peerWorkloads(model, asObj(p) ?? {}, policy.namespace).filter((w) => !own.has(w.entry));
            if (strangers.length > 0) {
              out.push(
                violation(
                  DATA_POOLER_ONLY,
                  policy,
                  `spec.ingress[${i}].from[${j}]`,
                  `admits ${strangers.map((w) => w.entry.id).join(', ')} to cluster ${cluster.name}'s instances on PostgreSQL's port, past the pooler (${fronting.map((p) => p.name).join(', ') || 'none'})`,
                ),
              );
            }
          });
        });
      } else if (policy.namespace !== cluster.namespace) {
        asArray(spec.egress).forEach((raw, i) => {
          const rule = asObj(raw) ?? {};
          if (!coversPostgres(rule)) return;
          asArray(rule.to).forEach((p, j) => {
            const peer = asObj(p) ?? {};
            if (peer.ipBlock !== undefined || peer.podSelector === undefined) return;
            const namespace = peerNamespaces(peer, policy.namespace);
            if (namespace !== undefined && namespace !== cluster.namespace) return;
            if (!selectorMatches(asObj(peer.podSelector) ?? {}, instances.labels)) return;
            out.push(
              violation(
                DATA_POOLER_ONLY,
                policy,
                `spec.egress[${i}].to[${j}]`,
                `lets its pods out to cluster ${cluster.name}'s instances directly: send them to the pooler's pods instead`,
              ),
            );
          });
        });
      }
    }
    const direct = new RegExp(`\\b${cluster.name}-(rw|ro|r)\\.${cluster.namespace}\\b`);
    for (const entry of [...model.ofKind(EXTERNAL_SECRET_GK), ...model.ofKind(GK.Secret)]) {
      const data =
        entry.gk === GK.Secret
          ? { ...(asObj(entry.obj.stringData) ?? {}) }
          : { ...(asObj(asObj(asObj(asObj(entry.obj.spec)?.target)?.template)?.data) ?? {}) };
      for (const [key, value] of Object.entries(data)) {
        if (typeof value !== 'string' || !direct.test(value)) continue;
        const path = entry.gk === GK.Secret ? `stringData.${key}` : `spec.target.template.data.${key}`;
        out.push(
          violation(
            DATA_POOLER_ONLY,
            entry,
            path,
            `connects to cluster ${cluster.name}'s own Service, bypassing the pooler: use the Pooler's Service (${fronting[0]?.name ?? '<pooler>'})`,
          ),
        );
      }
    }
  }
}

function checkBackupRpo(model: Model, out: Violation[]): void {
  for (const cluster of model.ofKind(CLUSTER_GK)) {
    const raw = asObj(cluster.obj.metadata)?.annotations;
    const rpo = Number(asObj(raw)?.[RPO_ANNOTATION]);
    if (!Number.isFinite(rpo) || rpo <= 0) continue;
    const spec = asObj(cluster.obj.spec) ?? {};
    const archives =
      asArray(spec.plugins).some((p) => asObj(p)?.isWALArchiver === true) || asObj(asObj(spec.backup)?.barmanObjectStore) !== undefined;
    if (archives) {
      const parameter = asString(asObj(asObj(spec.postgresql)?.parameters)?.archive_timeout);
      const timeout = parameter === undefined ? DEFAULT_ARCHIVE_TIMEOUT_SECONDS : durationSeconds(parameter);
      if (timeout !== undefined && timeout >= rpo) {
        out.push(
          violation(
            DATA_BACKUP_RPO,
            cluster,
            'spec.postgresql.parameters.archive_timeout',
            `WAL is shipped at least every ${hours(timeout)}${parameter === undefined ? " (CloudNativePG's default)" : ''}, not shorter than the RPO of ${hours(rpo)}: set archive_timeout below it`,
          ),
        );
      }
      continue;
    }
    const schedules = model
      .ofKind(SCHEDULED_BACKUP_GK)
      .filter((b) => b.namespace === cluster.namespace && asString(asObj(asObj(b.obj.spec)?.cluster)?.name) === cluster.name);
    if (schedules.length === 0) {
      out.push(
        violation(
          DATA_BACKUP_RPO,
          cluster,
          'spec.plugins',
          `has an RPO of ${hours(rpo)} but neither WAL archiving nor scheduled backups: every failure loses everything since the start`,
        ),
      );
      continue;
    }
    for (const backup of schedules) {
      const schedule = asString(asObj(backup.obj.spec)?.schedule) ?? '';
      let gap: number;
      try {
        gap = longestGapSeconds(schedule);
      } catch {
        continue; // The schema check reports an unreadable schedule.
      }
      if (gap > rpo) {
        out.push(
          violation(
            DATA_BACKUP_RPO,
            backup,
            'spec.schedule',
            `${show(schedule)} leaves up to ${Number.isFinite(gap) ? hours(gap) : 'forever'} between base backups, and cluster ${cluster.name} archives no WAL: its RPO of ${hours(rpo)} needs WAL archiving (a Barman Cloud plugin with isWALArchiver) or backups at least that often`,
          ),
        );
      }
    }
  }
}

function checkStorePdb(model: Model, out: Violation[]): void {
  const budgets = model.ofKind(GK.PDB);
  const covered = (namespace: string, labels: Readonly<Record<string, string>>) =>
    budgets.some((b) => b.namespace === namespace && selectorMatches(asObj(asObj(b.obj.spec)?.selector), labels));
  for (const kind of [CLUSTER_GK, POOLER_GK, OPERATED_KINDS.redisReplication, OPERATED_KINDS.redisSentinel]) {
    for (const entry of model.ofKind(kind)) {
      const spec = asObj(entry.obj.spec) ?? {};
      for (const set of operatorSets(entry)) {
        if (set.role === 'instances') {
          if (set.replicas <= 1 && spec.enablePDB !== false) {
            out.push(
              violation(
                DATA_STORE_PDB,
                entry,
                'spec.enablePDB',
                `keeps CloudNativePG's PodDisruptionBudget on a single-instance cluster: its primary PDB (minAvailable 1 on the only pod) can never allow an eviction, so its node can never be drained; set enablePDB: false (CloudNativePG advises it for a single instance) or run two instances`,
              ),
            );
          } else if (set.replicas > 1 && spec.enablePDB === false) {
            out.push(
              violation(
                DATA_STORE_PDB,
                entry,
                'spec.enablePDB',
                `turns off CloudNativePG's PodDisruptionBudget: a node drain may take the primary and its standby at once`,
              ),
            );
          }
          continue;
        }
        if ((set.role === 'redis' || set.role === 'sentinel') && asObj(spec.pdb)?.enabled === true) continue;
        if (covered(entry.namespace, set.labels)) continue;
        const path = set.role === 'redis' || set.role === 'sentinel' ? 'spec.pdb' : 'spec';
        out.push(
          violation(
            DATA_STORE_PDB,
            entry,
            path,
            `the ${set.role} pods of ${entry.kind} ${entry.name} (${Object.entries(set.labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}) have no PodDisruptionBudget: a node drain may take them all at once`,
          ),
        );
      }
    }
  }
}

/** The RedisReplication a RedisSentinel fails over (`redisSentinelConfig.redisReplicationName`, same namespace). */
export function watchedReplication(model: Model, sentinels: Entry): Entry | undefined {
  const replication = asString(asObj(asObj(sentinels.obj.spec)?.redisSentinelConfig)?.redisReplicationName);
  return model
    .ofKind(OPERATED_KINDS.redisReplication)
    .find((entry) => entry.name === replication && entry.namespace === sentinels.namespace);
}

/** Every Redis a RedisSentinel fails over: the host of its `-master` Service (`<name>-master.<namespace>`), the Sentinels and the set. */
function sentinelMasterHosts(model: Model): { readonly host: string; readonly sentinels: Entry; readonly set: Entry }[] {
  return model.ofKind(OPERATED_KINDS.redisSentinel).flatMap((sentinels) => {
    const set = watchedReplication(model, sentinels);
    return set === undefined ? [] : [{ host: `${set.name}-master.${set.namespace}`, sentinels, set }];
  });
}

function checkFailoverClients(model: Model, out: Violation[]): void {
  const masters = sentinelMasterHosts(model);
  if (masters.length === 0) return;
  const names = (value: string) => masters.find((m) => new RegExp(`(^|[@/:,])${m.host.replace(/\./g, '\\.')}(\\.|:|$)`).test(value));
  const why = (m: { sentinels: Entry; set: Entry }) =>
    `the Service of the pod of ${m.set.id} labelled master, which the operator relabels on its own reconcile (every 30 s, redis-operator v0.26.0), not when the Sentinels fail over, so after a failover it keeps selecting the lost master for up to that long; ask the Sentinels of ${m.sentinels.id} (${m.sentinels.name}-sentinel:26379, master group ${asString(asObj(asObj(m.sentinels.obj.spec)?.redisSentinelConfig)?.masterGroupName) ?? 'myMaster'})`;
  for (const entry of model.ofKind(EXTERNAL_SECRET_GK)) {
    const data = asObj(asObj(asObj(entry.obj.spec)?.target)?.template)?.data;
    for (const [key, value] of Object.entries(asObj(data) ?? {})) {
      const m = typeof value === 'string' ? names(value) : undefined;
      if (m !== undefined)
        out.push(violation(DATA_FAILOVER_CLIENT, entry, `spec.target.template.data.${key}`, `connects to ${m.host}, ${why(m)}`));
    }
  }
  for (const entry of model.ofKind(GK.ScaledObject)) {
    asArray(asObj(entry.obj.spec)?.triggers).forEach((raw, i) => {
      const trigger = asObj(raw) ?? {};
      const metadata = asObj(trigger.metadata) ?? {};
      for (const field of ['address', 'host', 'addresses', 'hosts']) {
        const value = asString(metadata[field]);
        const m = value === undefined ? undefined : names(value);
        if (m !== undefined) {
          out.push(
            violation(
              DATA_FAILOVER_CLIENT,
              entry,
              `spec.triggers[${i}].metadata.${field}`,
              `KEDA's ${show(trigger.type)} trigger reads ${m.host}, ${why(m)}`,
            ),
          );
        }
      }
    });
  }
}

const DIGEST = /@sha256:[a-f0-9]{64}$/;

function checkOperandDigest(model: Model, out: Violation[]): void {
  for (const entry of model.ofKind(CLUSTER_GK)) {
    const spec = asObj(entry.obj.spec) ?? {};
    const image = asString(spec.imageName);
    const catalogRef = asObj(spec.imageCatalogRef);
    if (image !== undefined) {
      if (!DIGEST.test(image)) {
        out.push(
          violation(
            DATA_OPERAND_DIGEST,
            entry,
            'spec.imageName',
            `${show(image)} names no digest: CloudNativePG's operand tags are rebuilt, so instances started at different times would run different builds; pin it as <repository>:<tag>@sha256:<digest>`,
          ),
        );
      }
      continue;
    }
    if (catalogRef !== undefined) {
      const kind = asString(catalogRef.kind) ?? 'ImageCatalog';
      const catalog = model
        .ofKind(`postgresql.cnpg.io/${kind}`)
        .find((e) => e.name === asString(catalogRef.name) && (kind === 'ClusterImageCatalog' || e.namespace === entry.namespace));
      const images = asArray(asObj(catalog?.obj.spec)?.images).map((i) => asString(asObj(i)?.image) ?? '');
      if (catalog !== undefined && images.length > 0 && images.every((i) => DIGEST.test(i))) continue;
      out.push(
        violation(
          DATA_OPERAND_DIGEST,
          entry,
          'spec.imageCatalogRef',
          `${kind} ${show(catalogRef.name)} is ${catalog === undefined ? 'not in the set' : 'not pinned by digest in every image'}: which build each instance runs cannot be shown`,
        ),
      );
      continue;
    }
    out.push(
      violation(
        DATA_OPERAND_DIGEST,
        entry,
        'spec.imageName',
        "names no image: the operator's default is a tag, rebuilt under the same name; pin an image by digest",
      ),
    );
  }
}

export const dataLayerRules: RuleFamily = {
  ids: [DATA_POOLER_ONLY, DATA_BACKUP_RPO, DATA_STORE_PDB, DATA_OPERAND_DIGEST, DATA_FAILOVER_CLIENT],
  check(model, _ctx, out) {
    checkPoolerOnly(model, out);
    checkBackupRpo(model, out);
    checkStorePdb(model, out);
    checkOperandDigest(model, out);
    checkFailoverClients(model, out);
  },
};
