/**
 * The simulated cluster's moving parts that are not Kubernetes components: the nodes (created and
 * cordoned through the API), a cluster-autoscaler stand-in that adds a node to a pool whose pods the
 * scheduler cannot place (up to the pool's maxNodes, in zones that are not lost), and a CloudNativePG
 * stand-in that keeps one primary per cluster and switches it over when its node is cordoned (as the
 * operator does: internal/controller/cluster_controller.go mapNodeToClusters, v1.30.0).
 */
import type { Environment } from '../../environments';
import { at } from '../../lib/core/plain';
import { CNPG_LABELS } from '../../lib/data-names';
import type { KubeClient } from '../verify/kube-client';
import { create, listItems, listPods, mergePatch, type PodView } from './kube';
import { nodeName, nodeObject, OVERHEAD_DAEMONSET, type PoolNodes, poolNodes, ZONE_LABEL, zonesOf } from './nodes';
import { CNPG_INSTANCE_ROLE, type ScaleTarget, type StandIn } from './stand-ins';

export interface NodeView {
  readonly name: string;
  readonly pool: string;
  readonly zone: string;
  readonly unschedulable: boolean;
  readonly labels: Record<string, string>;
  readonly taints: readonly { key: string; value?: string; effect: string }[];
}

export class SimulatedCluster {
  readonly pools: readonly PoolNodes[];
  /** Nodes created per pool (their indices are 0..count-1). */
  private readonly counts = new Map<string, number>();
  /** The zone of every node created, by pool. */
  private readonly zonesByPool = new Map<string, string[]>();
  /** Zones whose nodes the autoscaler must not add to (lost). */
  lostZones = new Set<string>();
  /** Pools the autoscaler must not add to (lost). */
  lostPools = new Set<string>();

  constructor(
    readonly env: Environment,
    readonly client: KubeClient,
    private readonly standIns: readonly StandIn[],
    private readonly targets: readonly ScaleTarget[],
  ) {
    this.pools = poolNodes(env);
  }

  count(pool: string): number {
    return this.counts.get(pool) ?? 0;
  }

  /**
   * Adds nodes to a pool until it has `count` (never above maxNodes), each in the zone where the pool
   * has the fewest: GKE keeps a regional pool's zones balanced when it resizes it.
   */
  async grow(pool: string, count: number): Promise<void> {
    const spec = this.pools.find((p) => p.pool === pool)!;
    const target = Math.min(count, spec.maxNodes);
    while (this.count(pool) < target) {
      const taken = this.zonesByPool.get(pool) ?? [];
      const zone = [...zonesOf(this.env)].sort((a, b) => taken.filter((z) => z === a).length - taken.filter((z) => z === b).length)[0]!;
      await this.add(spec, zone);
    }
  }

  private async add(spec: PoolNodes, zone: string): Promise<void> {
    const index = this.count(spec.pool);
    await create(this.client, '/api/v1/nodes', nodeObject(this.env, spec, index, zone));
    this.counts.set(spec.pool, index + 1);
    this.zonesByPool.set(spec.pool, [...(this.zonesByPool.get(spec.pool) ?? []), zone]);
  }

  /**
   * Adds a node to a pool in `zone`: GKE runs a regional pool as one node group per zone, and the
   * cluster autoscaler grows the group whose node would let the waiting pod schedule.
   */
  private async growIn(pool: string, zone: string): Promise<boolean> {
    const spec = this.pools.find((p) => p.pool === pool)!;
    if (this.lostPools.has(pool) || this.lostZones.has(zone) || this.count(pool) >= spec.maxNodes) return false;
    await this.add(spec, zone);
    return true;
  }

  /**
   * The zone a waiting pod needs a node in: the zone (not lost) with the fewest running pods of the
   * same owner, then the fewest nodes of the pool, as a zone spread or anti-affinity would ask.
   */
  private zoneFor(pod: PodView, pods: readonly PodView[], nodes: readonly NodeView[], pool: string): string | undefined {
    const zoneOf = new Map(nodes.map((n) => [n.name, n.zone]));
    const zones = zonesOf(this.env).filter((z) => !this.lostZones.has(z));
    const siblings = (zone: string) =>
      pods.filter((p) => p.ownerName === pod.ownerName && p.namespace === pod.namespace && p.nodeName && zoneOf.get(p.nodeName) === zone)
        .length;
    const poolNodes = (zone: string) => nodes.filter((n) => n.pool === pool && n.zone === zone).length;
    return [...zones].sort((a, b) => siblings(a) - siblings(b) || poolNodes(a) - poolNodes(b) || a.localeCompare(b))[0];
  }

