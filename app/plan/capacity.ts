/**
 * The capacity plan of one environment: per node pool, what the synthesized workloads request at
 * their autoscalers' floor and ceiling, how many nodes of the pool's machine type that takes, whether
 * the ceiling fits the pool's maxNodes, and what it costs.
 */
import type { Environment, MachineType, NodePool } from '../../environments/schema';
import type { Manifest } from '../../lib/core/manifest';
import { parseQuantity } from '../../lib/core/quantity';
import {
  ALLOCATABLE_FORMULA,
  allocatable,
  daemonSetOverhead,
  REGIONAL_ZONES,
  schedulable,
  type Resources,
} from '../../lib/node-allocatable';
import { costPerUser, HOURS_PER_MONTH, hourlyPrice, monthlyCost } from './cost';
import { fitsOnNode, nodesNeededInZones, type PodGroup } from './packing';

/** Pods of a pool packed zone by zone (lib/node-allocatable.ts REGIONAL_ZONES). */
const nodesNeeded = (groups: readonly PodGroup[], node: Resources) => nodesNeededInZones(groups, node, REGIONAL_ZONES);
import { workloadsOf, type AutoscalerKind, type Workload } from './workloads';

const GiB = 2 ** 30;

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface WorkloadPlan {
  readonly kind: string;
  readonly name: string;
  readonly autoscaler: AutoscalerKind;
  readonly strategy: string | undefined;
  /** The pod's requests include Istio's injected proxy. */
  readonly istioSidecar: boolean;
  readonly pods: Range;
  /** One pod's requests: cores, GiB, GiB. */
  readonly pod: { readonly cpu: number; readonly memoryGiB: number; readonly ephemeralStorageGiB: number };
}

export interface PoolPlan {
  readonly name: string;
  readonly machineType: string;
  readonly spot: boolean;
  readonly pricePerHour: number;
  /** Node allocatable (kubelet), cores and GiB. */
  readonly allocatable: { readonly cpu: number; readonly memoryGiB: number };
  /** Allocatable less DaemonSet overhead: what one node gives the platform's pods. */
  readonly perNode: { readonly cpu: number; readonly memoryGiB: number };
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly pods: Range;
  /** Requested cores. */
  readonly cpu: Range;
  /** Requested GiB. */
  readonly memory: Range;
  /** Requested GiB; machine types carry no disk size, so it is reported, not packed. */
  readonly ephemeralStorage: Range;
  /** Nodes the pool runs: packed pods, never below minNodes. `max` may exceed maxNodes (then `fits` is false). */
  readonly nodes: Range;
  readonly fits: boolean;
  readonly monthlyCost: Range;
  readonly workloads: readonly WorkloadPlan[];
}

/** The persistent volumes of one data-store workload, priced by their storage class. */
export interface VolumePlan {
  readonly workload: string;
  readonly storageClass: string;
  /** GiB of one volume. */
  readonly sizeGiB: number;
  /** Volumes: one per pod. */
  readonly count: number;
  readonly monthlyCost: number;
}

/**
 * The data layer (the pods the data stores' operators run): its pods, their disks, and its share of
 * the node pools it runs on (by requested CPU) plus the disks, to compare with CAP-10's $280 a month
 * for self-managed PostgreSQL.
 */
export interface DataLayerPlan {
  readonly pods: number;
  readonly cpu: number;
  readonly memoryGiB: number;
  readonly storageGiB: number;
  readonly storageMonthlyCost: number;
  readonly nodesMonthlyCost: Range;
  readonly monthlyCost: Range;
  readonly costPerUser: Range | undefined;
}

export interface CapacityPlan {
  readonly environment: string;
  readonly tier: string;
  readonly users: number | undefined;
  readonly formula: string;
  readonly hoursPerMonth: number;
  readonly daemonSetOverhead: { readonly cpu: number; readonly memoryGiB: number };
  readonly pools: readonly PoolPlan[];
  /** Nodes and persistent volumes. */
  readonly monthlyCost: Range;
  readonly costPerUser: Range | undefined;
  readonly storage: readonly VolumePlan[];
  /** @default - no data store run by an operator */
  readonly dataLayer: DataLayerPlan | undefined;
  /** Anything here makes the plan fail: a pool whose ceiling cannot be scheduled. */
  readonly errors: readonly string[];
  readonly notes: readonly string[];
}

type End = 'min' | 'max';

