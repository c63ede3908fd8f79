/** The NGINX edge: routing in both of the seeds' layouts, TLS, HSTS, TLS 1.3 and the rate limit. */
import { describe, expect, it } from 'vitest';
import { find, objects, rendered } from './helpers';

const routes = (env: string) =>
  objects(rendered(env), 'Ingress').flatMap((ingress: any) =>
    ingress.spec.rules.flatMap((rule: any) =>
      rule.http.paths.map((p: any) => `${rule.host}${p.path} ${p.pathType} -> ${p.backend.service.name}:${p.backend.service.port.name}`),
    ),
  );

describe('public ingress', () => {
  it('routes /api on the public host to the backend (seed 000), with the health path', () => {
    expect(routes('prod')).toEqual([
      'app.example.com/api/health Exact -> backend:http',
      'app.example.com/api Prefix -> backend:http',
      'app.example.com/ Prefix -> frontend:http',
    ]);
  });

  it('routes a separate API host to the backend (seed 003)', () => {
    expect(routes('staging')).toEqual([
      'staging.example.com/api/health Exact -> backend:http',
      'api.staging.example.com/ Prefix -> backend:http',
      'staging.example.com/ Prefix -> frontend:http',
    ]);
  });

  it('terminates TLS for every host and limits each client IP to 100 requests a minute', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      for (const ingress of objects(rendered(env), 'Ingress') as any[]) {
        expect(ingress.spec.ingressClassName).toBe('nginx');
        expect(ingress.spec.tls).toEqual([{ hosts: ingress.spec.rules.map((r: any) => r.host), secretName: `public-${env}-tls` }]);
        expect(ingress.metadata.annotations).toMatchObject({
          'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
          'nginx.ingress.kubernetes.io/limit-rpm': '100',
          'nginx.ingress.kubernetes.io/limit-burst-multiplier': '1',
        });
      }
    }
  });

  it('sends mesh traffic to the Service with its own host, so Istio routing and mTLS apply', () => {
    const backend = find(rendered('prod'), 'Ingress', 'backend');
    expect(backend.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/service-upstream': 'true',
      'nginx.ingress.kubernetes.io/upstream-vhost': 'backend.platform.svc.cluster.local',
    });
    const dev = find(rendered('dev'), 'Ingress', 'backend');
    expect(dev.metadata.annotations).not.toHaveProperty('nginx.ingress.kubernetes.io/service-upstream');
  });

  it('configures the controller for HSTS and TLS 1.3 only, through Flux or Argo CD', () => {
    const expected = { 'ssl-protocols': 'TLSv1.3', hsts: 'true', 'hsts-max-age': '31536000' };
    const release = find(rendered('prod'), 'HelmRelease', 'ingress-nginx');
    expect(release.spec.values.controller.config).toMatchObject(expected);
    const application = find(rendered('staging'), 'Application', 'ingress-nginx');
    expect(application.spec.source.helm.valuesObject.controller.config).toMatchObject(expected);
    expect(objects(rendered('prod'), 'ConfigMap').map((c) => c.metadata.name)).not.toContain('ingress-nginx-controller');
  });
});
