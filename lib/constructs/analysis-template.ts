/**
 * Argo Rollouts AnalysisTemplates: measurements that decide whether a release goes on. A measurement
 * without data never passes: a success condition requires a result, and a result of no data (an
 * empty vector, or 0/0 = NaN when nothing was requested) is neither success nor failure, so the
 * measurement is Inconclusive and the Rollout pauses for a human. A pre-promotion gate also sends
 * its own traffic to the preview, so it always has something to judge.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AnalysisTemplate,
  type AnalysisTemplateSpec,
  type AnalysisTemplateSpecMetrics,
  type AnalysisTemplateSpecMetricsProviderJobSpec,
  AnalysisTemplateSpecMetricsCount,
  AnalysisTemplateSpecMetricsFailureLimit,
  AnalysisTemplateSpecMetricsInconclusiveLimit,
  toJson_AnalysisTemplateSpecMetrics,
} from '../../imports/argoproj.io';
import type { BindingJson } from '../binding-json';
import { ANALYSIS_DEFAULTS } from '../defaults';

/** One metric of a template, as JSON (the typed bindings serialize each kind). */
export type MetricJson = BindingJson<AnalysisTemplateSpecMetrics>;

/** The argument every platform analysis takes: the FQDN of the Service whose traffic is judged. */
export const SERVICE_ARG = 'service-name';
/** The path the smoke traffic requests (the service's health path). */
export const HEALTH_PATH_ARG = 'health-path';
/** The version (image tag) of the canary's pods: Istio reports it as `destination_canonical_revision`. */
export const CANARY_VERSION_ARG = 'canary-version';

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

/** A Go duration as Argo Rollouts writes them: whole minutes as `1m`, anything else in seconds. */
export function duration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

function selector(canaryOnly: boolean): string {
  const service = `reporter="destination",destination_service=~"{{args.${SERVICE_ARG}}}"`;
  // The canary's own pods: stable pods serve most of the traffic and would drown its signal.
  return canaryOnly ? `${service},destination_canonical_revision="{{args.${CANARY_VERSION_ARG}}}"` : service;
}

function query(metric: AnalysisMetric, canaryOnly: boolean): string {
  const s = selector(canaryOnly);
  switch (metric) {
    case AnalysisMetric.SUCCESS_RATE:
      return `sum(irate(istio_requests_total{${s},response_code!~"5.*"}[2m])) / sum(irate(istio_requests_total{${s}}[2m]))`;
    case AnalysisMetric.LATENCY_P95:
      return `histogram_quantile(0.95, sum(irate(istio_request_duration_milliseconds_bucket{${s}}[2m])) by (le))`;
  }
}

/** The comparison that passes, and the one that fails; with no data, neither holds (Inconclusive). */
function conditions(metric: AnalysisMetric, slo: ServiceLevel): { success: string; failure: string } {
  const hasData = 'len(result) > 0 && !isNaN(result[0])';
  switch (metric) {
    case AnalysisMetric.SUCCESS_RATE: {
      // Rounded: 1 - 7/100 is 0.9299999999999999 in floating point.
      const floor = Number((1 - slo.errorRatePercent / 100).toFixed(6));
      return { success: `${hasData} && result[0] >= ${floor}`, failure: `${hasData} && result[0] < ${floor}` };
    }
    case AnalysisMetric.LATENCY_P95: {
      const ceiling = slo.p95LatencySeconds * 1000;
      return { success: `${hasData} && result[0] <= ${ceiling}`, failure: `${hasData} && result[0] > ${ceiling}` };
    }
  }
}

/** The environment's objectives. */
export interface ServiceLevel {
  /** Highest acceptable 5xx share, percent. */
  readonly errorRatePercent: number;
  /** Highest acceptable p95 latency, seconds. */
  readonly p95LatencySeconds: number;
}

export interface PrometheusMetricProps {
  /** Which measurement: error rate or latency. */
  readonly metric: AnalysisMetric;
  /** The Prometheus the metric queries. */
  readonly prometheusUrl: string;
  /** The service level the measurement is held to. */
  readonly slo: ServiceLevel;
  /** Judge only the canary's own pods (background analysis of a canary). */
  readonly canaryOnly: boolean;
  /** Measurements before it succeeds. @default - unbounded (background analysis) */
  readonly count?: number;
  /** Seconds between two measurements. @default 60 */
  readonly intervalSeconds?: number;
  /** Wait before the first measurement, e.g. for smoke traffic to be scraped. @default - none */
  readonly initialDelaySeconds?: number;
  /** Failed measurements that fail the analysis. @default 1 */
  readonly failureLimit?: number;
  /** Measurements without data that are tolerated before the analysis is Inconclusive. @default 0 */
  readonly inconclusiveLimit?: number;
}

