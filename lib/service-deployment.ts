import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import type { ScaleTarget } from './autoscaler';
import { workloadSelector } from './labels';
import { trackWorkloadName } from './names';
import { podTemplate } from './pod-template';

/**
 * Extra pods a rolling update may start above the desired count, percent (rounded up per
 * Deployment). Old pods go only once new ones are ready (maxUnavailable 0).
 */
export const ROLLING_MAX_SURGE_PERCENT = 25;

export interface ServiceDeploymentProps {
  readonly environment: Environment;
  readonly service: string;
  readonly track: string;
  readonly labels: Record<string, string>;
}

/** A rolling-update Deployment of one track of a service. Its autoscaler owns the replica count. */
export class ServiceDeployment extends Construct {
  readonly scaleTarget: ScaleTarget;
  readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: ServiceDeploymentProps) {
    super(scope, id);
    const { environment, service, track } = props;
    this.selector = workloadSelector({ name: service, environment: environment.name }, track);
    // No `replicas`: a pinned count would be reset on every GitOps sync, fighting the autoscaler.
    const deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: trackWorkloadName(service, track), labels: props.labels },
      spec: {
        selector: { matchLabels: this.selector },
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 600,
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromString(`${ROLLING_MAX_SURGE_PERCENT}%`), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: podTemplate({ environment, service, track }),
      },
    });
    this.scaleTarget = { apiVersion: deployment.apiVersion, kind: deployment.kind, name: deployment.name };
  }
}
