/**
 * The typed model of an environment, validated when it is loaded. Everything a chart needs to know
 * about dev, staging, prod or a region is here. Every number an environment may leave out has its
 * default in lib/defaults.ts, filled in here, so the resolved environment states every value used.
 *
 * Every object is strict: an unknown key is an error, because a typo'd key that silently does
 * nothing is how production drifts from what a reviewer approved.
 */
import { z } from 'zod';
import { isQuantity, parseQuantity } from '../lib/core/quantity';
import {
  ANALYSIS_DEFAULTS,
  AUTOSCALING_DEFAULTS,
  BLUE_GREEN_DEFAULTS,
  CHAOS_DEFAULTS,
  DISRUPTION_DEFAULTS,
  LATENCY_SCALING_DEFAULTS,
  METRICS_DEFAULTS,
  POSTGRES_DEFAULTS,
  QUEUE_SCALING_DEFAULTS,
  REDIS_DEFAULTS,
  ROLLING_DEFAULTS,
  SMOKE_IMAGE,
  TRAFFIC_DEFAULTS,
} from '../lib/defaults';
import { PLATFORM_ENV } from '../lib/names';
import { resolveRoutes, type ResolvedRoute } from './public-routes';
import { CronError, parseCron } from '../lib/cron';

/**
 * Messages for the checks zod makes itself, in the form every other error here takes: what the field
 * must be. A missing field says it is required rather than "received undefined".
 */
z.config({
  customError: (issue) => {
    switch (issue.code) {
      case 'invalid_type':
        return issue.input === undefined
          ? `is required (${issue.expected})`
          : `must be ${issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}`;
      case 'too_small':
      case 'too_big': {
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const side = issue.code === 'too_small' ? 'at least' : 'at most';
        const exclusive = issue.inclusive === false ? (issue.code === 'too_small' ? 'more than' : 'less than') : side;
        if (issue.origin === 'array') return `must have ${side} ${String(bound)} item${bound === 1 ? '' : 's'}`;
        if (issue.origin === 'string') return `must be ${side} ${String(bound)} character${bound === 1 ? '' : 's'} long`;
        return `must be ${exclusive} ${String(bound)}`;
      }
      case 'not_multiple_of':
        return `must be a multiple of ${String(issue.divisor)}`;
      default:
        return undefined;
    }
  },
});

/**
 * A strict object whose unknown-key error lists the keys that are allowed, after an optional note
 * (what a key that belongs to another variant is for).
 */
function strict<T extends z.ZodRawShape>(shape: T, note?: string) {
  const allowed = Object.keys(shape).join(', ');
  const prefix = note === undefined ? 'unknown key' : `unknown key (${note})`;
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `${prefix}; allowed keys: ${allowed}` : undefined),
  });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REPOSITORY = /^[a-z0-9]+([._\-/:][a-z0-9]+)*$/;

export const dnsLabel = z.string().regex(DNS_LABEL, 'must be a DNS-1123 label: lowercase letters, digits and "-", at most 63 characters');

export const hostname = z.string().regex(HOSTNAME, 'must be a fully qualified lowercase DNS name such as app.example.com');

const quantity = z.string().refine(isQuantity, 'must be a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi');

const resourceSet = strict({
  cpu: quantity,
  memory: quantity,
  ephemeralStorage: quantity,
});

const resources = strict({
  requests: resourceSet,
  limits: resourceSet,
});

const image = strict({
  /** Registry and repository, e.g. `ghcr.io/acme/backend`. */
  repository: z.string().regex(REPOSITORY, 'must be an image repository such as ghcr.io/acme/backend, without a tag'),
  /** An immutable release tag; `latest` moves under you and is refused. */
  tag: z
    .string()
    .regex(IMAGE_TAG, 'must be an image tag: letters, digits, "_", "." and "-", at most 128 characters')
    .refine((tag) => tag !== 'latest', 'must pin a release; "latest" is not allowed'),
  /** @default - tag only */
  digest: z.string().regex(DIGEST, 'must be sha256: followed by 64 hex digits').optional(),
});

/**
 * The most replicas one autoscaler may reach, and the most nodes one pool may have: Kubernetes'
 * documented limits for a single cluster (5,000 nodes). They also bound what the capacity plan packs.
 */
export const MAX_REPLICAS = 5_000;
export const MAX_NODES = 5_000;

/** The largest value of an int32 field of the API (connection limits, counts). */
const INT32_MAX = 2_147_483_647;
const int32 = z.number().int().max(INT32_MAX, `must be at most ${INT32_MAX} (an int32 field of the API)`);

const replicas = strict({
  /** 0 only for queue workers that may scale to zero. */
  min: z.number().int().min(0, 'must be at least 0').max(MAX_REPLICAS, `must be at most ${MAX_REPLICAS}`),
  max: z.number().int().min(1, 'must be at least 1').max(MAX_REPLICAS, `must be at most ${MAX_REPLICAS}`),
});

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

const strategy = z.discriminatedUnion('type', STRATEGY_VARIANTS, {
  error: () => 'must be one of the strategies: rolling, blueGreen, canary',
});

