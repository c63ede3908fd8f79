import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ScaledObject } from '../../imports/keda.sh';
import { type AutoscalingBehavior, hpaBehavior, type ScaleTarget } from './autoscaler';
import { AUTOSCALING_DEFAULTS, LATENCY_SCALING_DEFAULTS } from '../defaults';
import { assertPromql, eq, selector } from '../promql';
import { PropChecks } from '../prop-checks';
import type { BindingJson } from '../binding-json';
import type { ScaledObjectSpec } from '../../imports/keda.sh';

/**
 * The p95 of a Service's request durations in milliseconds, as the receiving Istio proxies report them
 * (the same series the rollout analyses and the P2 latency alert read).
 */
export function istioLatencyQuery(namespace: string, service: string, windowSeconds: number): string {
  const series = selector(
    'istio_request_duration_milliseconds_bucket',
    eq('reporter', 'destination'),
    eq('destination_service_namespace', namespace),
    eq('destination_service_name', service),
  );
  return `histogram_quantile(0.95, sum by (le) (rate(${series}[${windowSeconds}s])))`;
}

export interface LatencyAutoscalerProps extends AutoscalingBehavior {
  /** The ScaledObject (and the HPA KEDA makes for it). */
  readonly name: string;
  /** The workload whose replica count it owns. */
  readonly target: ScaleTarget;
  /** The fewest pods, at least 1. */
  readonly minReplicas: number;
  /** The most pods, at least `minReplicas`. */
  readonly maxReplicas: number;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The Prometheus KEDA queries. */
  readonly prometheusUrl: string;
  /** PromQL for the latency in milliseconds (one series). */
  readonly query: string;
  /** Scale up while the latency is above this, milliseconds. */
  readonly thresholdMilliseconds: number;
  /** Failed Prometheus polls in a row before the fallback holds the pod count. @default 3 */
  readonly failureThreshold?: number;
}

/**
 * CAP-04's latency trigger together with the CPU and memory targets, in one KEDA ScaledObject (an
 * HPA and a ScaledObject must never both scale one workload: KEDA's own HPA would fight the other).
 * KEDA makes an HPA with the same behavior (stabilization windows, pace) and three metrics, and the
 * HPA takes the largest recommendation:
 * - CPU and memory utilization, as the plain HPA had them;
 * - the latency from Prometheus as a `Value` metric: desired = current x latency / threshold, so 750 ms
 *   against 500 ms asks for half as many pods again.
 * A missing metric is safe both ways: no series (no traffic) counts as 0 (`ignoreNullValues`), which
 * never asks for pods, and a Prometheus that fails `failureThreshold` polls in a row makes KEDA report
 * the current pod count for this trigger (`currentReplicasIfHigher`), which never removes any; CPU and
 * memory keep scaling meanwhile.
 */
export class LatencyAutoscaler extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: LatencyAutoscalerProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .integer('minReplicas', props.minReplicas, 1)
      .integer('maxReplicas', props.maxReplicas, 1)
      .ordered('minReplicas', props.minReplicas, 'maxReplicas', props.maxReplicas)
      .positive('thresholdMilliseconds', props.thresholdMilliseconds);
    this.name = props.name;
    assertPromql(`${props.name}: latency trigger`, props.query);
    if (props.minReplicas < 1)
      throw new Error(`${props.name}: minReplicas (${props.minReplicas}) must be at least 1: CPU and memory cannot scale from zero`);
    const utilization = (type: 'cpu' | 'memory', percent: number) => ({
      type,
      metricType: 'Utilization',
      metadata: { value: String(percent) },
    });
    new ApiObject(this, 'Resource', {
      ...ScaledObject.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        scaleTargetRef: { apiVersion: props.target.apiVersion, kind: props.target.kind, name: props.target.name },
        minReplicaCount: props.minReplicas,
        maxReplicaCount: props.maxReplicas,
        fallback: {
          failureThreshold: props.failureThreshold ?? LATENCY_SCALING_DEFAULTS.failureThreshold,
          replicas: props.minReplicas,
          behavior: 'currentReplicasIfHigher',
        },
        advanced: { horizontalPodAutoscalerConfig: { behavior: hpaBehavior(props) } },
        triggers: [
          utilization('cpu', props.cpuPercent ?? AUTOSCALING_DEFAULTS.cpuPercent),
          utilization('memory', props.memoryPercent ?? AUTOSCALING_DEFAULTS.memoryPercent),
          {
            type: 'prometheus',
            name: 'latency-p95',
            metricType: 'Value',
            metadata: {
              serverAddress: props.prometheusUrl,
              query: props.query,
              threshold: String(props.thresholdMilliseconds),
              ignoreNullValues: 'true',
            },
          },
        ],
      } satisfies BindingJson<ScaledObjectSpec>,
    });
  }
}
