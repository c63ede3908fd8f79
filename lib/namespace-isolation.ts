import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ISTIO_NAMESPACE } from './addons/names';
import { namespaceSelector } from './network-peers';

export interface NamespaceIsolationProps {
  readonly labels: Record<string, string>;
  /** Allow sidecars to reach istiod for their configuration and certificates. */
  readonly mesh: boolean;
}

/** istiod serves xDS and workload certificates to sidecars on 15012. */
const ISTIOD = { namespace: ISTIO_NAMESPACE, port: 15012 };

/**
 * Seed 003's namespace isolation: every pod denies all ingress and egress unless a policy allows it,
 * with DNS (and the mesh control plane) allowed explicitly. Per-service policies open the rest.
 */
export class NamespaceIsolation extends Construct {
  constructor(scope: Construct, id: string, props: NamespaceIsolationProps) {
    super(scope, id);
    const everyPod = {};
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', labels: props.labels },
      spec: { podSelector: everyPod, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: { name: 'allow-dns', labels: props.labels },
      spec: {
        podSelector: everyPod,
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: namespaceSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [
              { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
            ],
          },
        ],
      },
    });
    if (props.mesh) {
      new k8s.KubeNetworkPolicy(this, 'AllowMeshControlPlane', {
        metadata: { name: 'allow-mesh-control-plane', labels: props.labels },
        spec: {
          podSelector: everyPod,
          policyTypes: ['Egress'],
          egress: [
            {
              to: [{ namespaceSelector: namespaceSelector(ISTIOD.namespace) }],
              ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(ISTIOD.port) }],
            },
          ],
        },
      });
    }
  }
}