/** Istio traffic policy of one web service: the route's timeout and retries, AVL-03's circuit breaker. */
const traffic = strict({
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
const autoscaling = strict({
  cpuPercent: z.number().int().min(1).max(100).default(AUTOSCALING_DEFAULTS.cpuPercent),
  memoryPercent: z.number().int().min(1).max(100).default(AUTOSCALING_DEFAULTS.memoryPercent),
  scaleUp: scalingPolicy(AUTOSCALING_DEFAULTS.scaleUp),
  scaleDown: scalingPolicy(AUTOSCALING_DEFAULTS.scaleDown),
  /** Also scale on request latency (needs mesh.enabled: Istio reports it). @default - CPU and memory only (an HPA) */
  latency: latencyScaling.optional(),
});

/** Another version of a service running beside the main one and taking a fixed share of its traffic. */
const track = strict({
  tag: image.shape.tag,
  /** Percent of the service's traffic this track receives; the main track keeps the rest. */
  weight: z.number().int().min(1, 'must be 1-99').max(99, 'must be 1-99'),
  replicas,
});

export const ServiceKind = { WEB: 'web', WORKER: 'worker', JOB: 'job' } as const;

/** A schedule a CronJob takes (robfig/cron's ParseStandard): five fields or a descriptor, no seconds, no TZ=. */
function isCronSchedule(value: string): boolean {
  const text = value.trim();
  if (['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'].includes(text)) return true;
  if (text.split(/\s+/).length !== 5) return false;
  try {
    parseCron(text);
    return true;
  } catch (error) {
    if (error instanceof CronError) return false;
    throw error;
  }
}

/**
 * What a web service speaks on its port. Istio picks its proxy's protocol from the Service port's
 * appProtocol (else the port name's prefix): plain HTTP/1.1, HTTP/2 over cleartext, or gRPC
 * (pkg/config/kube/conversion.go, ConvertProtocol). WebSocket is HTTP (an upgraded HTTP/1.1 request).
 */
export const Protocol = { HTTP: 'http', HTTP2: 'http2', GRPC: 'grpc' } as const;

const cidr = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/,
    'must be an IPv4 CIDR such as 10.20.0.0/16',
  );

const port = z.number().int().min(1).max(65535);

/** Ports the Istio proxy and agent listen on inside every pod of the mesh (15000-15090). */
export const ISTIO_RESERVED_PORTS = { first: 15000, last: 15090 } as const;

/** A container port: any TCP port but the range the Istio sidecar reserves in the pod. */
const servicePort = port.refine((value) => value < ISTIO_RESERVED_PORTS.first || value > ISTIO_RESERVED_PORTS.last, {
  error: (issue) =>
    `is reserved by the Istio sidecar: ${String(issue.input)} is in ${ISTIO_RESERVED_PORTS.first}-${ISTIO_RESERVED_PORTS.last}, where the proxy and its agent listen in every pod; choose another port`,
});

/** Where an external endpoint's addresses are, when it has no fixed ranges of its own. */
export const ExternalVia = {
  /**
   * Google's APIs (`*.googleapis.com`, Gemini's generativelanguage.googleapis.com among them) through
   * the cluster's Private Google Access range (`cluster.network.googleApis`, lib/gke-network.ts).
   */
  GOOGLE_APIS: 'google-apis',
} as const;

/**
 * An endpoint outside the cluster a service calls. Two facts, one per layer: the `hosts` it calls,
 * which the mesh registers (a ServiceEntry each; the namespace's sidecars reach registered hosts only),
 * and where they are, which NetworkPolicies need (they cannot name hosts): `cidrs`, or `via` a range
 * the cluster's network defines. `hosts: ['*']` with `cidrs: ['0.0.0.0/0']` declares a service that
 * must reach any public host (a scanner of user-given targets): its sidecar passes any host through.
 */
const externalEndpoint = strict({
  name: dnsLabel,
  port,
  hosts: z
    .array(
      z
        .string()
        .regex(
          /^(\*|(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$/,
          'must be a DNS name such as api.example.com, a wildcard such as *.example.com, or * for any host',
        ),
    )
    .min(1),
  cidrs: z.array(cidr).min(1).optional(),
  via: z.enum([ExternalVia.GOOGLE_APIS], { error: () => 'must be google-apis' }).optional(),
}).superRefine((endpoint, ctx) => {
  if ((endpoint.cidrs === undefined) === (endpoint.via === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['cidrs'],
      input: endpoint.cidrs,
      message: 'must be set, or via, but not both: where the hosts are, for NetworkPolicy',
    });
  }
  if (endpoint.hosts.includes('*') && !(endpoint.cidrs ?? []).includes('0.0.0.0/0')) {
    ctx.addIssue({
      code: 'custom',
      path: ['hosts'],
      input: endpoint.hosts,
      message: '"*" (any host) goes only with cidrs ["0.0.0.0/0"]: name the hosts otherwise',
    });
  }
  if (endpoint.hosts.includes('*') && endpoint.hosts.length > 1) {
    ctx.addIssue({ code: 'custom', path: ['hosts'], input: endpoint.hosts, message: '"*" is every host: list nothing beside it' });
  }
  if (endpoint.via === ExternalVia.GOOGLE_APIS && endpoint.hosts.some((h) => !h.endsWith('.googleapis.com'))) {
    ctx.addIssue({
      code: 'custom',
      path: ['hosts'],
      input: endpoint.hosts,
      message: 'must be *.googleapis.com names: Private Google Access serves only Google APIs',
    });
  }
});

export const Broker = { REDIS: 'redis', RABBITMQ: 'rabbitmq' } as const;

const queue = strict({
  /** CAP-05: Celery on Redis; RabbitMQ is the other Celery broker. */
  broker: z.enum([Broker.REDIS, Broker.RABBITMQ]),
  /** The Redis list or RabbitMQ queue the workers consume; the worker reads it from QUEUE_NAME. */
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,255}$/, 'must be a queue name: letters, digits, "_", ".", ":" and "-"'),
  /** Waiting tasks one replica is expected to absorb (CAP-05: 100). */
  targetPerReplica: z.number().int().min(1).max(1_000_000),
  /** Scale to zero replicas when the queue is empty. */
  scaleToZero: z.boolean(),
  /** The longest a task may run; shutdown waits this long for it to finish. */
  taskTimeoutSeconds: z.number().int().min(1).max(86_400),
  /** How often KEDA reads the queue's length, seconds. */
  pollingSeconds: z.number().int().min(1).max(3600).default(QUEUE_SCALING_DEFAULTS.pollingSeconds),
  /** How long the queue must stay empty before the workers go, seconds. */
  cooldownSeconds: z.number().int().min(0).max(86_400).default(QUEUE_SCALING_DEFAULTS.cooldownSeconds),
  /**
   * The services that enqueue tasks on it, each using the same broker store. On a Redis the platform
   * operates each user gets an ACL user with only the commands its role needs: a producer may push to
   * lists and publish, any other user of the store only caches. @default - every other service that
   * uses the broker store
   */
  producers: z.array(dnsLabel).optional(),
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** Fields every service has, whatever its kind. */
const serviceCommon = {
  /** Set false to leave the service out of this environment; calls to it are then an error. */
  enabled: z.boolean().default(true),
  /** app.kubernetes.io/component, e.g. `api`. */
  component: dnsLabel,
  image,
  /** The container's entrypoint. @default - the image's */
  command: z.array(z.string().min(1)).min(1).optional(),
  /** Arguments to the entrypoint. @default - the image's */
  args: z.array(z.string()).optional(),
  /** Plain (non-secret) environment variables of the container. Secrets are `secrets`, mounted as files. */
  env: z
    .record(
      z.string().regex(ENV_NAME, 'must be an environment variable name: letters, digits and "_", not starting with a digit'),
      z.string(),
    )
    .default({}),
  /** Non-secret configuration files, from a ConfigMap mounted read-only in /etc/app. @default - none */
  config: z.record(z.string().regex(CONFIG_KEY, 'must be a file name: letters, digits, "-", "_" and "."'), z.string()).optional(),
  /** Seconds the service may take to start; adds a startup probe that holds liveness off until then. */
  startupSeconds: z.number().int().min(1).max(3600).optional(),
  replicas,
  resources,
  /** Node pool the pods run on; a key of `nodePools`. */
  pool: dnsLabel,
  /** Tolerate spot/preemptible nodes (interruptible work only). */
  spot: z.boolean(),
  /** The services this one calls: the one service graph mesh and network policies derive from. */
  calls: z.array(dnsLabel),
  /** Data stores (keys of `dataStores`) this service connects to; egress is allowed to these only. */
  uses: z.array(dnsLabel),
  /** Endpoints outside the cluster this service calls (a model provider's API). */
  egress: z.array(externalEndpoint),
  /** Secret names (under `secrets.prefix` in the store) mounted as files in /var/run/secrets/app. */
  secrets: z.array(dnsLabel),
  /** Pods a node drain may take at once (the PDB's maxUnavailable). */
  maxUnavailable: z
    .number()
    .int()
    .min(1, 'must be at least 1, or no node could ever be drained')
    .max(MAX_REPLICAS)
    .default(DISRUPTION_DEFAULTS.maxUnavailable),
  /** Extra pods a rolling update may start above the desired count, percent. */
  maxSurgePercent: z.number().int().min(1).max(100).default(ROLLING_DEFAULTS.maxSurgePercent),
};

/** A service behind a ClusterIP Service that serves HTTP, HTTP/2 or gRPC. */
const webService = strict({
  kind: z.literal(ServiceKind.WEB),
  ...serviceCommon,
  /** Container port. */
  port: servicePort,
  /**
   * What the port speaks: `http` (HTTP/1.1, WebSocket included), `http2` (HTTP/2 over cleartext) or
   * `grpc`. It names the Service port and sets its appProtocol, so the mesh proxies it as such, and
   * chooses the probes (a gRPC health check for `grpc`). @default 'http'
   */
  protocol: z.enum([Protocol.HTTP, Protocol.HTTP2, Protocol.GRPC]).default(Protocol.HTTP),
  /** HTTP path of the readiness probe (`http` and `http2`; a `grpc` service answers grpc.health.v1 instead). */
  healthPath: z
    .string()
    .regex(/^\/[\x21-\x7e]*$/, 'must be an absolute URL path such as /health')
    .optional(),
  /** The service name a `grpc` service's grpc.health.v1 check asks about. @default '' (the server as a whole) */
  grpcHealthService: z.string().max(255).optional(),
  /** HTTP path of the Prometheus metrics it serves on `metricsPort`. @default - no metrics scraped */
  metricsPath: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]*$/, 'must be an absolute URL path such as /metrics')
    .optional(),
  /**
   * The container port it serves `metricsPath` on, named `metrics`: never `port`, which its Services
   * and so its public routes reach (a route to `/` would publish `/metrics`). No Service exposes it;
   * Prometheus scrapes it on the pods. @default 9464
   */
  metricsPort: servicePort.default(METRICS_DEFAULTS.port),
  strategy,
  /** Its HPA's targets and pace. */
  autoscaling: autoscaling.prefault({}),
  /** Its route's timeout and retries, and its circuit breaker. */
  traffic: traffic.prefault({}),
  /** Versions that run beside the main one with a weighted share of traffic (DEL-03's 80/20). */
  tracks: z.record(dnsLabel, track).optional(),
});

/**
 * A worker: no Service, an exec health check. With a queue it is scaled by KEDA on the queue's depth
 * (and may sleep at zero); without one it runs a fixed number of pods (replicas.min = replicas.max).
 */
const workerService = strict(
  {
    kind: z.literal(ServiceKind.WORKER),
    ...serviceCommon,
    /** Exec command that proves a worker is alive (workers have no HTTP port). */
    healthCommand: z.array(z.string().min(1)).min(1),
    /** Its queue: what it consumes (QUEUE_NAME), what it scales on (KEDA) and how long a task may run. @default - a fixed-size worker */
    queue: queue.optional(),
    /** Seconds a fixed-size worker gets to finish its work on shutdown. @default 30 (a queue worker gets its task timeout) */
    shutdownSeconds: z.number().int().min(1).max(86_400).optional(),
  },
  `a worker takes no traffic and always rolls out: ${Object.keys(webService.shape)
    .filter((key) => !(key in serviceCommon) && key !== 'kind')
    .join(', ')} are for web services`,
);

const {
  replicas: _replicas,
  maxUnavailable: _maxUnavailable,
  maxSurgePercent: _maxSurge,
  startupSeconds: _startup,
  ...jobCommon
} = serviceCommon;

/**
 * A periodic job: a CronJob that starts a pod on a schedule and waits for it to finish. Same identity,
 * secrets, Pod Security, network and mesh treatment as the other kinds; in the mesh its proxy runs as
 * a native sidecar, so it never keeps the Job from completing.
 */
const jobService = strict(
  {
    kind: z.literal(ServiceKind.JOB),
    ...jobCommon,
    /** Cron schedule, five fields (minute hour day-of-month month day-of-week), or @hourly, @daily, ... */
    schedule: z
      .string()
      .refine(
        (value) => isCronSchedule(value),
        'must be a cron schedule of five fields such as "0 3 * * *", or @hourly, @daily, @weekly, @monthly',
      ),
    /** IANA time zone the schedule is read in (CronJob spec.timeZone). @default 'Etc/UTC' */
    timeZone: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/, 'must be an IANA time zone such as Europe/Paris or Etc/UTC')
      .default('Etc/UTC'),
    /** What a run due while the last one still runs does: skip it (Forbid), replace the last, or run both. @default 'Forbid' */
    concurrencyPolicy: z.enum(['Forbid', 'Replace', 'Allow']).default('Forbid'),
    /** The longest one run may take, seconds (the Job's activeDeadlineSeconds): a hung run is stopped. */
    deadlineSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400),
    /** How late a run may still start after its time (the controller was down), seconds. @default 300 */
    startingDeadlineSeconds: z.number().int().min(10).max(86_400).default(300),
    /** Retries of a failed run before the Job is marked failed. @default 2 */
    backoffLimit: z.number().int().min(0).max(10).default(2),
    /** Finished Jobs kept for inspection. */
    history: strict({
      successful: z.number().int().min(0).max(100).default(3),
      failed: z.number().int().min(1).max(100).default(3),
    }).prefault({}),
  },
  'a job runs to completion on a schedule: it takes no traffic, has no replicas and no health probes',
);

/** The service variants, by their `kind`. */
export const SERVICE_VARIANTS = [webService, workerService, jobService] as const;

