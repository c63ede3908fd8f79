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

/**
 * The labels the Prometheus Operator puts on every Prometheus server pod (app.kubernetes.io/name and
 * managed-by, pkg/prometheus: operator.ApplicationNameLabelKey "prometheus"): scraping is allowed from
 * those pods, never from everything in their namespace (Grafana, Alertmanager, the operator, a debug pod).
 */
export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'prometheus',
  'app.kubernetes.io/managed-by': 'prometheus-operator',
};

/** The Prometheus server pods in their namespace. */
export function prometheusPeer(namespace: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: namespaceSelector(namespace), podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } } };
}
