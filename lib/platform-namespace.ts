import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface PlatformNamespaceProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Kubernetes minor version the Pod Security profile is pinned to. @default 'v1.28' */
  readonly podSecurityVersion?: string;
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
    const version = props.podSecurityVersion ?? 'v1.28';
    const podSecurity = Object.fromEntries(
      ['enforce', 'audit', 'warn'].flatMap((mode) => [
        [`pod-security.kubernetes.io/${mode}`, 'restricted'],
        [`pod-security.kubernetes.io/${mode}-version`, version],
      ]),
    );
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: { name: props.name, labels: { ...props.labels, ...podSecurity } },
    });
  }
}