/** A measurement of an Istio metric against the objective. */
export function prometheusMetric(props: PrometheusMetricProps): MetricJson {
  const { success, failure } = conditions(props.metric, props.slo);
  return toJson_AnalysisTemplateSpecMetrics({
    name: props.metric,
    interval: duration(props.intervalSeconds ?? ANALYSIS_DEFAULTS.intervalSeconds),
    ...(props.initialDelaySeconds === undefined ? {} : { initialDelay: duration(props.initialDelaySeconds) }),
    ...(props.count === undefined ? {} : { count: AnalysisTemplateSpecMetricsCount.fromNumber(props.count) }),
    failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(props.failureLimit ?? ANALYSIS_DEFAULTS.failureLimit),
    inconclusiveLimit: AnalysisTemplateSpecMetricsInconclusiveLimit.fromNumber(props.inconclusiveLimit ?? 0),
    successCondition: success,
    failureCondition: failure,
    provider: { prometheus: { address: props.prometheusUrl, query: query(props.metric, props.canaryOnly) } },
  }) as MetricJson;
}

export interface SmokeJobMetricProps {
  /** The metric's name. */
  readonly name: string;
  /** The Job's pod template: who it runs as, with which labels, in which image. */
  readonly pod: k8s.PodTemplateSpec;
  /** Seconds the Job may run before it counts as failed. */
  readonly activeDeadlineSeconds: number;
}

/**
 * A Job as a measurement: Successful when it completes, Failed when it fails. A pre-promotion gate uses
 * one to send real requests to the preview, which nothing else would send it.
 */
export function smokeJobMetric(props: SmokeJobMetricProps): MetricJson {
  return {
    name: props.name,
    provider: {
      job: {
        metadata: {
          labels: { ...props.pod.metadata?.labels },
          ...(props.pod.metadata?.annotations ? { annotations: { ...props.pod.metadata.annotations } } : {}),
        },
        // Kubernetes' own JobSpec, typed by the k8s bindings; their serializer returns untyped JSON.
        spec: k8s.toJson_JobSpec({
          backoffLimit: 0,
          activeDeadlineSeconds: props.activeDeadlineSeconds,
          ttlSecondsAfterFinished: 3600,
          template: props.pod,
        }) as BindingJson<AnalysisTemplateSpecMetricsProviderJobSpec>,
      },
    },
  };
}

export interface ReleaseAnalysisProps {
  /** The ClusterAnalysisTemplate. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The arguments the metrics use, bound by each Rollout that runs the template. */
  readonly args: readonly string[];
  /** The template's metrics, each from `prometheusMetric` or `smokeJobMetric`. */
  readonly metrics: readonly MetricJson[];
}

/** One AnalysisTemplate; Rollouts run it through `bind`. */
export class ReleaseAnalysis extends Construct {
  readonly name: string;
  readonly args: readonly string[];

  constructor(scope: Construct, id: string, props: ReleaseAnalysisProps) {
    super(scope, id);
    this.name = props.name;
    this.args = props.args;
    // Assembled from JSON: the Job metric's pod template is Kubernetes' own, typed by the k8s bindings.
    new ApiObject(this, 'Resource', {
      ...AnalysisTemplate.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: { args: props.args.map((name) => ({ name })), metrics: [...props.metrics] } satisfies BindingJson<AnalysisTemplateSpec>,
    });
  }

  /**
   * How a Rollout runs this template.
   * @throws Error when a declared argument has no value
   */
  bind(values: Readonly<Record<string, string>>): AnalysisRef {
    return {
      templateName: this.name,
      args: this.args.map((name) => {
        const value = values[name];
        if (value === undefined)
          throw new Error(`AnalysisTemplate ${this.name} needs argument ${name}; given: ${Object.keys(values).join(', ') || '(none)'}`);
        return { name, value };
      }),
    };
  }
}
