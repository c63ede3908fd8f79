import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** What an autoscaler or a disruption budget points at: a Deployment or an Argo Rollout. */
export interface ScaleTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export interface AutoscalerProps {
  readonly name: string;
  readonly target: ScaleTarget;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly labels: Record<string, string>;
  /** @default 70 */
  readonly cpuUtilization?: number;
  /** @default 80 */
  readonly memoryUtilization?: number;
}

const MINUTE = 60;

/**
 * An autoscaling/v2 HPA that owns the target's replica count. Behavior is seed 003's: double within a
 * minute when load arrives, shed at most 10 % a minute once it has stayed low for five.
 */
export class Autoscaler extends Construct {
  readonly cpuUtilization: number;
  readonly memoryUtilization: number;

  constructor(scope: Construct, id: string, props: AutoscalerProps) {
    super(scope, id);
    this.cpuUtilization = props.cpuUtilization ?? 70;
    this.memoryUtilization = props.memoryUtilization ?? 80;
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
        metrics: [utilization('cpu', this.cpuUtilization), utilization('memory', this.memoryUtilization)],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: MINUTE,
            selectPolicy: 'Max',
            policies: [{ type: 'Percent', value: 100, periodSeconds: MINUTE }],
          },
          scaleDown: {
            stabilizationWindowSeconds: 5 * MINUTE,
            selectPolicy: 'Max',
            policies: [{ type: 'Percent', value: 10, periodSeconds: MINUTE }],
          },
        },
      },
    });
  }
}
