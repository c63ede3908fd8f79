/** Namespace quotas and limit ranges: sized for the worst moment the environment allows, checked by hand. */
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { ISTIO_PROXY_RESOURCES } from '../lib/istio-proxy';
import { formatBytes, formatCpu } from '../lib/resources';
import { workloadPeaks } from '../charts/platform-quota';
import { parseQuantity } from '../lib/core/quantity';
import type { RenderedEnvironment } from '../app/render';
import type { Manifest } from '../lib/core/manifest';
import { environment, nonEmpty, objects, rendered } from './helpers';
import type { WithSpec, WorkloadJson } from './k8s-json';

type ResourceQuota = WithSpec<{ readonly hard: Readonly<Record<string, string>> }>;

type LimitRange = WithSpec<{
  readonly limits: readonly {
    readonly type: string;
    readonly max: Readonly<Record<string, string>>;
    readonly default: Readonly<Record<string, string>>;
    readonly defaultRequest: Readonly<Record<string, string>>;
  }[];
}>;

/** What the peak reads of an autoscaler: a HorizontalPodAutoscaler's maxReplicas or a ScaledObject's maxReplicaCount. */
type Scaler = WithSpec<{
  readonly scaleTargetRef: { readonly kind?: string; readonly name: string };
  readonly maxReplicas?: number;
  readonly maxReplicaCount?: number;
}>;

const isWorkload = (o: Manifest): o is WorkloadJson => o.kind === 'Deployment' || o.kind === 'Rollout';

/** A CronJob, as far as its pods' count and size go. */
type CronJobJson = Manifest & {
  readonly spec: {
    readonly concurrencyPolicy: 'Forbid' | 'Replace' | 'Allow';
    readonly jobTemplate: {
      readonly spec: { readonly activeDeadlineSeconds: number; readonly template: WorkloadJson['spec']['template'] };
    };
  };
};

/** The platform namespace's object of a kind (the sandbox has its own quota and limit range). */
function platformObject<T extends Manifest>(env: RenderedEnvironment, kind: string): T {
  const namespace = environment(env.environment).namespace;
  const found = objects<T>(env, kind).filter((o) => o.metadata.namespace === namespace);
  expect(found, `${env.environment}: one ${kind} in ${namespace}`).toHaveLength(1);
  return found[0];
}