const service = z.discriminatedUnion('kind', SERVICE_VARIANTS, {
  error: () =>
    'must be one of the kinds: web (with port and healthPath), worker (with healthCommand, and a queue or a fixed size), job (with schedule and deadlineSeconds); a service the base does not declare needs its kind and every field',
});

const nodePool = strict({
  machineType: z.string().min(1),
  minNodes: z.number().int().min(0).max(MAX_NODES, `must be at most ${MAX_NODES}`),
  maxNodes: z.number().int().min(1).max(MAX_NODES, `must be at most ${MAX_NODES}`),
  /** Spot/preemptible capacity; its nodes carry the cluster's spot taint. */
  spot: z.boolean(),
});

const machineType = strict({
  /** vCPUs of one node. */
  cpu: z.number().positive(),
  /** Memory of one node, GiB. */
  memoryGiB: z.number().positive(),
  /** On-demand list price per node-hour, USD. */
  pricePerHour: z.number().nonnegative(),
  /** Spot/preemptible list price per node-hour, USD. */
  spotPricePerHour: z.number().nonnegative(),
});

/** A persistent disk type: its list price. */
const storageClass = strict({
  /** USD per GiB and month. */
  pricePerGiBMonth: z.number().nonnegative(),
});

/** Scheduled chaos drills (Chaos Mesh). */
const chaos = strict({
  /** Pod-kill drills of every service and data store: weekly (staging), monthly (production, opt-in), or off. */
  podKill: z.enum(['off', 'weekly', 'monthly']).default(CHAOS_DEFAULTS.podKill),
  /** Also kill the data stores' primaries (the PostgreSQL primary, the Redis master). */
  includePrimaries: z.boolean().default(CHAOS_DEFAULTS.includePrimaries),
  /**
   * A failover drill: kill the current master of every Redis with Sentinels, so its clients are seen to
   * follow the promotion (staging). @default false
   */
  failover: z.boolean().default(CHAOS_DEFAULTS.failover),
});

/** What serves the public edge. */
export const EdgeImplementation = {
  /** Gateway API, implemented by NGINX Gateway Fabric (maintained; the default). */
  GATEWAY: 'gateway',
  /** The retired ingress-nginx (no releases since March 2026), for clusters that still run it. */
  INGRESS_NGINX: 'ingress-nginx',
} as const;

/** A path of a public route: a prefix (segment-wise, the default) or exactly that path. */
const routePath = strict({
  path: z.string().regex(/^\/[A-Za-z0-9/_.~-]*$/, 'must be an absolute URL path such as /admin'),
  match: z.enum(['prefix', 'exact']).default('prefix'),
});

/** One service the edge exposes: the hosts it answers on and, for http and http2 services, its paths there. */
const publicRoute = strict({
  /** The enabled web service that serves it. */
  service: dnsLabel,
  /** Hosts it answers on: each gets its own HTTPS listener and a name on the public certificate. */
  hosts: z.array(hostname).min(1),
  /**
   * Paths on every one of those hosts. A `grpc` service takes every method of its hosts (a GRPCRoute),
   * so it states none, and its hosts are its own. @default [{ path: '/', match: 'prefix' }]
   */
  paths: z.array(routePath).min(1).optional(),
});

/** A claim of a verified token, by name (top level). */
const claimName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/, 'must be a claim name such as sub or tier');

/** The issuer of the users' bearer tokens (JWTs): per-user limits key on the claims its verified tokens carry. */
const identity = strict({
  /** The `iss` a token must carry. */
  issuer: z.string().min(1),
  /** The issuer's JSON Web Key Set, which proves a token. */
  jwksUri: z
    .string()
    .url()
    .regex(/^https:\/\//, 'must be an https:// URL: the keys that prove a token are fetched over TLS'),
  /** A token must name one of these audiences (`aud`). */
  audiences: z.array(z.string().min(1)).min(1),
  /** The claim that names the user. @default 'sub' */
  userClaim: claimName.default('sub'),
});

const perMinute = z.number().int().min(2).max(1_000_000);

/** Requests a minute per verified user and by tier: the key is a verified claim, never a header. */
const userRateLimit = strict({
  /** Requests a minute one verified user may make (SEC-03: 100 or 10,000), counted by each pod of a limited service. */
  requestsPerMinute: perMinute,
  /**
   * Limits by the tier the verified token states (SEC-03: 10,000 / 1,000 / 100 / 10): the claim, and
   * requests a minute for each of its values. Another value, or none, gets `requestsPerMinute`.
   */
  tiers: strict({
    claim: claimName,
    limits: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'must be a tier value such as premium'), perMinute),
  }).optional(),
  /** The public services whose requests are counted. @default [ingress.apiService] */
  services: z.array(dnsLabel).min(1).optional(),
  /** Users each pod keeps a count for (Envoy's LRU): one evicted starts a fresh count there. @default 10000 */
  trackedUsers: z.number().int().min(1).max(1_000_000).default(10_000),
});

const ingress = strict({
  /** `gateway` (Gateway API on NGINX Gateway Fabric) or the retired `ingress-nginx`, for clusters that still run it. */
  implementation: z.enum([EdgeImplementation.GATEWAY, EdgeImplementation.INGRESS_NGINX]),
  /** `path`: one public host, `/api` routed to the backend. `host`: a separate API host (SEC-11). */
  routing: z.enum(['path', 'host']),
  /** The public host of the frontend. */
  host: hostname,
  /** The API host when routing is `host`. */
  apiHost: hostname.optional(),
  /** Path prefix routed to the backend when routing is `path`. */
  apiPath: z.string().regex(/^\/[A-Za-z0-9/_-]*$/, 'must be an absolute URL path such as /api'),
  /** Health path load balancers probe through the edge (SEC-04: /api/health). */
  healthPath: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'must be an absolute URL path such as /api/health'),
  /** Requests per minute allowed per client address (SEC-02: 100): the most any minute admits, burst included. */
  rateLimitPerMinute: z.number().int().min(1).max(100_000),
  /**
   * The class of the edge's LoadBalancer Service. GKE 1.33.1-gke.1779000 and later:
   * `networking.gke.io/l4-regional-external`, a backend service-based external passthrough Network Load
   * Balancer (GKE's recommendation); without a class GKE builds a target-pool-based one. Immutable once
   * the Service exists.
   */
  loadBalancerClass: z
    .string()
    .regex(/^[a-z0-9.-]+\/[A-Za-z0-9._-]+$/, 'must be a domain-prefixed class such as networking.gke.io/l4-regional-external'),
  /** Service that serves the public host. */
  frontendService: dnsLabel,
  /** Service that serves the API. */
  apiService: dnsLabel,
  /** The namespace the edge's NGINX pods run in (the Gateway's, or the ingress controller's). */
  namespace: dnsLabel,
  /** CAP-08: 3 NGINX replicas of 250m / 512Mi. */
  replicas: z.number().int().min(1).max(MAX_REPLICAS, `must be at most ${MAX_REPLICAS}`),
  cpu: quantity,
  memory: quantity,
  /** The node pool the edge's pods run on; a key of `nodePools`. */
  pool: dnsLabel,
  /**
   * Every public service with its hosts and paths, when more than one frontend and one API are public
   * (an admin portal on its own host, a gRPC API). It replaces what `routing`, `apiHost`, `apiPath` and
   * `frontendService` describe; the health path stays routed on `host` to `apiService`. The edge's
   * routes, listeners and certificate, and the mesh and network allows of the edge, follow this list.
   * @default - the frontend on `host`, the API on `apiPath` there (routing `path`) or on `apiHost`
   */
  routes: z.array(publicRoute).min(1).optional(),
  /** The issuer whose tokens the services' Istio sidecars verify. @default - no verified users */
  identity: identity.optional(),
  /**
   * Requests a minute per verified user and by tier, counted by the limited services' Istio sidecars
   * per pod (README "Rate limits"). Needs `identity` and `mesh.enabled`. @default - per client address only
   */
  userRateLimit: userRateLimit.optional(),
});

const mesh = strict({
  /** Run the namespace in the Istio mesh: sidecars, STRICT mTLS, deny-by-default authorization. */
  enabled: z.boolean(),
  /** Istio trust domain of workload identities. */
  trustDomain: z.string().min(1),
});

/** Service-level objectives: rollouts are analysed against them, alerts fire on them. */
const slo = strict({
  /** Highest acceptable share of 5xx responses, percent (OPS-01 P2: 1 %). */
  errorRatePercent: z.number().positive().max(100),
  /** Highest acceptable p95 latency, seconds (OPS-01 P2: 2 s). */
  p95LatencySeconds: z.number().positive(),
});

const monitoring = strict({
  /** Prometheus that analysis runs query. */
  prometheusUrl: z.string().url(),
  /** OPS-01's P3 thresholds; P1 and P2 follow from `slo`. */
  alerts: strict({
    diskPercent: z.number().min(1).max(100),
    memoryPercent: z.number().min(1).max(100),
  }),
  /** OpenTelemetry traces (OPS-02: Jaeger's OTLP collector). @default - no tracing */
  tracing: strict({
    otlpEndpoint: z.string().url(),
    /** Share of root traces sampled, 0-1. */
    sampleRatio: z.number().min(0).max(1),
  }).optional(),
});

export const DataStoreMode = { MANAGED: 'managed', IN_CLUSTER: 'in-cluster', OPERATED: 'operated' } as const;

const engine = z.enum(['postgres', 'redis', 'mongodb', 'rabbitmq']);

/** A provider's service (DAT-05: Supabase, Atlas, Redis Cloud), reached over private endpoints. */
const managedStore = strict({
  engine,
  mode: z.literal(DataStoreMode.MANAGED),
  port,
  /** The provider's address ranges (private endpoints): egress is allowed to these only. */
  cidrs: z.array(cidr).min(1),
});

