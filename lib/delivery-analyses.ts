import { Construct } from 'constructs';
import { AnalysisMetric, PrometheusAnalysis } from './analysis-template';
import type { AnalysisRef } from './analysis-template';
import { ANALYSIS_DEFAULTS } from './defaults';

/** The analyses a Rollout runs, already bound to their templates. */
export interface RolloutAnalyses {
  /** Bound to a Service host: the gate before a blue-green promotion. */
  readonly prePromotion: (host: string) => AnalysisRef[];
  /** Bound to a Service host: judged throughout a canary. */
  readonly background: (host: string) => AnalysisRef[];
}

export interface DeliveryAnalysesProps {
  readonly labels: Record<string, string>;
  readonly prometheusUrl: string;
  /** Highest acceptable 5xx share, percent. */
  readonly errorRatePercent: number;
  /** Highest acceptable p95 latency, seconds. */
  readonly p95LatencySeconds: number;
  /** Emit the pre-promotion gate (some service is released blue-green). */
  readonly gate: boolean;
  /** Emit the background analyses (some service is released as a canary). */
  readonly background: boolean;
  /** Measurements a preview must pass before promotion. @default 5 */
  readonly prePromotionMeasurements?: number;
  /** @default 60 */
  readonly intervalSeconds?: number;
  /** @default 1 */
  readonly failureLimit?: number;
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
    const template = (metric: AnalysisMetric, count?: number) =>
      new PrometheusAnalysis(this, count === undefined ? metric : `${metric}-gate`, {
        metric,
        count,
        intervalSeconds: props.intervalSeconds,
        failureLimit: props.failureLimit,
        prometheusUrl: props.prometheusUrl,
        errorRatePercent: props.errorRatePercent,
        p95LatencySeconds: props.p95LatencySeconds,
        labels: props.labels,
      });
    const gate = props.gate
      ? [template(AnalysisMetric.SUCCESS_RATE, props.prePromotionMeasurements ?? ANALYSIS_DEFAULTS.prePromotionMeasurements)]
      : [];
    const background = props.background ? [template(AnalysisMetric.SUCCESS_RATE), template(AnalysisMetric.LATENCY_P95)] : [];
    this.analyses = {
      prePromotion: (host) => gate.map((t) => t.bind(host)),
      background: (host) => background.map((t) => t.bind(host)),
    };
  }
}
