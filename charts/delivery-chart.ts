import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { DeliveryAnalyses, type RolloutAnalyses } from '../lib/constructs/delivery-analyses';
import { recommendedLabels } from '../lib/labels';
import { platformLabels } from '../lib/labels';
import { RELEASE_SMOKE } from '../lib/names';
import { smokeTrafficPod } from '../lib/smoke-traffic';
import type { Environment } from '../environments/schema';
import type { EnvironmentChartProps } from './chart-props';
import { enabledWebServices } from './resolve-service';

/** Labels of the smoke-traffic pods (and their ServiceAccount): the policies that let them reach a preview select these. */
export function smokeTrafficLabels(environment: Environment): Record<string, string> {
  return recommendedLabels({ name: RELEASE_SMOKE, environment: environment.name, partOf: environment.partOf, component: 'delivery' });
}

/** The AnalysisTemplates the environment's Rollouts run. Empty when every service rolls. */
export class DeliveryChart extends Chart {
  readonly analyses: RolloutAnalyses;

  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const { environment } = props;
    const strategies = new Set(enabledWebServices(environment).map(([, spec]) => spec.strategy.type));
    const { delivery } = environment;
    const gate = strategies.has('blueGreen');
    const labels = platformLabels(environment, 'delivery');
    const smokeLabels = smokeTrafficLabels(environment);
    if (gate) {
      new k8s.KubeServiceAccount(this, 'SmokeIdentity', {
        metadata: { name: RELEASE_SMOKE, labels: smokeLabels },
        automountServiceAccountToken: false,
      });
    }
    this.analyses = new DeliveryAnalyses(this, 'Analyses', {
      labels,
      prometheusUrl: environment.monitoring.prometheusUrl,
      slo: environment.slo,
      gate,
      background: strategies.has('canary'),
      mesh: environment.mesh.enabled,
      smokePod: smokeTrafficPod({
        image: delivery.smokeImage,
        serviceAccountName: RELEASE_SMOKE,
        labels: smokeLabels,
        durationSeconds: (delivery.prePromotionMeasurements + 1) * delivery.analysisIntervalSeconds,
        mesh: environment.mesh.enabled,
      }),
      prePromotionMeasurements: delivery.prePromotionMeasurements,
      intervalSeconds: delivery.analysisIntervalSeconds,
      failureLimit: delivery.failureLimit,
    }).analyses;
  }
}