/** Pods in the cluster (DAT-02, DAT-03), found by namespace and labels. */
const inClusterStore = strict({
  engine,
  mode: z.literal(DataStoreMode.IN_CLUSTER),
  port,
  /** The namespace the store runs in. */
  namespace: dnsLabel,
  /** Labels of the store's pods. */
  podLabels: z.record(z.string(), z.string()),
});

/** CPU and memory of a data-store pod: requests and limits alike (Guaranteed QoS, as databases want). */
const podResources = strict({ cpu: quantity, memory: quantity });

/** A persistent volume per pod: its size and storage class (a key of `storageClasses`). */
const volume = strict({ size: quantity, storageClass: dnsLabel });

const GCS_BUCKET = /^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/;
const bucketName = z
  .string()
  .regex(GCS_BUCKET, 'must be a Cloud Storage bucket name: lowercase letters, digits, "-", "_" and ".", 3-63 characters');
const bucketPath = z.string().regex(/^[a-z0-9]([a-z0-9_/-]*[a-z0-9])?$/, 'must be a folder such as postgres or prod/postgres');
const GOOGLE_SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/** How the backup tools authenticate to the object store. Never a plain Secret in git. */
export const BACKUP_CREDENTIAL_VARIANTS = [
  /** GKE Workload Identity: the cluster's Kubernetes service account acts as this Google service account. */
  strict({
    type: z.literal('workload-identity'),
    serviceAccount: z
      .string()
      .regex(GOOGLE_SERVICE_ACCOUNT, 'must be a Google service account such as pg-backup@platform-prod.iam.gserviceaccount.com'),
  }),
  /** A service account key kept in the environment's secret store, written into the cluster by an ExternalSecret. */
  strict({ type: z.literal('external-secret'), secret: dnsLabel }),
] as const;

const backupCredentials = z.discriminatedUnion('type', BACKUP_CREDENTIAL_VARIANTS, {
  error: () => 'must be one of the types: workload-identity (with serviceAccount), external-secret (with secret)',
});

/** WAL archiving and base backups to the environment's object store (DAT-02, AVL-04). */
const postgresBackups = strict({
  /** The region's own bucket: WAL and base backups of this environment's cluster. */
  bucket: bucketName,
  path: bucketPath.default(POSTGRES_DEFAULTS.backups.path),
  credentials: backupCredentials,
  /** A base backup every this many hours (DAT-07: 6). */
  everyHours: z.number().int().min(1).max(24).default(POSTGRES_DEFAULTS.backups.everyHours),
  /** Backups and WAL are kept this long (DAT-02: 30). */
  retentionDays: z.number().int().min(1).max(3650).default(POSTGRES_DEFAULTS.backups.retentionDays),
  /** Recovery to any point in this many days (DAT-02: 7); within the retention. */
  pointInTimeDays: z.number().int().min(1).max(3650).default(POSTGRES_DEFAULTS.backups.pointInTimeDays),
  /** A partly filled WAL segment is archived after at most this long. */
  archiveTimeoutSeconds: z.number().int().min(10).max(3600).default(POSTGRES_DEFAULTS.backups.archiveTimeoutSeconds),
});

/** The other region of the DR pair: the standby's replica cluster is fed from the primary's archive. */
const postgresReplication = strict({
  /** The peer's cloud region; its cluster is named after it. */
  region: z.string().regex(/^[a-z0-9-]+$/, 'must be a cloud region name such as us-west1'),
  /** The peer's archive bucket (its `backups.bucket`). */
  bucket: bucketName,
  path: bucketPath.default(POSTGRES_DEFAULTS.backups.path),
});

const { pooler: POOLER } = POSTGRES_DEFAULTS;

/** PgBouncer in front of PostgreSQL (DAT-06): the only way in for the apps. */
const pooler = strict({
  instances: z.number().int().min(1).max(20).default(POOLER.instances),
  poolMode: z.enum(['transaction', 'session']).default(POOLER.poolMode),
  /** Client connections the pooler accepts in total, shared by its pods (DAT-06: 200). */
  maxClientConnections: z.number().int().min(1).max(100_000).default(POOLER.maxClientConnections),
  /** Server connections per pod for the app's database and role. */
  defaultPoolSize: z.number().int().min(1).max(10_000).default(POOLER.defaultPoolSize),
  /** Extra server connections per pod for bursts. */
  reservePoolSize: z.number().int().min(0).max(10_000).default(POOLER.reservePoolSize),
  resources: podResources.prefault({ ...POOLER.resources }),
});

/** PostgreSQL run by CloudNativePG in this cluster, behind its pooler. */
const operatedPostgres = strict({
  engine: z.literal('postgres'),
  mode: z.literal(DataStoreMode.OPERATED),
  port: port.default(5432),
  /** The namespace the cluster, its pooler and its backups run in. */
  namespace: dnsLabel.default(POSTGRES_DEFAULTS.namespace),
  image: image.prefault({ ...POSTGRES_DEFAULTS.image }),
  /** The primary and its hot standbys (read replicas, failover targets); CloudNativePG sizes them alike. */
  instances: z.number().int().min(1).max(9).default(POSTGRES_DEFAULTS.instances),
  resources: podResources,
  storage: volume,
  /** A separate volume for the WAL. @default - WAL on the data volume */
  walStorage: volume.optional(),
  /** The node pool the instances and poolers run on (never spot). */
  pool: dnsLabel,
  maxConnections: z.number().int().min(10).max(100_000).default(POSTGRES_DEFAULTS.maxConnections),
  /** The app's database and its owner role. */
  database: dnsLabel.default(POSTGRES_DEFAULTS.database),
  pooler: pooler.prefault({}),
  /** WAL archiving and base backups. @default - none (dev) */
  backups: postgresBackups.optional(),
  /** Recovery point objective, minutes (AVL-04: 5): the most data a failure may lose. */
  rpoMinutes: z.number().int().min(1).max(1440).default(POSTGRES_DEFAULTS.rpoMinutes),
  /** The DR pair's other region (primary and standby regions). @default - no cross-region replica */
  replication: postgresReplication.optional(),
  /** The services' secret that holds the connection URL: written to point at the pooler. */
  urlSecret: dnsLabel.default(POSTGRES_DEFAULTS.urlSecret),
  /** The secret in the store with the app role's password. */
  passwordSecret: dnsLabel.default(POSTGRES_DEFAULTS.passwordSecret),
});

/** Redis run by the redis-operator: a primary, replicas and Sentinels, persisted. */
const operatedRedis = strict({
  engine: z.literal('redis'),
  mode: z.literal(DataStoreMode.OPERATED),
  port: port.default(6379),
  namespace: dnsLabel.default(REDIS_DEFAULTS.namespace),
  image: image.prefault({ ...REDIS_DEFAULTS.image }),
  sentinelImage: image.prefault({ ...REDIS_DEFAULTS.sentinelImage }),
  exporterImage: image.prefault({ ...REDIS_DEFAULTS.exporterImage }),
  /** A primary and its replicas (DAT-03: 3). */
  nodes: z.number().int().min(1).max(9).default(REDIS_DEFAULTS.nodes),
  /** Sentinels that fail the primary over; 0: none (the operator re-elects on its next reconcile). */
  sentinels: z.number().int().min(0).max(9).default(REDIS_DEFAULTS.sentinels),
  resources: podResources,
  storage: volume,
  pool: dnsLabel,
  persistence: strict({
    /** AOF fsync policy (DAT-03: AOF enabled; every second loses at most a second). */
    appendfsync: z.enum(['always', 'everysec', 'no']).default(REDIS_DEFAULTS.persistence.appendfsync),
    /** An RDB snapshot at most this often, seconds (DAT-03: hourly). */
    snapshotSeconds: z.number().int().min(60).max(86_400).default(REDIS_DEFAULTS.persistence.snapshotSeconds),
  }).prefault({}),
  /** maxmemory as a share of the memory limit. */
  maxMemoryPercent: z.number().int().min(10).max(90).default(REDIS_DEFAULTS.maxMemoryPercent),
  urlSecret: dnsLabel.default(REDIS_DEFAULTS.urlSecret),
  passwordSecret: dnsLabel.default(REDIS_DEFAULTS.passwordSecret),
});

/** The operated stores, by their `engine`. */
export const OPERATED_STORE_VARIANTS = [operatedPostgres, operatedRedis] as const;

const operatedStore = z.discriminatedUnion('engine', OPERATED_STORE_VARIANTS, {
  error: () => 'must be an engine an operator runs here: postgres (CloudNativePG) or redis (redis-operator)',
});

/** The data-store variants, by their `mode` (operated ones by their engine). */
export const DATA_STORE_VARIANTS = [managedStore, inClusterStore, ...OPERATED_STORE_VARIANTS] as const;

const dataStore = z.discriminatedUnion('mode', [managedStore, inClusterStore, operatedStore], {
  error: () =>
    'must be one of the modes: managed (with cidrs), in-cluster (with namespace and podLabels), operated (postgres or redis run by an operator here)',
});

/**
 * The cloud identity an add-on's Kubernetes ServiceAccount acts as (workload identity: no key or ambient
 * node credential): a Google service account (GKE Workload Identity, annotation
 * iam.gke.io/gcp-service-account) or an IAM role (EKS IRSA, annotation eks.amazonaws.com/role-arn).
 */
const gcpServiceAccount = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
    'must be a Google service account email such as external-secrets@my-project.iam.gserviceaccount.com',
  );
const awsRoleArn = z
  .string()
  .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/external-secrets');

