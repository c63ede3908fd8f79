/** The mesh: zero-trust mTLS, deny by default, allow rules from the one service graph, circuit breakers. */
import { describe, expect, it } from 'vitest';
import { enabledServices, enabledWebServices } from '../charts/resolve-service';
import { publicServices } from '../charts/service-graph';
import { GATEWAY_CLASS, GATEWAY_NAME, RELEASE_SMOKE, gatewayServiceAccount, serviceAccountName } from '../lib/names';
import { environmentNames } from '../environments';
import { environment, find, nonEmpty, objects, rendered } from './helpers';
import type { LabelSelector, ServiceJson, WithSpec } from './k8s-json';

type AuthorizationPolicy = WithSpec<{
  readonly action?: string;
  readonly selector?: LabelSelector;
  readonly rules?: readonly {
    readonly from: readonly { readonly source: { readonly principals: readonly string[] } }[];
    readonly to: readonly { readonly operation: { readonly ports: readonly string[] } }[];
  }[];
}>;

type DestinationRule = WithSpec<{
  readonly host: string;
  readonly trafficPolicy: {
    readonly connectionPool: {
      readonly tcp: { readonly maxConnections: number };
      readonly http: { readonly http1MaxPendingRequests: number };
    };
    readonly outlierDetection: Readonly<Record<string, unknown>>;
  };
  readonly subsets?: readonly { readonly name: string }[];
}>;

type VirtualService = WithSpec<{
  readonly http: readonly {
    readonly name?: string;
    readonly timeout?: string;
    readonly retries?: { readonly attempts: number; readonly perTryTimeout?: string; readonly retryOn?: string };
    readonly route: readonly { readonly destination: { readonly host: string; readonly subset?: string }; readonly weight?: number }[];
  }[];
}>;

const principal = (ns: string, sa: string) => `cluster.local/ns/${ns}/sa/${sa}`;

/** Every environment in the mesh, whatever environments the model has. */
const MESH = environmentNames().filter((name) => environment(name).mesh.enabled);

it('has environments in the mesh to check', () => {
  expect(MESH.length).toBeGreaterThan(0);
});

