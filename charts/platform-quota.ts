/**
 * The arithmetic that sizes the platform namespace's ResourceQuota and LimitRange (OPS-03) from an
 * environment. The quota is a ceiling on what the namespace may ever hold, so it is sized for the
 * worst moment the environment allows: every autoscaler at its maximum, every Rollout mid-release,
 * plus headroom. It is computed from the environment (services, tracks, strategies, resources), never
 * from rendered YAML, so that a reviewer can redo the sum from the environment file.
 */
import type { Environment, JobServiceSpec } from '../environments/schema';
import {
  addAmounts,
  amountsOf,
  maxAmounts,
  minAmounts,
  scaleAmounts,
  ZERO_AMOUNTS,
  type ResourceAmounts,
} from '../lib/core/resource-amounts';
import { ISTIO_PROXY_RESOURCES } from '../lib/istio-proxy';
import { MAIN_TRACK, trackWorkloadName } from '../lib/names';
import type { ContainerLimits, QuotaFigures } from '../lib/constructs/namespace-quota';
import { enabledServices } from './resolve-service';

const MIB = 2 ** 20;

/** Requests and limits of one pod. */
export interface PodSize {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

/**
 * Pods a workload runs at its worst moment, from its autoscaler's maximum. A blue-green Rollout
 * brings the preview ReplicaSet up to full size beside the active one and keeps the old one for
 * scaleDownDelaySeconds after promotion; a canary Rollout with Istio traffic routing keeps the
 * stable ReplicaSet at full size while the canary grows to 100 % before promotion: both run twice
 * their pods. A rolling Deployment surges by maxSurge, rounded up per Deployment, as the Deployment
 * controller rounds it. `quota.headroomPercent` is margin on top of all that.
 */
export function peakPods(release: 'rolling' | 'blueGreen' | 'canary', maxReplicas: number, maxSurgePercent: number): number {
  return release === 'rolling' ? maxReplicas + Math.ceil((maxReplicas * maxSurgePercent) / 100) : 2 * maxReplicas;
}

/** The proxy's size: its own CPU and memory, and the namespace's default ephemeral storage. */
function proxySize(defaults: ContainerLimits): PodSize {
  const { requests, limits } = ISTIO_PROXY_RESOURCES;
  return {
    requests: { ...amountsOf({ ...requests, ephemeralStorage: '0' }), ephemeralBytes: defaults.defaultRequest.ephemeralBytes },
    limits: { ...amountsOf({ ...limits, ephemeralStorage: '0' }), ephemeralBytes: defaults.default.ephemeralBytes },
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
  const services = enabledServices(environment).map(([, spec]) => spec);
  if (services.length === 0) throw new Error(`${environment.name}: no service is enabled; a namespace quota needs at least one service`);
  const requests = services.map((s) => amountsOf(s.resources.requests));
  const limits = services.map((s) => amountsOf(s.resources.limits));
  const proxyLimits = environment.mesh.enabled ? [amountsOf({ ...ISTIO_PROXY_RESOURCES.limits, ephemeralStorage: '0' })] : [];
  return {
    defaultRequest: requests.reduce(minAmounts),
    default: limits.reduce(minAmounts),
    max: [...limits, ...proxyLimits].reduce(maxAmounts),
  };
}

/**
 * The most pods of one job that can run at once: one under Forbid; two under Replace (the replaced
 * run's pod may still be stopping); under Allow a run starts at most once a minute (cron's finest
 * step) and each lasts at most its deadline.
 */
function jobPeakPods(spec: JobServiceSpec): number {
  if (spec.concurrencyPolicy === 'Forbid') return 1;
  if (spec.concurrencyPolicy === 'Replace') return 2;
  return Math.ceil(spec.deadlineSeconds / 60) + 1;
}

/** Every workload of the environment (main tracks and weighted tracks) with its peak pod count. */
export function workloadPeaks(environment: Environment): WorkloadPeak[] {
  const proxy = environment.mesh.enabled ? proxySize(platformContainerLimits(environment)) : undefined;
  return enabledServices(environment).flatMap(([service, spec]) => {
    const container: PodSize = { requests: amountsOf(spec.resources.requests), limits: amountsOf(spec.resources.limits) };
    const pod: PodSize =
      proxy === undefined
        ? container
        : { requests: addAmounts(container.requests, proxy.requests), limits: addAmounts(container.limits, proxy.limits) };
    if (spec.kind === 'job') {
      return [{ workload: trackWorkloadName(service, MAIN_TRACK), maxReplicas: 1, peakPods: jobPeakPods(spec), pod }];
    }
    const tracks = [
      { track: MAIN_TRACK, max: spec.replicas.max },
      ...Object.entries((spec.kind === 'web' ? spec.tracks : undefined) ?? {}).map(([track, t]) => ({ track, max: t.replicas.max })),
    ];
    return tracks.map(({ track, max }) => ({
      workload: trackWorkloadName(service, track),
      maxReplicas: max,
      // Weighted tracks and queue workers are rolling Deployments.
      peakPods: peakPods(spec.kind === 'web' && track === MAIN_TRACK ? spec.strategy.type : 'rolling', max, spec.maxSurgePercent),
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
  const sum = (pick: (w: WorkloadPeak) => ResourceAmounts) =>
    peaks.map((w) => scaleAmounts(pick(w), w.peakPods)).reduce(addAmounts, ZERO_AMOUNTS);
  const pods = peaks.reduce((n, w) => n + w.peakPods, 0);
  return {
    pods: Math.ceil((pods * (100 + headroom)) / 100),
    requests: withHeadroom(
      sum((w) => w.pod.requests),
      headroom,
    ),
    limits: withHeadroom(
      sum((w) => w.pod.limits),
      headroom,
    ),
  };
}
