import type { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import {
  AnalysisMetric,
  type ReleaseAnalysisProps,
  duration,
  type PrometheusMetricProps,
  prometheusMetric,
  ReleaseAnalysis,
  smokeJobMetric,
} from '../../lib/constructs/analysis-template';
import { only, synth } from './synth';

interface Metric {
  name: string;
  interval?: string;
  initialDelay?: string;
  count?: number;
  failureLimit?: number;
  inconclusiveLimit?: number;
  successCondition?: string;
  failureCondition?: string;
  provider: {
    prometheus?: { address: string; query: string };
    job?: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: { backoffLimit: number; activeDeadlineSeconds: number; ttlSecondsAfterFinished: number; template: unknown };
    };
  };
}

interface AnalysisTemplate {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: { args: { name: string }[]; metrics: Metric[] };
}

const prometheusUrl = 'http://prometheus-operated.monitoring.svc.cluster.local:9090';
const slo = { errorRatePercent: 1, p95LatencySeconds: 2 };
const labels = { 'app.kubernetes.io/name': 'delivery' };
const host = 'backend.platform.svc.cluster.local';
const hasData = 'len(result) > 0 && !isNaN(result[0])';
const destination = 'reporter="destination",destination_service=~"{{args.service-name}}"';

const successRate = {
  metric: AnalysisMetric.SUCCESS_RATE,
  prometheusUrl,
  slo,
  canaryOnly: false,
} satisfies PrometheusMetricProps;

const metric = (props: PrometheusMetricProps) => prometheusMetric(props) as unknown as Metric;

const template: ReleaseAnalysisProps = {
  name: 'success-rate',
  labels,
  args: ['service-name', 'canary-version'],
  metrics: [prometheusMetric({ ...successRate, canaryOnly: true })],
};

function render(props: ReleaseAnalysisProps) {
  let analysis: ReleaseAnalysis | undefined;
  const objects = synth((chart) => {
    analysis = new ReleaseAnalysis(chart, 'analysis', props);
  });
  return { objects, resource: only<AnalysisTemplate>(objects, 'AnalysisTemplate'), analysis: analysis! };
}