describe.each(MESH)('%s mesh', (name) => {
  const env = rendered(name);

  it('labels the namespace for sidecar injection', () => {
    expect(objects(env, 'Namespace')[0]!.metadata.labels).toMatchObject({ 'istio-injection': 'enabled' });
  });

  it('requires mutual TLS for every workload', () => {
    expect(find(env, 'PeerAuthentication', 'default').spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  it('denies everything that no policy allows', () => {
    expect(find(env, 'AuthorizationPolicy', 'allow-nothing').spec).toEqual({});
  });

  it('allows exactly the declared service graph, by workload identity', () => {
    const allowed = Object.fromEntries(
      objects<AuthorizationPolicy>(env, 'AuthorizationPolicy')
        .filter((p) => p.metadata.name !== 'allow-nothing')
        .map((p) => [
          p.metadata.name,
          { from: p.spec.rules![0].from[0].source.principals, ports: p.spec.rules![0].to[0].operation.ports, action: p.spec.action },
        ]),
    );
    // Read from the model: the edge for a public service, each service that declares a call to it, and
    // the blue-green gate's smoke traffic (lib/smoke-traffic.ts); nothing else.
    const model = environment(name);
    const web = enabledWebServices(model);
    expect(web.length).toBeGreaterThan(0);
    expect(allowed).toEqual(
      Object.fromEntries(
        web.map(([service, spec]) => [
          service,
          {
            from: [
              // NGINX Gateway Fabric names each Gateway's account <gateway>-<class>.
              ...(publicServices(model).includes(service)
                ? [principal(model.ingress.namespace, gatewayServiceAccount(GATEWAY_NAME, GATEWAY_CLASS))]
                : []),
              ...enabledServices(model)
                .filter(([, caller]) => caller.calls.includes(service))
                .map(([caller]) => principal(model.namespace, serviceAccountName(caller))),
              ...(spec.strategy.type === 'blueGreen' ? [principal(model.namespace, RELEASE_SMOKE)] : []),
            ],
            ports: [String(spec.port)],
            action: 'ALLOW',
          },
        ]),
      ),
    );
  });

  it('selects the pods each policy protects', () => {
    for (const policy of nonEmpty(
      objects<AuthorizationPolicy>(env, 'AuthorizationPolicy').filter((p) => p.spec.selector),
      `${name}: AuthorizationPolicies with a selector`,
    )) {
      const service = find<ServiceJson>(env, 'Service', policy.metadata.name);
      expect(policy.spec.selector!.matchLabels).toEqual(service.spec.selector);
    }
  });

  it('gives every web service a circuit breaker, retries and a timeout (AVL-03)', () => {
    const web = enabledWebServices(environment(name)).map(([service]) => service);
    expect(web.length).toBeGreaterThan(0);
    for (const service of web) {
      const policy = find<DestinationRule>(env, 'DestinationRule', service).spec.trafficPolicy;
      const retries = find<VirtualService>(env, 'VirtualService', service).spec.http[0].retries!;
      expect(policy.connectionPool.tcp.maxConnections).toBeGreaterThan(0);
      expect(policy.connectionPool.http.http1MaxPendingRequests).toBeGreaterThan(0);
      expect(policy.outlierDetection).toMatchObject({
        consecutive5xxErrors: 5,
        interval: '10s',
        baseEjectionTime: '30s',
        maxEjectionPercent: 50,
      });
      const route = find<VirtualService>(env, 'VirtualService', service).spec.http[0];
      expect(route.name).toBe('primary');
      // Retries off is `attempts: 0` alone: Istio refuses a retry policy beside it.
      if (retries.attempts > 0) expect(route.retries!.retryOn).toContain('connect-failure');
      else expect(retries).toEqual({ attempts: 0 });
    }
  });

  it('routes every VirtualService to Services and subsets that exist', () => {
    const hosts = new Set(objects(env, 'Service').map((s) => `${s.metadata.name}.${s.metadata.namespace}.svc.cluster.local`));
    for (const vs of nonEmpty(objects<VirtualService>(env, 'VirtualService'), `${name}: VirtualServices`)) {
      for (const { destination } of vs.spec.http.flatMap((r) => r.route)) {
        expect(hosts).toContain(destination.host);
        if (destination.subset) {
          const dr = objects<DestinationRule>(env, 'DestinationRule').find((d) => d.spec.host === destination.host)!;
          expect(dr.spec.subsets!.map((s) => s.name)).toContain(destination.subset);
        }
      }
    }
  });
});

describe.each(['staging', 'prod'])("%s mesh: the example platform's graph and timeouts", (name) => {
  const env = rendered(name);

  it('lets the edge, the frontend, the worker and the smoke traffic call the backend, and the backend the AI', () => {
    const from = (service: string) =>
      find<AuthorizationPolicy>(env, 'AuthorizationPolicy', service).spec.rules![0].from[0].source.principals;
    // A new caller adds to these lists, never breaks them.
    expect(from('backend')).toEqual(
      expect.arrayContaining([
        principal('edge', 'public-nginx'),
        principal('platform', 'frontend'),
        principal('platform', 'worker'),
        principal('platform', 'release-smoke'),
      ]),
    );
    expect(from('ai')).toEqual(expect.arrayContaining([principal('platform', 'backend')]));
  });

  it('gives the API a 15 s timeout with two retries, and inference a long timeout and none', () => {
    expect(find<VirtualService>(env, 'VirtualService', 'backend').spec.http[0]).toMatchObject({
      timeout: '15s',
      retries: { attempts: 2, perTryTimeout: '5s' },
    });
    // Inference is slow and expensive: a long timeout and no retries.
    expect(find<VirtualService>(env, 'VirtualService', 'ai').spec.http[0]).toMatchObject({ timeout: '60s' });
    expect(find<VirtualService>(env, 'VirtualService', 'ai').spec.http[0].retries).toEqual({ attempts: 0 });
  });
});

describe('dev without the mesh', () => {
  it('emits no Istio objects and no injection label', () => {
    const dev = rendered('dev');
    expect(dev.objects.filter((o) => o.apiVersion.includes('istio.io'))).toEqual([]);
    expect(objects(dev, 'Namespace')[0]!.metadata.labels).not.toHaveProperty('istio-injection');
  });
});
