/**
 * The typed model of an environment, validated when it is loaded. Everything a chart needs to know
 * about dev, staging, prod or a region is here; anything not here is a construct default.
 *
 * Every object is strict: an unknown key is an error, because a typo'd key that silently does
 * nothing is how production drifts from what a reviewer approved.
 */
import { z } from 'zod';
import { isQuantity, parseQuantity } from '../lib/core/quantity';

/**
 * Messages for the checks zod makes itself, in the form every other error here takes: what the field
 * must be. A missing field says it is required rather than "received undefined".
 */
z.config({
  customError: (issue) => {
    if (issue.code !== 'invalid_type') return undefined;
    return issue.input === undefined ? `is required (${issue.expected})` : `must be ${issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}`;
  },
});

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
  /** 0 only for queue workers that may scale to zero. */
  min: z.number().int().min(0, 'must be at least 0'),
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

const cidr = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/, 'must be an IPv4 CIDR such as 10.20.0.0/16');

const port = z.number().int().min(1).max(65535);

/** An endpoint outside the cluster, by address range: NetworkPolicies cannot name hosts. */
const externalEndpoint = strict({
  name: dnsLabel,
  port,
  cidrs: z.array(cidr).min(1),
});

export const Broker = { REDIS: 'redis', RABBITMQ: 'rabbitmq' } as const;

const queue = strict({
  /** Seed 001: Celery on Redis; RabbitMQ is the other Celery broker. */
  broker: z.enum([Broker.REDIS, Broker.RABBITMQ]),
  /** The Redis list or RabbitMQ queue the workers consume. */
  name: z.string().min(1),
  /** Waiting tasks one replica is expected to absorb (seed 004: 100). */
  targetPerReplica: z.number().int().min(1),
  /** Scale to zero replicas when the queue is empty. */
  scaleToZero: z.boolean(),
  /** The longest a task may run; shutdown waits this long for it to finish. */
  taskTimeoutSeconds: z.number().int().min(1).max(86_400),
});

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
  /** Data stores (keys of `dataStores`) this service connects to; egress is allowed to these only. */
  uses: z.array(dnsLabel),
  /** Endpoints outside the cluster this service calls (a model provider's API). */
  egress: z.array(externalEndpoint),
  /** Secret names (under `secrets.prefix` in the store) mounted as files in /var/run/secrets/app. */
  secrets: z.array(dnsLabel),
  /** HTTP path of the Prometheus metrics a web service exposes on its port. @default - no metrics scraped */
  metricsPath: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'must be an absolute URL path such as /metrics').optional(),
  /** A worker's queue: what it scales on (KEDA) and how long a task may run. */
  queue: queue.optional(),
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
  /** Seed 000's P3 thresholds; P1 and P2 follow from `slo`. */
  alerts: strict({
    diskPercent: z.number().min(1).max(100),
    memoryPercent: z.number().min(1).max(100),
  }),
  /** OpenTelemetry traces (seed 002: Jaeger's OTLP collector). @default - no tracing */
  tracing: strict({
    otlpEndpoint: z.string().url(),
    /** Share of root traces sampled, 0-1. */
    sampleRatio: z.number().min(0).max(1),
  }).optional(),
});

export const DataStoreMode = { MANAGED: 'managed', IN_CLUSTER: 'in-cluster' } as const;

const dataStore = strict({
  engine: z.enum(['postgres', 'redis', 'mongodb', 'rabbitmq']),
  /** `managed`: a provider's service (seed 000: Supabase, Atlas, Redis Cloud); `in-cluster`: pods (seed 004). */
  mode: z.enum([DataStoreMode.MANAGED, DataStoreMode.IN_CLUSTER]),
  port,
  /** Managed: the provider's address ranges (private endpoints). */
  cidrs: z.array(cidr).min(1).optional(),
  /** In-cluster: the namespace the store runs in. */
  namespace: dnsLabel.optional(),
  /** In-cluster: labels of the store's pods. */
  podLabels: z.record(z.string(), z.string()).optional(),
});

const secretProvider = z.discriminatedUnion(
  'provider',
  [
    strict({ provider: z.literal('aws'), region: z.string().min(1), serviceAccount: dnsLabel }),
    strict({ provider: z.literal('gcp'), projectId: z.string().min(1), serviceAccount: dnsLabel }),
    strict({ provider: z.literal('vault'), server: z.string().url(), path: z.string().min(1), role: z.string().min(1), serviceAccount: dnsLabel }),
  ],
  { error: () => 'must be one of the providers: aws, gcp, vault' },
);

const secrets = strict({
  /** `ClusterSecretStore` (one per cluster, run by the platform team) or a namespaced `SecretStore`. */
  scope: z.enum(['ClusterSecretStore', 'SecretStore']),
  /** Name of the store. */
  storeName: dnsLabel,
  store: secretProvider,
  /** Remote keys are `<prefix>/<secret name>`. */
  prefix: z.string().regex(/^[A-Za-z0-9_.\/-]+$/, 'must be a key path such as platform/prod'),
  /** How often the operator re-reads the store. */
  refreshInterval: z.string().regex(/^\d+[smh]$/, 'must be a duration such as 1h'),
});

const acmeSolver = z.discriminatedUnion(
  'type',
  [
    /** Proves control of each host through the NGINX ingress. */
    strict({ type: z.literal('http01') }),
    /** Google Cloud DNS, in the project that holds the zone. */
    strict({ type: z.literal('dns01-clouddns'), project: z.string().min(1) }),
    /** AWS Route 53, through the region's API endpoint. */
    strict({ type: z.literal('dns01-route53'), region: z.string().min(1) }),
  ],
  { error: () => 'must be one of the solvers: http01, dns01-clouddns (with project), dns01-route53 (with region)' },
);

