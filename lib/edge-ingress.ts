import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { HTTP_PORT_NAME, serviceName } from './names';

/** The IngressClass of the NGINX ingress controller. */
export const NGINX_CLASS = 'nginx';

/** Secret holding the certificate of an Ingress's hosts (issued by cert-manager). */
export function tlsSecretName(ingress: string): string {
  return `${ingress}-tls`;
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
  /** @default 'public' */
  readonly name?: string;
}

type Path = k8s.HttpIngressPath;

function route(path: string, pathType: 'Exact' | 'Prefix', service: string): Path {
  return {
    path,
    pathType,
    backend: { service: { name: serviceName(service), port: { name: HTTP_PORT_NAME } } },
  };
}

/**
 * The public entry: the frontend host, the API (a path on it, or its own host as in seed 003), and
 * the load balancer's health path, behind TLS with a per-client-IP rate limit.
 */
export class EdgeIngress extends Construct {
  readonly name: string;
  readonly hosts: readonly string[];

  constructor(scope: Construct, id: string, props: EdgeIngressProps) {
    super(scope, id);
    const { ingress } = props.environment;
    this.name = props.name ?? 'public';
    const health = route(ingress.healthPath, 'Exact', ingress.apiService);
    const rules: k8s.IngressRule[] =
      ingress.routing === 'path'
        ? [
            {
              host: ingress.host,
              http: {
                paths: [health, route(ingress.apiPath, 'Prefix', ingress.apiService), route('/', 'Prefix', ingress.frontendService)],
              },
            },
          ]
        : [
            { host: ingress.host, http: { paths: [health, route('/', 'Prefix', ingress.frontendService)] } },
            { host: ingress.apiHost!, http: { paths: [route('/', 'Prefix', ingress.apiService)] } },
          ];
    this.hosts = rules.map((rule) => rule.host!);
    new k8s.KubeIngress(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: props.labels,
        annotations: {
          'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
          'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
          'nginx.ingress.kubernetes.io/limit-rpm': String(ingress.rateLimitPerMinute),
          // The default burst is five minutes' worth; the seed's limit means 100, not 500, at once.
          'nginx.ingress.kubernetes.io/limit-burst-multiplier': '1',
        },
      },
      spec: {
        ingressClassName: NGINX_CLASS,
        tls: [{ hosts: [...this.hosts], secretName: tlsSecretName(this.name) }],
        rules,
      },
    });
  }
}
