/** Namespace quotas and limit ranges: sized for the worst moment the environment allows, checked by hand. */
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { ISTIO_PROXY_RESOURCES, formatBytes, formatCpu, workloadPeaks } from '../lib/namespace-quota';
import { parseQuantity } from '../lib/quantity';
import type { RenderedEnvironment } from '../lib/render';
import { environment, objects, rendered } from './helpers';

/** The platform namespace's object of a kind (the sandbox has its own quota and limit range). */
function platformObject(env: RenderedEnvironment, kind: string): any {
  const namespace = environment(env.environment).namespace;
  const found = objects(env, kind).filter((o) => o.metadata.namespace === namespace);
  expect(found, `${env.environment}: one ${kind} in ${namespace}`).toHaveLength(1);
  return found[0];
}

describe('prod quota', () => {
  const prod = rendered('prod');

  /*
   * Worst moment: every autoscaler at its max, blue-green and canary Rollouts at 2× (a full second
   * ReplicaSet), rolling Deployments at 1× (their 25 % surge is the headroom). Every pod also runs
   * Istio's proxy (100m / 128Mi requests, 2 CPU / 1Gi limits, ephemeral from the LimitRange defaults
   * 256Mi / 1Gi).
   *
   *   workload   strategy   max  × factor = pods   container requests      container limits
   *   frontend   rolling     40  × 1      =  40    500m  1Gi  256Mi        1     1Gi  1Gi
   *   backend    blueGreen   36  × 2      =  72    1     2Gi  256Mi        2     2Gi  1Gi
   *   ai         canary      10  × 2      =  20    2     4Gi  256Mi        4     4Gi  1Gi
   *   worker     rolling     40  × 1      =  40    500m  1Gi  256Mi        1     1Gi  1Gi
   *                                         172 pods, × 1.25 headroom = 215
   *
   * requests.cpu     = 40×0.5 + 72×1 + 20×2 + 40×0.5 = 152, + 172×0.1 proxy = 169.2;  × 1.25 = 211.5 = 211500m
   * limits.cpu       = 40×1 + 72×2 + 20×4 + 40×1 = 304, + 172×2 proxy = 648;          × 1.25 = 810
   * requests.memory  = 40×1 + 72×2 + 20×4 + 40×1 = 304Gi, + 172×128Mi = 21.5Gi → 325.5Gi; × 1.25 = 406.875Gi = 416640Mi
   * limits.memory    = 304Gi, + 172×1Gi = 172Gi → 476Gi;                              × 1.25 = 595Gi
   * requests.ephemeral-storage = 172×256Mi app + 172×256Mi proxy = 86Gi;               × 1.25 = 107.5Gi = 110080Mi
   * limits.ephemeral-storage   = 172×1Gi app + 172×1Gi proxy = 344Gi;                  × 1.25 = 430Gi
   */
  it('holds every workload at its peak plus 25 % headroom', () => {
    expect(platformObject(prod, 'ResourceQuota').spec.hard).toEqual({
      pods: '215',
      'requests.cpu': '211500m',
      'limits.cpu': '810',
      'requests.memory': '416640Mi',
      'limits.memory': '595Gi',
      'requests.ephemeral-storage': '110080Mi',
      'limits.ephemeral-storage': '430Gi',
    });
  });

  it('counts blue-green and canary Rollouts twice, explicitly', () => {
    const peaks = Object.fromEntries(workloadPeaks(environment('prod')).map((w) => [w.workload, [w.maxReplicas, w.peakFactor, w.peakPods]]));
    expect(peaks).toEqual({ frontend: [40, 1, 40], backend: [36, 2, 72], ai: [10, 2, 20], worker: [40, 1, 40] });
  });

  /*
   * Defaults: the smallest service (frontend/worker: 500m / 1Gi / 256Mi requests, 1 / 1Gi / 1Gi limits).
   * Max: the largest limit of any container: ai's 4 CPU / 4Gi / 1Gi (Istio's proxy, 2 / 1Gi, fits under).
   */
  it('defaults containers to the smallest service and caps them at the largest limit', () => {
    expect(platformObject(prod, 'LimitRange').spec.limits).toEqual([
      {
        type: 'Container',
        defaultRequest: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '256Mi' },
        default: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' },
        max: { cpu: '4', memory: '4Gi', 'ephemeral-storage': '1Gi' },
      },
    ]);
  });
});

describe('dev quota', () => {
  /*
   * No mesh, so no proxy; every service rolls (factor 1).
   *   frontend 2 × 125m/256Mi, backend 2 × 250m/512Mi, ai 1 × 250m/1Gi, worker 2 × 125m/256Mi = 7 pods
   * pods = ceil(7 × 1.25) = 9
   * requests.cpu = 250 + 500 + 250 + 250 = 1250m; × 1.25 = 1562.5 → 1563m
   * requests.memory = 512 + 1024 + 1024 + 512 = 3072Mi; × 1.25 = 3840Mi (limits equal: memory is guaranteed)
   * limits.cpu = 2 × 1250m = 2500m; × 1.25 = 3125m
   */
  it('has no proxy and rounds up', () => {
    expect(platformObject(rendered('dev'), 'ResourceQuota').spec.hard).toMatchObject({
      pods: '9',
      'requests.cpu': '1563m',
      'limits.cpu': '3125m',
      'requests.memory': '3840Mi',
      'limits.memory': '3840Mi',
    });
  });
});

