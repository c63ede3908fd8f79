/**
 * How a web service is rolled out, routed and scaled: its strategy (rolling, blue-green, canary), its
 * Istio traffic policy, its autoscaler, and the tracks that run beside its main version.
 */
import { z } from 'zod';
import { AUTOSCALING_DEFAULTS, BLUE_GREEN_DEFAULTS, LATENCY_SCALING_DEFAULTS, TRAFFIC_DEFAULTS } from '../../lib/defaults';
import type { Environment as Env } from '../schema';
import { type Ctx, image, int32, replicas, strict } from './common';

const rollingStrategy = strict({ type: z.literal('rolling') });

const blueGreenStrategy = strict({
  type: z.literal('blueGreen'),
  /** Promote without a human once the pre-promotion analysis passes. */
  autoPromotion: z.boolean().default(BLUE_GREEN_DEFAULTS.autoPromotion),
  /** Seconds the old version keeps running after promotion, for an instant rollback. */
  scaleDownDelaySeconds: z.number().int().min(0).max(3600).default(BLUE_GREEN_DEFAULTS.scaleDownDelaySeconds),
});

const canaryStep = strict({
  /** Percent of traffic the canary receives at this step. */
  weight: z.number().int().min(1, 'must be 1-100').max(100, 'must be 1-100'),
  /** Seconds to hold this weight before the next step. @default - no pause */
  pauseSeconds: z.number().int().min(1).max(86_400).optional(),
});

const canaryStrategy = strict({
  type: z.literal('canary'),
  steps: z.array(canaryStep).min(1, 'must have at least one step'),
});

/** The strategy variants, by their `type` (also what an overlay merge keeps when the type changes). */
export const STRATEGY_VARIANTS = [rollingStrategy, blueGreenStrategy, canaryStrategy] as const;

export const strategy = z.discriminatedUnion('type', STRATEGY_VARIANTS, {
  error: () => 'must be one of the strategies: rolling, blueGreen, canary',
});

/** Istio traffic policy of one web service: the route's timeout and retries, AVL-03's circuit breaker. */
export const traffic = strict({
  /** Whole-request timeout on the route, seconds. */
  timeoutSeconds: z.number().positive().max(3600).default(TRAFFIC_DEFAULTS.timeoutSeconds),
  /** Retries of requests that never reached the app; `attempts: 0` turns them off. */
  retries: strict({
    attempts: z.number().int().min(0).max(10).default(TRAFFIC_DEFAULTS.retries.attempts),
    perTryTimeoutSeconds: z.number().positive().max(3600).default(TRAFFIC_DEFAULTS.retries.perTryTimeoutSeconds),
  }).prefault({}),
  connectionPool: strict({
    maxConnections: int32.min(1).default(TRAFFIC_DEFAULTS.connectionPool.maxConnections),
    maxPendingRequests: int32.min(1).default(TRAFFIC_DEFAULTS.connectionPool.maxPendingRequests),
    /** 0: unlimited (keep-alive connections are reused without limit). */
    maxRequestsPerConnection: int32.min(0).default(TRAFFIC_DEFAULTS.connectionPool.maxRequestsPerConnection),
  }).prefault({}),
  outlierDetection: strict({
    consecutive5xxErrors: int32.min(1).default(TRAFFIC_DEFAULTS.outlierDetection.consecutive5xxErrors),
    intervalSeconds: z.number().int().min(1).max(86_400).default(TRAFFIC_DEFAULTS.outlierDetection.intervalSeconds),
    baseEjectionSeconds: z.number().int().min(1).max(86_400).default(TRAFFIC_DEFAULTS.outlierDetection.baseEjectionSeconds),
    maxEjectionPercent: z.number().int().min(1).max(100).default(TRAFFIC_DEFAULTS.outlierDetection.maxEjectionPercent),
  }).prefault({}),
});

const scalingPolicy = (defaults: { percent: number; periodSeconds: number; stabilizationSeconds: number }) =>
  strict({
    /** Most the replica count may change in one period, percent. */
    percent: z.number().int().min(1).max(1000).default(defaults.percent),
    periodSeconds: z.number().int().min(1).max(1800).default(defaults.periodSeconds),
    /** How long the signal must hold before the HPA acts on it. */
    stabilizationSeconds: z.number().int().min(0).max(3600).default(defaults.stabilizationSeconds),
  }).prefault({});

