/**
 * The public routes of an environment as one list: every (host, path) the edge answers and the service
 * behind it. `ingress.routes` states them; without it they follow from today's fields (the frontend on
 * `host`, the API on `apiPath` or its own `apiHost`). The health path is always routed, exactly, on
 * `host` to `apiService`. The edge (HTTPRoutes, GRPCRoutes, listeners, the certificate), the mesh's
 * allow policies and the NetworkPolicies all read this list, so they cannot disagree about what is public.
 */

/** How a path matches: a prefix (segment-wise, as Gateway API's PathPrefix) or the one path. */
export type PathMatch = 'prefix' | 'exact';

/** One public path of one host and the service that serves it. */
export interface ResolvedRoute {
  readonly host: string;
  readonly path: string;
  readonly match: PathMatch;
  readonly service: string;
  /** A gRPC service takes every method of its hosts (a GRPCRoute); the path is `/` then. */
  readonly grpc: boolean;
}

/** What the derivation reads of `ingress` (the parsed schema's shape). */
export interface RoutesInput {
  readonly routing: 'path' | 'host';
  readonly host: string;
  readonly apiHost?: string | undefined;
  readonly apiPath: string;
  readonly healthPath: string;
  readonly frontendService: string;
  readonly apiService: string;
  readonly routes?:
    | readonly {
        readonly service: string;
        readonly hosts: readonly string[];
        readonly paths?: readonly { readonly path: string; readonly match: PathMatch }[] | undefined;
      }[]
    | undefined;
}

/** Whether a service speaks gRPC (`protocol` of a web service; `http` when the model does not say). */
export type IsGrpc = (service: string) => boolean;

/** Every public route, the health path first, in the order the model states them. */
export function resolveRoutes(ingress: RoutesInput, isGrpc: IsGrpc): ResolvedRoute[] {
  const health: ResolvedRoute = { host: ingress.host, path: ingress.healthPath, match: 'exact', service: ingress.apiService, grpc: false };
  if (ingress.routes === undefined) {
    const api = ingress.apiService;
    const apiRoute: ResolvedRoute =
      ingress.apiHost === undefined || ingress.routing === 'path'
        ? { host: ingress.host, path: ingress.apiPath, match: 'prefix', service: api, grpc: false }
        : { host: ingress.apiHost, path: '/', match: 'prefix', service: api, grpc: false };
    const frontend: ResolvedRoute = { host: ingress.host, path: '/', match: 'prefix', service: ingress.frontendService, grpc: false };
    return [health, apiRoute, frontend];
  }
  const stated = ingress.routes.flatMap((route) => {
    const grpc = isGrpc(route.service);
    const paths = grpc ? [{ path: '/', match: 'prefix' as const }] : (route.paths ?? [{ path: '/', match: 'prefix' as const }]);
    return route.hosts.flatMap((host) => paths.map((p) => ({ host, path: p.path, match: p.match, service: route.service, grpc })));
  });
  return [health, ...stated];
}

/** The services the edge routes to, each once, in route order. */
export function routedServices(routes: readonly ResolvedRoute[]): string[] {
  return [...new Set(routes.map((route) => route.service))];
}
