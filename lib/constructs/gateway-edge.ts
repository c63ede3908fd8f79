/**
 * The public edge on Gateway API, implemented by NGINX Gateway Fabric (NGF). NGF provisions one NGINX
 * Deployment and LoadBalancer Service per Gateway from the Gateway's NginxProxy; the routes, the rate
 * limit and the upstreams are objects of the Gateway's namespace.
 *
 * Every edge requirement (SEC-01, SEC-02, SEC-04, SEC-11), in Gateway API and NGF's own terms:
 * - TLS 1.3 only: the HTTPS listeners' `tls.options` `nginx.org/ssl-protocols: TLSv1.3` (NGF renders
 *   `ssl_protocols` per listener; a hostnamed listener refuses handshakes for other names).
 * - HSTS: a ResponseHeaderModifier on every rule sets Strict-Transport-Security (NGF adds it `always`,
 *   error responses included). Plain HTTP only redirects to HTTPS.
 * - 100 requests a minute per client address: one RateLimitPolicy on the Gateway, keyed on
 *   `$binary_remote_addr`, so every route shares one budget per client; its rate and burst together
 *   admit no more than that in any minute (rate 80r/m, burst 20, nodelay; lib/rate-limit.ts). NGINX keeps that count per
 *   pod: the Service pins each client address to one pod (`sessionAffinity: ClientIP`), so with N
 *   replicas a client still gets the stated limit; only when the pods change (a scale or a roll) may a
 *   client that lands on another pod start a fresh budget.
 * - The client's address preserved, never taken from a header: the load balancer Service keeps the
 *   source address (`externalTrafficPolicy: Local`), NGINX trusts no forwarding header (no
 *   `rewriteClientIP`), and every rule overwrites X-Forwarded-For with the address it saw, so the
 *   services never read one a client wrote.
 * - In the mesh: each platform Service is reached through an ExternalName Service of the same name in
 *   the edge's namespace, so NGINX connects to the Service's cluster address with the Service's host
 *   and Istio applies its routing, retries and mTLS (NGF 2.6 otherwise proxies straight to pod
 *   addresses, which Istio cannot route or encrypt).
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Gateway, HttpRoute } from '../../imports/gateway.networking.k8s.io';
import { NginxProxy, RateLimitPolicy } from '../../imports/gateway.nginx.org';
import type { PublicRoute } from './edge-ingress';
import { edgeRouteName, edgeUpstreamName, gatewayPodSelector, HTTP_PORT_NAME } from '../names';
import { bucketFor, STATED_LIMIT_ANNOTATION } from '../rate-limit';
import { RESTRICTED_SECCOMP } from '../restricted-security';
import { ZONE_SPREAD_NODE_POLICY } from '../zone-spread';
import { PropChecks } from '../prop-checks';
import type { BindingJson } from '../binding-json';
import type { NginxProxySpec, RateLimitPolicySpec } from '../../imports/gateway.nginx.org';
import type { GatewaySpec, GrpcRouteSpec, HttpRouteSpec } from '../../imports/gateway.networking.k8s.io';

/** One year of HSTS: the preload list's minimum. */
export const HSTS = 'max-age=31536000; includeSubDomains';

/** The listener names (also what HTTP-01 solvers attach to). */
export const GatewayListener = { HTTP: 'http', HTTPS: 'https' } as const;