/**
 * CAP-04's "request latency > 500 ms → scale API pods": the p95 of the service's requests as Istio's
 * proxies report them, read from Prometheus by a KEDA ScaledObject that then owns the replica count
 * (an HPA and a ScaledObject must never both scale one workload).
 */
const latencyScaling = strict({
  /** Scale up when the p95 of the service's request durations exceeds this, milliseconds. */
  p95Milliseconds: z.number().int().min(1).max(600_000).default(LATENCY_SCALING_DEFAULTS.p95Milliseconds),
  /** The window the p95 is computed over, seconds. */
  windowSeconds: z.number().int().min(30).max(3600).default(LATENCY_SCALING_DEFAULTS.windowSeconds),
});

/** A web service's autoscaler: utilization targets, how fast it may move, and an optional latency trigger. */
export const autoscaling = strict({
  cpuPercent: z.number().int().min(1).max(100).default(AUTOSCALING_DEFAULTS.cpuPercent),
  memoryPercent: z.number().int().min(1).max(100).default(AUTOSCALING_DEFAULTS.memoryPercent),
  scaleUp: scalingPolicy(AUTOSCALING_DEFAULTS.scaleUp),
  scaleDown: scalingPolicy(AUTOSCALING_DEFAULTS.scaleDown),
  /** Also scale on request latency (needs mesh.enabled: Istio reports it). @default - CPU and memory only (an HPA) */
  latency: latencyScaling.optional(),
});

/** Another version of a service running beside the main one and taking a fixed share of its traffic. */
export const track = strict({
  tag: image.shape.tag,
  /** Percent of the service's traffic this track receives; the main track keeps the rest. */
  weight: z.number().int().min(1, 'must be 1-99').max(99, 'must be 1-99'),
  replicas,
});

/** Track names the platform uses itself: the main track and the canary subsets. */
export const RESERVED_TRACKS = ['main', 'stable', 'canary'];

type Web = Extract<Env['services'][string], { kind: 'web' }>;

/** Canary weights only rise; tracks share less than all traffic, run in the mesh beside a rolling main track. */
export function checkStrategy(env: Env, name: string, svc: Web, ctx: Ctx): void {
  const at = ['services', name, 'strategy', 'type'];
  const { strategy: chosen } = svc;
  if (chosen.type === 'canary') {
    if (!env.mesh.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: at,
        input: chosen.type,
        message: 'needs mesh.enabled: the canary weight is set on the Istio VirtualService',
      });
    }
    chosen.steps.forEach((step, index) => {
      const previous = chosen.steps[index - 1];
      if (previous !== undefined && step.weight <= previous.weight) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', name, 'strategy', 'steps', index, 'weight'],
          input: step.weight,
          message: `must be above the previous step's weight (${previous.weight}): canary weights only rise`,
        });
      }
    });
  }
  const tracks = Object.entries(svc.tracks ?? {});
  if (tracks.length > 0) {
    const total = tracks.reduce((sum, [, t]) => sum + t.weight, 0);
    if (total >= 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['services', name, 'tracks'],
        input: total,
        message: 'track weights must add up to less than 100: the main track keeps the rest',
      });
    }
    if (!env.mesh.enabled || chosen.type !== 'rolling') {
      ctx.addIssue({
        code: 'custom',
        path: ['services', name, 'tracks'],
        input: Object.keys(svc.tracks ?? {}),
        message: 'weighted tracks need mesh.enabled and the rolling strategy',
      });
    }
    for (const [trackName, t] of tracks) {
      if (t.replicas.min < 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', name, 'tracks', trackName, 'replicas', 'min'],
          input: t.replicas.min,
          message: 'must be at least 1',
        });
      }
      if (t.replicas.max < t.replicas.min) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', name, 'tracks', trackName, 'replicas', 'max'],
          input: t.replicas.max,
          message: `must be at least replicas.min (${t.replicas.min})`,
        });
      }
      if (RESERVED_TRACKS.includes(trackName)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', name, 'tracks', trackName],
          input: trackName,
          message: `is reserved; use another name than ${RESERVED_TRACKS.join(', ')}`,
        });
      }
    }
  }
}
