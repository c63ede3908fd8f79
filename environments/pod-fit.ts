/**
 * A bound the cluster enforces, enforced when the model is loaded (CAP-06): a pod larger than what one node of
 * its pool can give to pods is never scheduled, at any node count (the scheduler places whole pods).
 * So `validate` and `synth` refuse it before anything is rendered or written, naming the field that
 * sets the request, the pool, its machine type and what one node of it holds.
 *
 * What a node holds is lib/node-allocatable.ts, the capacity plan's own figure: the kubelet's
 * allocatable less the DaemonSets' requests. What a pod asks is what the plan counts for the pod the
 * charts render: the containers the model sizes, plus the Istio proxy injected into the mesh's pods
 * and the sidecars the platform adds (the Barman Cloud archiver in a PostgreSQL instance, the Redis
 * exporter). test/pod-fit.test.ts proves, for every registered environment, that each pod the plan
 * counts is one of these, with the same requests.
 */
import { parseQuantity } from '../lib/core/quantity';
import { POSTGRES_DEFAULTS, REDIS_DEFAULTS } from '../lib/defaults';
import { ISTIO_PROXY_DEFAULTS } from '../lib/istio-proxy';
import { allocatable, daemonSetOverhead, schedulable, type Resources } from '../lib/node-allocatable';
import type { EnvironmentIssue } from './load';
import { DataStoreMode, type Environment } from './schema';

/** A CPU and memory amount as the model writes them. */
interface Amounts {
  readonly cpu: string;
  readonly memory: string;
}

/** One kind of pod the model sizes, in the pool it runs on. */
export interface ModelPod {
  /** What runs it, as a model path: `services.backend`, `dataStores.postgres.pooler`. */
  readonly what: string;
  readonly pool: string;
  /** The model fields that set the pod's own CPU and memory request, with their values. */
  readonly cpu: { readonly path: string; readonly value: string };
  readonly memory: { readonly path: string; readonly value: string };
  /** What the platform adds to every such pod. */
  readonly added: readonly { readonly name: string; readonly amounts: Amounts }[];
}

const ISTIO_PROXY = { name: 'istio-proxy', amounts: ISTIO_PROXY_DEFAULTS };

function sized(what: string, pool: string, cpuPath: string, memoryPath: string, own: Amounts, added: ModelPod['added']): ModelPod {
  return { what, pool, cpu: { path: cpuPath, value: own.cpu }, memory: { path: memoryPath, value: own.memory }, added };
}

/** Every kind of pod the model sizes: services, the edge's NGINX pods, the operated stores' pods. */
export function modelPods(env: Environment): ModelPod[] {
  const proxy = env.mesh.enabled ? [ISTIO_PROXY] : [];
  const pods: ModelPod[] = [];
  for (const [name, svc] of Object.entries(env.services)) {
    if (!svc.enabled) continue;
    const at = `services.${name}.resources.requests`;
    pods.push(sized(`services.${name}`, svc.pool, `${at}.cpu`, `${at}.memory`, svc.resources.requests, proxy));
  }
  const { ingress } = env;
  pods.push(sized("ingress (the edge's NGINX pods)", ingress.pool, 'ingress.cpu', 'ingress.memory', ingress, proxy));
  for (const [name, store] of Object.entries(env.dataStores)) {
    if (store.mode !== DataStoreMode.OPERATED) continue;
    const at = `dataStores.${name}`;
    if (store.engine === 'postgres') {
      const archiver = store.backups === undefined ? [] : [{ name: 'plugin-barman-cloud', amounts: POSTGRES_DEFAULTS.sidecarResources }];
      pods.push(sized(at, store.pool, `${at}.resources.cpu`, `${at}.resources.memory`, store.resources, archiver));
      const pooler = `${at}.pooler.resources`;
      pods.push(sized(`${at}.pooler`, store.pool, `${pooler}.cpu`, `${pooler}.memory`, store.pooler.resources, []));
    } else {
      const exporter = [{ name: 'redis-exporter', amounts: REDIS_DEFAULTS.exporterResources }];
      pods.push(sized(at, store.pool, `${at}.resources.cpu`, `${at}.resources.memory`, store.resources, exporter));
      // The Sentinels' size is the platform's; only the pool is the model's to change.
      if (store.sentinels > 0) {
        pods.push(sized(`${at} (Sentinel)`, store.pool, `${at}.pool`, `${at}.pool`, REDIS_DEFAULTS.sentinelResources, []));
      }
    }
  }
  if (env.sandbox !== undefined) {
    // A project pod, on the sandbox's own pool (no proxy: the sandbox namespace is not in the mesh).
    const at = 'sandbox.resources.requests';
    pods.push(sized('sandbox (a project pod)', env.sandbox.pool, `${at}.cpu`, `${at}.memory`, env.sandbox.resources.requests, []));
  }
  return pods;
}

