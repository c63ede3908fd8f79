import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../imports/security.istio.io';
import { selectorLabels } from './labels';
import { serviceAccountName, serviceName, workloadPrincipal } from './names';
import { serviceOf } from './pod-template';
import { callersOf, type Caller } from './service-graph';

export interface MeshAuthorizationProps {
  readonly environment: Environment;
  readonly service: string;
  readonly labels: Record<string, string>;
}

/** The workload identity of a caller: a SPIFFE principal, never an IP. */
export function callerPrincipal(environment: Environment, caller: Caller): string {
  const { trustDomain } = environment.mesh;
  return caller.kind === 'ingress'
    ? workloadPrincipal(trustDomain, environment.ingress.controller.namespace, environment.ingress.controller.serviceAccount)
    : workloadPrincipal(trustDomain, environment.namespace, serviceAccountName(caller.name));
}

/**
 * Allows exactly the callers the service graph declares to reach one service's port. Everything
 * else is denied by the namespace's allow-nothing policy.
 */
export class MeshAuthorization extends Construct {
  readonly principals: readonly string[];

  constructor(scope: Construct, id: string, props: MeshAuthorizationProps) {
    super(scope, id);
    const { environment, service } = props;
    const spec = serviceOf(environment, service);
    this.principals = callersOf(environment, service).map((caller) => callerPrincipal(environment, caller));
    if (this.principals.length === 0) return;
    new AuthorizationPolicy(this, 'Resource', {
      metadata: { name: serviceName(service), labels: props.labels },
      spec: {
        selector: { matchLabels: selectorLabels({ name: service, environment: environment.name }) },
        action: AuthorizationPolicySpecAction.ALLOW,
        rules: [{ from: [{ source: { principals: [...this.principals] } }], to: [{ operation: { ports: [String(spec.port)] } }] }],
      },
    });
  }
}