  async nodes(): Promise<NodeView[]> {
    const items = await listItems(this.client, '/api/v1/nodes');
    const label = this.env.cluster.nodePoolLabel;
    return items.map((n) => {
      const labels = (at(n, 'metadata', 'labels') ?? {}) as Record<string, string>;
      return {
        name: String(at(n, 'metadata', 'name')),
        pool: labels[label] ?? '',
        zone: labels[ZONE_LABEL] ?? '',
        unschedulable: at(n, 'spec', 'unschedulable') === true,
        labels,
        taints: (at(n, 'spec', 'taints') ?? []) as NodeView['taints'],
      };
    });
  }

  async cordon(names: readonly string[], unschedulable: boolean): Promise<void> {
    await Promise.all(names.map((name) => mergePatch(this.client, `/api/v1/nodes/${name}`, { spec: { unschedulable } })));
  }

  /** The pool a pending pod waits for: its scale target's pool, else its node selector's. */
  poolOf(pod: PodView): string | undefined {
    const selected = at(pod.spec, 'nodeSelector', this.env.cluster.nodePoolLabel);
    if (typeof selected === 'string') return selected;
    return undefined;
  }

  /**
   * One autoscaler step: a pool with pods the scheduler marked unschedulable gets one more node (in a
   * zone that is not lost), up to maxNodes. Returns whether it added any.
   */
  /** When the last node was added: the scheduler retries waiting pods within a second or two. */
  private lastAdd = 0;

  /** The cluster autoscaler waits for the scheduler to retry after a node joins before it adds another. */
  static readonly COOLDOWN_MS = 2500;

  /** Whether a node was added so recently that waiting pods may not have been retried yet. */
  cooling(): boolean {
    return Date.now() - this.lastAdd < SimulatedCluster.COOLDOWN_MS;
  }

  async autoscale(pods: readonly PodView[], nodes: readonly NodeView[]): Promise<boolean> {
    if (this.cooling()) return false;
    const wanted = new Map<string, string>();
    for (const pod of pods) {
      if (pod.unschedulable === undefined || pod.deleting) continue;
      const pool = this.poolOf(pod);
      if (pool === undefined) continue;
      const zone = this.zoneFor(pod, pods, nodes, pool);
      if (zone !== undefined) wanted.set(`${pool}\u0000${zone}`, zone);
    }
    let added = false;
    for (const [key, zone] of wanted) if (await this.growIn(key.split('\u0000')[0]!, zone)) added = true;
    if (added) this.lastAdd = Date.now();
    return added;
  }

  /**
   * CloudNativePG's role labels: one Running instance is the primary; when its node is cordoned and a
   * Running instance on a schedulable node exists, that one becomes the primary (switchover); the
   * rest are replicas.
   */
  async operate(pods: readonly PodView[], nodes: readonly NodeView[]): Promise<void> {
    const cordoned = new Set(nodes.filter((n) => n.unschedulable).map((n) => n.name));
    for (const standIn of this.standIns) {
      if (standIn.role !== 'postgres-instances' || standIn.cluster === undefined) continue;
      const namespace = standIn.object.metadata.namespace ?? '';
      const instances = pods.filter(
        (p) =>
          p.namespace === namespace &&
          p.ownerKind === 'StatefulSet' &&
          p.ownerName === standIn.object.metadata.name &&
          !p.deleting &&
          p.labels[CNPG_LABELS.cluster] === standIn.cluster,
      );
      const running = instances.filter((p) => p.phase === 'Running' && p.nodeName !== undefined);
      const current = running.find((p) => p.labels[CNPG_INSTANCE_ROLE] === 'primary');
      const healthy = (p: PodView) => !cordoned.has(p.nodeName ?? '');
      let primary = current;
      if (primary === undefined || !healthy(primary)) primary = running.find(healthy) ?? primary ?? running[0];
      for (const pod of instances) {
        const role = pod === primary ? 'primary' : 'replica';
        if (pod.labels[CNPG_INSTANCE_ROLE] === role) continue;
        await mergePatch(this.client, `/api/v1/namespaces/${namespace}/pods/${pod.name}`, {
          metadata: { labels: { [CNPG_INSTANCE_ROLE]: role } },
        }).catch(() => undefined);
      }
    }
  }

  /** Pods of the platform (the overhead DaemonSet's pods left out). */
  static platformPods(pods: readonly PodView[]): PodView[] {
    return pods.filter((p) => !(p.namespace === OVERHEAD_DAEMONSET.namespace && p.ownerKind === 'DaemonSet'));
  }

  async pods(): Promise<PodView[]> {
    return SimulatedCluster.platformPods(await listPods(this.client));
  }

  get scaleTargets(): readonly ScaleTarget[] {
    return this.targets;
  }

  static nodeNameOf = nodeName;
}
