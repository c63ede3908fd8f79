import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { ScaleTarget } from './autoscaler';
import { ROLLING_DEFAULTS } from '../defaults';
import { workloadSpecBase } from '../workload-spec';
import { PropChecks } from '../prop-checks';

export interface ServiceDeploymentProps {
  /** The Deployment. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** Labels of its pods (the immutable `spec.selector`). */
  readonly selector: Readonly<Record<string, string>>;
  /** The pod template, from `podTemplate`. */
  readonly template: k8s.PodTemplateSpec;
  /** Extra pods a rolling update may start above the desired count, percent. @default 25 */
  readonly maxSurgePercent?: number;
  /**
   * The pod count, for a workload no autoscaler sizes (a fixed-size worker).
   * @default - none: the workload's autoscaler owns the count
   */
  readonly replicas?: number;
}

/** A rolling-update Deployment of one track of a service. Its autoscaler, if it has one, owns the replica count. */
export class ServiceDeployment extends Construct {
  readonly scaleTarget: ScaleTarget;
  readonly selector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ServiceDeploymentProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .nonEmpty('selector', props.selector)
      .integer('maxSurgePercent', props.maxSurgePercent ?? ROLLING_DEFAULTS.maxSurgePercent, 0, 100);
    this.selector = props.selector;
    const maxSurge = props.maxSurgePercent ?? ROLLING_DEFAULTS.maxSurgePercent;
    if (props.replicas !== undefined && (!Number.isInteger(props.replicas) || props.replicas < 1)) {
      throw new Error(`${props.name}: replicas must be a whole number of at least 1, got ${props.replicas}`);
    }
    // `replicas` only without an autoscaler: a pinned count would be reset on every GitOps sync, fighting it.
    const deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        ...(props.replicas === undefined ? {} : { replicas: props.replicas }),
        ...workloadSpecBase(props.selector),
        strategy: {
          type: 'RollingUpdate',
          // Old pods go only once new ones are ready.
          rollingUpdate: { maxSurge: k8s.IntOrString.fromString(`${maxSurge}%`), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: props.template,
      },
    });
    this.scaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name };
  }
}