/** The secret-store providers, by their `provider`. */
export const SECRET_PROVIDER_VARIANTS = [
  strict({
    provider: z.literal('aws'),
    region: z.string().min(1),
    serviceAccount: dnsLabel,
    /** The IAM role each namespace's store reads as, by namespace: one per namespace, none shared (as for gcp). */
    identities: z.record(dnsLabel, awsRoleArn),
  }),
  strict({
    provider: z.literal('gcp'),
    projectId: z.string().min(1),
    serviceAccount: dnsLabel,
    /**
     * The cloud identity each namespace's store reads as, by namespace: one identity per namespace, so an
     * editor of one namespace (who can name any store of it in an ExternalSecret) reads only what that
     * namespace's identity may read. Each is granted, in the cloud, only its namespace's secrets (README
     * "Secrets"). Every namespace that reads the store needs one (the platform's namespace and the operated
     * data stores'), and no two share one.
     */
    identities: z.record(dnsLabel, gcpServiceAccount),
  }),
  strict({
    provider: z.literal('vault'),
    /** Vault's address; TLS only: tokens and secrets must not cross the network in the clear. */
    server: z
      .string()
      .url()
      .regex(/^https:\/\//, 'must be an https:// URL: Vault tokens and secrets never travel in the clear'),
    path: z.string().min(1),
    role: z.string().min(1),
    serviceAccount: dnsLabel,
    /** Where the CA that signed Vault's certificate is, when it is not a public one. @default - the system's trusted CAs */
    caProvider: strict({ type: z.enum(['ConfigMap', 'Secret']), name: dnsLabel, key: z.string().min(1), namespace: dnsLabel }).optional(),
  }),
] as const;

const secretProvider = z.discriminatedUnion('provider', SECRET_PROVIDER_VARIANTS, {
  error: () => 'must be one of the providers: aws, gcp, vault',
});

const secrets = strict({
  /**
   * A namespaced `SecretStore` in every namespace that reads secrets, each authenticating as a
   * ServiceAccount of its own namespace (and, for a cloud store, that namespace's identity). A
   * `ClusterSecretStore` is refused: it reads every namespace's secrets as one identity.
   * @default SecretStore
   */
  scope: z
    .enum(['SecretStore'], {
      error: () =>
        "must be SecretStore: a ClusterSecretStore reads every namespace's secrets as one identity, so an editor of any namespace could read them all",
    })
    .default('SecretStore'),
  /** Name of the store. */
  storeName: dnsLabel,
  store: secretProvider,
  /**
   * Where the environment's secrets are in the store: `<prefix>/<name>` in AWS Secrets Manager and
   * Vault, `<prefix>-<name>` in Google Secret Manager, whose secret IDs allow only letters, digits,
   * `-` and `_`.
   */
  prefix: z.string().regex(/^[A-Za-z0-9_./-]+$/, 'must be a key path such as platform/prod'),
  /**
   * Where the secrets several regions share are (a DR pair's role passwords, which CloudNativePG requires
   * to be identical on both sides): set where the regions inherit it, since each region overrides
   * `prefix` for its own connection strings. @default - `prefix`
   */
  sharedPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_./-]+$/, 'must be a key path such as platform/prod')
    .optional(),
  /** How often the operator re-reads the store. */
  refreshInterval: z.string().regex(/^\d+[smh]$/, 'must be a duration such as 1h'),
});

/** The ACME solvers, by their `type`. */
export const ACME_SOLVER_VARIANTS = [
  /** Proves control of each host through the NGINX ingress. */
  strict({ type: z.literal('http01') }),
  /** Google Cloud DNS, in the project that holds the zone, as cert-manager's Google service account (`identity`). */
  strict({ type: z.literal('dns01-clouddns'), project: z.string().min(1), identity: gcpServiceAccount }),
  /** AWS Route 53, through the region's API endpoint, as cert-manager's IAM role (`identity`). */
  strict({ type: z.literal('dns01-route53'), region: z.string().min(1), identity: awsRoleArn }),
] as const;

const acmeSolver = z.discriminatedUnion('type', ACME_SOLVER_VARIANTS, {
  error: () => 'must be one of the solvers: http01, dns01-clouddns (with project and identity), dns01-route53 (with region and identity)',
});

const tls = strict({
  /** The cert-manager ClusterIssuer (SEC-10: Let's Encrypt, renewed automatically). */
  issuer: strict({
    name: dnsLabel,
    email: z.string().email(),
    server: z.string().url(),
    /** How the CA's challenge is answered: http01 through the ingress, or dns01 (wildcards need dns01). */
    solver: acmeSolver,
  }),
  /** A wildcard covering the hosts (SEC-10, e.g. *.eka-ai.in). @default - one name per host */
  wildcard: z
    .string()
    .regex(/^\*\.[a-z0-9.-]+$/, 'must be a wildcard such as *.example.com')
    .optional(),
});

/** How Rollouts judge a release (DEL-01, DEL-02). */
const delivery = strict({
  /** Seconds between two measurements of an analysis. */
  analysisIntervalSeconds: z.number().int().min(10).max(3600).default(ANALYSIS_DEFAULTS.intervalSeconds),
  /** Measurements a blue-green preview must pass before it may be promoted. */
  prePromotionMeasurements: z.number().int().min(1).max(100).default(ANALYSIS_DEFAULTS.prePromotionMeasurements),
  /** Failed measurements that fail an analysis (and abort the rollout). */
  failureLimit: z.number().int().min(0).max(100).default(ANALYSIS_DEFAULTS.failureLimit),
  /** The image that sends a blue-green preview its smoke traffic (it runs `sh` and `curl`). */
  smokeImage: image.prefault({ ...SMOKE_IMAGE }),
});

const quota = strict({
  /** Headroom over the autoscalers' maxima, percent, for rollouts' surge pods. */
  headroomPercent: z.number().int().min(0).max(400),
});

const sandbox = strict({
  /** The namespace user projects run in (SEC-09, e.g. bharatbuild-projects). */
  namespace: dnsLabel,
  image,
  /** Requests and limits of one project pod (SEC-12: 100m/256Mi up to 500m/1Gi). */
  resources,
  /** SEC-09: pods end after an hour. */
  activeDeadlineSeconds: z.number().int().min(60).max(86_400),
  /** Most project pods at once, and the namespace's total requests. */
  maxPods: z.number().int().min(1).max(MAX_REPLICAS, `must be at most ${MAX_REPLICAS}`),
  port,
  /**
   * The node pool project pods run on, a key of `nodePools`: a GKE Sandbox pool (`--sandbox
   * type=gvisor`), which GKE taints `sandbox.gke.io/runtime=gvisor:NoSchedule`, so nothing else lands
   * there; no service, data store or edge may name it (SEC-09: user projects get their own node group).
   */
  pool: dnsLabel,
  /**
   * The service that stamps project pods from the template (the platform API), a key of `services`: its
   * ServiceAccount gets the Role to create, read and delete pods in the namespace, and nothing more.
   */
  launcher: dnsLabel,
  /**
   * The kubelet's podPidsLimit on the sandbox's pool (GKE node system config kubeletConfig.podPidsLimit,
   * 1024 to 4194304): the most processes one project pod may run, so a fork bomb starves no neighbour.
   */
  podPidsLimit: z.number().int().min(1024).max(4_194_304).default(1024),
});

const gitops = strict({
  /** Which controller syncs this environment's folder. */
  tool: z.enum(['flux', 'argocd', 'both']),
  repository: z.string().url(),
  branch: z.string().min(1),
  /**
   * Flux applies only commits signed by the team: the branch's HEAD must carry a signature by a key in
   * the Secret `<env>-git-signers` of flux-system (GitRepository `.spec.verify`), created at bootstrap
   * from the team's public keys (README). @default true
   */
  verifyCommits: z.boolean().default(true),
  /**
   * The GPG key ids (16 or 40 hex digits, as `gpg --list-keys --keyid-format long` prints them) of the
   * team's signing keys: with `verifyCommits`, Argo CD syncs this repository only when its HEAD commit
   * is signed by one of them (AppProject `spec.sourceIntegrity.git`, mode head). Their public keys must
   * be in Argo CD's GnuPG keyring (the argocd-gpg-keys-cm ConfigMap, README). Required where Argo CD
   * syncs and `verifyCommits` is on. @default - none
   */
  signingKeys: z
    .array(z.string().regex(/^([0-9A-F]{16}|[0-9A-F]{40})$/, 'must be a GPG key id: 16 or 40 upper-case hex digits, e.g. 4AEE18F83AFDEB23'))
    .default([]),
});

export const RegionRole = { PRIMARY: 'primary', ACTIVE: 'active', STANDBY: 'standby' } as const;

const region = strict({
  /** The cloud region, e.g. us-west1. */
  name: z.string().regex(/^[a-z0-9-]+$/, 'must be a cloud region name such as us-west1'),
  /** primary takes writes; active serves traffic too; standby stays warm for failover. */
  role: z.enum([RegionRole.PRIMARY, RegionRole.ACTIVE, RegionRole.STANDBY]),
});

const cluster = strict({
  /**
   * The Kubernetes minor the cluster runs, e.g. 1.35: the API the output is validated against, the
   * Pod Security profile version, and what every add-on must support.
   */
  kubernetesVersion: z.string().regex(/^1\.\d{1,2}$/, 'must be a Kubernetes minor such as 1.35'),
  /** Node label whose value is the node pool name (GKE: cloud.google.com/gke-nodepool). */
  nodePoolLabel: z.string().min(1),
  /** Requests of the DaemonSets and system pods on every node (logging, CNI, kube-proxy, mesh CNI). */
  daemonSetOverhead: strict({ cpu: quantity, memory: quantity }),
  /** Taint that spot nodes carry, as key=value:Effect. */
  spotTaint: z.string().regex(/^[A-Za-z0-9./-]+=[A-Za-z0-9._-]*:(NoSchedule|PreferNoSchedule|NoExecute)$/, 'must be key=value:Effect'),
  /**
   * Where pods reach the Kubernetes API after the `kubernetes` Service's address translation (GKE: the
   * control plane's endpoint, on 443): operators' instance managers call it from the data namespace.
   */
  apiServer: strict({ cidrs: z.array(cidr).min(1), port }),
  /**
   * How the cluster's network is built, which decides the addresses its pods' egress to Google's services
   * is allowed to (lib/gke-network.ts): the dataplane that enforces NetworkPolicy (`dataplane-v2`, or
   * `calico` network policy), and the Private Google Access domain its private DNS zone for
   * googleapis.com answers with (`private`: private.googleapis.com, `restricted`: restricted.googleapis.com).
   */
  network: strict({
    dataplane: z.enum(['dataplane-v2', 'calico'], { error: () => 'must be one of: dataplane-v2, calico' }),
    googleApis: z.enum(['private', 'restricted'], { error: () => 'must be one of: private, restricted' }),
  }),
});