describe('prod quota', () => {
  const prod = rendered('prod');

  /*
   * Worst moment: every autoscaler at its max, blue-green and canary Rollouts at 2× (a full second
   * ReplicaSet), rolling Deployments at max + ceil(25 % × max) (their maxSurge, rounded up per
   * Deployment). Every pod also runs Istio's proxy (100m / 128Mi requests, 2 CPU / 1Gi limits,
   * ephemeral from the LimitRange defaults 256Mi / 1Gi). Then 25 % headroom.
   *
   *   workload   strategy   max  peak                 container requests      container limits
   *   frontend   rolling     40  40 + 10 =  50        500m  1Gi  256Mi        1     1Gi  1Gi
   *   backend    blueGreen   36  36 × 2  =  72        1     2Gi  256Mi        2     2Gi  1Gi
   *   ai         canary      10  10 × 2  =  20        2     4Gi  256Mi        4     4Gi  1Gi
   *   worker     rolling     40  40 + 10 =  50        500m  1Gi  256Mi        1     1Gi  1Gi
   *                              192 pods, × 1.25 headroom = 240
   *
   * requests.cpu     = 50×0.5 + 72×1 + 20×2 + 50×0.5 = 162, + 192×0.1 proxy = 181.2;  × 1.25 = 226.5 = 226500m
   * limits.cpu       = 50×1 + 72×2 + 20×4 + 50×1 = 324, + 192×2 proxy = 708;          × 1.25 = 885
   * requests.memory  = 50×1 + 72×2 + 20×4 + 50×1 = 324Gi, + 192×128Mi = 24Gi → 348Gi;  × 1.25 = 435Gi
   * limits.memory    = 324Gi, + 192×1Gi = 192Gi → 516Gi;                              × 1.25 = 645Gi
   * requests.ephemeral-storage = 192×256Mi app + 192×256Mi proxy = 96Gi;               × 1.25 = 120Gi
   * limits.ephemeral-storage   = 192×1Gi app + 192×1Gi proxy = 384Gi;                  × 1.25 = 480Gi
   */
  it('holds every workload at its peak plus 25 % headroom', () => {
    // The example's figures as an inline snapshot (a new service changes them: vitest -u); the rule
    // itself is checked against the rendered workloads of every environment below.
    expect(platformObject<ResourceQuota>(prod, 'ResourceQuota').spec.hard).toMatchInlineSnapshot(`
      {
        "limits.cpu": "885",
        "limits.ephemeral-storage": "480Gi",
        "limits.memory": "645Gi",
        "pods": "240",
        "requests.cpu": "226500m",
        "requests.ephemeral-storage": "120Gi",
        "requests.memory": "435Gi",
      }
    `);
  });

  it('counts blue-green and canary Rollouts twice and rolling Deployments with their surge, explicitly', () => {
    const peaks = Object.fromEntries(workloadPeaks(environment('prod')).map((w) => [w.workload, [w.maxReplicas, w.peakPods]]));
    expect(peaks).toMatchInlineSnapshot(`
      {
        "ai": [
          10,
          20,
        ],
        "backend": [
          36,
          72,
        ],
        "frontend": [
          40,
          50,
        ],
        "worker": [
          40,
          50,
        ],
      }
    `);
  });

  /*
   * Defaults: the smallest service (frontend/worker: 500m / 1Gi / 256Mi requests, 1 / 1Gi / 1Gi limits).
   * Max: the largest limit of any container: ai's 4 CPU / 4Gi / 1Gi (Istio's proxy, 2 / 1Gi, fits under).
   */
  it('defaults containers to the smallest service and caps them at the largest limit', () => {
    expect(platformObject<LimitRange>(prod, 'LimitRange').spec.limits).toEqual([
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
   * No mesh, so no proxy; every service rolls, surging by ceil(25 % × max).
   *   frontend 2+1 × 125m/256Mi, backend 2+1 × 250m/512Mi, ai 1+1 × 250m/1Gi, worker 2+1 × 125m/256Mi = 11 pods
   * pods = ceil(11 × 1.25) = 14
   * requests.cpu = 375 + 750 + 500 + 375 = 2000m; × 1.25 = 2500m
   * requests.memory = 768 + 1536 + 2048 + 768 = 5120Mi; × 1.25 = 6400Mi (limits equal: memory is guaranteed)
   * limits.cpu = 2 × 2000m = 4000m; × 1.25 = 5000m = 5
   */
  it('has no proxy, counts the surge of every rolling Deployment, and rounds up', () => {
    const {
      pods,
      'requests.cpu': cpu,
      'limits.cpu': cpuLimit,
      'requests.memory': memory,
      'limits.memory': memoryLimit,
    } = platformObject<ResourceQuota>(rendered('dev'), 'ResourceQuota').spec.hard;
    expect({
      pods,
      'requests.cpu': cpu,
      'limits.cpu': cpuLimit,
      'requests.memory': memory,
      'limits.memory': memoryLimit,
    }).toMatchInlineSnapshot(`
      {
        "limits.cpu": "5",
        "limits.memory": "6400Mi",
        "pods": "14",
        "requests.cpu": "2500m",
        "requests.memory": "6400Mi",
      }
    `);
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
  const quota = platformObject<ResourceQuota>(env, 'ResourceQuota');
  const [limits] = platformObject<LimitRange>(env, 'LimitRange').spec.limits;

  /** Independent of the environment arithmetic: read each workload's pods and its autoscaler's max from the YAML. */
  function renderedPeak() {
    const scalers = [...objects<Scaler>(env, 'HorizontalPodAutoscaler'), ...objects<Scaler>(env, 'ScaledObject')];
    const maxOf = (workload: WorkloadJson) => {
      const scaler = scalers.find(
        (s) => s.spec.scaleTargetRef.name === workload.metadata.name && (s.spec.scaleTargetRef.kind ?? 'Deployment') === workload.kind,
      );
      // A workload no autoscaler sizes (a fixed-size worker) runs its own spec.replicas.
      return scaler === undefined ? workload.spec.replicas! : (scaler.spec.maxReplicas ?? scaler.spec.maxReplicaCount)!;
    };
    let pods = 0;
    const requests = { cpu: 0, memory: 0, 'ephemeral-storage': 0 };
    for (const workload of nonEmpty(env.objects.filter(isWorkload), `${name}: workloads`)) {
      const strategy = workload.spec.strategy!;
      const count = maxOf(workload) * (strategy.blueGreen || strategy.canary ? 2 : 1);
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
    // A job's runs: one at a time under Forbid, two under Replace, one a minute for its deadline under Allow.
    for (const cron of objects<CronJobJson>(env, 'CronJob')) {
      const { concurrencyPolicy, jobTemplate } = cron.spec;
      const count =
        concurrencyPolicy === 'Forbid'
          ? 1
          : concurrencyPolicy === 'Replace'
            ? 2
            : Math.ceil(jobTemplate.spec.activeDeadlineSeconds / 60) + 1;
      pods += count;
      for (const c of jobTemplate.spec.template.spec.containers) {
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
      [
        'pods',
        'requests.cpu',
        'requests.memory',
        'requests.ephemeral-storage',
        'limits.cpu',
        'limits.memory',
        'limits.ephemeral-storage',
      ].sort(),
    );
    expect(quota.metadata.namespace).toBe(spec.namespace);
  });

  it('lets every rendered container (and Istio proxy) through the LimitRange maximum', () => {
    const max = amountsOf(limits.max);
    for (const workload of nonEmpty(env.objects.filter(isWorkload), `${name}: workloads`)) {
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
