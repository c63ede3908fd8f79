/**
 * Every number the architecture documents care about, with the value the platform uses when an
 * environment does not set it. This is the one place a default is written: the environment schema
 * fills these in (so `npm run explain` can say where a value came from), and the constructs document
 * and fall back to the same constants.
 */

/** Seconds in a minute, for readable windows. */
const MINUTE = 60;

/**
 * A web service's HPA (seeds 002 and 003): CPU 70 %, memory 80 %; double within a minute when load
 * arrives, shed at most 10 % a minute once it has stayed low for five.
 */
export const AUTOSCALING_DEFAULTS = {
  cpuPercent: 70,
  memoryPercent: 80,
  scaleUp: { percent: 100, periodSeconds: MINUTE, stabilizationSeconds: MINUTE },
  scaleDown: { percent: 10, periodSeconds: MINUTE, stabilizationSeconds: 5 * MINUTE },
} as const;

/** Seed 001's circuit breaker and the route's timeout and retries, per web service. */
export const TRAFFIC_DEFAULTS = {
  timeoutSeconds: 15,
  retries: { attempts: 2, perTryTimeoutSeconds: 5 },
  connectionPool: { maxConnections: 1000, maxPendingRequests: 1000, maxRequestsPerConnection: 0 },
  outlierDetection: { consecutive5xxErrors: 5, intervalSeconds: 10, baseEjectionSeconds: 30, maxEjectionPercent: 50 },
} as const;

/**
 * A rolling update: extra pods above the desired count, percent (rounded up per Deployment). Old pods
 * go only once new ones are ready (maxUnavailable 0).
 */
export const ROLLING_DEFAULTS = { maxSurgePercent: 25 } as const;

/** How long a release may make no progress before it is failed (Deployments) or aborted (Rollouts). */
export const PROGRESS_DEADLINE_SECONDS = 600;

/** Blue-green: seed 002's manual promotion after the preview has passed its gate, and a quick rollback. */
export const BLUE_GREEN_DEFAULTS = { autoPromotion: false, scaleDownDelaySeconds: 30 } as const;

/**
 * Rollout analyses (seed 002): one measurement a minute; a pre-promotion gate takes five before it
 * passes. Argo Rollouts fails an analysis when its failed measurements exceed `failureLimit`: with 1,
 * one failed measurement is tolerated and a second fails it, and a failed analysis aborts the rollout.
 */
export const ANALYSIS_DEFAULTS = { intervalSeconds: MINUTE, prePromotionMeasurements: 5, failureLimit: 1 } as const;

/** Pods of one workload that a voluntary disruption (a node drain) may take at once. */
export const DISRUPTION_DEFAULTS = { maxUnavailable: 1 } as const;

/** KEDA on queue depth (seed 004): poll every 15 s; wait five minutes on an empty queue before scaling in. */
export const QUEUE_SCALING_DEFAULTS = { pollingSeconds: 15, cooldownSeconds: 5 * MINUTE } as const;

/** Seconds a web pod gets to drain its connections when it is stopped (at least its route timeout plus the margin below). */
export const WEB_TERMINATION_GRACE_SECONDS = 30;

/**
 * In the mesh, Istio's proxy keeps draining this many seconds less than the pod's grace period: long
 * enough for the last request (or task) to finish through it, short enough to exit before the
 * kubelet's SIGKILL.
 */
export const PROXY_DRAIN_MARGIN_SECONDS = 10;

/** A queue worker finishes the task in hand on SIGTERM (Celery's warm shutdown): its longest task plus this margin. */
export const WORKER_SHUTDOWN_MARGIN_SECONDS = 30;

/** The image of the smoke traffic a blue-green gate sends its preview (curl, pinned). */
export const SMOKE_IMAGE = { repository: 'docker.io/curlimages/curl', tag: '8.11.1' } as const;
