/**
 * How many nodes a set of pods needs. Pods cannot be split across nodes, so dividing the total
 * request by a node's size undercounts whenever pods are large against the node (two 2-CPU pods do
 * not share a node that has 3.7 CPU to give). The plan packs pods first-fit decreasing, the usual
 * approximation of what the scheduler's least-allocated scoring ends up with when the cluster
 * autoscaler adds nodes one by one; it is never below the division, and it is what the plan uses.
 */
import type { Resources } from '../../lib/node-allocatable';

/** A group of identical pods. */
export interface PodGroup {
  readonly name: string;
  readonly count: number;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

/** Float sums of millicores and bytes must not make a pod that fits exactly look one unit too big. */
const EPSILON = 1e-6;

export function fitsOnNode(pod: Resources, node: Resources): boolean {
  return pod.cpuMillis <= node.cpuMillis + EPSILON && pod.memoryBytes <= node.memoryBytes + EPSILON;
}

/** The share of a node one pod takes on its scarcer resource; packing places the largest first. */
function dominantShare(pod: Resources, node: Resources): number {
  return Math.max(pod.cpuMillis / node.cpuMillis, pod.memoryBytes / node.memoryBytes);
}

/** Largest first (by dominant share), name to break ties: the order a pool's pods are packed in. */
function byShare(node: Resources) {
  return (a: PodGroup, b: PodGroup) => dominantShare(b, node) - dominantShare(a, node) || a.name.localeCompare(b.name);
}

/**
 * The order nodesNeededInZones places a pool's groups in: the zone-spread groups largest first, then
 * the others largest first. `npm run simulate` scales a pool's workloads in this order, so the
 * scheduler sees the pods arrive as the plan packs them (app/simulate/simulate.ts).
 */
export function packingOrder<T extends PodGroup & { readonly zoneSpread?: boolean }>(groups: readonly T[], node: Resources): T[] {
  const order = byShare(node);
  return [...groups.filter((g) => g.zoneSpread === true).sort(order), ...groups.filter((g) => g.zoneSpread !== true).sort(order)];
}

/**
 * Nodes needed to hold every pod, first-fit decreasing. Pods that cannot fit on an empty node are
 * the caller's to report; they are left out here.
 */
export function nodesNeeded(groups: readonly PodGroup[], node: Resources): number {
  const placeable = groups.filter((g) => g.count > 0 && fitsOnNode(g, node));
  const ordered = [...placeable].sort(byShare(node));
  const free: { cpuMillis: number; memoryBytes: number }[] = [];
  for (const group of ordered) {
    // Nodes before `from` could not take the previous pod of this group, so they cannot take this one.
    let from = 0;
    for (let i = 0; i < group.count; i++) {
      while (from < free.length && !fitsOnNode(group, free[from]!)) from++;
      if (from === free.length) free.push({ ...node });
      const target = free[from]!;
      target.cpuMillis -= group.cpuMillis;
      target.memoryBytes -= group.memoryBytes;
    }
  }
  return free.length;
}

/** The division bound: total requests over one node, per resource, rounded up. */
export function nodesByTotal(groups: readonly PodGroup[], node: Resources): number {
  const cpu = groups.reduce((sum, g) => sum + g.count * g.cpuMillis, 0);
  const memory = groups.reduce((sum, g) => sum + g.count * g.memoryBytes, 0);
  return Math.max(Math.ceil(cpu / node.cpuMillis - EPSILON), Math.ceil(memory / node.memoryBytes - EPSILON), 0);
}

/**
 * Nodes needed in a regional pool of `zones` zones (one node group per zone). Groups marked `zoneSpread`
 * (a DoNotSchedule zone spread constraint, maxSkew 1) are dealt evenly round the zones and each zone
 * packs its share on its own nodes. The scheduler keeps each workload within one pod of even, but
 * nothing lines up the odd pods of different workloads, and scoring the fullest node first
 * (MostAllocated) sends them to the same, busiest zone: so the odd pods of every group go to the first
 * zones alike, the case that needs the most nodes. Which zone that is the scheduler decides, so every
 * zone is given as many nodes as the fullest needs. The other groups then take any room left in any
 * zone, first fit decreasing, and open nodes where they must.
 */
export function nodesNeededInZones(
  groups: readonly (PodGroup & { readonly zoneSpread?: boolean })[],
  node: Resources,
  zones: number,
): number {
  const placeable = packingOrder(
    groups.filter((g) => g.count > 0 && fitsOnNode(g, node)),
    node,
  );
  const ordered = placeable.filter((g) => g.zoneSpread === true);
  if (zones <= 1 || ordered.length === 0) return nodesNeeded(groups, node);
  const bins: { cpuMillis: number; memoryBytes: number }[][] = Array.from({ length: zones }, () => []);
  const place = (zoneBins: { cpuMillis: number; memoryBytes: number }[], pod: Resources) => {
    let target = zoneBins.find((free) => fitsOnNode(pod, free));
    if (target === undefined) {
      target = { ...node };
      zoneBins.push(target);
    }
    target.cpuMillis -= pod.cpuMillis;
    target.memoryBytes -= pod.memoryBytes;
  };
  for (const group of ordered) {
    const base = Math.floor(group.count / zones);
    const extra = group.count % zones;
    for (let z = 0; z < zones; z++) {
      const count = base + (z < extra ? 1 : 0);
      for (let i = 0; i < count; i++) place(bins[z]!, group);
    }
  }
  // The scheduler picks the zones the odd pods go to by its scores, not in the order above, and any zone
  // that has nodes may be the one that gets them: every such zone gets as many nodes as the fullest
  // needs, so whichever zone they land in has room (the autoscaler would otherwise add a node there).
  // A zone with no node is no domain of the spread: no pod goes there, and it needs none.
  const widest = Math.max(...bins.map((zoneBins) => zoneBins.length));
  for (const zoneBins of bins) while (zoneBins.length > 0 && zoneBins.length < widest) zoneBins.push({ ...node });
  const all = bins.flat();
  const free = placeable.filter((g) => g.zoneSpread !== true);
  for (const group of free) for (let i = 0; i < group.count; i++) place(all, group);
  return all.length;
}