/** One pod's requests: its own and everything added to it. */
export function podTotal(pod: ModelPod): Resources {
  const all = [{ cpu: pod.cpu.value, memory: pod.memory.value }, ...pod.added.map((a) => a.amounts)];
  return {
    cpuMillis: all.reduce((sum, a) => sum + parseQuantity(a.cpu) * 1000, 0),
    memoryBytes: all.reduce((sum, a) => sum + parseQuantity(a.memory), 0),
  };
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;

function round(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

function cores(millis: number): string {
  return `${round(millis / 1000)} CPU`;
}

function gib(bytes: number): string {
  return `${round(bytes / GiB)} GiB`;
}

/**
 * Pods that no node of their pool can hold: one issue per field, naming the pool, its machine type,
 * what one node gives to pods (and how that is reached), and the largest request that fits.
 * Pods on a pool or machine type the environment does not declare are left to the schema's own issue.
 */
export function unschedulablePods(env: Environment): EnvironmentIssue[] {
  const overhead = daemonSetOverhead(env.cluster.daemonSetOverhead);
  const issues: EnvironmentIssue[] = [];
  for (const pod of modelPods(env)) {
    const spec = env.nodePools[pod.pool];
    const machine = spec === undefined ? undefined : env.machineTypes[spec.machineType];
    if (spec === undefined || machine === undefined) continue;
    const node = schedulable(machine, overhead);
    const kubelet = allocatable(machine);
    const total = podTotal(pod);
    const nodeText =
      `a ${spec.machineType} node of pool ${pod.pool} gives pods ${cores(node.cpuMillis)} / ${gib(node.memoryBytes)}: ` +
      `allocatable ${cores(kubelet.cpuMillis)} / ${gib(kubelet.memoryBytes)} less the DaemonSets' ${cores(overhead.cpuMillis)} / ${gib(overhead.memoryBytes)}`;
    const added = (pick: (a: Amounts) => string) =>
      pod.added.length === 0 ? '' : ` (with ${pod.added.map((a) => `${a.name} ${pick(a.amounts)}`).join(', ')})`;
    if (total.cpuMillis > node.cpuMillis) {
      const room = node.cpuMillis - (total.cpuMillis - parseQuantity(pod.cpu.value) * 1000);
      issues.push({
        path: pod.cpu.path,
        value: pod.cpu.value,
        message:
          `one pod of ${pod.what} requests ${cores(total.cpuMillis)}${added((a) => a.cpu)}, more than any node of its pool can hold, so it is never scheduled: ${nodeText}; ` +
          (pod.cpu.path.endsWith('.pool') || room <= 0
            ? 'run it on a pool of larger machines'
            : `request at most ${Math.floor(room)}m, or run it on a pool of larger machines`),
      });
    }
    if (total.memoryBytes > node.memoryBytes) {
      const room = node.memoryBytes - (total.memoryBytes - parseQuantity(pod.memory.value));
      issues.push({
        path: pod.memory.path,
        value: pod.memory.value,
        message:
          `one pod of ${pod.what} requests ${gib(total.memoryBytes)}${added((a) => a.memory)}, more than any node of its pool can hold, so it is never scheduled: ${nodeText}; ` +
          (pod.memory.path.endsWith('.pool') || room <= 0
            ? 'run it on a pool of larger machines'
            : `request at most ${Math.floor(room / MiB)}Mi, or run it on a pool of larger machines`),
      });
    }
  }
  return issues;
}
