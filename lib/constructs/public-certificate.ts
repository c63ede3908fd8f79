import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy } from '../../imports/cert-manager.io';
import { PropChecks } from '../prop-checks';

export interface PublicCertificateProps {
  /** The Certificate. */
  readonly name: string;
  /** The Secret cert-manager writes, which the edge's TLS names. */
  readonly secretName: string;
  /** The hosts the certificate names. */
  readonly dnsNames: readonly string[];
  /** The ClusterIssuer. */
  readonly issuer: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
}

/** Whether a one-label wildcard (`*.example.com`) covers a host, as TLS matching does. */
export function wildcardCovers(wildcard: string, host: string): boolean {
  const domain = wildcard.slice(2);
  return host.endsWith(`.${domain}`) && !host.slice(0, -domain.length - 1).includes('.');
}

/** The names on a certificate: the wildcard where asked, and every host it does not cover. */
export function certificateNames(wildcard: string | undefined, hosts: readonly string[]): string[] {
  if (wildcard === undefined) return [...hosts];
  return [wildcard, ...hosts.filter((host) => !wildcardCovers(wildcard, host))];
}

/**
 * TLS for the public hosts (SEC-10: a wildcard, or Let's Encrypt with auto-renewal): one
 * Certificate from the environment's ACME issuer, whose Secret the edge names.
 */
export class PublicCertificate extends Construct {
  readonly secretName: string;
  readonly dnsNames: readonly string[];

  constructor(scope: Construct, id: string, props: PublicCertificateProps) {
    super(scope, id);
    new PropChecks(this).name('name', props.name).name('secretName', props.secretName).nonEmpty('dnsNames', props.dnsNames);
    this.secretName = props.secretName;
    this.dnsNames = props.dnsNames;
    new Certificate(this, 'Certificate', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        secretName: this.secretName,
        dnsNames: [...this.dnsNames],
        issuerRef: { name: props.issuer, kind: 'ClusterIssuer', group: 'cert-manager.io' },
        // Let's Encrypt certificates last 90 days; renewing with 30 left survives a week-long outage twice over.
        renewBefore: '720h',
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
      },
    });
  }
}
