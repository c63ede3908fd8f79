import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { podSecurityLabels, PodSecurityLevel } from '../pod-security';

export interface PlatformNamespaceProps {
  /** The Namespace. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The cluster's Kubernetes minor, e.g. 1.35: the version the Pod Security profile is pinned to. */
  readonly kubernetesVersion: string;
  /** E.g. Chaos Mesh's opt-in for drills in the namespace. @default - none */
  readonly annotations?: Record<string, string>;
}

/**
 * The namespace the platform runs in. Pod Security Admission enforces the "restricted" profile, so a
 * pod that slips past these constructs (a hand-applied debug pod, a chart from elsewhere) is refused
 * by the API server rather than run privileged.
 */
export class PlatformNamespace extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    const podSecurity = podSecurityLabels(PodSecurityLevel.RESTRICTED, props.kubernetesVersion);
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: { ...props.labels, ...podSecurity },
        ...(props.annotations === undefined || Object.keys(props.annotations).length === 0
          ? {}
          : { annotations: { ...props.annotations } }),
      },
    });
  }
}
