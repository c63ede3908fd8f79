/**
 * The public edge on Gateway API with NGINX Gateway Fabric: routing in both of SEC-11's layouts,
 * TLS 1.3 only, HSTS, 100 requests a minute per client address, the health path, the client address
 * preserved, and the mesh entered through each Service's own host.
 */
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { HSTS } from '../lib/constructs/gateway-edge';
import { environment, find, nonEmpty, objects, rendered } from './helpers';
import type { Labels, NetworkPolicyJson, ServiceJson, TopologySpreadJson, WithSpec } from './k8s-json';

type HttpRoute = WithSpec<{
  readonly parentRefs: readonly { readonly name: string; readonly sectionName?: string }[];
  readonly hostnames: readonly string[];
  readonly rules: readonly {
    readonly matches?: readonly { readonly path: { readonly type: string; readonly value: string } }[];
    readonly filters?: readonly Readonly<Record<string, unknown>>[];
    readonly backendRefs?: readonly { readonly name: string; readonly port: number }[];
  }[];
}>;
type Gateway = WithSpec<{
  readonly infrastructure: { readonly annotations?: Labels };
  readonly listeners: readonly {
    readonly name: string;
    readonly protocol: string;
    readonly port: number;
    readonly hostname?: string;
    readonly tls?: Readonly<Record<string, unknown>>;
  }[];
}>;
/** NGINX Gateway Fabric's NginxProxy: how the data plane's Service and Deployment are rendered. */
type NginxProxy = WithSpec<{
  readonly dnsResolver: { readonly addresses: readonly { readonly type: string; readonly value: string }[] };
  readonly kubernetes: {
    readonly service: {
      readonly externalTrafficPolicy: string;
      readonly loadBalancerClass?: string;
      readonly patches?: readonly Readonly<Record<string, unknown>>[];
    };
    readonly deployment: {
      readonly replicas: number;
      readonly container: { readonly resources: { readonly requests?: Labels; readonly limits?: Labels } };
      readonly pod: { readonly nodeSelector?: Labels; readonly topologySpreadConstraints: readonly TopologySpreadJson[] };
      readonly patches?: readonly Readonly<Record<string, unknown>>[];
    };
  };
}>;
type Certificate = WithSpec<{ readonly secretName: string }>;
type RateLimitPolicy = WithSpec<{
  readonly targetRefs: readonly Readonly<Record<string, string>>[];
  readonly rateLimit: {
    readonly rejectCode: number;
    readonly local: {
      readonly rules: readonly { readonly key: string; readonly rate: string; readonly burst: number; readonly noDelay: boolean }[];
    };
  };
}>;

const routes = (env: string) =>
  objects<HttpRoute>(rendered(env), 'HTTPRoute')
    .filter((route) => route.spec.parentRefs.every((ref) => ref.sectionName !== 'http'))
    .flatMap((route) =>
      route.spec.rules.map(
        (rule) =>
          `${route.spec.hostnames.join(',')}${rule.matches![0].path.value} ${rule.matches![0].path.type} -> ${rule.backendRefs!.map((b) => `${b.name}:${b.port}`).join(',')}`,
      ),
    );
const gateway = (env: string) => find<Gateway>(rendered(env), 'Gateway', 'public');
const proxy = (env: string) => find<NginxProxy>(rendered(env), 'NginxProxy', 'public');

