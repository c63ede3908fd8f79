import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { HTTP_PORT_NAME } from '../names';
import { PropChecks } from '../prop-checks';

/** The IngressClass of the NGINX ingress controller. */
export const NGINX_CLASS = 'nginx';

/**
 * Controller-wide settings the per-Ingress annotations cannot express: ingress-nginx sets HSTS and
 * TLS protocols only in its ConfigMap. One year of HSTS is the preload-list minimum.
 *
 * Client-supplied forwarding headers are never trusted: the controller sits behind a layer-4 load
 * balancer with `externalTrafficPolicy: Local`, which already delivers the client's own address, and
 * `use-forwarded-headers` would make NGINX take X-Forwarded-For from anyone (its trusted range,
 * `proxy-real-ip-cidr`, defaults to 0.0.0.0/0), so a client could pick its own address and escape
 * the per-address rate limit.
 */
export function nginxControllerSettings(): Record<string, string> {
  return {
    'ssl-protocols': 'TLSv1.3',
    hsts: 'true',
    'hsts-max-age': '31536000',
    'hsts-include-subdomains': 'true',
    'hsts-preload': 'false',
    'use-forwarded-headers': 'false',
    'compute-full-forwarded-for': 'false',
    'allow-snippet-annotations': 'false',
  };
}

/** One public path and the Service that serves it. */
export interface PublicRoute {
  readonly host: string;
  readonly path: string;
  readonly pathType: 'Exact' | 'Prefix';
  /** The Service (and the Ingress that routes to it). */
  readonly service: string;
  /** A gRPC service: every method of the host (a GRPCRoute; path and pathType are not read). @default false */
  readonly grpc?: boolean;
}

export interface EdgeIngressProps {
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The public routes: host, path and the Service of the platform namespace each leads to. */
  readonly routes: readonly PublicRoute[];
  /** The Secret holding the certificate of every host. */
  readonly tlsSecretName: string;
  /** Requests a minute one client address may make. */
  readonly rateLimitPerMinute: number;
  /**
   * In the mesh: each routed Service's cluster host, which NGINX sends as the request's host to the
   * Service's cluster address so Istio applies that Service's routing and mTLS.
   * @default - outside the mesh: NGINX sends to the endpoints directly
   */
  readonly meshUpstreams?: Readonly<Record<string, string>>;
}

/**
 * The public entry: one NGINX Ingress per routed Service, behind TLS with a per-client-IP rate limit
 * (SEC-02: 100 requests a minute).
 */
export class EdgeIngress extends Construct {
  readonly hosts: readonly string[];

  constructor(scope: Construct, id: string, props: EdgeIngressProps) {
    super(scope, id);
    new PropChecks(this).integer('rateLimitPerMinute', props.rateLimitPerMinute, 1);
    const { routes } = props;
    this.hosts = [...new Set(routes.map((route) => route.host))];
    const services = [...new Set(routes.map((route) => route.service))];
    for (const service of services) {
      const own = routes.filter((route) => route.service === service);
      const hosts = [...new Set(own.map((route) => route.host))];
      const upstream = props.meshUpstreams?.[service];
      if (props.meshUpstreams !== undefined && upstream === undefined) {
        throw new Error(`the public route to ${service} has no mesh upstream host`);
      }
      new k8s.KubeIngress(this, service, {
        metadata: {
          name: service,
          labels: props.labels,
          annotations: {
            'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
            'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
            'nginx.ingress.kubernetes.io/limit-rpm': String(props.rateLimitPerMinute),
            // The default burst is five times the rate; the seed's limit means 100, not 500, at once.
            'nginx.ingress.kubernetes.io/limit-burst-multiplier': '1',
            ...(upstream === undefined
              ? {}
              : { 'nginx.ingress.kubernetes.io/service-upstream': 'true', 'nginx.ingress.kubernetes.io/upstream-vhost': upstream }),
          },
        },
        spec: {
          ingressClassName: NGINX_CLASS,
          tls: [{ hosts, secretName: props.tlsSecretName }],
          rules: hosts.map((host) => ({
            host,
            http: {
              paths: own
                .filter((route) => route.host === host)
                .map((route) => ({
                  path: route.path,
                  pathType: route.pathType,
                  backend: { service: { name: route.service, port: { name: HTTP_PORT_NAME } } },
                })),
            },
          })),
        },
      });
    }
  }
}
