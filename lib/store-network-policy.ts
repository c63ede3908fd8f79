import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { NetworkRule } from './service-network-policy';

export interface StoreNetworkPolicyProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** The store's pods; expressions where labels alone cannot say it (instances and their Jobs, not the poolers). */
  readonly podSelector: k8s.LabelSelector;
  readonly ingress: readonly NetworkRule[];
  readonly egress: readonly NetworkRule[];
}

/**
 * The traffic one data store's pods may have, in and out; the namespace's default deny drops the rest.
 * Like ServiceNetworkPolicy, but the pods are selected by their operator's labels, with expressions.
 */
export class StoreNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: StoreNetworkPolicyProps) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        podSelector: props.podSelector,
        policyTypes: ['Ingress', 'Egress'],
        ingress: props.ingress.map((rule) => ({ from: [...rule.peers], ports: [...rule.ports] })),
        egress: props.egress.map((rule) => ({ to: [...rule.peers], ports: [...rule.ports] })),
      },
    });
  }
}
