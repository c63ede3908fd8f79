import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { EdgeImplementation, Tier } from '../environments/schema';
import { CERT_MANAGER_CONTROLLER_LABELS, CERT_MANAGER_NAMESPACE, NGINX_GATEWAY_NAMESPACE } from '../lib/addons/names';
import { ACME_HTTP01_SOLVER_LABEL, ACME_HTTP01_SOLVER_PORT } from '../lib/constructs/acme-issuer';
import { EdgeIngress, type PublicRoute } from '../lib/constructs/edge-ingress';
import { GatewayEdge } from '../lib/constructs/gateway-edge';
import { proxyLifecycleAnnotations } from '../lib/istio-proxy';
import { platformLabels, selectorLabels } from '../lib/labels';
import { NamespaceIsolation } from '../lib/constructs/namespace-isolation';
import {
  GATEWAY_CLASS,
  GATEWAY_NAME,
  gatewayPodSelector,
  publicCertificateName,
  publicTlsSecretName,
  SERVICE_PORT,
  serviceHost,
  serviceName,
} from '../lib/names';
import { namespaceSelector, tcp } from '../lib/network-peers';
import { certificateNames, PublicCertificate } from '../lib/constructs/public-certificate';
import { ServiceNetworkPolicy } from '../lib/constructs/service-network-policy';
import type { EnvironmentChartProps } from './chart-props';
import { serviceSpec } from './resolve-service';
import { edgePeer, environmentRoutes } from './service-graph';

/**
 * Every public route (environments/public-routes.ts): `ingress.routes`, or the frontend and the API
 * today's fields describe, and the health path.
 */
export function publicRoutes(environment: Environment): PublicRoute[] {
  return environmentRoutes(environment).map((route) => ({
    host: route.host,
    path: route.path,
    pathType: route.match === 'exact' ? 'Exact' : 'Prefix',
    service: serviceName(route.service),
    ...(route.grpc ? { grpc: true } : {}),
  }));
}

/** The port the NGINX Gateway Fabric control plane serves its data plane's agents on (Service 443 → 8443). */
const NGF_AGENT_PORT = 8443;

/** Where the public Certificate and its Secret live: beside the Gateway, or (ingress-nginx) beside the Ingresses. */
export function certificateNamespace(environment: Environment): string {
  return environment.ingress.implementation === EdgeImplementation.GATEWAY ? environment.ingress.namespace : environment.namespace;
}

/**
 * The public edge: the Gateway of NGINX Gateway Fabric in its own namespace (or, for clusters that
 * still run it, ingress-nginx's Ingresses), and the certificate of its hosts.
 */