describe('routes', () => {
  it('routes /api on the public host to the backend (SEC-11), with the health path', () => {
    expect(routes('prod')).toEqual([
      'app.example.com/api/health Exact -> backend:80',
      'app.example.com/api PathPrefix -> backend:80',
      'app.example.com/ PathPrefix -> frontend:80',
    ]);
  });

  it('routes a separate API host to the backend (SEC-11), the health path staying on the public host', () => {
    // One route per set of hosts with the same paths: the API's / never reaches the public host.
    expect(routes('staging')).toEqual([
      'staging.example.com/api/health Exact -> backend:80',
      'api.staging.example.com/ PathPrefix -> backend:80',
      'staging.example.com/ PathPrefix -> frontend:80',
    ]);
  });

  it('redirects plain HTTP to HTTPS with a 301, and serves nothing else on port 80', () => {
    for (const env of environmentNames()) {
      const onHttp = objects<HttpRoute>(rendered(env), 'HTTPRoute').filter((r) => r.spec.parentRefs.some((p) => p.sectionName === 'http'));
      expect(onHttp.map((r) => r.metadata.name)).toEqual(['public-https-redirect']);
      expect(onHttp[0].spec.rules).toEqual([
        { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
      ]);
    }
  });

  it('sends traffic to each Service by its own cluster host, so Istio routing, mTLS and canaries apply', () => {
    for (const env of environmentNames()) {
      const { namespace, ingress } = environment(env);
      for (const service of [ingress.apiService, ingress.frontendService]) {
        const upstream = objects<ServiceJson>(rendered(env), 'Service').find(
          (s) => s.metadata.name === service && s.metadata.namespace === ingress.namespace,
        );
        expect(upstream!.spec).toMatchObject({
          type: 'ExternalName',
          externalName: `${service}.${namespace}.svc.cluster.local`,
        });
      }
      // NGINX resolves the ExternalName hosts through the cluster DNS.
      expect(proxy(env).spec.dnsResolver.addresses).toEqual([{ type: 'Hostname', value: 'kube-dns.kube-system.svc.cluster.local' }]);
    }
  });
});

/** The routes that serve the model's public routes (all but the HTTP redirect); the model routes something everywhere. */
const servingRoutes = (env: string) =>
  nonEmpty(
    objects<HttpRoute>(rendered(env), 'HTTPRoute').filter((route) => route.metadata.name !== 'public-https-redirect'),
    `${env}: HTTPRoutes`,
  );

describe('TLS', () => {
  it('terminates TLS 1.3 only, for every host, with the certificate cert-manager issues', () => {
    for (const env of environmentNames()) {
      const https = gateway(env).spec.listeners.filter((l) => l.protocol === 'HTTPS');
      const hosts = [...new Set(routes(env).flatMap((r) => r.split(/[/ ]/)[0]!.split(',')))];
      expect(https.map((l) => l.hostname).sort()).toEqual(hosts.sort());
      for (const listener of nonEmpty(https, `${env}: HTTPS listeners`)) {
        expect(listener.port).toBe(443);
        expect(listener.tls).toEqual({
          mode: 'Terminate',
          certificateRefs: [{ group: '', kind: 'Secret', name: `public-${env}-tls` }],
          options: { 'nginx.org/ssl-protocols': 'TLSv1.3' },
        });
      }
      expect(find<Certificate>(rendered(env), 'Certificate', `public-${env}`).spec.secretName).toBe(`public-${env}-tls`);
    }
  });

  it('sends HSTS for a year on every HTTPS response', () => {
    expect(HSTS).toBe('max-age=31536000; includeSubDomains');
    for (const env of environmentNames()) {
      for (const route of servingRoutes(env)) {
        for (const rule of route.spec.rules) {
          expect(rule.filters).toContainEqual({
            type: 'ResponseHeaderModifier',
            responseHeaderModifier: { set: [{ name: 'Strict-Transport-Security', value: HSTS }] },
          });
        }
      }
    }
  });
});

describe('client addresses and the rate limit', () => {
  it('limits each client address to 100 requests in any minute at the Gateway, burst included, answering 429', () => {
    const names = environmentNames();
    expect(names.length).toBeGreaterThan(0);
    for (const env of names) {
      const policy = find<RateLimitPolicy>(rendered(env), 'RateLimitPolicy', 'public');
      const stated = environment(env).ingress.rateLimitPerMinute;
      expect(policy.metadata.annotations).toEqual({ 'platform/requests-per-minute': String(stated) });
      expect(policy.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }]);
      expect(policy.spec.rateLimit.rejectCode).toBe(429);
      const [rule, ...more] = policy.spec.rateLimit.local.rules;
      expect(more).toEqual([]);
      if (rule === undefined) throw new Error(`${env}: the policy has no rule`);
      // NGINX admits rate + burst (nodelay) in a minute: together exactly the stated limit.
      expect(rule.key).toBe('$binary_remote_addr');
      expect(rule.noDelay).toBe(true);
      expect(Number(/^(\d+)r\/m$/.exec(rule.rate)![1]) + rule.burst).toBe(stated);
    }
    expect(environment('prod').ingress.rateLimitPerMinute).toBe(100);
    expect(find<RateLimitPolicy>(rendered('prod'), 'RateLimitPolicy', 'public').spec.rateLimit.local.rules).toEqual([
      { key: '$binary_remote_addr', rate: '80r/m', burst: 20, noDelay: true },
    ]);
  });

  it('asks GKE for a backend service-based load balancer by class, never its target-pool default', () => {
    for (const env of environmentNames()) {
      expect(proxy(env).spec.kubernetes.service.loadBalancerClass).toBe('networking.gke.io/l4-regional-external');
    }
  });

  it('keeps the client address from the load balancer and each client on one NGINX replica, so the limit is per address', () => {
    for (const env of environmentNames()) {
      const { service } = proxy(env).spec.kubernetes;
      expect(service.externalTrafficPolicy).toBe('Local');
      expect(service.patches).toEqual([{ type: 'StrategicMerge', value: { spec: { sessionAffinity: 'ClientIP' } } }]);
      // The address is never taken from a header or PROXY protocol a client could write.
      expect(proxy(env).spec).not.toHaveProperty('rewriteClientIP');
    }
  });

  it('overwrites X-Forwarded-For with the connecting address on every route, so the services never read a forged one', () => {
    for (const env of environmentNames()) {
      for (const route of servingRoutes(env)) {
        for (const rule of route.spec.rules) {
          expect(rule.filters).toContainEqual({
            type: 'RequestHeaderModifier',
            requestHeaderModifier: { set: [{ name: 'X-Forwarded-For', value: '$remote_addr' }] },
          });
        }
      }
    }
  });
});

