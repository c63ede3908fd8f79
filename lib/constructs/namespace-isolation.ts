import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ISTIO_NAMESPACE } from '../addons/names';
import { namespaceSelector } from '../network-peers';

export interface NamespaceIsolationProps {
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** Allow sidecars to reach istiod for their configuration and certificates. */
  readonly mesh: boolean;
  /** The namespace the policies go in. @default - the chart's namespace */
  readonly namespace?: string;
  /**
   * Let every pod reach the Kubernetes API at these addresses (where the `kubernetes` Service leads):
   * for namespaces whose every pod is a controller or a hook that talks to it. @default - not allowed
   */
  readonly apiServer?: { readonly cidrs: readonly string[]; readonly port: number };
}

/** istiod serves xDS and workload certificates to sidecars on 15012. */
const ISTIOD = { namespace: ISTIO_NAMESPACE, port: 15012 };

/**
 * SEC-06's namespace isolation: every pod denies all ingress and egress unless a policy allows it,
 * with DNS (and the mesh control plane) allowed explicitly. Per-service policies open the rest.
 */
export class NamespaceIsolation extends Construct {
  constructor(scope: Construct, id: string, props: NamespaceIsolationProps) {
    super(scope, id);
    const everyPod = {};
    const metadata = (name: string) => ({
      name,
      labels: props.labels,
      ...(props.namespace === undefined ? {} : { namespace: props.namespace }),
    });
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: metadata('default-deny'),
      spec: { podSelector: everyPod, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: metadata('allow-dns'),
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
        metadata: metadata('allow-mesh-control-plane'),
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
    if (props.apiServer !== undefined) {
      const { cidrs, port } = props.apiServer;
      new k8s.KubeNetworkPolicy(this, 'AllowApiServer', {
        metadata: metadata('allow-api-server'),
        spec: {
          podSelector: everyPod,
          policyTypes: ['Egress'],
          egress: [
            { to: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }] },
          ],
        },
      });
    }
  }
}
