import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy } from '../imports/cert-manager.io';
import { publicTlsSecretName } from './edge-ingress';

export interface PublicCertificateProps {
  readonly environment: Environment;
  /** Every public host the Ingresses serve. */
  readonly hosts: readonly string[];
  readonly labels: Record<string, string>;
}

/** Whether a one-label wildcard (`*.example.com`) covers a host, as TLS matching does. */
export function wildcardCovers(wildcard: string, host: string): boolean {
  const domain = wildcard.slice(2);
  return host.endsWith(`.${domain}`) && !host.slice(0, -domain.length - 1).includes('.');
}

/** The names on the certificate: the wildcard where asked, and every host it does not cover. */
export function certificateNames(environment: Environment, hosts: readonly string[]): string[] {
  const { wildcard } = environment.tls;
  if (wildcard === undefined) return [...hosts];
  return [wildcard, ...hosts.filter((host) => !wildcardCovers(wildcard, host))];
}

/**
 * TLS for the public hosts (seed 000: a wildcard; seed 004: Let's Encrypt with auto-renewal): one
 * Certificate from the environment's ACME issuer, whose Secret the Ingresses name. Both sides call
 * `publicTlsSecretName`, so the Ingress TLS section always points at the issued Secret.
 */
export class PublicCertificate extends Construct {
  readonly secretName: string;
  readonly dnsNames: readonly string[];

  constructor(scope: Construct, id: string, props: PublicCertificateProps) {
    super(scope, id);
    const { environment } = props;
    const { issuer } = environment.tls;
    this.secretName = publicTlsSecretName(environment);
    this.dnsNames = certificateNames(environment, props.hosts);
    new Certificate(this, 'Certificate', {
      metadata: { name: this.secretName.replace(/-tls$/, ''), labels: props.labels },
      spec: {
        secretName: this.secretName,
        dnsNames: [...this.dnsNames],
        issuerRef: { name: issuer.name, kind: 'ClusterIssuer', group: 'cert-manager.io' },
        // Let's Encrypt certificates last 90 days; renewing with 30 left survives a week-long outage twice over.
        renewBefore: '720h',
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
      },
    });
  }
}
