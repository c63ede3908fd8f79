/**
 * Every number the architecture documents care about, with the value the platform uses when an
 * environment does not set it. This is the one place a default is written: the environment schema
 * fills these in (so `npm run explain` can say where a value came from), and the constructs document
 * and fall back to the same constants.
 */

/** Seconds in a minute, for readable windows. */
const MINUTE = 60;

/**
 * A web service's HPA: CPU 70 %, memory 80 % (CAP-03), and CAP-03's pace (double within a minute,
 * shed at most 10 % a minute) held back by CAP-03's windows, from the triggers "CPU > 70 % for 3 min → scale up,
 * CPU < 30 % for 10 min → scale down". An HPA has one target per metric and no separate scale-down
 * threshold, so the windows are the stabilization windows: it scales up only on what the last three
 * minutes of recommendations all asked for, and down only once ten minutes have asked for fewer pods.
 * The 30 % is not expressible: below the 70 % target (less the HPA's 10 % tolerance) it removes pods in
 * proportion, at most 10 % a minute.
 */
export const AUTOSCALING_DEFAULTS = {
  cpuPercent: 70,
  memoryPercent: 80,
  scaleUp: { percent: 100, periodSeconds: MINUTE, stabilizationSeconds: 3 * MINUTE },
  scaleDown: { percent: 10, periodSeconds: MINUTE, stabilizationSeconds: 10 * MINUTE },
} as const;

/**
 * CAP-04: "request latency > 500 ms → scale API pods", from Prometheus through KEDA: the p95 of
 * Istio's server-side request durations over two minutes. When Prometheus fails three polls in a row
 * KEDA falls back to keeping at least the current pod count (never fewer on a missing metric).
 */
export const LATENCY_SCALING_DEFAULTS = { p95Milliseconds: 500, windowSeconds: 2 * MINUTE, failureThreshold: 3 } as const;

/** AVL-03's circuit breaker and the route's timeout and retries, per web service. */
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

/** Blue-green: DEL-01's manual promotion after the preview has passed its gate, and a quick rollback. */
export const BLUE_GREEN_DEFAULTS = { autoPromotion: false, scaleDownDelaySeconds: 30 } as const;

/**
 * Rollout analyses (DEL-01, DEL-02): one measurement a minute; a pre-promotion gate takes five before it
 * passes. Argo Rollouts fails an analysis when its failed measurements exceed `failureLimit`: with 1,
 * one failed measurement is tolerated and a second fails it, and a failed analysis aborts the rollout.
 */
export const ANALYSIS_DEFAULTS = { intervalSeconds: MINUTE, prePromotionMeasurements: 5, failureLimit: 1 } as const;

/**
 * The container port a web service serves its metrics on, apart from the port its routes reach (9464:
 * the OpenTelemetry Prometheus exporter's default, which no platform service listens on).
 */
export const METRICS_DEFAULTS = { port: 9464 } as const;

/** Pods of one workload that a voluntary disruption (a node drain) may take at once. */
export const DISRUPTION_DEFAULTS = { maxUnavailable: 1 } as const;

/** KEDA on queue depth (CAP-05): poll every 15 s; wait five minutes on an empty queue before scaling in. */
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

/** Hours, days, for the data layer's windows. */
const HOUR = 60 * MINUTE;

/**
 * PostgreSQL run by CloudNativePG (DAT-02). The image is CloudNativePG's `standard` type
 * (the `system` type is deprecated; backups go through the Barman Cloud plugin instead), PostgreSQL
 * 18.6 on Debian bookworm, the newest minor in the operand catalogs of 2026-08-17. CloudNativePG
 * rebuilds `18.6-standard-bookworm` (weekly, with Debian's fixes), so the image is that catalog's
 * build: its timestamped tag and digest (cloudnative-pg/artifacts image-catalogs/catalog-standard-bookworm.yaml
 * at ce5057c, images.cnpg.io/date 20260817). Moving to a newer build is a reviewed change of both here.
 */
