/**
 * The typed model of an environment, validated when it is loaded. Everything a chart needs to know
 * about dev, staging, prod or a region is here; anything not here is a construct default.
 *
 * Every object is strict: an unknown key is an error, because a typo'd key that silently does
 * nothing is how production drifts from what a reviewer approved.
 */
import { z } from 'zod';
import { isQuantity, parseQuantity } from '../lib/quantity';

/** A strict object whose unknown-key error lists the keys that are allowed. */
function strict<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key; allowed keys: ${allowed}` : undefined),
  });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REPOSITORY = /^[a-z0-9]+([._\-/:][a-z0-9]+)*$/;

export const dnsLabel = z
  .string()
  .regex(DNS_LABEL, 'must be a DNS-1123 label: lowercase letters, digits and "-", at most 63 characters');

export const hostname = z
  .string()
  .regex(HOSTNAME, 'must be a fully qualified lowercase DNS name such as app.example.com');

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

const replicas = strict({
  min: z.number().int().min(1, 'must be at least 1'),
  max: z.number().int().min(1, 'must be at least 1'),
});

const rollingStrategy = strict({ type: z.literal('rolling') });

const blueGreenStrategy = strict({
  type: z.literal('blueGreen'),
  /** Promote without a human once the pre-promotion analysis passes. @default false */
  autoPromotion: z.boolean().optional(),
  /** Seconds the old version keeps running after promotion, for an instant rollback. @default 30 */
  scaleDownDelaySeconds: z.number().int().min(0).max(3600).optional(),
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

const strategy = z.discriminatedUnion('type', [rollingStrategy, blueGreenStrategy, canaryStrategy], {
  error: () => 'must be one of the strategies: rolling, blueGreen, canary',
});

/** Istio traffic policy of one service: seed 001's circuit breaker. Unset fields take construct defaults. */
const traffic = strict({
  /** Whole-request timeout on the route, seconds. */
  timeoutSeconds: z.number().positive().max(3600).optional(),
  retries: strict({
    attempts: z.number().int().min(0).max(10),
    perTryTimeoutSeconds: z.number().positive().max(3600),
  }).optional(),
  connectionPool: strict({
    maxConnections: z.number().int().min(1),
    maxPendingRequests: z.number().int().min(1),
    maxRequestsPerConnection: z.number().int().min(0),
  }).optional(),
  outlierDetection: strict({
    consecutive5xxErrors: z.number().int().min(1),
    intervalSeconds: z.number().int().min(1),
    baseEjectionSeconds: z.number().int().min(1),
    maxEjectionPercent: z.number().int().min(1).max(100),
  }).optional(),
});

/** Another version of a service running beside the main one and taking a fixed share of its traffic. */
const track = strict({
  tag: image.shape.tag,
  /** Percent of the service's traffic this track receives; the main track keeps the rest. */
  weight: z.number().int().min(1, 'must be 1-99').max(99, 'must be 1-99'),
  replicas,
});

export const ServiceKind = { WEB: 'web', WORKER: 'worker' } as const;

const service = strict({
  /** `web` serves HTTP behind a Service; `worker` consumes a queue and has no Service. */
  kind: z.enum([ServiceKind.WEB, ServiceKind.WORKER]),
  /** app.kubernetes.io/component, e.g. `api`. */
  component: dnsLabel,
  image,
  /** Container port of a web service. */
  port: z.number().int().min(1).max(65535).optional(),
  /** HTTP path of the readiness and liveness probes of a web service. */
  healthPath: z.string().regex(/^\/[\x21-\x7e]*$/, 'must be an absolute URL path such as /health').optional(),
  /** Exec command that proves a worker is alive (workers have no HTTP port). */
  healthCommand: z.array(z.string().min(1)).min(1).optional(),
  /** Seconds the service may take to start; adds a startup probe that holds liveness off until then. */
  startupSeconds: z.number().int().min(1).max(3600).optional(),
  replicas,
  resources,
  /** Node pool the pods run on; a key of `nodePools`. */
  pool: dnsLabel,
  /** Tolerate spot/preemptible nodes (interruptible work only). */
  spot: z.boolean(),
  strategy,
  /** The services this one calls: the one service graph mesh and network policies derive from. */
  calls: z.array(dnsLabel),
  /** @default - construct defaults (see lib/mesh-routing.ts) */
  traffic: traffic.optional(),
  /** Versions that run beside the main one with a weighted share of traffic (seed 002's 80/20). */
  tracks: z.record(dnsLabel, track).optional(),
});

const nodePool = strict({
  machineType: z.string().min(1),
  minNodes: z.number().int().min(0),
  maxNodes: z.number().int().min(1),
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

const ingress = strict({
  /** `path`: one public host, `/api` routed to the backend. `host`: a separate API host (seed 003). */
  routing: z.enum(['path', 'host']),
  /** The public host of the frontend. */
  host: hostname,
  /** The API host when routing is `host`. */
  apiHost: hostname.optional(),
  /** Path prefix routed to the backend when routing is `path`. */
  apiPath: z.string().regex(/^\/[A-Za-z0-9/_-]*$/, 'must be an absolute URL path such as /api'),
  /** Health path load balancers probe through the ingress (seed 000: /api/health). */
  healthPath: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'must be an absolute URL path such as /api/health'),
  /** Requests per minute allowed per client IP (seed 000: 100). */
  rateLimitPerMinute: z.number().int().min(1).max(100_000),
  /** Service that serves the public host. */
  frontendService: dnsLabel,
  /** Service that serves the API. */
  apiService: dnsLabel,
  /** Where the NGINX ingress controller runs, for authorization and network policies. */
  controller: strict({ namespace: dnsLabel, serviceAccount: dnsLabel }),
});

const mesh = strict({
  /** Run the namespace in the Istio mesh: sidecars, STRICT mTLS, deny-by-default authorization. */
  enabled: z.boolean(),
  /** Istio trust domain of workload identities. */
  trustDomain: z.string().min(1),
});

/** Service-level objectives: rollouts are analysed against them, alerts fire on them. */
const slo = strict({
  /** Highest acceptable share of 5xx responses, percent (seed 000 P2: 1 %). */
  errorRatePercent: z.number().positive().max(100),
  /** Highest acceptable p95 latency, seconds (seed 000 P2: 2 s). */
  p95LatencySeconds: z.number().positive(),
});

const monitoring = strict({
  /** Prometheus that analysis runs query. */
  prometheusUrl: z.string().url(),
});

const cluster = strict({
  /** Node label whose value is the node pool name (GKE: cloud.google.com/gke-nodepool). */
  nodePoolLabel: z.string().min(1),
  /** Requests of the DaemonSets and system pods on every node (logging, CNI, kube-proxy, mesh CNI). */
  daemonSetOverhead: strict({ cpu: quantity, memory: quantity }),
  /** Taint that spot nodes carry, as key=value:Effect. */
  spotTaint: z.string().regex(/^[A-Za-z0-9./-]+=[A-Za-z0-9._-]*:(NoSchedule|PreferNoSchedule|NoExecute)$/, 'must be key=value:Effect'),
});

const waiver = strict({
  kind: z.string().min(1),
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
  nodePools: z.record(dnsLabel, nodePool),
  services: z.record(dnsLabel, service),
  ingress,
  mesh,
  slo,
  monitoring,
  waivers: z.array(waiver),
});

export const environmentSchema = environmentSchemaShape.superRefine((env, ctx) => {
  for (const [name, svc] of Object.entries(env.services)) {
    const at = (...path: (string | number)[]) => ['services', name, ...path];
    if (svc.replicas.max < svc.replicas.min) {
      ctx.addIssue({
        code: 'custom',
        path: at('replicas', 'max'),
        input: svc.replicas.max,
        message: `must be at least replicas.min (${svc.replicas.min})`,
      });
    }
    for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
      const request = svc.resources.requests[key];
      const limit = svc.resources.limits[key];
      // Unparseable quantities are reported by their own field; compare only what parses.
      if (isQuantity(request) && isQuantity(limit) && parseQuantity(request) > parseQuantity(limit)) {
        ctx.addIssue({
          code: 'custom',
          path: at('resources', 'requests', key),
          input: request,
          message: `must not exceed resources.limits.${key} (${limit})`,
        });
      }
    }
    if (!(svc.pool in env.nodePools)) {
      ctx.addIssue({
        code: 'custom',
        path: at('pool'),
        input: svc.pool,
        message: `must be a node pool of this environment: ${Object.keys(env.nodePools).join(', ') || '(none declared)'}`,
      });
    } else if (env.nodePools[svc.pool]!.spot && !svc.spot) {
      ctx.addIssue({
        code: 'custom',
        path: at('pool'),
        input: svc.pool,
        message: 'is a spot pool; only services with spot: true may run there',
      });
    }
    checkStrategy(env, name, svc, ctx);
    checkGraph(env, name, svc, ctx);
    if (svc.kind === ServiceKind.WEB) {
      if (svc.port === undefined) ctx.addIssue({ code: 'custom', path: at('port'), input: svc.port, message: 'is required for a web service' });
      if (svc.healthPath === undefined) ctx.addIssue({ code: 'custom', path: at('healthPath'), input: svc.healthPath, message: 'is required for a web service' });
    } else {
      if (svc.port !== undefined) ctx.addIssue({ code: 'custom', path: at('port'), input: svc.port, message: 'must not be set: workers serve no traffic' });
      if (svc.healthCommand === undefined) ctx.addIssue({ code: 'custom', path: at('healthCommand'), input: svc.healthCommand, message: 'is required for a worker (an exec liveness check)' });
    }
  }
  for (const [name, pool] of Object.entries(env.nodePools)) {
    if (!(pool.machineType in env.machineTypes)) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodePools', name, 'machineType'],
        input: pool.machineType,
        message: `must be a machine type of this environment: ${Object.keys(env.machineTypes).join(', ')}`,
      });
    }
    if (pool.maxNodes < pool.minNodes) {
      ctx.addIssue({ code: 'custom', path: ['nodePools', name, 'maxNodes'], input: pool.maxNodes, message: `must be at least minNodes (${pool.minNodes})` });
    }
  }
  for (const key of ['frontendService', 'apiService'] as const) {
    const target = env.ingress[key];
    const svc = env.services[target];
    if (svc?.kind !== ServiceKind.WEB) {
      ctx.addIssue({
        code: 'custom',
        path: ['ingress', key],
        input: target,
        message: `must name a web service: ${webServices(env).join(', ')}`,
      });
    }
  }
  if (env.ingress.routing === 'host' && env.ingress.apiHost === undefined) {
    ctx.addIssue({ code: 'custom', path: ['ingress', 'apiHost'], input: undefined, message: 'is required when ingress.routing is "host"' });
  }
  if (env.ingress.apiHost !== undefined && env.ingress.apiHost === env.ingress.host) {
    ctx.addIssue({ code: 'custom', path: ['ingress', 'apiHost'], input: env.ingress.apiHost, message: 'must differ from ingress.host' });
  }
});

type Ctx = z.RefinementCtx;
type Env = z.infer<typeof environmentSchemaShape>;
type Svc = Env['services'][string];

function checkStrategy(env: Env, name: string, svc: Svc, ctx: Ctx): void {
  const at = ['services', name, 'strategy', 'type'];
  const { strategy: chosen } = svc;
  if (chosen.type !== 'rolling' && svc.kind !== ServiceKind.WEB) {
    ctx.addIssue({ code: 'custom', path: at, input: chosen.type, message: 'must be "rolling" for a worker: progressive delivery needs traffic to shift, and queue consumers take none' });
  }
  if (chosen.type === 'canary') {
    if (!env.mesh.enabled) {
      ctx.addIssue({ code: 'custom', path: at, input: chosen.type, message: 'needs mesh.enabled: the canary weight is set on the Istio VirtualService' });
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
      ctx.addIssue({ code: 'custom', path: ['services', name, 'tracks'], input: total, message: 'track weights must add up to less than 100: the main track keeps the rest' });
    }
    if (!env.mesh.enabled || svc.kind !== ServiceKind.WEB || chosen.type !== 'rolling') {
      ctx.addIssue({ code: 'custom', path: ['services', name, 'tracks'], input: Object.keys(svc.tracks ?? {}), message: 'weighted tracks need mesh.enabled, a web service and the rolling strategy' });
    }
    for (const [trackName, t] of tracks) {
      if (t.replicas.max < t.replicas.min) {
        ctx.addIssue({ code: 'custom', path: ['services', name, 'tracks', trackName, 'replicas', 'max'], input: t.replicas.max, message: `must be at least replicas.min (${t.replicas.min})` });
      }
      if (RESERVED_TRACKS.includes(trackName)) {
        ctx.addIssue({ code: 'custom', path: ['services', name, 'tracks', trackName], input: trackName, message: `is reserved; use another name than ${RESERVED_TRACKS.join(', ')}` });
      }
    }
  }
}

/** Track names the platform uses itself: the main track and the canary subsets. */
export const RESERVED_TRACKS = ['main', 'stable', 'canary'];

function checkGraph(env: Env, name: string, svc: Svc, ctx: Ctx): void {
  svc.calls.forEach((callee, index) => {
    const target = env.services[callee];
    if (target?.kind !== ServiceKind.WEB || callee === name) {
      ctx.addIssue({
        code: 'custom',
        path: ['services', name, 'calls', index],
        input: callee,
        message: `must name another web service: ${webServices(env).filter((s) => s !== name).join(', ')}`,
      });
    }
  });
}

function webServices(env: { services: Record<string, { kind: string }> }): string[] {
  return Object.entries(env.services)
    .filter(([, svc]) => svc.kind === ServiceKind.WEB)
    .map(([name]) => name);
}

/** A fully resolved, validated environment. */
export type Environment = z.infer<typeof environmentSchema>;
export type ServiceSpec = Environment['services'][string];
export type NodePool = Environment['nodePools'][string];
export type ResourceSet = ServiceSpec['resources']['requests'];
export type Strategy = ServiceSpec['strategy'];
export type MachineType = Environment['machineTypes'][string];
