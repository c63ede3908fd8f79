import { describe, expect, it } from 'vitest';
import { certificateNames, PublicCertificate, type PublicCertificateProps, wildcardCovers } from '../../lib/constructs/public-certificate';
import { only, synth } from './synth';

interface Certificate {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    secretName: string;
    dnsNames: string[];
    issuerRef: { name: string; kind: string; group: string };
    renewBefore: string;
    privateKey: { algorithm: string; size: number; rotationPolicy: string };
  };
}

const props: PublicCertificateProps = {
  name: 'public-prod',
  secretName: 'public-prod-tls',
  dnsNames: ['*.example.com', 'example.com'],
  issuer: 'letsencrypt',
  labels: { 'app.kubernetes.io/name': 'edge' },
};

function render(p: PublicCertificateProps) {
  let certificate: PublicCertificate | undefined;
  const objects = synth((chart) => {
    certificate = new PublicCertificate(chart, 'certificate', p);
  });
  return { objects, resource: only<Certificate>(objects, 'Certificate'), certificate: certificate! };
}

describe('PublicCertificate', () => {
  it('emits one Certificate', () => {
    expect(render(props).objects).toMatchSnapshot();
  });

  it('writes the Secret the edge names, for exactly the given names, from the ClusterIssuer', () => {
    const { resource, certificate } = render(props);
    expect(resource.apiVersion).toBe('cert-manager.io/v1');
    expect(resource.metadata).toEqual({ name: 'public-prod', labels: { 'app.kubernetes.io/name': 'edge' } });
    expect(resource.spec.secretName).toBe('public-prod-tls');
    expect(resource.spec.dnsNames).toEqual(['*.example.com', 'example.com']);
    expect(resource.spec.issuerRef).toEqual({ name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(certificate.secretName).toBe('public-prod-tls');
    expect(certificate.dnsNames).toEqual(['*.example.com', 'example.com']);
  });

  it('renews 30 days before expiry with a fresh ECDSA P-256 key', () => {
    const { spec } = render(props).resource;
    expect(spec.renewBefore).toBe('720h');
    expect(spec.privateKey).toEqual({ algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
  });
});

describe('certificate names', () => {
  it('covers exactly one label with a wildcard', () => {
    expect(wildcardCovers('*.example.com', 'app.example.com')).toBe(true);
    expect(wildcardCovers('*.example.com', 'example.com')).toBe(false);
    expect(wildcardCovers('*.example.com', 'a.b.example.com')).toBe(false);
    expect(wildcardCovers('*.example.com', 'app.notexample.com')).toBe(false);
  });

  it('lists the wildcard and every host it does not cover', () => {
    expect(certificateNames('*.example.com', ['app.example.com', 'example.com', 'eu.api.example.com'])).toEqual([
      '*.example.com',
      'example.com',
      'eu.api.example.com',
    ]);
  });

  it('lists every host when there is no wildcard', () => {
    expect(certificateNames(undefined, ['app.example.com', 'api.example.com'])).toEqual(['app.example.com', 'api.example.com']);
  });
});
