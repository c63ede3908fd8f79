import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { HTTP_PORT_NAME, serviceHost, serviceName } from './names';

/** The IngressClass of the NGINX ingress controller. */
export const NGINX_CLASS = 'nginx';

/** The Secret holding the certificate of every public host (issued by cert-manager). */
export function publicTlsSecretName(environment: Pick<Environment, 'name'>): string {
  return `public-${environment.name}-tls`;
}

/** The Ingress that routes public traffic to one Service. */
export function ingressName(service: string): string {
  return serviceName(service);
}

/**
 * Controller-wide settings the per-Ingress annotations cannot express: ingress-nginx sets HSTS and
 * TLS protocols only in its ConfigMap. One year of HSTS is the preload-list minimum.
 */
export function nginxControllerSettings(): Record<string, string> {
  return {
    'ssl-protocols': 'TLSv1.3',
    hsts: 'true',
    'hsts-max-age': '31536000',
    'hsts-include-subdomains': 'true',
    'hsts-preload': 'false',
    // Rate limits key on the client address, so the real one must be recovered from the load balancer.
    'use-forwarded-headers': 'true',
    'allow-snippet-annotations': 'false',
  };
}

export interface EdgeIngressProps {
  readonly environment: Environment;
  readonly labels: Record<string, string>;
}

interface Route {
  readonly host: string;
  readonly path: string;
  readonly pathType: 'Exact' | 'Prefix';
  readonly service: string;
}

/** Every public route: the frontend, the API (a path on the public host, or its own host), and the health path. */
export function publicRoutes(environment: Environment): Route[] {
  const { ingress } = environment;
  const health: Route = { host: ingress.host, path: ingress.healthPath, pathType: 'Exact', service: ingress.apiService };
  const api: Route =
    ingress.routing === 'path'
      ? { host: ingress.host, path: ingress.apiPath, pathType: 'Prefix', service: ingress.apiService }
      : { host: ingress.apiHost!, path: '/', pathType: 'Prefix', service: ingress.apiService };
  const frontend: Route = { host: ingress.host, path: '/', pathType: 'Prefix', service: ingress.frontendService };
  return [health, api, frontend];
}

/**
 * The public entry: one NGINX Ingress per routed Service, behind TLS with a per-client-IP rate limit
 * (seed 000: 100 requests a minute). In the mesh, NGINX sends each request to the Service's cluster
 * address with the Service's own host, so Istio applies that Service's routing and mTLS.
 */
export class EdgeIngress extends Construct {
  readonly hosts: readonly string[];

  constructor(scope: Construct, id: string, props: EdgeIngressProps) {
    super(scope, id);
    const { environment } = props;
    const routes = publicRoutes(environment);
    this.hosts = [...new Set(routes.map((route) => route.host))];
    const services = [...new Set(routes.map((route) => route.service))];
    for (const service of services) {
      const own = routes.filter((route) => route.service === service);
      const hosts = [...new Set(own.map((route) => route.host))];
      new k8s.KubeIngress(this, service, {
        metadata: {
          name: ingressName(service),
          labels: props.labels,
          annotations: {
            'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
            'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
            'nginx.ingress.kubernetes.io/limit-rpm': String(environment.ingress.rateLimitPerMinute),
            // The default burst is five times the rate; the seed's limit means 100, not 500, at once.
            'nginx.ingress.kubernetes.io/limit-burst-multiplier': '1',
            ...(environment.mesh.enabled
              ? {
                  'nginx.ingress.kubernetes.io/service-upstream': 'true',
                  'nginx.ingress.kubernetes.io/upstream-vhost': serviceHost(serviceName(service), environment.namespace),
                }
              : {}),
          },
        },
        spec: {
          ingressClassName: NGINX_CLASS,
          tls: [{ hosts, secretName: publicTlsSecretName(environment) }],
          rules: hosts.map((host) => ({
            host,
            http: {
              paths: own
                .filter((route) => route.host === host)
                .map((route) => ({
                  path: route.path,
                  pathType: route.pathType,
                  backend: { service: { name: serviceName(route.service), port: { name: HTTP_PORT_NAME } } },
                })),
            },
          })),
        },
      });
    }
  }
}