export interface GatewayEdgeProps {
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The Gateway (and its NginxProxy, its RateLimitPolicy, its PDB). */
  readonly name: string;
  /** The GatewayClass of the data plane (NGINX Gateway Fabric). */
  readonly gatewayClass: string;
  /** The public routes; `service` names a Service of the platform namespace. */
  readonly routes: readonly PublicRoute[];
  /** Each routed Service's cluster host, which its ExternalName Service in the edge points at. */
  readonly upstreams: Readonly<Record<string, string>>;
  /** The port of the platform's Services. */
  readonly servicePort: number;
  /** The Secret with the certificate of every host (in the Gateway's namespace). */
  readonly tlsSecretName: string;
  /** The most requests a client address may make in any minute. */
  readonly rateLimitPerMinute: number;
  /** The class of the data plane's LoadBalancer Service (GKE: networking.gke.io/l4-regional-external). */
  readonly loadBalancerClass: string;
  /** Data-plane pods. */
  readonly replicas: number;
  /** Requests and limits of each data-plane pod (CPU and memory quantities, e.g. `500m`, `512Mi`). */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** Node labels the data-plane pods must match. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Hard zone spread (production) or soft (single-zone dev clusters). */
  readonly zoneSpread: 'DoNotSchedule' | 'ScheduleAnyway';
  /** Pod annotations for the mesh (sidecar lifecycle, inbound capture off). @default - none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
}

/** Gateway API's GRPCRoute (standard channel, v1 since Gateway API 1.1). */
export const GRPC_ROUTE_GVK = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute' } as const;

/**
 * A service's routes grouped by host: hosts that serve the same paths share one route object, and a
 * host with other paths gets its own. An HTTPRoute applies every rule to every hostname it lists, so
 * one route for two hosts with different paths would publish each host's paths on the other.
 */
export function routeGroups(routes: readonly PublicRoute[]): { readonly hosts: string[]; readonly routes: PublicRoute[] }[] {
  const hosts = [...new Set(routes.map((route) => route.host))];
  const signature = (host: string) =>
    JSON.stringify(routes.filter((route) => route.host === host).map((route) => [route.path, route.pathType, route.grpc === true]));
  const groups = new Map<string, string[]>();
  for (const host of hosts) groups.set(signature(host), [...(groups.get(signature(host)) ?? []), host]);
  return [...groups.values()].map((members) => ({
    hosts: members,
    routes: routes.filter((route) => route.host === members[0]),
  }));
}

/** Requests the edge refuses for being over the limit answer 429, as clients expect, not NGINX's 503. */
const TOO_MANY_REQUESTS = 429;

export class GatewayEdge extends Construct {
  readonly hosts: readonly string[];
  readonly gatewayName: string;

