/**
 * Nodes from the model: each node pool becomes Nodes of its machine type, with the allocatable the
 * plan computes (lib/node-allocatable.ts: GKE's kube-reserved and the eviction threshold), the pool
 * label the cluster uses (`cluster.nodePoolLabel`), zone and region labels, and the taints the pool
 * has: spot pools carry the cluster's spot taint (`cluster.spotTaint`) and GKE's spot label
 * `cloud.google.com/gke-spot=true`; a GKE Sandbox pool (`sandbox.pool`) carries
 * `sandbox.gke.io/runtime=gvisor` as label and NoSchedule taint. The DaemonSets' share of each node
 * (`cluster.daemonSetOverhead`) is a real DaemonSet that requests it on every node
 * (overheadDaemonSet), so the scheduler sees what the plan subtracts.
 *
 * Zones: the model names none. A GKE regional cluster runs each node pool in three zones of its region
 * by default (REGIONAL_ZONES, the figure the plan packs by), so the nodes of a pool are dealt
 * round-robin over `<region>-a`, `-b`, `-c` (the region from `region.name`, else `region`), and the
 * autoscaler stand-in adds a node in the zone a waiting pod needs; the pool's node count is the total.
 */
import type { Environment } from '../../environments';
import { allocatable, daemonSetOverhead, REGIONAL_ZONES } from '../../lib/node-allocatable';
import { GKE_SANDBOX } from '../../lib/sandbox-runtime';
import { KWOK_NODE_ANNOTATION } from './control-plane';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const REGION_LABEL = 'topology.kubernetes.io/region';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
/** The label GKE puts on Spot VMs' nodes (cloud.google.com/kubernetes-engine/docs/concepts/spot-vms). */
export const GKE_SPOT_LABEL = 'cloud.google.com/gke-spot';
/** The DaemonSet that stands for the node agents the plan subtracts (`cluster.daemonSetOverhead`). */
export const OVERHEAD_DAEMONSET = { namespace: 'kube-system', name: 'node-overhead' } as const;

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: string;
}

export interface PoolNodes {
  readonly pool: string;
  readonly machineType: string;
  readonly spot: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** Node allocatable: millicores and bytes. */
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly minNodes: number;
  readonly maxNodes: number;
}

export function zonesOf(env: Environment): string[] {
  const region = env.region?.name ?? 'region';
  return Array.from({ length: REGIONAL_ZONES }, (_, i) => `${region}-${String.fromCharCode(97 + i)}`);
}

export function parseTaint(text: string): Taint {
  const [keyValue = '', effect = ''] = text.split(':');
  const [key = '', value = ''] = keyValue.split('=');
  return { key, value, effect };
}

/** What each pool's nodes look like, from the model. */
export function poolNodes(env: Environment): PoolNodes[] {
  return Object.entries(env.nodePools).map(([pool, spec]) => {
    const machine = env.machineTypes[spec.machineType]!;
    const node = allocatable(machine);
    const sandbox = env.sandbox?.pool === pool;
    return {
      pool,
      machineType: spec.machineType,
      spot: spec.spot,
      labels: {
        [env.cluster.nodePoolLabel]: pool,
        'node.kubernetes.io/instance-type': spec.machineType,
        ...(spec.spot ? { [GKE_SPOT_LABEL]: 'true' } : {}),
        ...(sandbox ? { [GKE_SANDBOX.nodeLabel]: GKE_SANDBOX.value } : {}),
      },
      taints: [
        ...(spec.spot ? [parseTaint(env.cluster.spotTaint)] : []),
        ...(sandbox ? [{ key: GKE_SANDBOX.nodeLabel, value: GKE_SANDBOX.value, effect: GKE_SANDBOX.effect }] : []),
      ],
      cpuMillis: Math.floor(node.cpuMillis),
      memoryBytes: Math.floor(node.memoryBytes),
      minNodes: spec.minNodes,
      maxNodes: spec.maxNodes,
    };
  });
}

/** The name of the i-th node of a pool (0-based); its zone is zones[i % zones]. */
export function nodeName(pool: string, index: number): string {
  return `${pool}-${String(index).padStart(2, '0')}`;
}

export function nodeZone(zones: readonly string[], index: number): string {
  return zones[index % zones.length]!;
}

/** The Node object of the i-th node of a pool, with its status (allocatable = capacity less reservations). */
export function nodeObject(
  env: Environment,
  pool: PoolNodes,
  index: number,
  zone = nodeZone(zonesOf(env), index),
): Record<string, unknown> {
  const name = nodeName(pool.pool, index);
  const machine = env.machineTypes[pool.machineType]!;
  const resources = (cpuMillis: number, memoryBytes: number) => ({
    cpu: `${cpuMillis}m`,
    memory: String(memoryBytes),
    pods: '110',
    'ephemeral-storage': '100Gi',
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { ...KWOK_NODE_ANNOTATION, 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        ...pool.labels,
        [HOSTNAME_LABEL]: name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [ZONE_LABEL]: zone,
        [REGION_LABEL]: env.region?.name ?? 'region',
        type: 'kwok',
      },
    },
    spec: { taints: pool.taints.map((t) => ({ ...t })) },
    status: {
      capacity: resources(machine.cpu * 1000, machine.memoryGiB * 2 ** 30),
      allocatable: resources(pool.cpuMillis, pool.memoryBytes),
      nodeInfo: { kubeletVersion: `v${env.cluster.kubernetesVersion}.0-kwok`, architecture: 'amd64', operatingSystem: 'linux' },
    },
  };
}

/** One pod on every node that requests what the cluster's DaemonSets request (cluster.daemonSetOverhead). */
export function overheadDaemonSet(env: Environment): Record<string, unknown> {
  const overhead = daemonSetOverhead(env.cluster.daemonSetOverhead);
  const labels = { 'app.kubernetes.io/name': OVERHEAD_DAEMONSET.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: OVERHEAD_DAEMONSET.name, namespace: OVERHEAD_DAEMONSET.namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: 'node-agents',
              image: 'registry.invalid/simulate/node-agents:0',
              resources: { requests: { cpu: `${overhead.cpuMillis}m`, memory: String(overhead.memoryBytes) } },
            },
          ],
        },
      },
    },
  };
}
