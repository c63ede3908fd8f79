/**
 * The services: what every kind has (image, resources, pool, the calls and stores that make the
 * service graph), the kinds (web, worker, job) and their checks.
 */
import { z } from 'zod';
import { isQuantity, parseQuantity } from '../../lib/core/quantity';
import { CronError, parseCron } from '../../lib/cron';
import { DISRUPTION_DEFAULTS, METRICS_DEFAULTS, QUEUE_SCALING_DEFAULTS, ROLLING_DEFAULTS } from '../../lib/defaults';
import { PLATFORM_ENV } from '../../lib/names';
import type { Environment as Env } from '../schema';
import { type Ctx, dnsLabel, image, MAX_REPLICAS, port, replicas, resources, strict, Tier } from './common';
import { externalEndpoint } from './egress';
import { autoscaling, checkStrategy, strategy, track, traffic } from './rollout';

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

/** Ports the Istio proxy and agent listen on inside every pod of the mesh (15000-15090). */
export const ISTIO_RESERVED_PORTS = { first: 15000, last: 15090 } as const;

/** A container port: any TCP port but the range the Istio sidecar reserves in the pod. */
const servicePort = port.refine((value) => value < ISTIO_RESERVED_PORTS.first || value > ISTIO_RESERVED_PORTS.last, {
  error: (issue) =>
    `is reserved by the Istio sidecar: ${String(issue.input)} is in ${ISTIO_RESERVED_PORTS.first}-${ISTIO_RESERVED_PORTS.last}, where the proxy and its agent listen in every pod; choose another port`,
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

export const service = z.discriminatedUnion('kind', SERVICE_VARIANTS, {
  error: () =>
    'must be one of the kinds: web (with port and healthPath), worker (with healthCommand, and a queue or a fixed size), job (with schedule and deadlineSeconds); a service the base does not declare needs its kind and every field',
});

type Svc = Env['services'][string];
type Web = Extract<Svc, { kind: 'web' }>;

/** Each service: its own fields' agreement, then (when enabled) where it runs and what it reaches. */
export function checkServices(env: Env, ctx: Ctx): void {
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
}

/** The protocol of a web service (`http` where the model states none). */
export function protocolOf(svc: Svc | undefined): string {
  return (svc as { protocol?: string } | undefined)?.protocol ?? 'http';
}

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
export function webServices(env: { services: Record<string, { kind: string; enabled: boolean }> }): string[] {
  return Object.entries(env.services)
    .filter(([, svc]) => svc.kind === ServiceKind.WEB && svc.enabled)
    .map(([name]) => name);
}

/** A latency trigger reads Istio's request durations: it needs the mesh. */
export function checkLatencyScaling(env: Env, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  for (const [name, svc] of Object.entries(env.services)) {
    if (svc.kind === ServiceKind.WEB && svc.enabled && svc.autoscaling.latency !== undefined && !env.mesh.enabled) {
      issue(
        ['services', name, 'autoscaling', 'latency'],
        svc.autoscaling.latency,
        "needs mesh.enabled: the request latency is read from Istio's proxies; without the mesh leave it out (CPU and memory scale the service)",
      );
    }
  }
}

/** What runs in production is the build that was tested: a digest names it, a tag can be moved. */
export function checkPinnedImages(env: Env, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  if (env.tier === Tier.PRODUCTION) {
    // What runs in production is the build that was tested: a digest names it, a tag can be moved.
    const unpinned = 'is required in the production tier: pin the image by the digest the release pipeline promoted (sha256:<64 hex>)';
    for (const [name, svc] of Object.entries(env.services)) {
      if (svc.enabled && svc.image.digest === undefined) issue(['services', name, 'image', 'digest'], undefined, unpinned);
    }
  }
}