/**
 * A rule waived for one object, with the reason. The project's own exceptions to the community
 * checkers are rules over the model (app/verify/exceptions.ts) and need no waiver here.
 */
const waiver = strict({
  kind: z.string().min(1),
  /** The object's namespace; leave it out only for a cluster-scoped object. */
  namespace: dnsLabel.optional(),
  name: z.string().min(1),
  rule: z.string().min(1),
  reason: z.string().trim().min(10, 'must explain why the rule does not apply (at least 10 characters)'),
});

export const Tier = { DEVELOPMENT: 'development', STAGING: 'staging', PRODUCTION: 'production' } as const;

const environmentSchemaShape = strict({
  name: dnsLabel,
  /** Production tiers get the stricter availability rules. */
  tier: z.enum([Tier.DEVELOPMENT, Tier.STAGING, Tier.PRODUCTION]),
  /** app.kubernetes.io/part-of of every object. */
  partOf: dnsLabel,
  namespace: dnsLabel,
  /** Expected active users; the capacity plan reports cost per user when set. */
  users: z.number().int().positive().optional(),
  cluster,
  /** Machine types node pools may use, with their size and list prices. */
  machineTypes: z.record(z.string().min(1), machineType),
  /** Storage classes persistent volumes may use, with their list prices. */
  storageClasses: z.record(dnsLabel, storageClass),
  nodePools: z.record(dnsLabel, nodePool),
  services: z.record(dnsLabel, service),
  ingress,
  mesh,
  slo,
  monitoring,
  /** Data stores services use, by name. */
  dataStores: z.record(dnsLabel, dataStore),
  secrets,
  tls,
  /** How Rollouts judge a release. */
  delivery: delivery.prefault({}),
  quota,
  /** A namespace for untrusted user projects (SEC-09). @default - none */
  sandbox: sandbox.optional(),
  gitops,
  /** Set on production regions (overlays of prod). @default - not a region */
  region: region.optional(),
  /** Scheduled chaos drills. */
  chaos: chaos.prefault({}),
  /** Per-object exceptions to a rule, each with its reason. @default [] */
  waivers: z.array(waiver).default([]),
});

export const environmentSchema = environmentSchemaShape.superRefine((env, ctx) => {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  for (const [name, svc] of Object.entries(env.services)) {
    const at = (...path: (string | number)[]) => ['services', name, ...path];
    if (svc.kind !== ServiceKind.JOB && svc.replicas.max < svc.replicas.min)
      issue(at('replicas', 'max'), svc.replicas.max, `must be at least replicas.min (${svc.replicas.min})`);
    for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
      const request = svc.resources.requests[key];
      const limit = svc.resources.limits[key];
      // Unparseable quantities are reported by their own field; compare only what parses.
      if (isQuantity(request) && isQuantity(limit) && parseQuantity(request) > parseQuantity(limit)) {
        issue(at('resources', 'requests', key), request, `must not exceed resources.limits.${key} (${limit})`);
      }
    }
    for (const name of Object.keys(svc.env)) {
      if ((PLATFORM_ENV.names as readonly string[]).includes(name) || PLATFORM_ENV.prefixes.some((prefix) => name.startsWith(prefix))) {
        issue(
          at('env', name),
          svc.env[name],
          `is set by the platform (${[...PLATFORM_ENV.names, ...PLATFORM_ENV.prefixes.map((p) => `${p}*`)].join(', ')}); choose another name`,
        );
      }
    }
    if (svc.kind !== ServiceKind.JOB && svc.replicas.min === 0 && !(svc.kind === ServiceKind.WORKER && svc.queue?.scaleToZero)) {
      issue(at('replicas', 'min'), 0, 'must be at least 1 unless the service is a queue worker with queue.scaleToZero: true');
    }
    if (svc.kind === ServiceKind.WORKER && svc.queue === undefined && svc.replicas.min !== svc.replicas.max) {
      issue(
        at('replicas', 'max'),
        svc.replicas.max,
        `must equal replicas.min (${svc.replicas.min}): a worker without a queue has nothing to scale on and runs a fixed number of pods`,
      );
    }
    if (svc.kind === ServiceKind.WEB) checkProtocol(name, svc, ctx);
    // A disabled service is not rendered: where it would run and what it would reach do not matter.
    if (!svc.enabled) continue;
    if (!(svc.pool in env.nodePools)) {
      issue(at('pool'), svc.pool, `must be a node pool of this environment: ${Object.keys(env.nodePools).join(', ') || '(none declared)'}`);
    } else if (env.nodePools[svc.pool]!.spot && !svc.spot) {
      issue(at('pool'), svc.pool, 'is a spot pool; only services with spot: true may run there');
    }
    if (svc.kind === ServiceKind.WEB) checkStrategy(env, name, svc, ctx);
    checkGraph(env, name, svc, ctx);
    svc.uses.forEach((store, index) => {
      if (!(store in env.dataStores)) {
        issue(
          at('uses', index),
          store,
          `must name a data store of this environment: ${Object.keys(env.dataStores).join(', ') || '(none declared)'}`,
        );
      }
    });
    if (svc.kind === ServiceKind.WORKER) checkProducers(env, name, svc, ctx);
  }
  for (const [name, pool] of Object.entries(env.nodePools)) {
    if (!(pool.machineType in env.machineTypes)) {
      issue(
        ['nodePools', name, 'machineType'],
        pool.machineType,
        `must be a machine type of this environment: ${Object.keys(env.machineTypes).join(', ')}`,
      );
    }
    if (pool.maxNodes < pool.minNodes)
      issue(['nodePools', name, 'maxNodes'], pool.maxNodes, `must be at least minNodes (${pool.minNodes})`);
  }
  if (env.gitops.verifyCommits && env.gitops.tool !== 'flux' && env.gitops.signingKeys.length === 0) {
    issue(
      ['gitops', 'signingKeys'],
      env.gitops.signingKeys,
      `must name at least one GPG key id: Argo CD (gitops.tool ${env.gitops.tool}) verifies the commits it syncs only against keys its project names (or set verifyCommits: false)`,
    );
  }
  if ('identities' in env.secrets.store) {
    const identities = env.secrets.store.identities;
    const readers = [env.namespace, ...Object.values(env.dataStores).flatMap((s) => (s.mode === 'operated' ? [s.namespace] : []))];
    for (const namespace of new Set(readers)) {
      if (identities[namespace] === undefined) {
        issue(
          ['secrets', 'store', 'identities', namespace],
          undefined,
          `must name the cloud identity namespace ${namespace}'s store reads as: its ExternalSecrets read the store (one identity per namespace; named: ${Object.keys(identities).join(', ') || 'none'})`,
        );
      }
    }
    const seen = new Map<string, string>();
    for (const [namespace, identity] of Object.entries(identities)) {
      const other = seen.get(identity);
      if (other !== undefined) {
        issue(
          ['secrets', 'store', 'identities', namespace],
          identity,
          `is namespace ${other}'s identity too: each namespace reads as its own, so an editor of one cannot read another's secrets`,
        );
      }
      seen.set(identity, namespace);
    }
  }
  for (const field of ['prefix', 'sharedPrefix'] as const) {
    const value = env.secrets[field];
    if (env.secrets.store.provider === 'gcp' && value !== undefined && !GCP_SECRET_ID.test(value)) {
      issue(
        ['secrets', field],
        value,
        'must be letters, digits, "-" and "_" only for Google Secret Manager (secret IDs have no "/" or "."), e.g. platform-prod',
      );
    }
  }
  if (env.sandbox !== undefined && env.sandbox.namespace === env.namespace) {
    issue(
      ['sandbox', 'namespace'],
      env.sandbox.namespace,
      "must differ from namespace: untrusted projects never share the platform's namespace",
    );
  }
  if (env.sandbox !== undefined) checkSandboxPool(env, env.sandbox.pool, ctx);
  if (env.tls.wildcard !== undefined && env.tls.issuer.solver.type === 'http01') {
    issue(['tls', 'wildcard'], env.tls.wildcard, 'needs a dns01 solver: ACME issues wildcards only against DNS challenges');
  }
  for (const key of ['frontendService', 'apiService'] as const) {
    const target = env.ingress[key];
    const svc = env.services[target];
    if (svc?.kind !== ServiceKind.WEB || !svc.enabled) {
      const why = svc?.kind === ServiceKind.WEB ? `services.${target} is disabled (enabled: false); ` : '';
      issue(['ingress', key], target, `${why}must name an enabled web service: ${webServices(env).join(', ')}`);
    }
  }
  if (!(env.ingress.pool in env.nodePools)) {
    issue(
      ['ingress', 'pool'],
      env.ingress.pool,
      `must be a node pool of this environment: ${Object.keys(env.nodePools).join(', ') || '(none declared)'}`,
    );
  }
  if (env.ingress.routing === 'host' && env.ingress.apiHost === undefined) {
    issue(['ingress', 'apiHost'], undefined, 'is required when ingress.routing is "host"');
  }
  if (env.ingress.apiHost !== undefined && env.ingress.apiHost === env.ingress.host) {
    issue(['ingress', 'apiHost'], env.ingress.apiHost, 'must differ from ingress.host');
  }
  checkPublicRoutes(env, ctx);
  checkUserRateLimit(env, ctx);
  for (const [name, store] of Object.entries(env.dataStores)) {
    if (store.mode === DataStoreMode.OPERATED) checkOperatedStore(env, name, store, ctx);
  }
  for (const [name, svc] of Object.entries(env.services)) {
    if (svc.kind === ServiceKind.WEB && svc.enabled && svc.autoscaling.latency !== undefined && !env.mesh.enabled) {
      issue(
        ['services', name, 'autoscaling', 'latency'],
        svc.autoscaling.latency,
        "needs mesh.enabled: the request latency is read from Istio's proxies; without the mesh leave it out (CPU and memory scale the service)",
      );
    }
  }
  if (env.tier === Tier.PRODUCTION) {
    // What runs in production is the build that was tested: a digest names it, a tag can be moved.
    const unpinned = 'is required in the production tier: pin the image by the digest the release pipeline promoted (sha256:<64 hex>)';
    for (const [name, svc] of Object.entries(env.services)) {
      if (svc.enabled && svc.image.digest === undefined) issue(['services', name, 'image', 'digest'], undefined, unpinned);
    }
  }
  if (env.tier === Tier.PRODUCTION && env.chaos.podKill === 'weekly') {
    issue(
      ['chaos', 'podKill'],
      env.chaos.podKill,
      'must be "monthly" or "off" in production: weekly drills are for staging (AVL-05: monthly pod-failure drills)',
    );
  }
});