  constructor(scope: Construct, id: string, props: GatewayEdgeProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .port('servicePort', props.servicePort)
      .integer('replicas', props.replicas, 1)
      .integer('rateLimitPerMinute', props.rateLimitPerMinute, 1);
    this.gatewayName = props.name;
    this.hosts = [...new Set(props.routes.map((route) => route.host))];
    const podSelector = gatewayPodSelector(props.name);

    new ApiObject(this, 'Proxy', {
      ...NginxProxy.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        // ExternalName upstreams are resolved by NGINX itself.
        dnsResolver: { addresses: [{ type: 'Hostname', value: 'kube-dns.kube-system.svc.cluster.local' }], cacheTTL: '30s' },
        kubernetes: {
          deployment: {
            replicas: props.replicas,
            container: {
              // Memory is guaranteed (limit = request); CPU is not capped: throttling the edge slows every request.
              resources: {
                requests: { cpu: props.resources.cpu, memory: props.resources.memory },
                limits: { memory: props.resources.memory },
              },
            },
            pod: {
              nodeSelector: { ...props.nodeSelector },
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: 'topology.kubernetes.io/zone',
                  whenUnsatisfiable: props.zoneSpread,
                  labelSelector: { matchLabels: podSelector },
                  ...ZONE_SPREAD_NODE_POLICY,
                },
                {
                  maxSkew: 1,
                  topologyKey: 'kubernetes.io/hostname',
                  whenUnsatisfiable: 'ScheduleAnyway',
                  labelSelector: { matchLabels: podSelector },
                },
              ],
            },
            // NGF sets seccomp on its own containers only; the pod-level profile covers injected ones too.
            patches: [
              {
                type: 'StrategicMerge',
                value: { spec: { template: { spec: { securityContext: { seccompProfile: RESTRICTED_SECCOMP } } } } },
              },
            ],
          },
          service: {
            // Chosen, never the cloud's default (GKE's is a target-pool load balancer it no longer recommends).
            loadBalancerClass: props.loadBalancerClass,
            externalTrafficPolicy: 'Local',
            // Each client address keeps to one NGINX pod, whose count is the one that limits it.
            patches: [{ type: 'StrategicMerge', value: { spec: { sessionAffinity: 'ClientIP' } } }],
          },
        },
      } satisfies BindingJson<NginxProxySpec>,
    });

    new ApiObject(this, 'Gateway', {
      ...Gateway.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        gatewayClassName: props.gatewayClass,
        infrastructure: {
          parametersRef: { group: 'gateway.nginx.org', kind: 'NginxProxy', name: props.name },
          ...(props.podAnnotations === undefined ? {} : { annotations: { ...props.podAnnotations } }),
        },
        listeners: [
          // Plain HTTP: the redirect, and the ACME HTTP-01 challenges cert-manager routes here.
          { name: GatewayListener.HTTP, protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' } } },
          ...this.hosts.map((host, i) => ({
            name: i === 0 ? GatewayListener.HTTPS : `${GatewayListener.HTTPS}-${i}`,
            hostname: host,
            protocol: 'HTTPS' as const,
            port: 443,
            tls: {
              mode: 'Terminate' as const,
              certificateRefs: [{ kind: 'Secret', group: '', name: props.tlsSecretName }],
              options: { 'nginx.org/ssl-protocols': 'TLSv1.3' },
            },
            allowedRoutes: { namespaces: { from: 'Same' as const } },
          })),
        ],
      } satisfies BindingJson<GatewaySpec>,
    });

    const https = this.hosts.map((_host, i) => (i === 0 ? GatewayListener.HTTPS : `${GatewayListener.HTTPS}-${i}`));
    const parent = (sectionName: string) => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: props.name, sectionName });

    new ApiObject(this, 'Redirect', {
      ...HttpRoute.GVK,
      metadata: { name: `${props.name}-https-redirect`, labels: props.labels },
      spec: {
        parentRefs: [parent(GatewayListener.HTTP)],
        hostnames: [...this.hosts],
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      } satisfies BindingJson<HttpRouteSpec>,
    });

    const services = [...new Set(props.routes.map((route) => route.service))];
    for (const service of services) {
      const upstream = props.upstreams[service];
      if (upstream === undefined)
        throw new Error(`the public route to ${service} has no upstream host (given: ${Object.keys(props.upstreams).join(', ')})`);
      const own = props.routes.filter((route) => route.service === service);
      const grpc = own.some((route) => route.grpc === true);
      new k8s.KubeService(this, `Upstream-${service}`, {
        metadata: { name: edgeUpstreamName(service), labels: props.labels },
        spec: {
          type: 'ExternalName',
          externalName: upstream,
          ports: [
            {
              // NGINX speaks gRPC (HTTP/2) to a GRPCRoute's backends; Istio reads the port as gRPC by name and appProtocol.
              name: grpc ? 'grpc' : HTTP_PORT_NAME,
              port: props.servicePort,
              targetPort: k8s.IntOrString.fromNumber(props.servicePort),
              protocol: 'TCP',
              appProtocol: grpc ? 'grpc' : 'http',
            },
          ],
        },
      });
      const headers = () => [
        { type: 'ResponseHeaderModifier' as const, responseHeaderModifier: { set: [{ name: 'Strict-Transport-Security', value: HSTS }] } },
        // The address NGINX saw, never one a client wrote into the header.
        { type: 'RequestHeaderModifier' as const, requestHeaderModifier: { set: [{ name: 'X-Forwarded-For', value: '$remote_addr' }] } },
      ];
      const backendRefs = () => [{ group: '', kind: 'Service', name: edgeUpstreamName(service), port: props.servicePort }];
      routeGroups(own).forEach((group, i) => {
        const name = edgeRouteName(service, i);
        const common = {
          parentRefs: group.hosts.map((host) => parent(https[this.hosts.indexOf(host)]!)),
          hostnames: group.hosts,
        };
        if (grpc) {
          // Every method of the host: gRPC has no paths to split on.
          new ApiObject(this, `Route-${name}`, {
            ...GRPC_ROUTE_GVK,
            metadata: { name, labels: props.labels },
            spec: { ...common, rules: [{ filters: headers(), backendRefs: backendRefs() }] } satisfies BindingJson<GrpcRouteSpec>,
          });
          return;
        }
        new ApiObject(this, `Route-${name}`, {
          ...HttpRoute.GVK,
          metadata: { name, labels: props.labels },
          spec: {
            ...common,
            rules: group.routes.map((route) => ({
              matches: [{ path: { type: route.pathType === 'Exact' ? 'Exact' : 'PathPrefix', value: route.path } }],
              filters: headers(),
              backendRefs: backendRefs(),
            })),
          } satisfies BindingJson<HttpRouteSpec>,
        });
      });
    }

    const bucket = bucketFor(props.rateLimitPerMinute);
    new ApiObject(this, 'RateLimit', {
      ...RateLimitPolicy.GVK,
      metadata: {
        name: props.name,
        labels: props.labels,
        annotations: { [STATED_LIMIT_ANNOTATION]: String(props.rateLimitPerMinute) },
      },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: props.name }],
        rateLimit: {
          rejectCode: TOO_MANY_REQUESTS,
          // A fifth of the minute's budget served at once (a page's assets do not queue), the rest at the
          // rate: NGINX admits rate + burst in a minute, which is the stated limit (lib/rate-limit.ts).
          local: {
            rules: [{ key: '$binary_remote_addr', rate: `${bucket.ratePerMinute}r/m`, burst: bucket.burst, noDelay: true }],
          },
        },
      } satisfies BindingJson<RateLimitPolicySpec>,
    });

    // NGF creates the NGINX Deployment but no disruption budget for it.
    new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: podSelector },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }
}