const tls = strict({
  /** The cert-manager ClusterIssuer (seed 004: Let's Encrypt, renewed automatically). */
  issuer: strict({
    name: dnsLabel,
    email: z.string().email(),
    server: z.string().url(),
    /** How the CA's challenge is answered: http01 through the ingress, or dns01 (wildcards need dns01). */
    solver: acmeSolver,
  }),
  /** A wildcard covering the hosts (seed 000: *.eka-ai.in). @default - one name per host */
  wildcard: z.string().regex(/^\*\.[a-z0-9.-]+$/, 'must be a wildcard such as *.example.com').optional(),
});

const quota = strict({
  /** Headroom over the autoscalers' maxima, percent, for rollouts' surge pods. */
  headroomPercent: z.number().int().min(0).max(400),
});

const sandbox = strict({
  /** The namespace user projects run in (seed 003: bharatbuild-projects). */
  namespace: dnsLabel,
  image,
  /** Requests and limits of one project pod (seed 003: 100m/256Mi up to 500m/1Gi). */
  resources,
  /** Seed 003: pods end after an hour. */
  activeDeadlineSeconds: z.number().int().min(60).max(86_400),
  /** Most project pods at once, and the namespace's total requests. */
  maxPods: z.number().int().min(1),
  port,
});

const gitops = strict({
  /** Which controller syncs this environment's folder. */
  tool: z.enum(['flux', 'argocd', 'both']),
  repository: z.string().url(),
  branch: z.string().min(1),
});

const addons = strict({
  /** Seed 000's NGINX row: 3 replicas of 250m / 512Mi. */
  ingressNginx: strict({ replicas: z.number().int().min(1), cpu: quantity, memory: quantity }),
});

export const RegionRole = { PRIMARY: 'primary', ACTIVE: 'active', STANDBY: 'standby' } as const;

const region = strict({
  /** The cloud region, e.g. us-west1. */
  name: z.string().regex(/^[a-z0-9-]+$/, 'must be a cloud region name such as us-west1'),
  /** primary takes writes; active serves traffic too; standby stays warm for failover. */
  role: z.enum([RegionRole.PRIMARY, RegionRole.ACTIVE, RegionRole.STANDBY]),
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
  /** Data stores services use, by name. */
  dataStores: z.record(dnsLabel, dataStore),
  secrets,
  tls,
  quota,
  /** A namespace for untrusted user projects (seed 003). @default - none */
  sandbox: sandbox.optional(),
  gitops,
  addons,
  /** Set on production regions (overlays of prod). @default - not a region */
  region: region.optional(),
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
    checkOperations(env, name, svc, ctx);
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
  for (const [name, store] of Object.entries(env.dataStores)) {
    if (store.mode === DataStoreMode.MANAGED && store.cidrs === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dataStores', name, 'cidrs'], input: undefined, message: 'is required for a managed data store: egress is allowed to these ranges only' });
    }
    if (store.mode === DataStoreMode.IN_CLUSTER && (store.namespace === undefined || store.podLabels === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['dataStores', name, 'namespace'], input: store.namespace, message: 'and podLabels are required for an in-cluster data store' });
    }
  }
  if (env.tls.wildcard !== undefined && env.tls.issuer.solver.type === 'http01') {
    ctx.addIssue({ code: 'custom', path: ['tls', 'wildcard'], input: env.tls.wildcard, message: 'needs a dns01 solver: ACME issues wildcards only against DNS challenges' });
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
      if (t.replicas.min < 1) {
        ctx.addIssue({ code: 'custom', path: ['services', name, 'tracks', trackName, 'replicas', 'min'], input: t.replicas.min, message: 'must be at least 1' });
      }
      if (t.replicas.max < t.replicas.min) {
        ctx.addIssue({ code: 'custom', path: ['services', name, 'tracks', trackName, 'replicas', 'max'], input: t.replicas.max, message: `must be at least replicas.min (${t.replicas.min})` });
      }
      if (RESERVED_TRACKS.includes(trackName)) {
        ctx.addIssue({ code: 'custom', path: ['services', name, 'tracks', trackName], input: trackName, message: `is reserved; use another name than ${RESERVED_TRACKS.join(', ')}` });
      }
    }
  }
}

function checkOperations(env: Env, name: string, svc: Svc, ctx: Ctx): void {
  svc.uses.forEach((store, index) => {
    if (!(store in env.dataStores)) {
      ctx.addIssue({
        code: 'custom',
        path: ['services', name, 'uses', index],
        input: store,
        message: `must name a data store of this environment: ${Object.keys(env.dataStores).join(', ') || '(none declared)'}`,
      });
    }
  });
  if (svc.queue !== undefined && svc.kind !== ServiceKind.WORKER) {
    ctx.addIssue({ code: 'custom', path: ['services', name, 'queue'], input: svc.queue, message: 'is only for workers' });
  }
  if (svc.metricsPath !== undefined && svc.kind !== ServiceKind.WEB) {
    ctx.addIssue({ code: 'custom', path: ['services', name, 'metricsPath'], input: svc.metricsPath, message: 'is only for web services (workers have no Service to scrape)' });
  }
  if (svc.replicas.min === 0 && !svc.queue?.scaleToZero) {
    ctx.addIssue({
      code: 'custom',
      path: ['services', name, 'replicas', 'min'],
      input: 0,
      message: 'must be at least 1 unless the service is a queue worker with queue.scaleToZero: true',
    });
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
export type DataStore = Environment['dataStores'][string];
export type Queue = NonNullable<ServiceSpec['queue']>;
