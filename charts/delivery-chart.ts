import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { DeliveryAnalyses, type RolloutAnalyses } from '../lib/delivery-analyses';
import { platformLabels } from '../lib/labels';
import type { EnvironmentChartProps } from './chart-props';
import { enabledWebServices } from './resolve-service';

/** The AnalysisTemplates the environment's Rollouts run. Empty when every service rolls. */
export class DeliveryChart extends Chart {
  readonly analyses: RolloutAnalyses;

  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const { environment } = props;
    const strategies = new Set(enabledWebServices(environment).map(([, spec]) => spec.strategy.type));
    this.analyses = new DeliveryAnalyses(this, 'Analyses', {
      labels: platformLabels(environment, 'delivery'),
      prometheusUrl: environment.monitoring.prometheusUrl,
      errorRatePercent: environment.slo.errorRatePercent,
      p95LatencySeconds: environment.slo.p95LatencySeconds,
      gate: strategies.has('blueGreen'),
      background: strategies.has('canary'),
      prePromotionMeasurements: environment.delivery.prePromotionMeasurements,
      intervalSeconds: environment.delivery.analysisIntervalSeconds,
      failureLimit: environment.delivery.failureLimit,
    }).analyses;
  }
}
