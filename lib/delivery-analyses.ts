import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { AnalysisMetric, PrometheusAnalysis } from './analysis-template';
import type { RolloutAnalyses } from './service-rollout';

/** Measurements (one a minute) a blue-green preview must pass before it can be promoted. */
export const PRE_PROMOTION_MEASUREMENTS = 5;

export interface DeliveryAnalysesProps {
  readonly environment: Environment;
  readonly labels: Record<string, string>;
}

/**
 * The AnalysisTemplates an environment's Rollouts use, each emitted once, judged against the
 * environment's SLO. Rollouts get them through `analyses`, already bound, so a template name or an
 * argument is never typed twice.
 */
export class DeliveryAnalyses extends Construct {
  readonly analyses: RolloutAnalyses;

  constructor(scope: Construct, id: string, props: DeliveryAnalysesProps) {
    super(scope, id);
    const { environment } = props;
    const strategies = new Set(Object.values(environment.services).map((spec) => spec.strategy.type));
    const template = (metric: AnalysisMetric, count?: number) =>
      new PrometheusAnalysis(this, count === undefined ? metric : `${metric}-gate`, {
        metric,
        count,
        prometheusUrl: environment.monitoring.prometheusUrl,
        errorRatePercent: environment.slo.errorRatePercent,
        p95LatencySeconds: environment.slo.p95LatencySeconds,
        labels: props.labels,
      });
    const gate = strategies.has('blueGreen') ? [template(AnalysisMetric.SUCCESS_RATE, PRE_PROMOTION_MEASUREMENTS)] : [];
    const background = strategies.has('canary')
      ? [template(AnalysisMetric.SUCCESS_RATE), template(AnalysisMetric.LATENCY_P95)]
      : [];
    this.analyses = {
      prePromotion: (host) => gate.map((t) => t.bind(host)),
      background: (host) => background.map((t) => t.bind(host)),
    };
  }
}
