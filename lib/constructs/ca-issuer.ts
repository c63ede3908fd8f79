import { Construct } from 'constructs';
import { Issuer } from '../../imports/cert-manager.io';
import { PropChecks } from '../prop-checks';

export interface CaIssuerProps {
  /** The Issuer. */
  readonly name: string;
  /** The Secret in the Issuer's namespace holding the CA's certificate and key as `tls.crt` and `tls.key`. */
  readonly caSecret: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
}

/**
 * A namespaced cert-manager CA Issuer: it signs certificates in its own namespace only, with a CA whose
 * pair the namespace already holds (cert-manager pkg/issuer/ca: the Secret's `tls.crt` and `tls.key`).
 * Namespaced, so that no other namespace can have a certificate of that CA issued.
 */
export class CaIssuer extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: CaIssuerProps) {
    super(scope, id);
    new PropChecks(this).name('name', props.name).name('caSecret', props.caSecret);
    this.name = props.name;
    new Issuer(this, 'Issuer', {
      metadata: { name: props.name, labels: props.labels },
      spec: { ca: { secretName: props.caSecret } },
    });
  }
}
