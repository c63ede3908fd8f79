/**
 * Public routes as data (issue 19 #6): any number of services exposed, each with its hosts and paths;
 * TLS for every host; the mesh's ALLOW and the NetworkPolicy's ingress for every routed service; no
 * path of a host routed to two services; and validate refusing a public service the edge cannot reach.
 */
import { describe, expect, it } from 'vitest';
import { graphOptions, topologyMermaid } from '../app/graph';
import { renderEnvironment, type RenderedEnvironment } from '../app/render';
import { validationContext } from '../app/synthesize';
import { buildEnvironment } from '../charts';
import { publicRoutes } from '../charts/edge-chart';
import { edgePeer, publicServices } from '../charts/service-graph';
import { type Environment, type EnvironmentOverlay, environmentNames } from '../environments';
import { resolveEnvironment } from '../environments/load';
import { platform } from '../environments/platform';
import staging from '../environments/staging';
import type { Manifest } from '../lib/core/manifest';
import { validate } from '../validation';
import { environment, find, objects, rendered } from './helpers';
import type { NetworkPolicyJson, WithSpec } from './k8s-json';

type Route = WithSpec<{
  readonly parentRefs: readonly { readonly name: string; readonly sectionName?: string }[];
  readonly hostnames: readonly string[];
  readonly rules: readonly {
    readonly matches?: readonly { readonly path: { readonly type: string; readonly value: string } }[];
    readonly backendRefs?: readonly { readonly name: string; readonly port: number }[];
  }[];
}>;
type Gateway = WithSpec<{
  readonly listeners: readonly { readonly name: string; readonly hostname?: string; readonly protocol: string }[];
}>;
type Certificate = WithSpec<{ readonly dnsNames: readonly string[] }>;
type AuthorizationPolicy = WithSpec<{
  readonly action: string;
  readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly rules: readonly {
    readonly from: readonly { readonly source: { readonly principals: readonly string[] } }[];
    readonly to: readonly { readonly operation: { readonly ports: readonly string[] } }[];
  }[];
}>;

/** The platform base with a second UI, `admin` (an admin portal), that calls the API. */
function baseWithAdmin(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const frontend = platform.services.frontend!;
  if (frontend.kind !== 'web') throw new Error('the platform base changed the frontend kind');
  return {
    ...platform,
    services: {
      ...platform.services,
      admin: {
        ...frontend,
        component: 'admin',
        image: { ...frontend.image, repository: `${frontend.image.repository}-admin` },
        port: 3100,
        ...extra,
      },
    },
  };
}

/** One entry of `ingress.routes` as an overlay writes it. */
type RouteInput = NonNullable<NonNullable<EnvironmentOverlay['ingress']>['routes']>[number];

const ADMIN_HOST = 'admin.staging.example.com';

/** Staging with the admin portal public on its own host, next to the frontend and the API. */
const withAdmin: EnvironmentOverlay = {
  ...staging,
  services: { ...staging.services, admin: { replicas: { min: 2, max: 4 } } },
  ingress: {
    host: 'staging.example.com',
    routing: 'path',
    routes: [
      { service: 'frontend', hosts: ['staging.example.com'] },
      { service: 'backend', hosts: ['staging.example.com'], paths: [{ path: '/api', match: 'prefix' }] },
      { service: 'admin', hosts: [ADMIN_HOST] },
    ],
  },
};

function render(overlay: EnvironmentOverlay, base = baseWithAdmin()): { env: Environment; out: RenderedEnvironment } {
  const env = resolveEnvironment(overlay, base);
  return { env, out: renderEnvironment(buildEnvironment(env)) };
}

function named<T extends Manifest>(out: RenderedEnvironment, kind: string, name: string): T | undefined {
  return out.objects.find((o) => o.kind === kind && o.metadata.name === name) as T | undefined;
}

