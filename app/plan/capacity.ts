/**
 * The capacity plan of one environment: per node pool, what the synthesized workloads request at
 * their autoscalers' floor and ceiling, how many nodes of the pool's machine type that takes, whether
 * the ceiling fits the pool's maxNodes, and what it costs.
 */
import type { Environment, MachineType, NodePool } from '../../environments/schema';
import type { Manifest } from '../../lib/core/manifest';
import { ALLOCATABLE_FORMULA, allocatable, daemonSetOverhead, schedulable, type Resources } from './allocatable';
import { costPerUser, HOURS_PER_MONTH, hourlyPrice, monthlyCost } from './cost';
import { fitsOnNode, nodesNeeded, type PodGroup } from './packing';
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

export interface CapacityPlan {
  readonly environment: string;
  readonly tier: string;
  readonly users: number | undefined;
  readonly formula: string;
  readonly hoursPerMonth: number;
  readonly daemonSetOverhead: { readonly cpu: number; readonly memoryGiB: number };
  readonly pools: readonly PoolPlan[];
  readonly monthlyCost: Range;
  readonly costPerUser: Range | undefined;
  /** Anything here makes the plan fail: a pool whose ceiling cannot be scheduled. */
  readonly errors: readonly string[];
  readonly notes: readonly string[];
}

type End = 'min' | 'max';

function groups(workloads: readonly Workload[], end: End, override?: { name: string; end: End }): PodGroup[] {
  return workloads.map((w) => ({
    name: `${w.kind}/${w.name}`,
    count: w.replicas[override?.name === `${w.kind}/${w.name}` ? override.end : end],
    cpuMillis: w.pod.cpuMillis,
    memoryBytes: w.pod.memoryBytes,
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
  const cost = {
    min: results.reduce((sum, r) => sum + r.plan.monthlyCost.min, 0),
    max: results.reduce((sum, r) => sum + r.plan.monthlyCost.max, 0),
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
    errors: [...results.flatMap((r) => r.errors), ...stray.errors],
    notes: [...results.flatMap((r) => r.notes), ...stray.notes],
  };
}
