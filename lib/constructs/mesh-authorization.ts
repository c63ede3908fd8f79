import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { PropChecks } from '../prop-checks';

export interface MeshAuthorizationProps {
  /** The AuthorizationPolicy. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The service's pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Workload identities (SPIFFE principals) allowed in, from the service graph. */
  readonly principals: readonly string[];
  /** The container port the callers may reach. */
  readonly port: number;
}

/**
 * Allows exactly the callers the service graph declares to reach one service's port. Everything
 * else is denied by the namespace's allow-nothing policy. No policy is emitted for a service nobody
 * calls: allow-nothing already denies everything.
 */
export class MeshAuthorization extends Construct {
  readonly principals: readonly string[];

  constructor(scope: Construct, id: string, props: MeshAuthorizationProps) {
    super(scope, id);
    new PropChecks(this).name('name', props.name).port('port', props.port);
    this.principals = props.principals;
    if (this.principals.length === 0) return;
    new AuthorizationPolicy(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        action: AuthorizationPolicySpecAction.ALLOW,
        rules: [{ from: [{ source: { principals: [...this.principals] } }], to: [{ operation: { ports: [String(props.port)] } }] }],
      },
    });
  }
}
