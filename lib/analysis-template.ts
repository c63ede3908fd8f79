import { Construct } from 'constructs';
import { AnalysisTemplate, AnalysisTemplateSpecMetricsCount, AnalysisTemplateSpecMetricsFailureLimit } from '../imports/argoproj.io';
import { ANALYSIS_DEFAULTS } from './defaults';

/** The argument every platform analysis takes: the FQDN of the Service whose traffic is judged. */
export const SERVICE_ARG = 'service-name';

/** What a Rollout writes to run a template: its name and the arguments it declares. */
export interface AnalysisRef {
  readonly templateName: string;
  readonly args: { readonly name: string; readonly value: string }[];
}

/** The signals an analysis can judge, each a PromQL query over Istio's standard metrics. */
export const AnalysisMetric = {
  SUCCESS_RATE: 'success-rate',
  LATENCY_P95: 'latency-p95',
} as const;
export type AnalysisMetric = (typeof AnalysisMetric)[keyof typeof AnalysisMetric];

export interface AnalysisTemplateProps {
  readonly metric: AnalysisMetric;
  readonly prometheusUrl: string;
  /** Highest acceptable 5xx share, percent. */
  readonly errorRatePercent: number;
  /** Highest acceptable p95 latency, seconds. */
  readonly p95LatencySeconds: number;
  /**
   * Measurements before the analysis succeeds. A background analysis runs until the rollout ends;
   * a pre-promotion gate must end, or promotion waits forever.
   * @default - unbounded (background analysis)
   */
  readonly count?: number;
  /** Seconds between measurements. @default 60 */
  readonly intervalSeconds?: number;
  /** Failed measurements that fail the analysis. @default 1 */
  readonly failureLimit?: number;
  /** @default - none */
  readonly labels?: Record<string, string>;
}

const SELECTOR = `reporter="destination",destination_service=~"{{args.${SERVICE_ARG}}}"`;

function query(metric: AnalysisMetric): string {
  switch (metric) {
    case AnalysisMetric.SUCCESS_RATE:
      // No traffic yet is not a failure: an empty result or 0/0 (NaN) passes the condition below.
      return `sum(irate(istio_requests_total{${SELECTOR},response_code!~"5.*"}[2m])) / sum(irate(istio_requests_total{${SELECTOR}}[2m]))`;
    case AnalysisMetric.LATENCY_P95:
      return `histogram_quantile(0.95, sum(irate(istio_request_duration_milliseconds_bucket{${SELECTOR}}[2m])) by (le))`;
  }
}

function successCondition(props: AnalysisTemplateProps): string {
  switch (props.metric) {
    case AnalysisMetric.SUCCESS_RATE:
      return `len(result) == 0 || isNaN(result[0]) || result[0] >= ${1 - props.errorRatePercent / 100}`;
    case AnalysisMetric.LATENCY_P95:
      return `len(result) == 0 || isNaN(result[0]) || result[0] <= ${props.p95LatencySeconds * 1000}`;
  }
}

/** A Go duration as Argo Rollouts writes them: whole minutes as `1m`, anything else in seconds. */
function duration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** The name of a template: one per metric, and a bounded variant for pre-promotion gates. */
export function analysisTemplateName(metric: AnalysisMetric, count?: number): string {
  return count === undefined ? metric : `${metric}-gate`;
}

/**
 * An Argo Rollouts AnalysisTemplate that judges one Istio metric of one Service against the
 * environment's SLO. Two consecutive failed measurements fail the analysis, and a failed analysis
 * aborts the rollout.
 */
export class PrometheusAnalysis extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: AnalysisTemplateProps) {
    super(scope, id);
    this.name = analysisTemplateName(props.metric, props.count);
    new AnalysisTemplate(this, 'Resource', {
      metadata: { name: this.name, labels: props.labels },
      spec: {
        args: [{ name: SERVICE_ARG }],
        metrics: [
          {
            name: props.metric,
            interval: duration(props.intervalSeconds ?? ANALYSIS_DEFAULTS.intervalSeconds),
            ...(props.count === undefined ? {} : { count: AnalysisTemplateSpecMetricsCount.fromNumber(props.count) }),
            failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(props.failureLimit ?? ANALYSIS_DEFAULTS.failureLimit),
            successCondition: successCondition(props),
            provider: { prometheus: { address: props.prometheusUrl, query: query(props.metric) } },
          },
        ],
      },
    });
  }

  /** How a Rollout runs this template against one Service. */
  bind(serviceHost: string): AnalysisRef {
    return { templateName: this.name, args: [{ name: SERVICE_ARG, value: serviceHost }] };
  }
}