describe('ReleaseAnalysis', () => {
  it('emits one AnalysisTemplate', () => {
    expect(render(template).objects).toMatchSnapshot();
  });

  it('declares its arguments and carries its metrics unchanged', () => {
    const { resource, analysis } = render(template);
    expect(resource.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(resource.metadata).toEqual({ name: 'success-rate', labels });
    expect(resource.spec.args).toEqual([{ name: 'service-name' }, { name: 'canary-version' }]);
    expect(resource.spec.metrics).toEqual(template.metrics);
    expect(analysis.name).toBe('success-rate');
    expect(analysis.args).toEqual(['service-name', 'canary-version']);
  });

  it('binds every declared argument, in declared order, and nothing else', () => {
    const { analysis } = render(template);
    expect(analysis.bind({ 'canary-version': '1.4.2', 'service-name': host, unused: 'x' })).toEqual({
      templateName: 'success-rate',
      args: [
        { name: 'service-name', value: host },
        { name: 'canary-version', value: '1.4.2' },
      ],
    });
  });

  it('fails to bind without a declared argument, naming the template, the argument and what was given', () => {
    const { analysis } = render(template);
    expect(() => analysis.bind({ 'service-name': host })).toThrow(
      'AnalysisTemplate success-rate needs argument canary-version; given: service-name',
    );
  });
});

describe('prometheusMetric', () => {
  it('measures once a minute with a failure limit of 1 and an inconclusive limit of 0, unbounded, by default (ANALYSIS_DEFAULTS)', () => {
    const m = metric(successRate);
    expect(m.name).toBe('success-rate');
    expect(m.interval).toBe('1m');
    expect(m.failureLimit).toBe(1);
    expect(m.inconclusiveLimit).toBe(0);
    expect(m.count).toBeUndefined();
    expect(m.initialDelay).toBeUndefined();
  });

  it('passes on a success rate within the SLO and fails below it; without data it does neither', () => {
    const m = metric({ ...successRate, slo: { ...slo, errorRatePercent: 5 } });
    expect(m.successCondition).toBe(`${hasData} && result[0] >= 0.95`);
    expect(m.failureCondition).toBe(`${hasData} && result[0] < 0.95`);
    expect(m.provider.prometheus).toEqual({
      address: prometheusUrl,
      query: `sum(irate(istio_requests_total{${destination},response_code!~"5.*"}[2m])) / sum(irate(istio_requests_total{${destination}}[2m]))`,
    });
  });

  it('passes on a p95 latency within the SLO, in milliseconds, and fails above it', () => {
    const m = metric({ ...successRate, metric: AnalysisMetric.LATENCY_P95, slo: { ...slo, p95LatencySeconds: 1.5 } });
    expect(m.name).toBe('latency-p95');
    expect(m.successCondition).toBe(`${hasData} && result[0] <= 1500`);
    expect(m.failureCondition).toBe(`${hasData} && result[0] > 1500`);
    expect(m.provider.prometheus!.query).toBe(
      `histogram_quantile(0.95, sum(irate(istio_request_duration_milliseconds_bucket{${destination}}[2m])) by (le))`,
    );
  });

  it("judges only the canary's own pods when asked", () => {
    const canary = `${destination},destination_canonical_revision="{{args.canary-version}}"`;
    expect(metric({ ...successRate, metric: AnalysisMetric.LATENCY_P95, canaryOnly: true }).provider.prometheus!.query).toBe(
      `histogram_quantile(0.95, sum(irate(istio_request_duration_milliseconds_bucket{${canary}}[2m])) by (le))`,
    );
  });

  it('takes every optional prop', () => {
    const props: Required<PrometheusMetricProps> = {
      ...successRate,
      count: 5,
      intervalSeconds: 30,
      initialDelaySeconds: 60,
      failureLimit: 2,
      inconclusiveLimit: 1,
    };
    expect(metric(props)).toMatchObject({ count: 5, interval: '30s', initialDelay: '1m', failureLimit: 2, inconclusiveLimit: 1 });
  });

  it('keeps a failure limit of 0 rather than falling back to the default', () => {
    expect(metric({ ...successRate, failureLimit: 0 }).failureLimit).toBe(0);
  });
});

describe('smokeJobMetric', () => {
  const pod: k8s.PodTemplateSpec = {
    metadata: { labels: { 'app.kubernetes.io/name': 'release-smoke' }, annotations: { 'sidecar.istio.io/nativeSidecar': 'true' } },
    spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image: 'docker.io/curlimages/curl:8.11.1' }] },
  };

  it('runs the pod once as a Job that may not outlive its deadline and is cleaned up after an hour', () => {
    const m = smokeJobMetric({ name: 'smoke-traffic', pod, activeDeadlineSeconds: 420 }) as unknown as Metric;
    expect(m.name).toBe('smoke-traffic');
    expect(m.provider.job!.metadata).toEqual({
      labels: { 'app.kubernetes.io/name': 'release-smoke' },
      annotations: { 'sidecar.istio.io/nativeSidecar': 'true' },
    });
    expect(m.provider.job!.spec).toEqual({
      backoffLimit: 0,
      activeDeadlineSeconds: 420,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: pod.metadata,
        spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image: 'docker.io/curlimages/curl:8.11.1' }] },
      },
    });
  });

  it('adds no annotations when the pod has none', () => {
    const m = smokeJobMetric({
      name: 'smoke-traffic',
      pod: { ...pod, metadata: { labels: {} } },
      activeDeadlineSeconds: 60,
    }) as unknown as Metric;
    expect(m.provider.job!.metadata).toEqual({ labels: {} });
  });
});

describe('duration', () => {
  it('writes whole minutes as minutes and anything else in seconds', () => {
    expect(duration(60)).toBe('1m');
    expect(duration(120)).toBe('2m');
    expect(duration(90)).toBe('90s');
    expect(duration(15)).toBe('15s');
  });
});
