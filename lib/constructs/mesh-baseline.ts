import { Construct } from 'constructs';
import { AuthorizationPolicy, PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';

export interface MeshBaselineProps {
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
}

/**
 * Zero trust for the namespace (SEC-05): every connection is mutual TLS, and nothing is allowed
 * until a per-service policy allows it.
 */
export class MeshBaseline extends Construct {
  constructor(scope: Construct, id: string, props: MeshBaselineProps) {
    super(scope, id);
    new PeerAuthentication(this, 'StrictMtls', {
      metadata: { name: 'default', labels: props.labels },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
    // An ALLOW policy without rules matches no request, so every workload in the namespace denies
    // all traffic that a more specific policy does not allow (Istio's "allow-nothing").
    new AuthorizationPolicy(this, 'AllowNothing', {
      metadata: { name: 'allow-nothing', labels: props.labels },
      spec: {},
    });
  }
}
