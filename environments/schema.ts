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

const strategy = z.discriminatedUnion('type', [rollingStrategy], {
  error: () => 'must be one of the strategies: rolling',
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

export const environmentSchema = strict({
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
  waivers: z.array(waiver),
}).superRefine((env, ctx) => {
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