type Amounts = { cpu: number; memory: number; 'ephemeral-storage': number };

function amountsOf(list: Record<string, string> | undefined): Amounts {
  const q = (k: string) => (list?.[k] === undefined ? 0 : parseQuantity(list[k]!));
  return { cpu: q('cpu'), memory: q('memory'), 'ephemeral-storage': q('ephemeral-storage') };
}

describe.each(environmentNames())('%s quota against the rendered workloads', (name) => {
  const env = rendered(name);
  const spec = environment(name);
  const quota = platformObject(env, 'ResourceQuota');
  const [limits] = platformObject(env, 'LimitRange').spec.limits;

  /** Independent of the environment arithmetic: read each workload's pods and its autoscaler's max from the YAML. */
  function renderedPeak() {
    const scalers = [...objects(env, 'HorizontalPodAutoscaler'), ...objects(env, 'ScaledObject')] as any[];
    const maxOf = (kind: string, workload: string) => {
      const scaler = scalers.find((s) => s.spec.scaleTargetRef.name === workload && (s.spec.scaleTargetRef.kind ?? 'Deployment') === kind);
      return scaler.spec.maxReplicas ?? scaler.spec.maxReplicaCount;
    };
    let pods = 0;
    const requests = { cpu: 0, memory: 0, 'ephemeral-storage': 0 };
    for (const workload of env.objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout') as any[]) {
      const strategy = workload.spec.strategy;
      const count = maxOf(workload.kind, workload.metadata.name) * (strategy.blueGreen || strategy.canary ? 2 : 1);
      pods += count;
      for (const c of workload.spec.template.spec.containers) {
        const r = amountsOf(c.resources.requests);
        for (const k of Object.keys(requests) as (keyof Amounts)[]) requests[k] += count * r[k];
      }
      if (spec.mesh.enabled) {
        requests.cpu += count * parseQuantity(ISTIO_PROXY_RESOURCES.requests.cpu);
        requests.memory += count * parseQuantity(ISTIO_PROXY_RESOURCES.requests.memory);
      }
    }
    return { pods, requests };
  }

  it('admits every workload at its peak', () => {
    const peak = renderedPeak();
    expect(Number(quota.spec.hard.pods)).toBeGreaterThanOrEqual(peak.pods);
    expect(parseQuantity(quota.spec.hard['requests.cpu'])).toBeGreaterThanOrEqual(peak.requests.cpu);
    expect(parseQuantity(quota.spec.hard['requests.memory'])).toBeGreaterThanOrEqual(peak.requests.memory);
    expect(parseQuantity(quota.spec.hard['requests.ephemeral-storage'])).toBeGreaterThanOrEqual(peak.requests['ephemeral-storage']);
  });

  it('quotas pods, requests and limits of cpu, memory and ephemeral storage', () => {
    expect(Object.keys(quota.spec.hard).sort()).toEqual(
      ['pods', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage'].sort(),
    );
    expect(quota.metadata.namespace).toBe(spec.namespace);
  });

  it('lets every rendered container (and Istio proxy) through the LimitRange maximum', () => {
    const max = amountsOf(limits.max);
    for (const workload of env.objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout') as any[]) {
      for (const c of workload.spec.template.spec.containers) {
        const l = amountsOf(c.resources.limits);
        for (const k of Object.keys(max) as (keyof Amounts)[]) expect(l[k], `${workload.metadata.name} ${k}`).toBeLessThanOrEqual(max[k]);
      }
    }
    if (spec.mesh.enabled) {
      expect(parseQuantity(ISTIO_PROXY_RESOURCES.limits.cpu)).toBeLessThanOrEqual(max.cpu);
      expect(parseQuantity(ISTIO_PROXY_RESOURCES.limits.memory)).toBeLessThanOrEqual(max.memory);
    }
  });

  it('keeps defaults within the maximum and default requests within default limits', () => {
    const [def, req, max] = [amountsOf(limits.default), amountsOf(limits.defaultRequest), amountsOf(limits.max)];
    for (const k of Object.keys(max) as (keyof Amounts)[]) {
      expect(req[k]).toBeLessThanOrEqual(def[k]);
      expect(def[k]).toBeLessThanOrEqual(max[k]);
    }
  });
});

describe('quantity formatting', () => {
  it('states figures exactly in the largest unit', () => {
    expect([formatCpu(233_000), formatCpu(1563), formatCpu(500)]).toEqual(['233', '1563m', '500m']);
    expect([formatBytes(650 * 2 ** 30), formatBytes(459_520 * 2 ** 20), formatBytes(1000)]).toEqual(['650Gi', '459520Mi', '1000']);
  });
});