describe('routes derived from the frontend and API fields when ingress.routes is not given', () => {
  it('keep today’s layouts: the API on a path or on its own host (SEC-11), the health path on the public host', () => {
    expect(publicRoutes(environment('prod'))).toEqual([
      { host: 'app.example.com', path: '/api/health', pathType: 'Exact', service: 'backend' },
      { host: 'app.example.com', path: '/api', pathType: 'Prefix', service: 'backend' },
      { host: 'app.example.com', path: '/', pathType: 'Prefix', service: 'frontend' },
    ]);
    expect(publicRoutes(environment('staging'))).toEqual([
      { host: 'staging.example.com', path: '/api/health', pathType: 'Exact', service: 'backend' },
      { host: 'api.staging.example.com', path: '/', pathType: 'Prefix', service: 'backend' },
      { host: 'staging.example.com', path: '/', pathType: 'Prefix', service: 'frontend' },
    ]);
  });

  it('never publishes one host’s paths on another: the API’s / stays on its own host in staging', () => {
    const routes = objects<Route>(rendered('staging'), 'HTTPRoute').filter((r) => r.spec.rules.some((rule) => rule.backendRefs));
    const served = routes.flatMap((r) =>
      r.spec.hostnames.flatMap((host) =>
        r.spec.rules.map((rule) => `${host}${rule.matches![0]!.path.value} -> ${rule.backendRefs![0]!.name}`),
      ),
    );
    expect(served.sort()).toEqual([
      'api.staging.example.com/ -> backend',
      'staging.example.com/ -> frontend',
      'staging.example.com/api/health -> backend',
    ]);
  });

  it('route each path of each host to one service, in every environment', () => {
    const names = environmentNames();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const owner = new Map<string, string>();
      for (const route of publicRoutes(environment(name))) {
        const key = `${route.host} ${route.pathType} ${route.path}`;
        expect(owner.get(key) ?? route.service, `${name}: ${key}`).toBe(route.service);
        owner.set(key, route.service);
      }
      const report = validate(rendered(name).objects, validationContext(environment(name)));
      expect(report.violations.filter((v) => v.rule.startsWith('edge/route') || v.rule === 'edge/unreachable')).toEqual([]);
    }
  });
});

describe('a second UI on its own host', () => {
  const { env, out } = render(withAdmin);

  it('gets its HTTPRoute on its host', () => {
    const route = named<Route>(out, 'HTTPRoute', 'admin')!;
    expect(route.spec.hostnames).toEqual([ADMIN_HOST]);
    expect(route.spec.rules.map((r) => [r.matches![0]!.path, r.backendRefs])).toEqual([
      [{ type: 'PathPrefix', value: '/' }, [{ group: '', kind: 'Service', name: 'admin', port: 80 }]],
    ]);
  });

  it('gets an HTTPS listener and a name on the certificate', () => {
    const gateway = find<Gateway>(out, 'Gateway', 'public');
    const listener = gateway.spec.listeners.find((l) => l.hostname === ADMIN_HOST);
    expect(listener?.protocol).toBe('HTTPS');
    expect(named<Route>(out, 'HTTPRoute', 'admin')!.spec.parentRefs.map((p) => p.sectionName)).toEqual([listener!.name]);
    expect(named<Certificate>(out, 'Certificate', `public-${env.name}`)!.spec.dnsNames).toContain(ADMIN_HOST);
  });

  it('is allowed from the edge by the mesh and by its NetworkPolicy, on its own port', () => {
    expect(publicServices(env)).toContain('admin');
    const allow = named<AuthorizationPolicy>(out, 'AuthorizationPolicy', 'admin')!;
    expect(allow.spec.action).toBe('ALLOW');
    const principals = allow.spec.rules.flatMap((r) => r.from.flatMap((f) => f.source.principals));
    expect(principals).toContain(`${env.mesh.trustDomain}/ns/${env.ingress.namespace}/sa/public-nginx`);
    expect(allow.spec.rules.flatMap((r) => r.to.flatMap((t) => t.operation.ports))).toEqual(['3100']);
    const policy = named<NetworkPolicyJson>(out, 'NetworkPolicy', 'admin')!;
    expect(policy.spec.ingress).toContainEqual({ from: [edgePeer(env)], ports: [{ port: 3100, protocol: 'TCP' }] });
    // And the edge's NGINX pods may connect out to it.
    const edge = out.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'public') as NetworkPolicyJson;
    expect(edge.spec.egress).toContainEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': env.namespace } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'admin', 'app.kubernetes.io/instance': 'admin-staging' } },
        },
      ],
      ports: [{ port: 3100, protocol: 'TCP' }],
    });
  });

  it('validates with no error, and routes the frontend and the API as before', () => {
    const report = validate(out.objects, validationContext(env));
    expect(report.violations.filter((v) => v.severity === 'error').map((v) => `${v.rule} ${v.object}: ${v.message}`)).toEqual([]);
    expect(named<Route>(out, 'HTTPRoute', 'frontend')!.spec.hostnames).toEqual(['staging.example.com']);
    expect(named<Route>(out, 'HTTPRoute', 'backend')!.spec.rules.map((r) => r.matches![0]!.path.value)).toEqual(['/api/health', '/api']);
  });
});