type Ctx = z.RefinementCtx;

/** The protocol of a web service (`http` where the model states none). */
function protocolOf(svc: Svc | undefined): string {
  return (svc as { protocol?: string } | undefined)?.protocol ?? 'http';
}

/** The services a per-user limit counts at: the ones it names, else the API. */
export function userLimitedServices(env: Pick<Env, 'ingress'>): string[] {
  const limit = env.ingress.userRateLimit;
  return limit === undefined ? [] : [...(limit.services ?? [env.ingress.apiService])];
}

/**
 * A per-user limit is enforced by something: a verified identity to key on (never a header a client
 * sets), the mesh's sidecars that verify and count, and services the edge routes to.
 */
function checkUserRateLimit(env: Env, ctx: Ctx): void {
  const limit = env.ingress.userRateLimit;
  if (limit === undefined) return;
  const issue = (path: (string | number)[], input: unknown, message: string) =>
    ctx.addIssue({ code: 'custom', path: ['ingress', 'userRateLimit', ...path], input, message });
  if (env.ingress.identity === undefined) {
    issue(
      [],
      'userRateLimit',
      "needs ingress.identity: a user is a verified token's claim, and without an issuer there is none (a header would be one any client can set)",
    );
  }
  if (!env.mesh.enabled) {
    issue(
      [],
      'userRateLimit',
      "needs mesh.enabled: nothing else here enforces it. The services' Istio sidecars verify the token and count per user; the edge's open-source NGINX cannot verify a JWT (NGINX Gateway Fabric 2.6.7: JWT authentication requires NGINX Plus) and keys its limit on NGINX variables only",
    );
  }
  const routed = new Set(resolveRoutes(env.ingress, () => false).map((route) => route.service));
  userLimitedServices(env).forEach((service, i) => {
    if (!routed.has(service)) {
      issue(['services', i], service, `is not routed by the edge (${[...routed].join(', ')}): only public requests are counted per user`);
    }
  });
  for (const tier of Object.keys(limit.tiers?.limits ?? {})) {
    if (tier === 'none')
      issue(
        ['tiers', 'limits', tier],
        tier,
        'is reserved: a verified token without the tier claim counts as tier "none" at requestsPerMinute',
      );
  }
}

/**
 * The sandbox's pool holds project pods only: a GKE Sandbox pool (tainted by GKE), named by no service,
 * operated data store or the edge, so a container escape from a project lands beside no platform pod.
 */
function checkSandboxPool(env: Env, pool: string, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  const { launcher, image } = env.sandbox!;
  const launcherService = env.services[launcher];
  if (launcherService?.kind !== ServiceKind.WEB || !launcherService.enabled) {
    issue(
      ['sandbox', 'launcher'],
      launcher,
      `must name the enabled web service that launches project pods: ${webServices(env).join(', ')}`,
    );
  }
  const { requests, limits } = env.sandbox!.resources;
  for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
    const [request, limit] = [requests[key], limits[key]];
    if (isQuantity(request) && isQuantity(limit) && parseQuantity(request) !== parseQuantity(limit)) {
      issue(
        ['sandbox', 'resources', 'requests', key],
        request,
        `must equal resources.limits.${key} (${limit}): a project pod gets what it may use (Guaranteed), so it cannot burst into what other projects were promised`,
      );
    }
  }
  if (image.digest === undefined) {
    issue(
      ['sandbox', 'image', 'digest'],
      undefined,
      'is required: the sandbox admission policy admits the runtime image by digest only (sha256:<64 hex>), so a moved tag cannot run',
    );
  }
  if (!(pool in env.nodePools)) {
    issue(
      ['sandbox', 'pool'],
      pool,
      `must be a node pool of this environment: ${Object.keys(env.nodePools).join(', ') || '(none declared)'}`,
    );
    return;
  }
  const shared = 'is the sandbox pool (sandbox.pool): untrusted project code runs there; give this its own pool';
  for (const [name, svc] of Object.entries(env.services)) if (svc.pool === pool) issue(['services', name, 'pool'], pool, shared);
  for (const [name, store] of Object.entries(env.dataStores))
    if (store.mode === DataStoreMode.OPERATED && store.pool === pool) issue(['dataStores', name, 'pool'], pool, shared);
  if (env.ingress.pool === pool) issue(['ingress', 'pool'], pool, shared);
}

/**
 * Public routes: each names an enabled web service; no path of a host goes to two services (Gateway
 * API would hand it to the oldest route, silently); a gRPC service's hosts are its own (a GRPCRoute and
 * an HTTPRoute sharing a hostname on a listener: Gateway API accepts only one of the two).
 */
function checkPublicRoutes(env: Env, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) =>
    ctx.addIssue({ code: 'custom', path: ['ingress', ...path], input, message });
  const routes = env.ingress.routes ?? [];
  if (env.ingress.routes !== undefined && env.ingress.apiHost !== undefined) {
    issue(['apiHost'], env.ingress.apiHost, 'is not read when ingress.routes is given: route the API on its host in ingress.routes');
  }
  const owner = new Map<string, string>();
  routes.forEach((route, i) => {
    const svc = env.services[route.service];
    if (svc?.kind !== ServiceKind.WEB || !svc.enabled) {
      const why =
        svc === undefined
          ? ''
          : svc.kind !== ServiceKind.WEB
            ? `services.${route.service} is a ${svc.kind}, which serves no port; `
            : `services.${route.service} is disabled (enabled: false); `;
      issue(['routes', i, 'service'], route.service, `${why}must name an enabled web service: ${webServices(env).join(', ')}`);
      return;
    }
    if (protocolOf(svc) === 'grpc') {
      if (route.paths !== undefined) {
        issue(['routes', i, 'paths'], route.paths, 'is for http and http2 services: a grpc service takes every method of its hosts');
      }
      if (env.ingress.implementation !== EdgeImplementation.GATEWAY) {
        issue(
          ['routes', i, 'service'],
          route.service,
          'is a grpc service: routing gRPC needs ingress.implementation "gateway" (a GRPCRoute)',
        );
      }
    }
  });
  // Over the resolved list (the health path included, and the routes today's fields imply when
  // ingress.routes is not given: apiPath '/' or an apiHost equal to host would put the API's / beside
  // the frontend's): which service each host and path goes to.
  const resolved = resolveRoutes(env.ingress, (name) => protocolOf(env.services[name]) === 'grpc');
  const implied = (route: ResolvedRoute): string =>
    route.service !== env.ingress.apiService
      ? 'host'
      : env.ingress.routing === 'host' && env.ingress.apiHost !== undefined
        ? 'apiHost'
        : 'apiPath';
  resolved.forEach((route, k) => {
    // The first is the health path; the others come from ingress.routes in order, or from today's fields.
    const index = routes.findIndex((r) => r.service === route.service && r.hosts.includes(route.host));
    const at: (string | number)[] =
      k === 0 ? ['healthPath'] : env.ingress.routes === undefined ? [implied(route)] : index < 0 ? ['healthPath'] : ['routes', index];
    if (route.grpc) {
      const other = resolved.find((r) => r.host === route.host && r.service !== route.service);
      if (other !== undefined) {
        issue(
          [...at, 'hosts'],
          route.host,
          `is the host of grpc service ${route.service} and also routes to ${other.service}: give the gRPC API a host of its own`,
        );
      }
      return;
    }
    const key = `${route.host} ${route.match} ${route.path}`;
    const first = owner.get(key);
    if (first === undefined) owner.set(key, route.service);
    else if (first !== route.service) {
      issue(
        at,
        `${route.host}${route.path}`,
        `routes ${route.match} ${route.path} of ${route.host} to ${route.service}, which already goes to ${first}: one path of one host has one service`,
      );
    }
  });
}
type Operated = z.infer<typeof operatedStore>;

