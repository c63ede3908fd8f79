import { Construct } from 'constructs';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  CertificateSpecUsages,
} from '../../imports/cert-manager.io';
import { PropChecks } from '../prop-checks';

export interface InternalCertificateProps {
  /** The Certificate. */
  readonly name: string;
  /** The Secret cert-manager writes (`ca.crt`, `tls.crt`, `tls.key`). */
  readonly secretName: string;
  /** The namespaced Issuer that signs it. */
  readonly issuer: string;
  /** The names a client dials: the certificate's DNS names (a `*.` wildcard covers one label). */
  readonly dnsNames: readonly string[];
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
}

/**
 * The certificate of an in-cluster server that also signs in to its peers with it (Redis replicas and
 * Sentinels present their `tls-cert-file` as a client certificate): server and client auth, an ECDSA
 * key rotated on each renewal. It lasts a year and is renewed a quarter before it ends: Redis 7.2 reads
 * its certificate only when it starts, so a renewed one is served after the next restart of each pod.
 */
export class InternalCertificate extends Construct {
  readonly secretName: string;
  readonly dnsNames: readonly string[];

  constructor(scope: Construct, id: string, props: InternalCertificateProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .name('secretName', props.secretName)
      .name('issuer', props.issuer)
      .nonEmpty('dnsNames', props.dnsNames);
    this.secretName = props.secretName;
    this.dnsNames = props.dnsNames;
    new Certificate(this, 'Certificate', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        secretName: props.secretName,
        dnsNames: [...props.dnsNames],
        issuerRef: { name: props.issuer, kind: 'Issuer', group: 'cert-manager.io' },
        usages: [
          CertificateSpecUsages.DIGITAL_SIGNATURE,
          CertificateSpecUsages.KEY_ENCIPHERMENT,
          CertificateSpecUsages.SERVER_AUTH,
          CertificateSpecUsages.CLIENT_AUTH,
        ],
        duration: '8760h',
        renewBefore: '2160h',
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
      },
    });
  }
}