describe('the model refuses routes that cannot work', () => {
  const refused = (overlay: EnvironmentOverlay, base = baseWithAdmin()) => {
    try {
      resolveEnvironment(overlay, base);
    } catch (error) {
      return String((error as Error).message);
    }
    throw new Error('accepted');
  };
  const routes = (extra: RouteInput[]): EnvironmentOverlay => ({
    ...withAdmin,
    ingress: { ...withAdmin.ingress, routes: [...withAdmin.ingress!.routes!, ...extra] },
  });

  it('a route to a worker, a disabled service or no service at all', () => {
    expect(refused(routes([{ service: 'worker', hosts: ['w.example.com'] }]))).toMatch(
      /ingress\.routes\[3\]\.service = "worker": services\.worker is a worker, which serves no port; must name an enabled web service/,
    );
    expect(refused(routes([]), baseWithAdmin({ enabled: false }))).toMatch(
      /ingress\.routes\[2\]\.service = "admin": services\.admin is disabled \(enabled: false\); must name an enabled web service/,
    );
    expect(refused(routes([{ service: 'nope', hosts: ['n.example.com'] }]))).toMatch(
      /ingress\.routes\[3\]\.service = "nope": must name an enabled web service: /,
    );
  });

  it('one path of one host routed to two services', () => {
    expect(refused(routes([{ service: 'admin', hosts: ['staging.example.com'] }]))).toMatch(
      /ingress\.routes\[3\] = "staging\.example\.com\/": routes prefix \/ of staging\.example\.com to admin, which already goes to frontend: one path of one host has one service/,
    );
    expect(
      refused(routes([{ service: 'admin', hosts: ['staging.example.com'], paths: [{ path: '/api/health', match: 'exact' }] }])),
    ).toMatch(/which already goes to backend/);
  });

  it("one path of one host routed to two services by today's fields too: the API's / beside the frontend's", () => {
    // routing path with apiPath /: the API's prefix / on the frontend's host.
    expect(refused({ ...staging, ingress: { ...staging.ingress, routing: 'path', apiHost: undefined, apiPath: '/' } })).toMatch(
      /ingress\.host = "staging\.example\.com\/": routes prefix \/ of staging\.example\.com to frontend, which already goes to backend: one path of one host has one service/,
    );
    // routing host with the API's host the frontend's.
    expect(refused({ ...staging, ingress: { ...staging.ingress, apiHost: 'staging.example.com' } })).toMatch(
      /ingress\.host = "staging\.example\.com\/": routes prefix \/ of staging\.example\.com to frontend, which already goes to backend/,
    );
  });

  it('a second UI that nothing routes or calls: validate warns that nothing reaches it (it said nothing before)', () => {
    const env = resolveEnvironment(
      { ...staging, services: { ...staging.services, admin: { replicas: { min: 2, max: 4 } } } },
      baseWithAdmin(),
    );
    const out = renderEnvironment(buildEnvironment(env));
    const warnings = validate(out.objects, validationContext(env)).violations.filter((v) => v.rule === 'net/unreachable-service');
    expect(warnings.map((v) => `${v.severity} ${v.object} ${v.path}`)).toEqual(['warning Service/platform/admin spec.ports[0]']);
    expect(warnings[0]!.message).toContain('no NetworkPolicy admits anyone to Deployment/platform/admin on port 3100');
  });

  it('apiHost beside routes (it would be silently ignored)', () => {
    expect(refused({ ...withAdmin, ingress: { ...withAdmin.ingress, apiHost: 'api.staging.example.com' } })).toMatch(
      /ingress\.apiHost = "api\.staging\.example\.com": is not read when ingress\.routes is given/,
    );
  });

  it('paths on a gRPC service, and a gRPC service sharing a host', () => {
    const grpc = baseWithAdmin({ protocol: 'grpc', healthPath: undefined, metricsPath: undefined });
    const admin = (route: Omit<RouteInput, 'service'>): EnvironmentOverlay => ({
      ...withAdmin,
      ingress: { ...withAdmin.ingress, routes: [...withAdmin.ingress!.routes!.slice(0, 2), { service: 'admin', ...route }] },
    });
    expect(refused(admin({ hosts: [ADMIN_HOST], paths: [{ path: '/x' }] }), grpc)).toMatch(
      /ingress\.routes\[2\]\.paths = .*: is for http and http2 services: a grpc service takes every method of its hosts/,
    );
    expect(refused(admin({ hosts: ['staging.example.com'] }), grpc)).toMatch(
      /ingress\.routes\[2\]\.hosts = "staging\.example\.com": is the host of grpc service admin and also routes to /,
    );
  });
});

