import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { addonNamespaceLabels, type AddonNamespaceSpec } from './addon';

export interface AddonNamespaceProps {
  /** The add-on namespace: its name and the Pod Security level its workloads need. */
  readonly namespace: AddonNamespaceSpec;
  /** The app.kubernetes.io labels of the add-ons bundle. */
  readonly labels: Record<string, string>;
  /** The cluster's Kubernetes minor, e.g. 1.35: the version the Pod Security profile is pinned to. */
  readonly kubernetesVersion: string;
}

/**
 * The namespace an add-on runs in, with its Pod Security level. Emitted rather than left to Helm's
 * `createNamespace`, which would create it without any Pod Security labels, i.e. unrestricted.
 */
export class AddonNamespace extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: AddonNamespaceProps) {
    super(scope, id);
    const { namespace } = props;
    if (namespace.enforce === undefined) {
      throw new Error(`namespace "${namespace.name}" belongs to the cluster (no Pod Security level is set for it); it must not be emitted`);
    }
    this.name = namespace.name;
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: { name: namespace.name, labels: { ...props.labels, ...addonNamespaceLabels(namespace, props.kubernetesVersion) } },
    });
  }
}
