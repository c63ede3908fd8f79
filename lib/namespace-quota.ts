/**
 * A namespace's ResourceQuota and LimitRange, and the arithmetic that sizes them from an environment.
 *
 * The quota is a ceiling on what the namespace may ever hold, so it is sized for the worst moment the
 * environment allows: every autoscaler at its maximum, every Rollout mid-release, plus headroom. It
 * is computed from the environment (services, tracks, strategies, resources), never from rendered
 * YAML, so that a reviewer can redo the sum from the environment file.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Environment, ResourceSet, Strategy } from '../environments/schema';
import { MAIN_TRACK, trackWorkloadName } from './names';
import { ROLLING_MAX_SURGE_PERCENT } from './service-deployment';
import { ISTIO_PROXY_RESOURCES } from './istio-proxy';
import { parseQuantity } from './core/quantity';

/** CPU in millicores, memory and ephemeral storage in bytes: integers, so sums are exact. */
export interface ResourceAmounts {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly ephemeralBytes: number;
}

export interface PodSize {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

/** The `hard` figures of a ResourceQuota. */
export interface QuotaFigures {
  readonly pods: number;
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

/** What a LimitRange gives a container that declares nothing, and the most any container may set. */
export interface ContainerLimits {
  readonly defaultRequest: ResourceAmounts;
  readonly default: ResourceAmounts;
  readonly max: ResourceAmounts;
}

const ZERO: ResourceAmounts = { cpuMillis: 0, memoryBytes: 0, ephemeralBytes: 0 };
const MIB = 2 ** 20;

export function amounts(set: ResourceSet): ResourceAmounts {
  return {
    cpuMillis: Math.round(parseQuantity(set.cpu) * 1000),
    memoryBytes: Math.round(parseQuantity(set.memory)),
    ephemeralBytes: Math.round(parseQuantity(set.ephemeralStorage)),
  };
}

export function addAmounts(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes, ephemeralBytes: a.ephemeralBytes + b.ephemeralBytes };
}

export function scaleAmounts(a: ResourceAmounts, factor: number): ResourceAmounts {
  return { cpuMillis: a.cpuMillis * factor, memoryBytes: a.memoryBytes * factor, ephemeralBytes: a.ephemeralBytes * factor };
}

function combine(a: ResourceAmounts, b: ResourceAmounts, pick: (x: number, y: number) => number): ResourceAmounts {
  return { cpuMillis: pick(a.cpuMillis, b.cpuMillis), memoryBytes: pick(a.memoryBytes, b.memoryBytes), ephemeralBytes: pick(a.ephemeralBytes, b.ephemeralBytes) };
}

/** `2`, `1500m`. */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** The largest binary unit that states the value exactly: `2Gi`, `1152Mi`, `1000`. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes % size === 0 && bytes >= size) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** A Kubernetes resource list (`cpu`, `memory`, `ephemeral-storage`). */
export function resourceList(a: ResourceAmounts): Record<string, k8s.Quantity> {
  return {
    cpu: k8s.Quantity.fromString(formatCpu(a.cpuMillis)),
    memory: k8s.Quantity.fromString(formatBytes(a.memoryBytes)),
    'ephemeral-storage': k8s.Quantity.fromString(formatBytes(a.ephemeralBytes)),
  };
}

/** A container's requests and limits from a resource set of the environment. */
export function resourceRequirements(resources: { readonly requests: ResourceSet; readonly limits: ResourceSet }): k8s.ResourceRequirements {
  return { requests: resourceList(amounts(resources.requests)), limits: resourceList(amounts(resources.limits)) };
}

/**
 * Pods a workload runs at its worst moment, from its autoscaler's maximum. A blue-green Rollout
 * brings the preview ReplicaSet up to full size beside the active one and keeps the old one for
 * scaleDownDelaySeconds after promotion; a canary Rollout with Istio traffic routing keeps the
 * stable ReplicaSet at full size while the canary grows to 100 % before promotion: both run twice
 * their pods. A rolling Deployment surges by maxSurge, rounded up per Deployment, as the Deployment
 * controller rounds it. `quota.headroomPercent` is margin on top of all that.
 */
export function peakPods(strategy: Strategy, maxReplicas: number): number {
  return strategy.type === 'rolling' ? maxReplicas + Math.ceil((maxReplicas * ROLLING_MAX_SURGE_PERCENT) / 100) : 2 * maxReplicas;
}


/** The proxy's size: its own CPU and memory, and the namespace's default ephemeral storage. */
function proxySize(defaults: ContainerLimits): PodSize {
  const { requests, limits } = ISTIO_PROXY_RESOURCES;
  return {
    requests: { ...amounts({ ...requests, ephemeralStorage: '0' }), ephemeralBytes: defaults.defaultRequest.ephemeralBytes },
    limits: { ...amounts({ ...limits, ephemeralStorage: '0' }), ephemeralBytes: defaults.default.ephemeralBytes },
  };
}

/** One workload of the namespace as the quota counts it. */
export interface WorkloadPeak {
  /** Deployment or Rollout name. */
  readonly workload: string;
  readonly maxReplicas: number;
  /** See `peakPods`. */
  readonly peakPods: number;
  /** One pod: the service's container, plus Istio's proxy when the namespace is in the mesh. */
  readonly pod: PodSize;
}

