import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AUTOSCALING_DEFAULTS } from '../defaults';
import { PropChecks } from '../prop-checks';

/**
 * What an autoscaler points at: a Deployment or an Argo Rollout, by name (an HPA's and a KEDA
 * ScaledObject's `scaleTargetRef`). `ServiceDeployment.scaleTarget` and `ServiceRollout.scaleTarget`
 * give it for the workload they write; the kind fixes the apiVersion, so no other pair type-checks.
 */
export type ScaleTarget =
  | { readonly apiVersion: 'apps/v1'; readonly kind: 'Deployment'; readonly name: string }
  | { readonly apiVersion: 'argoproj.io/v1alpha1'; readonly kind: 'Rollout'; readonly name: string };

/** How fast the replica count may move one way: at most `percent` per period, once the signal has held. */
export interface ScalingPolicy {
  readonly percent: number;
  readonly periodSeconds: number;
  readonly stabilizationSeconds: number;
}

/** Utilization targets and pace of an HPA. */
export interface AutoscalingBehavior {
  /** Target CPU use, percent of the pods' CPU request. @default 70 */
  readonly cpuPercent?: number;
  /** Target memory use, percent of the pods' memory request. @default 80 */
  readonly memoryPercent?: number;
  /** How fast the replica count may grow. @default - double within a minute, once three minutes asked for more (AUTOSCALING_DEFAULTS.scaleUp) */
  readonly scaleUp?: ScalingPolicy;
  /** How fast the replica count may shrink. @default - 10 % a minute, once ten minutes asked for fewer (AUTOSCALING_DEFAULTS.scaleDown) */
  readonly scaleDown?: ScalingPolicy;
}

export interface AutoscalerProps extends AutoscalingBehavior {
  /** The HorizontalPodAutoscaler. */
  readonly name: string;
  /** The workload whose replica count it owns. */
  readonly target: ScaleTarget;
  /** The fewest pods, at least 1. */
  readonly minReplicas: number;
  /** The most pods, at least `minReplicas`. */
  readonly maxReplicas: number;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
}

function rules(policy: ScalingPolicy): k8s.HpaScalingRulesV2 {
  return {
    stabilizationWindowSeconds: policy.stabilizationSeconds,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: policy.percent, periodSeconds: policy.periodSeconds }],
  };
}

/**
 * The HPA behavior of a pace, also what KEDA passes to the HPA it makes. The stabilization windows
 * carry CAP-03's "for 3 minutes" (up) and "for 10 minutes" (down): the HPA acts on the lowest
 * (up) or highest (down) recommendation of the window.
 */
export function hpaBehavior(behavior: AutoscalingBehavior): k8s.HorizontalPodAutoscalerBehaviorV2 {
  return {
    scaleUp: rules(behavior.scaleUp ?? AUTOSCALING_DEFAULTS.scaleUp),
    scaleDown: rules(behavior.scaleDown ?? AUTOSCALING_DEFAULTS.scaleDown),
  };
}

/**
 * An autoscaling/v2 HPA that owns the target's replica count, on CPU and memory utilization. Its pace
 * defaults to CAP-03's (double within a minute, shed at most 10 % a minute) behind its windows:
 * up only once three minutes of recommendations asked for more, down once ten asked for fewer.
 */
export class Autoscaler extends Construct {
  readonly cpuPercent: number;
  readonly memoryPercent: number;

  constructor(scope: Construct, id: string, props: AutoscalerProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .integer('minReplicas', props.minReplicas, 1)
      .integer('maxReplicas', props.maxReplicas, 1)
      .ordered('minReplicas', props.minReplicas, 'maxReplicas', props.maxReplicas)
      .integer('cpuPercent', props.cpuPercent ?? AUTOSCALING_DEFAULTS.cpuPercent, 1)
      .integer('memoryPercent', props.memoryPercent ?? AUTOSCALING_DEFAULTS.memoryPercent, 1);
    this.cpuPercent = props.cpuPercent ?? AUTOSCALING_DEFAULTS.cpuPercent;
    this.memoryPercent = props.memoryPercent ?? AUTOSCALING_DEFAULTS.memoryPercent;
    const utilization = (name: string, averageUtilization: number): k8s.MetricSpecV2 => ({
      type: 'Resource',
      resource: { name, target: { type: 'Utilization', averageUtilization } },
    });
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        scaleTargetRef: { ...props.target },
        minReplicas: props.minReplicas,
        maxReplicas: props.maxReplicas,
        metrics: [utilization('cpu', this.cpuPercent), utilization('memory', this.memoryPercent)],
        behavior: hpaBehavior(props),
      },
    });
  }
}
