import { describe, expect, it } from 'vitest';
import { AcmeIssuer, type AcmeIssuerProps, type AcmeSolver } from '../../lib/constructs/acme-issuer';
import { only, synth } from './synth';

interface ClusterIssuer {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string>; namespace?: string };
  spec: {
    acme: {
      email: string;
      server: string;
      privateKeySecretRef: { name: string };
      solvers: Record<string, unknown>[];
    };
  };
}

const labels = { 'app.kubernetes.io/name': 'certificates' };

function props(solver: AcmeSolver): AcmeIssuerProps {
  return {
    issuer: { name: 'letsencrypt', email: 'platform@example.com', server: 'https://acme-v02.api.letsencrypt.org/directory', solver },
    labels,
  };
}

function render(p: AcmeIssuerProps) {
  let issuer: AcmeIssuer | undefined;
  const objects = synth((chart) => {
    issuer = new AcmeIssuer(chart, 'issuer', p);
  });
  return { objects, resource: only<ClusterIssuer>(objects, 'ClusterIssuer'), issuer: issuer! };
}

describe('AcmeIssuer', () => {
  it('emits one ClusterIssuer', () => {
    expect(render(props({ type: 'http01' })).objects).toMatchSnapshot();
  });

  it('registers the account with the CA and keeps its key in a Secret named after the issuer', () => {
    const { resource, issuer } = render(props({ type: 'http01' }));
    expect(resource.apiVersion).toBe('cert-manager.io/v1');
    expect(resource.metadata).toEqual({ name: 'letsencrypt', labels });
    expect(resource.spec.acme).toMatchObject({
      email: 'platform@example.com',
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      privateKeySecretRef: { name: 'letsencrypt-account-key' },
    });
    expect(issuer.name).toBe('letsencrypt');
  });

  it('answers HTTP-01 challenges through the NGINX IngressClass', () => {
    expect(render(props({ type: 'http01' })).resource.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'nginx' } } }]);
  });

  it('answers DNS-01 challenges in Cloud DNS', () => {
    expect(render(props({ type: 'dns01-clouddns', project: 'platform-prod' })).resource.spec.acme.solvers).toEqual([
      { dns01: { cloudDNS: { project: 'platform-prod' } } },
    ]);
  });

  it('answers DNS-01 challenges in Route 53', () => {
    expect(render(props({ type: 'dns01-route53', region: 'eu-west-1' })).resource.spec.acme.solvers).toEqual([
      { dns01: { route53: { region: 'eu-west-1' } } },
    ]);
  });
});