export const POSTGRES_DEFAULTS = {
  namespace: 'data',
  image: {
    repository: 'ghcr.io/cloudnative-pg/postgresql',
    tag: '18.6-202608170814-standard-bookworm',
    digest: 'sha256:9446e83aa490df3f14ebf5bf2f6002a1347728690ff38f35dd7a85b925a62468',
  },
  instances: 1,
  /** Server connections; the pooler keeps the apps' connections far below it. */
  maxConnections: 200,
  database: 'app',
  /** The app secret that holds the connection URL (environments/platform.ts services' `secrets`). */
  urlSecret: 'database-url',
  /** The secret in the environment's store that holds the app role's password, in both regions. */
  passwordSecret: 'postgres-password',
  /** AVL-04: RPO 5 minutes. */
  rpoMinutes: 5,
  pooler: {
    instances: 2,
    /** Transaction pooling (DAT-06): a server connection is held only for a transaction. */
    poolMode: 'transaction',
    /** DAT-06: PgBouncer with 200 client connections, shared by the pooler's pods. */
    maxClientConnections: 200,
    /** Server connections per pod for the app's database and role, and the reserve for bursts. */
    defaultPoolSize: 20,
    reservePoolSize: 5,
    resources: { cpu: '500m', memory: '256Mi' },
  },
  backups: {
    /** DAT-07: a full (base) backup every 6 hours. */
    everyHours: 6,
    /** DAT-02: 30 days of retention. */
    retentionDays: 30,
    /** DAT-02: point-in-time recovery to any time within 7 days. */
    pointInTimeDays: 7,
    /**
     * A WAL segment is archived at least this often even when it is not full. CloudNativePG's own
     * default is 5 minutes, which is the whole RPO before the upload and the DR replica's replay.
     */
    archiveTimeoutSeconds: 2 * MINUTE,
    path: 'postgres',
  },
  /** The Barman Cloud sidecar in every instance pod (Guaranteed QoS needs its limits = requests). */
  sidecarResources: { cpu: '250m', memory: '256Mi' },
  alerts: {
    /** A base backup is late once it is this much older than its schedule. */
    backupMarginMinutes: 2 * 60,
    /** OPS-05: "database connections > 80 % → add read replicas". */
    connectionsPercent: 80,
  },
} as const;

/**
 * Redis run by the OT-CONTAINER-KIT redis-operator (DAT-03: three nodes, AOF, hourly RDB snapshots).
 * Images are the operator's own builds of Redis 7.2, the last BSD-licensed line (Redis 7.4 and later
 * are RSALv2/SSPLv1, 8 adds AGPLv3), with its Sentinel and exporter: 7.2.16, past 7.2.11, the first 7.2
 * release fixed for CVE-2025-49844 (an authenticated Lua use-after-free; 7.0 is end-of-life and has no
 * fix), rule data/redis-release. The operator (Apache-2.0, v0.26.0 of
 * July 2026) is chosen over valkey-operator (Apache-2.0 too, but v1alpha1 and not declared
 * production-ready).
 */
export const REDIS_DEFAULTS = {
  namespace: 'data',
  image: { repository: 'quay.io/opstree/redis', tag: 'v7.2.16' },
  sentinelImage: { repository: 'quay.io/opstree/redis-sentinel', tag: 'v7.2.16' },
  exporterImage: { repository: 'quay.io/opstree/redis-exporter', tag: 'v1.44.0' },
  /** A primary and two replicas. */
  nodes: 3,
  /** Three Sentinels: a quorum of two survives one loss. */
  sentinels: 3,
  persistence: { appendfsync: 'everysec', snapshotSeconds: HOUR },
  /** maxmemory as a share of the container's limit: AOF rewrites and RDB forks need the rest. */
  maxMemoryPercent: 50,
  urlSecret: 'redis-url',
  passwordSecret: 'redis-password',
  sentinelResources: { cpu: '100m', memory: '128Mi' },
  exporterResources: { cpu: '50m', memory: '64Mi' },
} as const;

/** Chaos drills (AVL-05: weekly in staging, monthly pod-failure drills in production), off unless an environment asks. */
export const CHAOS_DEFAULTS = { podKill: 'off', includePrimaries: false, failover: false } as const;
