import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Peers and the ports they may use: one rule of a NetworkPolicy. */
export interface NetworkRule {
  readonly peers: readonly k8s.NetworkPolicyPeer[];
  readonly ports: readonly k8s.NetworkPolicyPort[];
}

export interface ServiceNetworkPolicyProps {
  /** The NetworkPolicy. */
  readonly name: string;
  /** The namespace of the pods it governs. @default - the chart's namespace */
  readonly namespace?: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /**
   * The pods it governs: a service's by its labels, or a data store's by its operator's labels, with
   * expressions where labels alone cannot say it (instances and their Jobs, not the poolers).
   */
  readonly podSelector: k8s.LabelSelector;
  /** Who may connect in. */
  readonly ingress: readonly NetworkRule[];
  /** Where the pods may connect out. */
  readonly egress: readonly NetworkRule[];
}

/**
 * The allowed traffic of one service's (or one data store's) pods in both directions. Everything not
 * listed is dropped by the namespace's default deny.
 */
export class ServiceNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: ServiceNetworkPolicyProps) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels, ...(props.namespace === undefined ? {} : { namespace: props.namespace }) },
      spec: {
        podSelector: props.podSelector,
        policyTypes: ['Ingress', 'Egress'],
        ingress: props.ingress.map((rule) => ({ from: [...rule.peers], ports: [...rule.ports] })),
        egress: props.egress.map((rule) => ({ to: [...rule.peers], ports: [...rule.ports] })),
      },
    });
  }
}
