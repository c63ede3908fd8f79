/** Building blocks of NetworkPolicy rules, so every policy names peers the same way. */
import { k8s } from 'cdk8s-plus-28';

/** Selects a namespace by the name label Kubernetes sets on every namespace. */
export function namespaceSelector(namespace: string): k8s.LabelSelector {
  return { matchLabels: { 'kubernetes.io/metadata.name': namespace } };
}

export function tcp(port: number): k8s.NetworkPolicyPort {
  return { protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) };
}

/** Private ranges: an "anywhere on the internet" rule must not open the cluster's own networks. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

export function ipPeer(cidr: string): k8s.NetworkPolicyPeer {
  return { ipBlock: cidr === '0.0.0.0/0' ? { cidr, except: PRIVATE_RANGES } : { cidr } };
}
