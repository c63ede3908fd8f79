import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Peers and the ports they may use: one rule of a NetworkPolicy. */
export interface NetworkRule {
  readonly peers: readonly k8s.NetworkPolicyPeer[];
  readonly ports: readonly k8s.NetworkPolicyPort[];
}

export interface ServiceNetworkPolicyProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** The service's pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Who may connect in. */
  readonly ingress: readonly NetworkRule[];
  /** Where the pods may connect out. */
  readonly egress: readonly NetworkRule[];
}

/**
 * One service's allowed traffic in both directions. Everything not listed is dropped by the
 * namespace's default deny.
 */
export class ServiceNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: ServiceNetworkPolicyProps) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        podSelector: { matchLabels: { ...props.selector } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: props.ingress.map((rule) => ({ from: [...rule.peers], ports: [...rule.ports] })),
        egress: props.egress.map((rule) => ({ to: [...rule.peers], ports: [...rule.ports] })),
      },
    });
  }
}
