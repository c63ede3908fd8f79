/**
 * What one node of a machine type can give to the platform's pods: one source for the capacity plan
 * (app/plan) and the model's check that every pod fits a node of its pool (environments/pod-fit.ts).
 * A node's raw size is not schedulable: the kubelet reserves CPU and memory for itself and the container runtime
 * (kube-reserved), keeps a hard eviction threshold free, and the cluster's DaemonSets (logging, CNI,
 * kube-proxy) request their share on every node before any workload arrives.
 *
 * kube-reserved follows GKE's published tiers (cloud.google.com/kubernetes-engine/docs/concepts/
 * plan-node-sizes), because the environments' node pools are GKE pools (cloud.google.com/gke-nodepool).
 * The CPU tiers are the same ones the EKS-optimized AMI uses; EKS reserves memory by max pods
 * instead (255 MiB + 11 MiB per pod), which is close to GKE's figure for 4-8 vCPU nodes.
 */
import { parseQuantity } from './core/quantity';

/** A machine type's size: cores and GiB (the environments' `machineTypes` carry these and their prices). */
export interface MachineType {
  readonly cpu: number;
  readonly memoryGiB: number;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** CPU and memory in the units the plan adds up: millicores and bytes. */
export interface Resources {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

/** One marginal tier: `fraction` of the amount between the previous tier's end and `upTo`. */
interface Tier {
  readonly upTo: number;
  readonly fraction: number;
}

/** GKE: 6 % of the first core, 1 % of the second, 0.5 % of cores 3-4, 0.25 % above 4. */
const CPU_TIERS: readonly Tier[] = [
  { upTo: 1, fraction: 0.06 },
  { upTo: 2, fraction: 0.01 },
  { upTo: 4, fraction: 0.005 },
  { upTo: Infinity, fraction: 0.0025 },
];

/** GKE: 25 % of the first 4 GiB, 20 % of the next 4, 10 % of the next 8, 6 % up to 128, 2 % above. */
const MEMORY_TIERS_GIB: readonly Tier[] = [
  { upTo: 4, fraction: 0.25 },
  { upTo: 8, fraction: 0.2 },
  { upTo: 16, fraction: 0.1 },
  { upTo: 128, fraction: 0.06 },
  { upTo: Infinity, fraction: 0.02 },
];

/** GKE reserves a flat 255 MiB on machines smaller than 1 GiB instead of the tiers. */
const SMALL_MACHINE_MEMORY_RESERVE = 255 * MiB;

/** The kubelet's hard eviction threshold: memory.available<100Mi. */
export const EVICTION_THRESHOLD_BYTES = 100 * MiB;

/** A short name of the formula, printed with every plan so the figures can be checked. */
export const ALLOCATABLE_FORMULA =
  'GKE kube-reserved (CPU 6/1/0.5/0.25 %, memory 25/20/10/6/2 %) + 100 MiB eviction threshold, less DaemonSet overhead';

function tiered(amount: number, tiers: readonly Tier[]): number {
  let reserved = 0;
  let from = 0;
  for (const tier of tiers) {
    if (amount <= from) break;
    reserved += (Math.min(amount, tier.upTo) - from) * tier.fraction;
    from = tier.upTo;
  }
  return reserved;
}

/** kube-reserved of a machine, GKE's formula. */
export function kubeReserved(machine: MachineType): Resources {
  const memoryBytes = machine.memoryGiB < 1 ? SMALL_MACHINE_MEMORY_RESERVE : tiered(machine.memoryGiB, MEMORY_TIERS_GIB) * GiB;
  return { cpuMillis: tiered(machine.cpu, CPU_TIERS) * 1000, memoryBytes };
}

/** Node allocatable as the kubelet reports it: capacity less kube-reserved and the eviction threshold. */
export function allocatable(machine: MachineType): Resources {
  const reserved = kubeReserved(machine);
  return {
    cpuMillis: machine.cpu * 1000 - reserved.cpuMillis,
    memoryBytes: machine.memoryGiB * GiB - reserved.memoryBytes - EVICTION_THRESHOLD_BYTES,
  };
}

/**
 * Zones a node pool's nodes are spread over. The model names no zones; a GKE regional cluster runs each
 * node pool in three zones of its region by default, one node group per zone, and the platform's pods
 * spread evenly over zones (a zone spread constraint, maxSkew 1). So the plan packs each zone's share
 * of the pods on that zone's nodes, and `npm run simulate` deals its nodes over as many zones.
 */
export const REGIONAL_ZONES = 3;

/** DaemonSet/system requests per node, from the environment's cluster settings. */
export function daemonSetOverhead(overhead: { readonly cpu: string; readonly memory: string }): Resources {
  return { cpuMillis: parseQuantity(overhead.cpu) * 1000, memoryBytes: parseQuantity(overhead.memory) };
}

/** What is left on one node for the platform's pods: allocatable less the DaemonSets. */
export function schedulable(machine: MachineType, overhead: Resources): Resources {
  const node = allocatable(machine);
  return {
    cpuMillis: Math.max(0, node.cpuMillis - overhead.cpuMillis),
    memoryBytes: Math.max(0, node.memoryBytes - overhead.memoryBytes),
  };
}
