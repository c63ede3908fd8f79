/** The public edge: its implementation, hosts and routes, the users' identity issuer and per-user limits. */
import { z } from 'zod';
import type { Environment as Env } from '../schema';
import { resolveRoutes, type ResolvedRoute } from '../public-routes';
import { type Ctx, dnsLabel, hostname, MAX_REPLICAS, quantity, strict } from './common';
import { protocolOf, ServiceKind, webServices } from './services';

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

export const ingress = strict({
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

/** The edge routes to enabled web services, runs on a pool of the environment, and names its hosts once. */
export function checkIngress(env: Env, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
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