/**
 * Container defaults of the platform namespace: the smallest size any service declares (a container
 * that declares nothing, such as an injected sidecar's ephemeral storage or a hand-applied debug pod,
 * gets the platform's smallest pod, not an unbounded one), and as maximum the largest limit any
 * container of the platform sets, Istio's proxy included under the mesh.
 */
export function platformContainerLimits(environment: Environment): ContainerLimits {
  const services = Object.values(environment.services);
  if (services.length === 0) throw new Error(`${environment.name}: services is empty; a namespace quota needs at least one service`);
  const requests = services.map((s) => amounts(s.resources.requests));
  const limits = services.map((s) => amounts(s.resources.limits));
  const proxyLimits = environment.mesh.enabled ? [amounts({ ...ISTIO_PROXY_RESOURCES.limits, ephemeralStorage: '0' })] : [];
  return {
    defaultRequest: requests.reduce((a, b) => combine(a, b, Math.min)),
    default: limits.reduce((a, b) => combine(a, b, Math.min)),
    max: [...limits, ...proxyLimits].reduce((a, b) => combine(a, b, Math.max)),
  };
}

/** Every workload of the environment (main tracks and weighted tracks) with its peak pod count. */
export function workloadPeaks(environment: Environment): WorkloadPeak[] {
  const proxy = environment.mesh.enabled ? proxySize(platformContainerLimits(environment)) : undefined;
  return Object.entries(environment.services).flatMap(([service, spec]) => {
    const container: PodSize = { requests: amounts(spec.resources.requests), limits: amounts(spec.resources.limits) };
    const pod: PodSize =
      proxy === undefined
        ? container
        : { requests: addAmounts(container.requests, proxy.requests), limits: addAmounts(container.limits, proxy.limits) };
    const tracks = [
      { track: MAIN_TRACK, max: spec.replicas.max },
      ...Object.entries(spec.tracks ?? {}).map(([track, t]) => ({ track, max: t.replicas.max })),
    ];
    return tracks.map(({ track, max }) => ({
      workload: trackWorkloadName(service, track),
      maxReplicas: max,
      // Weighted tracks are rolling Deployments (the schema allows tracks only with the rolling strategy).
      peakPods: peakPods(track === MAIN_TRACK ? spec.strategy : { type: 'rolling' }, max),
      pod,
    }));
  });
}

/** Adds `percent` % and rounds up (CPU to the millicore, bytes to the MiB, pods to the pod). */
function withHeadroom(a: ResourceAmounts, percent: number): ResourceAmounts {
  const up = (n: number) => Math.ceil((n * (100 + percent)) / 100);
  return {
    cpuMillis: up(a.cpuMillis),
    memoryBytes: Math.ceil(up(a.memoryBytes) / MIB) * MIB,
    ephemeralBytes: Math.ceil(up(a.ephemeralBytes) / MIB) * MIB,
  };
}

/**
 * The platform namespace's quota: Σ over workloads of peakPods × pod size, then
 * `quota.headroomPercent` on top.
 */
export function platformQuota(environment: Environment): QuotaFigures {
  const peaks = workloadPeaks(environment);
  const headroom = environment.quota.headroomPercent;
  const sum = (pick: (w: WorkloadPeak) => ResourceAmounts) => peaks.map((w) => scaleAmounts(pick(w), w.peakPods)).reduce(addAmounts, ZERO);
  const pods = peaks.reduce((n, w) => n + w.peakPods, 0);
  return {
    pods: Math.ceil((pods * (100 + headroom)) / 100),
    requests: withHeadroom(sum((w) => w.pod.requests), headroom),
    limits: withHeadroom(sum((w) => w.pod.limits), headroom),
  };
}

export interface NamespaceQuotaProps {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly quota: QuotaFigures;
  readonly containers: ContainerLimits;
  /** Extra object-count limits, e.g. `{ 'services.loadbalancers': 0 }`. @default - none */
  readonly counts?: Readonly<Record<string, number>>;
  /**
   * Name of the ResourceQuota and the LimitRange.
   * @default - the namespace's name (unique across namespaces, so tools that match objects by kind
   * and name across environments never confuse two namespaces' quotas)
   */
  readonly name?: string;
}

/**
 * A ResourceQuota on pods, requests and limits (cpu, memory, ephemeral-storage), and a LimitRange
 * that defaults and caps every container. The LimitRange makes the quota enforceable: once a
 * namespace has a compute quota, the API refuses containers without requests and limits, and the
 * defaults fill those in instead.
 */
export class NamespaceQuota extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: NamespaceQuotaProps) {
    super(scope, id);
    this.name = props.name ?? props.namespace;
    const { quota, containers } = props;
    const hard: Record<string, k8s.Quantity> = { pods: k8s.Quantity.fromString(String(quota.pods)) };
    for (const [side, set] of [['requests', quota.requests], ['limits', quota.limits]] as const) {
      for (const [resource, value] of Object.entries(resourceList(set))) hard[`${side}.${resource}`] = value;
    }
    for (const [resource, count] of Object.entries(props.counts ?? {})) hard[resource] = k8s.Quantity.fromString(String(count));
    const metadata = { name: this.name, namespace: props.namespace, labels: props.labels };
    new k8s.KubeResourceQuota(this, 'ResourceQuota', { metadata, spec: { hard } });
    new k8s.KubeLimitRange(this, 'LimitRange', {
      metadata,
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: resourceList(containers.defaultRequest),
            default: resourceList(containers.default),
            max: resourceList(containers.max),
          },
        ],
      },
    });
  }
}