describe('a gRPC API on its own host', () => {
  const grpcBase = baseWithAdmin({ protocol: 'grpc', healthPath: undefined, metricsPath: undefined });
  const scanHost = 'scan.staging.example.com';
  const { env, out } = render(
    {
      ...withAdmin,
      ingress: { ...withAdmin.ingress, routes: [...withAdmin.ingress!.routes!.slice(0, 2), { service: 'admin', hosts: [scanHost] }] },
    },
    grpcBase,
  );

  it('gets a GRPCRoute for every method of its host, on its own HTTPS listener, reached over gRPC', () => {
    const route = named<Route>(out, 'GRPCRoute', 'admin')!;
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.hostnames).toEqual([scanHost]);
    expect(route.spec.rules.map((r) => [r.matches, r.backendRefs])).toEqual([
      [undefined, [{ group: '', kind: 'Service', name: 'admin', port: 80 }]],
    ]);
    expect(named<Route>(out, 'HTTPRoute', 'admin')).toBeUndefined();
    const listener = find<Gateway>(out, 'Gateway', 'public').spec.listeners.find((l) => l.hostname === scanHost);
    expect(route.spec.parentRefs.map((p) => p.sectionName)).toEqual([listener!.name]);
    const upstream = out.objects.find(
      (o) => o.kind === 'Service' && o.metadata.name === 'admin' && o.metadata.namespace === env.ingress.namespace,
    ) as WithSpec<{ readonly ports: readonly Readonly<Record<string, unknown>>[] }> | undefined;
    expect(upstream!.spec.ports).toEqual([{ name: 'grpc', port: 80, targetPort: 80, protocol: 'TCP', appProtocol: 'grpc' }]);
  });

  it('validates with no error', () => {
    const report = validate(out.objects, validationContext(env));
    expect(report.violations.filter((v) => v.severity === 'error').map((v) => `${v.rule} ${v.object}: ${v.message}`)).toEqual([]);
  });

  it('is drawn by graph: its host, the Gateway, and the gRPC service', () => {
    const text = topologyMermaid(out.objects, graphOptions(env));
    expect(text).toContain('Gateway_edge_public -->|"gRPC"| Service_platform_admin');
    expect(text).toContain(scanHost);
  });
});