export class EdgeChart extends Chart {
  readonly hosts: readonly string[];

  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: certificateNamespace(props.environment) });
    const { environment } = props;
    const labels = platformLabels(environment, 'edge');
    const routes = publicRoutes(environment);
    const tlsSecretName = publicTlsSecretName(environment.name);
    const upstreams = Object.fromEntries(routes.map((route) => [route.service, serviceHost(route.service, environment.namespace)]));
    this.hosts =
      environment.ingress.implementation === EdgeImplementation.GATEWAY
        ? this.gateway(environment, labels, routes, upstreams, tlsSecretName)
        : new EdgeIngress(this, 'Ingress', {
            labels,
            routes,
            tlsSecretName,
            rateLimitPerMinute: environment.ingress.rateLimitPerMinute,
            ...(environment.mesh.enabled ? { meshUpstreams: upstreams } : {}),
          }).hosts;
    if (environment.tls.issuer.solver.type === 'http01') {
      // cert-manager runs each HTTP-01 solver in the Certificate's namespace; the CA reaches it through
      // the edge's NGINX, which the namespace's default deny would otherwise stop at the solver's port.
      new ServiceNetworkPolicy(this, 'AcmeSolver', {
        name: 'acme-http01-solver',
        labels,
        podSelector: { matchLabels: ACME_HTTP01_SOLVER_LABEL },
        ingress: [{ peers: [edgePeer(environment)], ports: [tcp(ACME_HTTP01_SOLVER_PORT)] }],
        egress: [],
      });
    }
    new PublicCertificate(this, 'Certificate', {
      name: publicCertificateName(environment.name),
      secretName: tlsSecretName,
      dnsNames: certificateNames(environment.tls.wildcard, this.hosts),
      issuer: environment.tls.issuer.name,
      labels,
    });
  }

  /** The edge's NGINX pods as a NetworkPolicy peer. */
  private gateway(
    environment: Environment,
    labels: Record<string, string>,
    routes: readonly PublicRoute[],
    upstreams: Record<string, string>,
    tlsSecretName: string,
  ): readonly string[] {
    const { ingress, mesh } = environment;
    new NamespaceIsolation(this, 'Isolation', { labels, mesh: mesh.enabled });
    const edge = new GatewayEdge(this, 'Gateway', {
      labels,
      name: GATEWAY_NAME,
      gatewayClass: GATEWAY_CLASS,
      routes,
      upstreams,
      servicePort: SERVICE_PORT,
      tlsSecretName,
      rateLimitPerMinute: ingress.rateLimitPerMinute,
      loadBalancerClass: ingress.loadBalancerClass,
      replicas: ingress.replicas,
      resources: { cpu: ingress.cpu, memory: ingress.memory },
      nodeSelector: { [environment.cluster.nodePoolLabel]: ingress.pool },
      zoneSpread: environment.tier === Tier.DEVELOPMENT ? 'ScheduleAnyway' : 'DoNotSchedule',
      ...(mesh.enabled
        ? {
            podAnnotations: {
              // Clients reach NGINX directly (it terminates TLS and sees their address); only its calls to the services go through the sidecar.
              'traffic.sidecar.istio.io/includeInboundPorts': '',
              ...proxyLifecycleAnnotations(20),
            },
          }
        : {}),
    });
    const routedServices = [...new Set(routes.map((route) => route.service))];
    new ServiceNetworkPolicy(this, 'Policy', {
      name: GATEWAY_NAME,
      labels,
      podSelector: { matchLabels: gatewayPodSelector(GATEWAY_NAME) },
      ingress: [
        // The load balancer keeps the client's address: anyone may reach the listeners.
        { peers: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [tcp(80), tcp(443)] },
        // In-cluster callers by selector, never by address: dataplanes that match pods by identity
        // (GKE Dataplane V2, Cilium) never match a pod's source against an ipBlock. cert-manager's
        // controller fetches each HTTP-01 challenge through the edge before the CA is asked to.
        ...(environment.tls.issuer.solver.type === 'http01'
          ? [
              {
                peers: [
                  {
                    namespaceSelector: namespaceSelector(CERT_MANAGER_NAMESPACE),
                    podSelector: { matchLabels: { ...CERT_MANAGER_CONTROLLER_LABELS } },
                  },
                ],
                ports: [tcp(80)],
              },
            ]
          : []),
      ],
      egress: [
        ...routedServices.map((service) => {
          const spec = serviceSpec(environment, service);
          if (spec.kind !== 'web')
            throw new Error(`${environment.name}: the edge routes to services.${service}, which is not a web service`);
          return {
            peers: [
              {
                namespaceSelector: namespaceSelector(environment.namespace),
                podSelector: { matchLabels: selectorLabels({ name: service, environment: environment.name }) },
              },
            ],
            ports: [tcp(spec.port)],
          };
        }),
        // Its agent takes its configuration from the NGINX Gateway Fabric control plane.
        { peers: [{ namespaceSelector: namespaceSelector(NGINX_GATEWAY_NAMESPACE) }], ports: [tcp(NGF_AGENT_PORT)] },
        // The ACME CA's HTTP-01 challenges, answered by cert-manager's solver pods beside the Gateway.
        ...(environment.tls.issuer.solver.type === 'http01'
          ? [{ peers: [{ podSelector: { matchLabels: { ...ACME_HTTP01_SOLVER_LABEL } } }], ports: [tcp(ACME_HTTP01_SOLVER_PORT)] }]
          : []),
      ],
    });
    return edge.hosts;
  }
}