function groups(workloads: readonly Workload[], end: End, override?: { name: string; end: End }): (PodGroup & { zoneSpread: boolean })[] {
  return workloads.map((w) => ({
    name: `${w.kind}/${w.name}`,
    count: w.replicas[override?.name === `${w.kind}/${w.name}` ? override.end : end],
    cpuMillis: w.pod.cpuMillis,
    memoryBytes: w.pod.memoryBytes,
    zoneSpread: w.zoneSpread === true,
  }));
}

function total(workloads: readonly Workload[], end: End, pick: (w: Workload) => number): number {
  return workloads.reduce((sum, w) => sum + w.replicas[end] * pick(w), 0);
}

const cores = (millis: number) => millis / 1000;
const gib = (bytes: number) => bytes / GiB;

function showResources(r: Resources): string {
  return `${format(cores(r.cpuMillis))} CPU / ${format(gib(r.memoryBytes))} GiB`;
}

function format(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** A single pod larger than an empty node can never be scheduled, at any node count. */
function oversizedPods(env: string, pool: string, machine: string, workloads: readonly Workload[], node: Resources): string[] {
  return workloads
    .filter((w) => w.replicas.max > 0 && !fitsOnNode(w.pod, node))
    .map(
      (w) =>
        `${env}: pool ${pool}: one pod of ${w.kind} ${w.name} requests ${showResources(w.pod)} but a ${machine} node has ` +
        `${showResources(node)} for workloads (allocatable less DaemonSets); no number of nodes can run its ${w.replicas.max} pods`,
    );
}

/**
 * Why a pool's ceiling does not fit: the workloads whose growth from floor to ceiling pushes the
 * pool past maxNodes (pinning any one of them at its floor would need fewer nodes).
 */
function causes(workloads: readonly Workload[], node: Resources, needed: number): string[] {
  const scaling = workloads.filter((w) => w.replicas.max > w.replicas.min);
  const described = scaling.map((w) => {
    const withoutGrowth = nodesNeeded(groups(workloads, 'max', { name: `${w.kind}/${w.name}`, end: 'min' }), node);
    const text = `${w.kind} ${w.name} (${w.replicas.max} pods of ${showResources(w.pod)}; at its floor of ${w.replicas.min} the pool needs ${withoutGrowth} nodes)`;
    return { text, relief: needed - withoutGrowth };
  });
  const decisive = described.filter((d) => d.relief > 0).sort((a, b) => b.relief - a.relief);
  return (decisive.length > 0 ? decisive : described).map((d) => d.text);
}

function ceilingError(env: string, pool: string, spec: NodePool, workloads: readonly Workload[], node: Resources, needed: number): string {
  const requested = {
    cpuMillis: total(workloads, 'max', (w) => w.pod.cpuMillis),
    memoryBytes: total(workloads, 'max', (w) => w.pod.memoryBytes),
  };
  const capacity = { cpuMillis: node.cpuMillis * spec.maxNodes, memoryBytes: node.memoryBytes * spec.maxNodes };
  const because = causes(workloads, node, needed);
  return (
    `${env}: pool ${pool} cannot schedule its maximum: it needs ${needed} ${spec.machineType} nodes but maxNodes is ${spec.maxNodes} ` +
    `(short by ${needed - spec.maxNodes} nodes; requests at max ${showResources(requested)} against ${showResources(capacity)} ` +
    `on ${spec.maxNodes} nodes, and whole pods must fit on one node); caused by ${because.join('; ') || 'its fixed-size workloads'}`
  );
}

function blueGreenNote(env: string, pool: string, spec: NodePool, workloads: readonly Workload[], w: Workload, node: Resources): string {
  const doubled = workloads.map((o) => (o === w ? { ...o, replicas: { min: 2 * o.replicas.min, max: 2 * o.replicas.max } } : o));
  const duringRollout = nodesNeeded(groups(doubled, 'min'), node);
  const room = duringRollout <= spec.maxNodes ? 'within' : 'beyond';
  return (
    `${env}: ${w.kind} ${w.name} is blue-green: while a rollout runs it briefly adds a second set of ${w.replicas.min}-${w.replicas.max} pods ` +
    `(not counted above); at the floor pool ${pool} then needs ${duringRollout} nodes, ${room} its maxNodes of ${spec.maxNodes}`
  );
}

function workloadPlan(w: Workload): WorkloadPlan {
  return {
    kind: w.kind,
    name: w.name,
    autoscaler: w.autoscaler,
    strategy: w.strategy,
    istioSidecar: w.istioSidecar,
    pods: w.replicas,
    pod: { cpu: cores(w.pod.cpuMillis), memoryGiB: gib(w.pod.memoryBytes), ephemeralStorageGiB: gib(w.pod.ephemeralBytes) },
  };
}

interface PoolResult {
  readonly plan: PoolPlan;
  readonly errors: string[];
  readonly notes: string[];
}

function planPool(env: Environment, name: string, spec: NodePool, machine: MachineType, workloads: readonly Workload[]): PoolResult {
  const node = schedulable(machine, daemonSetOverhead(env.cluster.daemonSetOverhead));
  const errors = oversizedPods(env.name, name, spec.machineType, workloads, node);
  const packed = (end: End) => Math.max(spec.minNodes, nodesNeeded(groups(workloads, end), node));
  const nodes = { min: packed('min'), max: packed('max') };
  const fits = errors.length === 0 && nodes.max <= spec.maxNodes;
  if (errors.length === 0 && !fits) errors.push(ceilingError(env.name, name, spec, workloads, node, nodes.max));
  const notes = workloads.filter((w) => w.strategy === 'blueGreen').map((w) => blueGreenNote(env.name, name, spec, workloads, w, node));
  const range = (pick: (w: Workload) => number, unit: (n: number) => number): Range => ({
    min: unit(total(workloads, 'min', pick)),
    max: unit(total(workloads, 'max', pick)),
  });
  const kubelet = allocatable(machine);
  const plan: PoolPlan = {
    name,
    machineType: spec.machineType,
    spot: spec.spot,
    pricePerHour: hourlyPrice(spec, machine),
    allocatable: { cpu: cores(kubelet.cpuMillis), memoryGiB: gib(kubelet.memoryBytes) },
    perNode: { cpu: cores(node.cpuMillis), memoryGiB: gib(node.memoryBytes) },
    minNodes: spec.minNodes,
    maxNodes: spec.maxNodes,
    pods: range(
      () => 1,
      (n) => n,
    ),
    cpu: range((w) => w.pod.cpuMillis, cores),
    memory: range((w) => w.pod.memoryBytes, gib),
    ephemeralStorage: range((w) => w.pod.ephemeralBytes, gib),
    nodes,
    fits,
    monthlyCost: { min: monthlyCost(nodes.min, spec, machine), max: monthlyCost(nodes.max, spec, machine) },
    workloads: workloads.map(workloadPlan),
  };
  return { plan, errors, notes };
}

/** Workloads that no declared pool can hold: an unknown pool is an error, no pool at all a note. */
function unplaced(env: Environment, workloads: readonly Workload[]): { errors: string[]; notes: string[] } {
  const label = env.cluster.nodePoolLabel;
  return {
    errors: workloads
      .filter((w) => w.pool !== undefined && !(w.pool in env.nodePools))
      .map(
        (w) =>
          `${env.name}: ${w.kind} ${w.name} selects node pool "${w.pool}" (${label}), which this environment does not declare: ${Object.keys(env.nodePools).join(', ')}`,
      ),
    notes: workloads
      .filter((w) => w.pool === undefined)
      .map((w) => `${env.name}: ${w.kind} ${w.name} selects no node pool (${label}); its pods are not counted against any pool`),
  };
}

/**
 * Plans an environment from its synthesized objects and its declared pools and prices.
 * Pure: the CLI decides how to print the plan and whether its errors fail the run.
 */
export function planEnvironment(env: Environment, objects: readonly Manifest[]): CapacityPlan {
  const workloads = workloadsOf(objects, env.cluster.nodePoolLabel);
  const results = Object.entries(env.nodePools).map(([name, spec]) =>
    planPool(
      env,
      name,
      spec,
      env.machineTypes[spec.machineType]!,
      workloads.filter((w) => w.pool === name),
    ),
  );
  const stray = unplaced(env, workloads);
  const storage = storagePlan(env, workloads);
  const disks = storage.volumes.reduce((sum, v) => sum + v.monthlyCost, 0);
  const cost = {
    min: results.reduce((sum, r) => sum + r.plan.monthlyCost.min, 0) + disks,
    max: results.reduce((sum, r) => sum + r.plan.monthlyCost.max, 0) + disks,
  };
  const perUser = costPerUser(cost.min, env.users);
  const overhead = daemonSetOverhead(env.cluster.daemonSetOverhead);
  return {
    environment: env.name,
    tier: env.tier,
    users: env.users,
    formula: ALLOCATABLE_FORMULA,
    hoursPerMonth: HOURS_PER_MONTH,
    daemonSetOverhead: { cpu: cores(overhead.cpuMillis), memoryGiB: gib(overhead.memoryBytes) },
    pools: results.map((r) => r.plan),
    monthlyCost: cost,
    costPerUser: perUser === undefined ? undefined : { min: perUser, max: costPerUser(cost.max, env.users)! },
    storage: storage.volumes,
    dataLayer: dataLayerPlan(
      env,
      workloads,
      results.map((r) => r.plan),
      disks,
    ),
    errors: [...results.flatMap((r) => r.errors), ...stray.errors],
    notes: [...results.flatMap((r) => r.notes), ...stray.notes, ...storage.notes, ...sandboxPoolNotes(env)],
  };
}

/**
 * What the sandbox's pool needs when it is created, which no manifest can set: GKE Sandbox (gVisor; GKE
 * then taints its nodes sandbox.gke.io/runtime=gvisor:NoSchedule) and the kubelet's pod PID limit.
 */
export function sandboxPoolNotes(env: Environment): string[] {
  if (env.sandbox === undefined) return [];
  const { pool, podPidsLimit } = env.sandbox;
  return [
    `${env.name}: pool ${pool} runs untrusted user projects: create it with GKE Sandbox (--sandbox type=gvisor) and the node system config kubeletConfig.podPidsLimit: ${podPidsLimit}`,
  ];
}

const GIB = 1024 ** 3;

/** Every data-store volume, priced by its class (environment.storageClasses, USD per GiB and month). */
function storagePlan(env: Environment, workloads: readonly Workload[]): { volumes: VolumePlan[]; notes: string[] } {
  const volumes: VolumePlan[] = [];
  const notes: string[] = [];
  for (const w of workloads) {
    for (const volume of w.volumes ?? []) {
      const sizeGiB = parseQuantity(volume.size) / GIB;
      const price = env.storageClasses[volume.storageClass]?.pricePerGiBMonth;
      if (price === undefined)
        notes.push(
          `${env.name}: ${w.kind} ${w.name} claims storage class "${volume.storageClass}", which has no price (storageClasses): not counted`,
        );
      const count = w.replicas.max;
      volumes.push({
        workload: `${w.kind}/${w.name}`,
        storageClass: volume.storageClass,
        sizeGiB,
        count,
        monthlyCost: (price ?? 0) * sizeGiB * count,
      });
    }
  }
  return { volumes, notes };
}

/** The operators' pods, their disks, and their share (by requested CPU) of each pool they run on. */
function dataLayerPlan(
  env: Environment,
  workloads: readonly Workload[],
  pools: readonly PoolPlan[],
  disks: number,
): DataLayerPlan | undefined {
  const data = workloads.filter((w) => w.autoscaler === 'operator');
  if (data.length === 0) return undefined;
  const share = (end: End) =>
    pools.reduce((sum, pool) => {
      const cpu = (ws: readonly Workload[]) => ws.reduce((t, w) => t + w.replicas[end] * w.pod.cpuMillis, 0);
      const all = cpu(workloads.filter((w) => w.pool === pool.name));
      const own = cpu(data.filter((w) => w.pool === pool.name));
      return all === 0 ? sum : sum + (pool.monthlyCost[end] * own) / all;
    }, 0);
  // The share may shrink as the apps scale out around a fixed data layer: report it low to high.
  const nodes = { min: Math.min(share('min'), share('max')), max: Math.max(share('min'), share('max')) };
  const monthly = { min: nodes.min + disks, max: nodes.max + disks };
  const perUser = costPerUser(monthly.min, env.users);
  return {
    pods: data.reduce((sum, w) => sum + w.replicas.min, 0),
    cpu: data.reduce((sum, w) => sum + (w.replicas.min * w.pod.cpuMillis) / 1000, 0),
    memoryGiB: data.reduce((sum, w) => sum + (w.replicas.min * w.pod.memoryBytes) / GIB, 0),
    storageGiB: data.reduce((sum, w) => sum + (w.volumes ?? []).reduce((t, v) => t + (parseQuantity(v.size) / GIB) * w.replicas.max, 0), 0),
    storageMonthlyCost: disks,
    nodesMonthlyCost: nodes,
    monthlyCost: monthly,
    costPerUser: perUser === undefined ? undefined : { min: perUser, max: costPerUser(monthly.max, env.users)! },
  };
}
