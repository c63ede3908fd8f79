import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { DeliveryAnalyses } from '../lib/delivery-analyses';
import { platformLabels } from '../lib/labels';
import type { RolloutAnalyses } from '../lib/service-rollout';
import type { EnvironmentChartProps } from './namespace-chart';

/** The AnalysisTemplates the environment's Rollouts run. Empty when every service rolls. */
export class DeliveryChart extends Chart {
  readonly analyses: RolloutAnalyses;

  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const labels = platformLabels(props.environment, 'delivery');
    this.analyses = new DeliveryAnalyses(this, 'Analyses', { environment: props.environment, labels }).analyses;
  }
}