describe('the NGINX pods', () => {
  it('sizes them from env.ingress (CAP-08, pinned in test/requirement-numbers.test.ts) on the edge pool', () => {
    const { deployment } = proxy('prod').spec.kubernetes;
    const { replicas, cpu, memory } = environment('prod').ingress;
    expect(deployment.replicas).toBe(replicas);
    expect(deployment.container.resources).toEqual({ requests: { cpu, memory }, limits: { memory } });
    expect(deployment.pod.nodeSelector).toEqual({ 'cloud.google.com/gke-nodepool': 'frontend' });
    expect(proxy('prod-asia').spec.kubernetes.deployment.replicas).toBe(2);
    expect(proxy('dev').spec.kubernetes.deployment.replicas).toBe(1);
  });

  it('spreads them over zones (hard in production) and hosts, and keeps all but one through a drain', () => {
    const selector = { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } };
    expect(proxy('prod').spec.kubernetes.deployment.pod.topologySpreadConstraints).toEqual([
      {
        labelSelector: selector,
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        nodeTaintsPolicy: 'Honor',
      },
      { labelSelector: selector, maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
    ]);
    expect(proxy('dev').spec.kubernetes.deployment.pod.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
    expect(find(rendered('prod'), 'PodDisruptionBudget', 'public').spec).toEqual({
      maxUnavailable: 1,
      selector,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  it('gives the pod a seccomp profile, so it is admitted as "restricted" with the sidecar Istio adds', () => {
    for (const env of environmentNames()) {
      expect(proxy(env).spec.kubernetes.deployment.patches).toContainEqual({
        type: 'StrategicMerge',
        value: { spec: { template: { spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } } } } },
      });
      const edge = environment(env).ingress.namespace;
      expect(find(rendered(env), 'Namespace', edge).metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
    }
  });

  it('puts them in the mesh where it is on, capturing only their calls to the services', () => {
    const annotations = gateway('prod').spec.infrastructure.annotations!;
    expect(annotations['traffic.sidecar.istio.io/includeInboundPorts']).toBe('');
    expect(JSON.parse(annotations['proxy.istio.io/config'])).toEqual({
      holdApplicationUntilProxyStarts: true,
      terminationDrainDuration: '20s',
    });
    expect(find(rendered('prod'), 'Namespace', 'edge').metadata.labels!['istio-injection']).toBe('enabled');
    expect(gateway('dev').spec.infrastructure).not.toHaveProperty('annotations');
    expect(find(rendered('dev'), 'Namespace', 'edge').metadata.labels).not.toHaveProperty('istio-injection');
  });
});

describe('network policies', () => {
  it('admits the internet on 80 and 443 only, and lets the pods reach the routed services, the control plane and DNS', () => {
    const policy = find<NetworkPolicyJson>(rendered('prod'), 'NetworkPolicy', 'public').spec;
    expect(policy.ingress).toEqual([
      {
        from: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 443, protocol: 'TCP' },
        ],
      },
    ]);
    expect(
      policy.egress!.map((rule) => {
        const [peer] = rule.to!;
        const app = peer.podSelector ? (peer.podSelector.matchLabels!['app.kubernetes.io/name'] ?? '*') : '*';
        return `${peer.namespaceSelector!.matchLabels!['kubernetes.io/metadata.name']}/${app}:${rule.ports![0].port}`;
      }),
    ).toEqual(['platform/backend:8001', 'platform/frontend:3000', 'nginx-gateway/*:8443']);
    expect(find(rendered('prod'), 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it("admits cert-manager's controller by selector wherever it answers HTTP-01, since identity dataplanes ignore ipBlock for pods", () => {
    const http01 = environmentNames().filter((name) => environment(name).tls.issuer.solver.type === 'http01');
    expect(http01.length).toBeGreaterThan(0);
    for (const name of environmentNames()) {
      const ingress = find<NetworkPolicyJson>(rendered(name), 'NetworkPolicy', 'public').spec.ingress!;
      const selfCheck = {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cert-manager' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' } },
          },
        ],
        ports: [{ port: 80, protocol: 'TCP' }],
      };
      if (http01.includes(name)) expect(ingress, name).toContainEqual(selfCheck);
      else expect(ingress, name).toHaveLength(1);
    }
  });
});