/** A store an operator runs here: placement, prices, the pooler's arithmetic, backups and the region's role. */
function checkOperatedStore(env: Env, name: string, store: Operated, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) =>
    ctx.addIssue({ code: 'custom', path: ['dataStores', name, ...path], input, message });
  const pool = env.nodePools[store.pool];
  if (pool === undefined) {
    issue(['pool'], store.pool, `must be a node pool of this environment: ${Object.keys(env.nodePools).join(', ') || '(none declared)'}`);
  } else if (pool.spot) {
    issue(['pool'], store.pool, 'is a spot pool: a reclaimed node would take a database down; use an on-demand pool');
  }
  if (store.namespace === env.namespace) {
    issue(
      ['namespace'],
      store.namespace,
      `must differ from namespace (${env.namespace}): data stores run outside the apps' mesh and quota, in their own namespace`,
    );
  }
  const volumes: [string, { storageClass: string } | undefined][] = [
    ['storage', store.storage],
    ['walStorage', store.engine === 'postgres' ? store.walStorage : undefined],
  ];
  for (const [field, vol] of volumes) {
    if (vol !== undefined && !(vol.storageClass in env.storageClasses)) {
      issue(
        [field, 'storageClass'],
        vol.storageClass,
        `must be a storage class of this environment: ${Object.keys(env.storageClasses).join(', ')}`,
      );
    }
  }
  if (store.engine === 'redis') {
    if (store.sentinels !== 0 && (store.sentinels < 3 || store.sentinels % 2 === 0)) {
      issue(['sentinels'], store.sentinels, 'must be 0 or an odd number of at least 3: a majority of Sentinels must agree on a failover');
    } else if (store.sentinels > 0 && store.nodes < 2) {
      issue(['sentinels'], store.sentinels, 'must be 0 with a single node: Sentinel fails over to a replica, and there is none');
    }
    return;
  }
  const { pooler } = store;
  const serverConnections = pooler.instances * (pooler.defaultPoolSize + pooler.reservePoolSize);
  const budget = Math.floor((store.maxConnections * POSTGRES_DEFAULTS.alerts.connectionsPercent) / 100);
  if (serverConnections > budget) {
    issue(
      ['pooler', 'defaultPoolSize'],
      pooler.defaultPoolSize,
      `gives the pooler ${pooler.instances} x (${pooler.defaultPoolSize} + ${pooler.reservePoolSize} reserve) = ${serverConnections} server connections, above ${POSTGRES_DEFAULTS.alerts.connectionsPercent} % of maxConnections (${budget} of ${store.maxConnections}): lower it or raise maxConnections`,
    );
  }
  if (pooler.maxClientConnections < pooler.instances) {
    issue(
      ['pooler', 'maxClientConnections'],
      pooler.maxClientConnections,
      `must be at least pooler.instances (${pooler.instances}): it is shared by the pooler's pods`,
    );
  }
  const { backups, replication } = store;
  if (backups !== undefined) {
    if (backups.pointInTimeDays > backups.retentionDays) {
      issue(
        ['backups', 'pointInTimeDays'],
        backups.pointInTimeDays,
        `must be within backups.retentionDays (${backups.retentionDays}): recovery needs the WAL and a base backup from before the target`,
      );
    }
    if (backups.archiveTimeoutSeconds >= store.rpoMinutes * 60) {
      issue(
        ['backups', 'archiveTimeoutSeconds'],
        backups.archiveTimeoutSeconds,
        `must be shorter than the RPO (rpoMinutes ${store.rpoMinutes} = ${store.rpoMinutes * 60} s): a WAL segment may wait this long before it is archived, and the upload and the DR replica's replay come on top`,
      );
    }
  } else if (env.tier === Tier.PRODUCTION) {
    issue(
      ['backups'],
      undefined,
      'is required in production: WAL archiving and base backups are what the RPO and point-in-time recovery rest on (AVL-04, DAT-02)',
    );
  }
  const role = env.region?.role;
  if (replication !== undefined) {
    if (role !== RegionRole.PRIMARY && role !== RegionRole.STANDBY) {
      issue(
        ['replication'],
        replication,
        `is for the DR pair: region.role primary (whose archive feeds the peer) or standby (which runs the replica cluster), not ${role === undefined ? 'an environment without a region' : `role ${role}`}`,
      );
    } else if (replication.region === env.region?.name) {
      issue(['replication', 'region'], replication.region, `must be another region than this one (${env.region?.name})`);
    }
    if (backups === undefined) {
      issue(['backups'], undefined, "is required with replication: the DR replica cluster is fed from the primary region's archive");
    }
  } else if (role === RegionRole.STANDBY) {
    issue(
      ['replication'],
      undefined,
      "is required in a standby region: its DR replica cluster is fed from the primary region's archive (set the primary's region and bucket)",
    );
  }
}
type Env = z.infer<typeof environmentSchemaShape>;
type Svc = Env['services'][string];
type Web = Extract<Svc, { kind: 'web' }>;

/** What a web service's protocol needs: a health path for HTTP, none for gRPC (it answers grpc.health.v1). */
function checkProtocol(name: string, svc: Web, ctx: Ctx): void {
  const issue = (field: string, input: unknown, message: string) =>
    ctx.addIssue({ code: 'custom', path: ['services', name, field], input, message });
  if (svc.protocol === Protocol.GRPC) {
    if (svc.healthPath !== undefined) {
      issue(
        'healthPath',
        svc.healthPath,
        'is for http and http2 services: a grpc service is probed with grpc.health.v1 (grpcHealthService)',
      );
    }
    if (svc.metricsPath !== undefined) {
      issue('metricsPath', svc.metricsPath, 'is scraped over HTTP on the service port, which a grpc service does not serve; leave it out');
    }
    if (svc.strategy.type === 'blueGreen') {
      issue(
        'strategy',
        svc.strategy,
        "blueGreen's pre-promotion gate sends HTTP requests to the preview's health path; use rolling or canary for a grpc service",
      );
    }
  } else {
    if (svc.healthPath === undefined)
      issue('healthPath', undefined, `is required for a ${svc.protocol} service: the readiness probe's path`);
    if (svc.grpcHealthService !== undefined) issue('grpcHealthService', svc.grpcHealthService, 'is for grpc services only');
  }
  if (svc.metricsPath !== undefined && svc.metricsPort === svc.port) {
    issue(
      'metricsPort',
      svc.metricsPort,
      `is the service's port (${svc.port}), which its Services and public routes reach: a route to / would publish ${svc.metricsPath}; choose another port`,
    );
  }
}

function checkStrategy(env: Env, name: string, svc: Web, ctx: Ctx): void {
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

/** A Google Secret Manager secret ID (and so a prefix of one). */
const GCP_SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** Track names the platform uses itself: the main track and the canary subsets. */
export const RESERVED_TRACKS = ['main', 'stable', 'canary'];

function checkGraph(env: Env, name: string, svc: Svc, ctx: Ctx): void {
  svc.calls.forEach((callee, index) => {
    const target = env.services[callee];
    if (target?.kind === ServiceKind.WEB && callee !== name && !target.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['services', name, 'calls', index],
        input: callee,
        message: `names services.${callee}, which is disabled in this environment (enabled: false): enable it, or remove the call from services.${name}.calls`,
      });
    } else if (target?.kind !== ServiceKind.WEB || callee === name) {
      ctx.addIssue({
        code: 'custom',
        path: ['services', name, 'calls', index],
        input: callee,
        message: `must name another web service: ${webServices(env)
          .filter((s) => s !== name)
          .join(', ')}`,
      });
    }
  });
}

/**
 * A queue's producers are other services of the environment; where the worker reaches its broker as a
 * data store (`uses`), they use that store too. (A broker reached by its secrets alone has no store to compare.)
 */
function checkProducers(env: Env, name: string, svc: Extract<Svc, { kind: 'worker' }>, ctx: Ctx): void {
  const { queue } = svc;
  if (queue?.producers === undefined) return;
  const brokers = svc.uses.filter((store) => env.dataStores[store]?.engine === queue.broker);
  const eligible = Object.entries(env.services)
    .filter(([other, spec]) => other !== name && (brokers.length === 0 || spec.uses.some((store) => brokers.includes(store))))
    .map(([other]) => other);
  queue.producers.forEach((producer, index) => {
    if (eligible.includes(producer)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['services', name, 'queue', 'producers', index],
      input: producer,
      message:
        brokers.length === 0
          ? `must name another service of this environment: ${eligible.join(', ') || '(none)'}`
          : `must name another service that uses the queue's ${queue.broker} broker (${brokers.join(', ')}): ${eligible.join(', ') || '(none)'}`,
    });
  });
}

/** Enabled web services: the ones that can be called or routed to. */
function webServices(env: { services: Record<string, { kind: string; enabled: boolean }> }): string[] {
  return Object.entries(env.services)
    .filter(([, svc]) => svc.kind === ServiceKind.WEB && svc.enabled)
    .map(([name]) => name);
}

/** A fully resolved, validated environment: every default filled in. */
export type Environment = z.infer<typeof environmentSchema>;
/** What an environment file may write: defaults may be left out. */
export type EnvironmentInput = z.input<typeof environmentSchema>;
export type ServiceSpec = Environment['services'][string];
export type ExternalEndpoint = ServiceSpec['egress'][number];
export type WebServiceSpec = Extract<ServiceSpec, { kind: 'web' }>;
export type WorkerServiceSpec = Extract<ServiceSpec, { kind: 'worker' }>;
export type JobServiceSpec = Extract<ServiceSpec, { kind: 'job' }>;
/** A service that runs long-lived pods: a web service or a worker. */
export type LongRunningServiceSpec = WebServiceSpec | WorkerServiceSpec;
export type NodePool = Environment['nodePools'][string];
export type ResourceSet = ServiceSpec['resources']['requests'];
export type Strategy = WebServiceSpec['strategy'];
export type Traffic = WebServiceSpec['traffic'];
export type Autoscaling = WebServiceSpec['autoscaling'];
export type MachineType = Environment['machineTypes'][string];
export type DataStore = Environment['dataStores'][string];
export type Queue = NonNullable<WorkerServiceSpec['queue']>;
export type OperatedStore = Extract<DataStore, { mode: 'operated' }>;
export type OperatedPostgres = Extract<OperatedStore, { engine: 'postgres' }>;
export type OperatedRedis = Extract<OperatedStore, { engine: 'redis' }>;
export type BackupCredentials = NonNullable<OperatedPostgres['backups']>['credentials'];
export type Chaos = Environment['chaos'];
