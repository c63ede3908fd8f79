import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AUTOSCALING_DEFAULTS } from './defaults';

/** What an autoscaler or a disruption budget points at: a Deployment or an Argo Rollout. */
export interface ScaleTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** How fast the replica count may move one way: at most `percent` per period, once the signal has held. */
export interface ScalingPolicy {
  readonly percent: number;
  readonly periodSeconds: number;
  readonly stabilizationSeconds: number;
}

/** Utilization targets and pace of an HPA. */
export interface AutoscalingBehavior {
  /** @default 70 */
  readonly cpuPercent?: number;
  /** @default 80 */
  readonly memoryPercent?: number;
  /** @default - double within a minute, once three minutes asked for more (AUTOSCALING_DEFAULTS.scaleUp) */
  readonly scaleUp?: ScalingPolicy;
  /** @default - 10 % a minute, once ten minutes asked for fewer (AUTOSCALING_DEFAULTS.scaleDown) */
  readonly scaleDown?: ScalingPolicy;
}

export interface AutoscalerProps extends AutoscalingBehavior {
  readonly name: string;
  readonly target: ScaleTarget;
  readonly minReplicas: number;
  readonly maxReplicas: number;
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
