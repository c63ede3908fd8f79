import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { EdgeIngress, type PublicRoute } from '../lib/edge-ingress';
import { platformLabels } from '../lib/labels';
import { publicCertificateName, publicTlsSecretName, serviceHost, serviceName } from '../lib/names';
import { certificateNames, PublicCertificate } from '../lib/public-certificate';
import type { EnvironmentChartProps } from './chart-props';

/** Every public route: the frontend, the API (a path on the public host, or its own host), and the health path. */
export function publicRoutes(environment: Environment): PublicRoute[] {
  const { ingress } = environment;
  const api = serviceName(ingress.apiService);
  const health: PublicRoute = { host: ingress.host, path: ingress.healthPath, pathType: 'Exact', service: api };
  const apiRoute: PublicRoute =
    ingress.apiHost === undefined || ingress.routing === 'path'
      ? { host: ingress.host, path: ingress.apiPath, pathType: 'Prefix', service: api }
      : { host: ingress.apiHost, path: '/', pathType: 'Prefix', service: api };
  const frontend: PublicRoute = { host: ingress.host, path: '/', pathType: 'Prefix', service: serviceName(ingress.frontendService) };
  return [health, apiRoute, frontend];
}

/**
 * The public edge: the Ingresses and their certificate. HSTS and TLS 1.3-only are controller-wide
 * settings, carried by the ingress-nginx add-on's values (charts/addons-catalog.ts).
 */
export class EdgeChart extends Chart {
  readonly ingress: EdgeIngress;

  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const { environment } = props;
    const labels = platformLabels(environment, 'edge');
    const routes = publicRoutes(environment);
    const tlsSecretName = publicTlsSecretName(environment.name);
    this.ingress = new EdgeIngress(this, 'Ingress', {
      labels,
      routes,
      tlsSecretName,
      rateLimitPerMinute: environment.ingress.rateLimitPerMinute,
      ...(environment.mesh.enabled
        ? { meshUpstreams: Object.fromEntries(routes.map((route) => [route.service, serviceHost(route.service, environment.namespace)])) }
        : {}),
    });
    new PublicCertificate(this, 'Certificate', {
      name: publicCertificateName(environment.name),
      secretName: tlsSecretName,
      dnsNames: certificateNames(environment.tls.wildcard, this.ingress.hosts),
      issuer: environment.tls.issuer.name,
      labels,
    });
  }
}
