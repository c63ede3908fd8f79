import type { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { AnalysisTemplateName, DeliveryAnalyses, type DeliveryAnalysesProps } from '../../lib/constructs/delivery-analyses';
import { inventory, only, synth } from './synth';

interface Metric {
  name: string;
  interval?: string;
  initialDelay?: string;
  count?: number;
  failureLimit?: number;
  inconclusiveLimit?: number;
  successCondition?: string;
  provider: {
    prometheus?: { address: string; query: string };
    job?: { spec: { activeDeadlineSeconds: number; template: unknown } };
  };
}

interface AnalysisTemplate {
  metadata: { name: string; labels: Record<string, string> };
  spec: { args: { name: string }[]; metrics: Metric[] };
}

const labels = { 'app.kubernetes.io/name': 'delivery' };
const host = 'backend.platform.svc.cluster.local';
const previewHost = 'backend-preview.platform.svc.cluster.local';

const smokePod: k8s.PodTemplateSpec = {
  metadata: { labels: { 'app.kubernetes.io/name': 'release-smoke' } },
  spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image: 'docker.io/curlimages/curl:8.11.1' }] },
};

const required = {
  labels,
  prometheusUrl: 'http://prometheus-operated.monitoring.svc.cluster.local:9090',
  slo: { errorRatePercent: 1, p95LatencySeconds: 2 },
  gate: true,
  background: true,
  mesh: true,
  smokePod,
} satisfies DeliveryAnalysesProps;

function render(props: DeliveryAnalysesProps) {
  let delivery: DeliveryAnalyses | undefined;
  const objects = synth((chart) => {
    delivery = new DeliveryAnalyses(chart, 'analyses', props);
  });
  const template = (name: string) => only<AnalysisTemplate>(objects, 'AnalysisTemplate', name);
  return { objects, template, analyses: delivery!.analyses };
}

describe('DeliveryAnalyses', () => {
  it('emits the preview gate and the background templates', () => {
    const { objects } = render(required);
    expect(inventory(objects)).toEqual(['AnalysisTemplate/preview-gate', 'AnalysisTemplate/success-rate', 'AnalysisTemplate/latency-p95']);
    expect(objects).toMatchSnapshot();
  });

  it('names the templates once', () => {
    expect(AnalysisTemplateName).toEqual({ PREVIEW_GATE: 'preview-gate', SUCCESS_RATE: 'success-rate', LATENCY_P95: 'latency-p95' });
  });

  it('labels every template', () => {
    expect(render(required).objects.map((o) => o.metadata.labels)).toEqual([labels, labels, labels]);
  });

  it('gates a promotion on smoke traffic and 5 success-rate measurements a minute apart by default (ANALYSIS_DEFAULTS, DEL-01)', () => {
    const gate = render(required).template('preview-gate');
    expect(gate.spec.args).toEqual([{ name: 'service-name' }, { name: 'health-path' }]);
    expect(gate.spec.metrics.map((m) => m.name)).toEqual(['smoke-traffic', 'success-rate']);
    const [smoke, rate] = gate.spec.metrics;
    expect(smoke!.provider.job!.spec.template).toEqual(smokePod);
    expect(rate).toMatchObject({ count: 5, interval: '1m', initialDelay: '1m', failureLimit: 1, inconclusiveLimit: 1 });
  });

  it('sends smoke traffic for the whole gate: the measurements plus two intervals', () => {
    const [smoke] = render(required).template('preview-gate').spec.metrics;
    expect(smoke!.provider.job!.spec.activeDeadlineSeconds).toBe(420);
  });

  it('judges the preview over all of its traffic, and the canary on its own pods', () => {
    const { template } = render(required);
    expect(template('preview-gate').spec.metrics[1]!.provider.prometheus!.query).not.toContain('destination_canonical_revision');
    for (const name of ['success-rate', 'latency-p95']) {
      expect(template(name).spec.metrics[0]!.provider.prometheus!.query).toContain(
        'destination_canonical_revision="{{args.canary-version}}"',
      );
    }
  });

  it('runs the background analyses unbounded, once a minute, with a failure limit of 1', () => {
    const { template } = render(required);
    for (const name of ['success-rate', 'latency-p95']) {
      const t = template(name);
      expect(t.spec.args).toEqual([{ name: 'service-name' }, { name: 'canary-version' }]);
      expect(t.spec.metrics.map((m) => m.name)).toEqual([name]);
      expect(t.spec.metrics[0]).toMatchObject({ interval: '1m', failureLimit: 1, inconclusiveLimit: 0 });
      expect(t.spec.metrics[0]!.count).toBeUndefined();
    }
  });

  it("judges every template against the environment's SLO", () => {
    const { template } = render({ ...required, slo: { errorRatePercent: 2, p95LatencySeconds: 0.5 } });
    expect(template('preview-gate').spec.metrics[1]!.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.98');
    expect(template('success-rate').spec.metrics[0]!.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.98');
    expect(template('latency-p95').spec.metrics[0]!.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] <= 500');
  });

  it('gates on the smoke traffic alone outside the mesh', () => {
    expect(
      render({ ...required, mesh: false })
        .template('preview-gate')
        .spec.metrics.map((m) => m.name),
    ).toEqual(['smoke-traffic']);
  });

  it('binds the gate to the preview and its health path, and the background analyses to the host and the canary version', () => {
    const { analyses } = render(required);
    expect(analyses.prePromotion(previewHost, '/healthz')).toEqual([
      {
        templateName: 'preview-gate',
        args: [
          { name: 'service-name', value: previewHost },
          { name: 'health-path', value: '/healthz' },
        ],
      },
    ]);
    const args = [
      { name: 'service-name', value: host },
      { name: 'canary-version', value: '1.4.2' },
    ];
    expect(analyses.background(host, '1.4.2')).toEqual([
      { templateName: 'success-rate', args },
      { templateName: 'latency-p95', args },
    ]);
  });

  it('emits only the gate when no service is released as a canary', () => {
    const { objects, analyses } = render({ ...required, background: false });
    expect(inventory(objects)).toEqual(['AnalysisTemplate/preview-gate']);
    expect(analyses.background(host, '1.4.2')).toEqual([]);
  });

  it('emits only the background analyses when no service is released blue-green', () => {
    const { objects, analyses } = render({ ...required, gate: false });
    expect(inventory(objects)).toEqual(['AnalysisTemplate/success-rate', 'AnalysisTemplate/latency-p95']);
    expect(analyses.prePromotion(previewHost, '/healthz')).toEqual([]);
  });

  it('emits nothing when no service is released by a Rollout', () => {
    expect(render({ ...required, gate: false, background: false }).objects).toEqual([]);
  });

  it('takes every optional prop', () => {
    const props: Required<DeliveryAnalysesProps> = { ...required, prePromotionMeasurements: 10, intervalSeconds: 30, failureLimit: 3 };
    const { template } = render(props);
    const [smoke, rate] = template('preview-gate').spec.metrics;
    expect(rate).toMatchObject({ count: 10, interval: '30s', initialDelay: '30s', failureLimit: 3 });
    expect(smoke!.provider.job!.spec.activeDeadlineSeconds).toBe(360);
    expect(template('success-rate').spec.metrics[0]).toMatchObject({ interval: '30s', failureLimit: 3 });
    expect(template('latency-p95').spec.metrics[0]).toMatchObject({ interval: '30s', failureLimit: 3 });
  });
});
