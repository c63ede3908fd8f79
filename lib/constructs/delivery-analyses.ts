import type { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AnalysisMetric,
  type AnalysisRef,
  CANARY_VERSION_ARG,
  HEALTH_PATH_ARG,
  prometheusMetric,
  ReleaseAnalysis,
  SERVICE_ARG,
  type ServiceLevel,
  smokeJobMetric,
} from './analysis-template';
import { ANALYSIS_DEFAULTS } from '../defaults';

/** The analyses a Rollout runs, already bound to their templates. */
export interface RolloutAnalyses {
  /** The gate before a blue-green promotion, bound to the preview Service's host and the path its smoke traffic requests. */
  readonly prePromotion: (previewHost: string, healthPath: string) => AnalysisRef[];
  /** Judged throughout a canary, bound to the Service's host and the canary's version. */
  readonly background: (host: string, canaryVersion: string) => AnalysisRef[];
}

/** The names of the templates. */
export const AnalysisTemplateName = {
  PREVIEW_GATE: 'preview-gate',
  SUCCESS_RATE: 'success-rate',
  LATENCY_P95: 'latency-p95',
} as const;

export interface DeliveryAnalysesProps {
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The Prometheus the analyses query, e.g. `http://prometheus.monitoring:9090`. */
  readonly prometheusUrl: string;
  /** The service level a release must hold: error rate and latency thresholds. */
  readonly slo: ServiceLevel;
  /** Emit the pre-promotion gate (some service is released blue-green). */
  readonly gate: boolean;
  /** Emit the background analyses (some service is released as a canary). */
  readonly background: boolean;
  /** Istio reports request metrics (the namespace is in the mesh); without it the gate is the smoke traffic alone. */
  readonly mesh: boolean;
  /**
   * The pod that sends smoke traffic to a preview: it requests `{{args.service-name}}{{args.health-path}}`
   * for the length of the gate and fails on the first error.
   */
  readonly smokePod: k8s.PodTemplateSpec;
  /** Measurements a preview must pass before promotion. @default 5 */
  readonly prePromotionMeasurements?: number;
  /** Seconds between two measurements. @default 60 */
  readonly intervalSeconds?: number;
  /** Failed measurements that fail the analysis. @default 1 */
  readonly failureLimit?: number;
}

/**
 * The AnalysisTemplates an environment's Rollouts use, each emitted once, judged against the
 * environment's SLO. Rollouts get them through `analyses`, already bound, so a template name or an
 * argument is never typed twice.
 *
 * The blue-green gate sends its own traffic to the preview (nothing else does: the edge routes to the
 * active Service) and, in the mesh, judges the preview's success rate over that traffic. The canary's
 * analyses judge the canary's own pods. No measurement passes without data.
 */
export class DeliveryAnalyses extends Construct {
  readonly analyses: RolloutAnalyses;

  constructor(scope: Construct, id: string, props: DeliveryAnalysesProps) {
    super(scope, id);
    const interval = props.intervalSeconds ?? ANALYSIS_DEFAULTS.intervalSeconds;
    const measurements = props.prePromotionMeasurements ?? ANALYSIS_DEFAULTS.prePromotionMeasurements;
    const common = { prometheusUrl: props.prometheusUrl, slo: props.slo, intervalSeconds: interval, failureLimit: props.failureLimit };
    const gate = props.gate
      ? new ReleaseAnalysis(this, AnalysisTemplateName.PREVIEW_GATE, {
          name: AnalysisTemplateName.PREVIEW_GATE,
          labels: props.labels,
          args: [SERVICE_ARG, HEALTH_PATH_ARG],
          metrics: [
            // Traffic for the whole gate: the measurements start one interval in and run `measurements` intervals.
            smokeJobMetric({ name: 'smoke-traffic', pod: props.smokePod, activeDeadlineSeconds: (measurements + 2) * interval }),
            ...(props.mesh
              ? [
                  prometheusMetric({
                    ...common,
                    metric: AnalysisMetric.SUCCESS_RATE,
                    canaryOnly: false,
                    count: measurements,
                    initialDelaySeconds: interval,
                    // One scrape gap is tolerated; more, and the gate is Inconclusive: it never passes blind.
                    inconclusiveLimit: 1,
                  }),
                ]
              : []),
          ],
        })
      : undefined;
    const background = props.background
      ? [AnalysisMetric.SUCCESS_RATE, AnalysisMetric.LATENCY_P95].map(
          (metric) =>
            new ReleaseAnalysis(this, metric, {
              name: metric,
              labels: props.labels,
              args: [SERVICE_ARG, CANARY_VERSION_ARG],
              metrics: [prometheusMetric({ ...common, metric, canaryOnly: true })],
            }),
        )
      : [];
    this.analyses = {
      prePromotion: (previewHost, healthPath) =>
        gate === undefined ? [] : [gate.bind({ [SERVICE_ARG]: previewHost, [HEALTH_PATH_ARG]: healthPath })],
      background: (host, canaryVersion) => background.map((t) => t.bind({ [SERVICE_ARG]: host, [CANARY_VERSION_ARG]: canaryVersion })),
    };
  }
}
