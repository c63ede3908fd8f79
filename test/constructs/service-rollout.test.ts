import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import type { BlueGreenRelease, CanaryRelease } from '../../lib/resolved-service';
import { ServiceRollout, type ServiceRolloutProps } from '../../lib/constructs/service-rollout';
import { only, synth } from './synth';

interface AnalysisSpec {
  templates: { templateName: string }[];
  args: { name: string; value: string }[];
}

interface Rollout {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    revisionHistoryLimit: number;
    progressDeadlineSeconds: number;
    progressDeadlineAbort: boolean;
    strategy: {
      blueGreen?: {
        activeService: string;
        previewService: string;
        autoPromotionEnabled: boolean;
        scaleDownDelaySeconds: number;
        prePromotionAnalysis: AnalysisSpec;
      };
      canary?: {
        trafficRouting: {
          istio: {
            virtualService: { name: string; routes: string[] };
            destinationRule: { name: string; stableSubsetName: string; canarySubsetName: string };
          };
        };
        steps: ({ setWeight: number } | { pause: { duration: string } })[];
        analysis: AnalysisSpec;
      };
    };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { containers: { name: string; image: string; readinessProbe: { httpGet: { path: string; port: string } } }[] };
    };
  };
}

const selector = { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend-prod', track: 'main' };
const host = 'backend.platform.svc.cluster.local';

const template: k8s.PodTemplateSpec = {
  metadata: { labels: selector },
  spec: {
    containers: [
      {
        name: 'backend',
        image: 'registry.example.com/backend:1.4.2',
        // A named port: the Rollout binding would drop an IntOrString it did not build.
        readinessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('http') } },
      },
    ],
  },
};

const blueGreen: BlueGreenRelease = {
  type: 'blueGreen',
  activeService: 'backend',
  previewService: 'backend-preview',
  autoPromotion: false,
  scaleDownDelaySeconds: 30,
  prePromotionAnalysis: [
    { templateName: 'success-rate-gate', args: [{ name: 'service-name', value: 'backend-preview.platform.svc.cluster.local' }] },
  ],
};

const canary: CanaryRelease = {
  type: 'canary',
  virtualService: 'backend',
  route: 'primary',
  destinationRule: 'backend',
  stableSubset: 'stable',
  canarySubset: 'canary',
  steps: [{ weight: 10, pauseSeconds: 300 }, { weight: 50, pauseSeconds: 90 }, { weight: 100 }],
  backgroundAnalysis: [
    { templateName: 'success-rate', args: [{ name: 'service-name', value: host }] },
    { templateName: 'latency-p95', args: [{ name: 'service-name', value: host }] },
  ],
};

function props(release: BlueGreenRelease | CanaryRelease): ServiceRolloutProps {
  return { name: 'backend', labels: { 'app.kubernetes.io/name': 'backend' }, selector, template, release };
}

function render(p: ServiceRolloutProps) {
  let rollout: ServiceRollout | undefined;
  const objects = synth((chart) => {
    rollout = new ServiceRollout(chart, 'rollout', p);
  });
  return { objects, spec: only<Rollout>(objects, 'Rollout').spec, rollout: rollout! };
}

describe('ServiceRollout', () => {
  it('emits one blue-green Rollout', () => {
    expect(render(props(blueGreen)).objects).toMatchSnapshot();
  });

  it('emits one canary Rollout', () => {
    expect(render(props(canary)).objects).toMatchSnapshot();
  });

  it('is an argoproj.io/v1alpha1 Rollout and the scale target of its autoscaler', () => {
    const { objects, rollout } = render(props(blueGreen));
    expect(only<Rollout>(objects, 'Rollout').apiVersion).toBe('argoproj.io/v1alpha1');
    expect(rollout.scaleTarget).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'backend' });
    expect(rollout.selector).toEqual(selector);
  });

  it('never sets replicas, keeps 5 revisions and aborts after 600 s without progress', () => {
    const { spec } = render(props(canary));
    expect(spec.replicas).toBeUndefined();
    expect(spec.revisionHistoryLimit).toBe(5);
    expect(spec.progressDeadlineSeconds).toBe(600);
    expect(spec.progressDeadlineAbort).toBe(true);
  });

  it('keeps the pod template intact, named probe ports included', () => {
    const { spec } = render(props(blueGreen));
    expect(spec.selector).toEqual({ matchLabels: selector });
    expect(spec.template.spec.containers[0]!.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(spec.template.metadata.labels).toEqual(selector);
  });

  it('promotes a blue-green release between the active and preview Services after its gate', () => {
    const { strategy } = render(props(blueGreen)).spec;
    expect(strategy.canary).toBeUndefined();
    expect(strategy.blueGreen).toEqual({
      activeService: 'backend',
      previewService: 'backend-preview',
      autoPromotionEnabled: false,
      scaleDownDelaySeconds: 30,
      prePromotionAnalysis: {
        templates: [{ templateName: 'success-rate-gate' }],
        args: [{ name: 'service-name', value: 'backend-preview.platform.svc.cluster.local' }],
      },
    });
  });

  it('shifts canary weights on the Istio route between the stable and canary subsets', () => {
    const { strategy } = render(props(canary)).spec;
    expect(strategy.blueGreen).toBeUndefined();
    expect(strategy.canary!.trafficRouting).toEqual({
      istio: {
        virtualService: { name: 'backend', routes: ['primary'] },
        destinationRule: { name: 'backend', stableSubsetName: 'stable', canarySubsetName: 'canary' },
      },
    });
  });

  it('pauses after each canary step that has a pause, in seconds', () => {
    expect(render(props(canary)).spec.strategy.canary!.steps).toEqual([
      { setWeight: 10 },
      { pause: { duration: '300s' } },
      { setWeight: 50 },
      { pause: { duration: '90s' } },
      { setWeight: 100 },
    ]);
  });

  it('runs every background template with one merged argument list', () => {
    expect(render(props(canary)).spec.strategy.canary!.analysis).toEqual({
      templates: [{ templateName: 'success-rate' }, { templateName: 'latency-p95' }],
      args: [{ name: 'service-name', value: host }],
    });
  });

  it('promotes automatically when the release says so', () => {
    const { strategy } = render(props({ ...blueGreen, autoPromotion: true, scaleDownDelaySeconds: 120 })).spec;
    expect(strategy.blueGreen!.autoPromotionEnabled).toBe(true);
    expect(strategy.blueGreen!.scaleDownDelaySeconds).toBe(120);
  });
});
