import { describe, expect, it } from 'vitest';
import { EdgeIngress, type EdgeIngressProps, nginxControllerSettings, type PublicRoute } from '../../lib/constructs/edge-ingress';
import { inventory, only, synth } from './synth';

interface Ingress {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    ingressClassName: string;
    tls: { hosts: string[]; secretName: string }[];
    rules: {
      host: string;
      http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { name: string } } } }[] };
    }[];
  };
}

const labels = { 'app.kubernetes.io/name': 'edge' };

const routes: PublicRoute[] = [
  { host: 'app.example.com', path: '/', pathType: 'Prefix', service: 'frontend' },
  { host: 'app.example.com', path: '/api', pathType: 'Prefix', service: 'backend' },
  { host: 'api.example.com', path: '/', pathType: 'Prefix', service: 'backend' },
];

const required = { labels, routes, tlsSecretName: 'public-prod-tls', rateLimitPerMinute: 100 } satisfies EdgeIngressProps;

const meshUpstreams = {
  frontend: 'frontend.platform.svc.cluster.local',
  backend: 'backend.platform.svc.cluster.local',
};

function render(props: EdgeIngressProps) {
  let edge: EdgeIngress | undefined;
  const objects = synth((chart) => {
    edge = new EdgeIngress(chart, 'edge', props);
  });
  return { objects, ingress: (name: string) => only<Ingress>(objects, 'Ingress', name), edge: edge! };
}

describe('EdgeIngress', () => {
  it('emits one Ingress per routed Service', () => {
    const { objects } = render(required);
    expect(inventory(objects)).toEqual(['Ingress/frontend', 'Ingress/backend']);
    expect(objects).toMatchSnapshot();
  });

  it('routes each host and path to its Service on the named http port, through NGINX', () => {
    const backend = render(required).ingress('backend');
    expect(backend.apiVersion).toBe('networking.k8s.io/v1');
    expect(backend.spec.ingressClassName).toBe('nginx');
    expect(backend.spec.rules).toEqual([
      {
        host: 'app.example.com',
        http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'backend', port: { name: 'http' } } } }] },
      },
      {
        host: 'api.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'backend', port: { name: 'http' } } } }] },
      },
    ]);
  });

  it("serves each Ingress's own hosts with the one certificate", () => {
    const { ingress } = render(required);
    expect(ingress('frontend').spec.tls).toEqual([{ hosts: ['app.example.com'], secretName: 'public-prod-tls' }]);
    expect(ingress('backend').spec.tls).toEqual([{ hosts: ['app.example.com', 'api.example.com'], secretName: 'public-prod-tls' }]);
  });

  it('forces HTTPS and limits each client to the rate, with no burst above it (SEC-01, SEC-02)', () => {
    expect(render(required).ingress('frontend').metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/limit-rpm': '100',
      'nginx.ingress.kubernetes.io/limit-burst-multiplier': '1',
    });
  });

  it('sends traffic straight to the endpoints outside the mesh', () => {
    const { annotations } = render(required).ingress('backend').metadata;
    expect(annotations['nginx.ingress.kubernetes.io/service-upstream']).toBeUndefined();
    expect(annotations['nginx.ingress.kubernetes.io/upstream-vhost']).toBeUndefined();
  });

  it('exposes every public host once', () => {
    expect(render(required).edge.hosts).toEqual(['app.example.com', 'api.example.com']);
  });

  it('takes every optional prop: in the mesh, each Ingress sends to its Service with the cluster host', () => {
    const props: Required<EdgeIngressProps> = { ...required, rateLimitPerMinute: 600, meshUpstreams };
    const { ingress } = render(props);
    expect(ingress('backend').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/limit-rpm': '600',
      'nginx.ingress.kubernetes.io/service-upstream': 'true',
      'nginx.ingress.kubernetes.io/upstream-vhost': 'backend.platform.svc.cluster.local',
    });
    expect(ingress('frontend').metadata.annotations['nginx.ingress.kubernetes.io/upstream-vhost']).toBe(
      'frontend.platform.svc.cluster.local',
    );
  });

  it('fails in the mesh on a routed Service without an upstream host, naming it', () => {
    expect(() => render({ ...required, meshUpstreams: { frontend: meshUpstreams.frontend } })).toThrow(
      'the public route to backend has no mesh upstream host',
    );
  });

  it('sets HSTS for a year and TLS 1.3 only, and never trusts client forwarding headers, in the controller settings', () => {
    expect(nginxControllerSettings()).toEqual({
      'ssl-protocols': 'TLSv1.3',
      hsts: 'true',
      'hsts-max-age': '31536000',
      'hsts-include-subdomains': 'true',
      'hsts-preload': 'false',
      'use-forwarded-headers': 'false',
      'compute-full-forwarded-for': 'false',
      'allow-snippet-annotations': 'false',
    });
  });
});
