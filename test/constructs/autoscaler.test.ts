import { describe, expect, it } from 'vitest';
import { Autoscaler, type AutoscalerProps } from '../../lib/constructs/autoscaler';
import { AUTOSCALING_DEFAULTS } from '../../lib/defaults';
import { only, synth } from './synth';

interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: string;
  policies: { type: string; value: number; periodSeconds: number }[];
}

interface Hpa {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: { type: string; resource: { name: string; target: { type: string; averageUtilization: number } } }[];
    behavior: { scaleUp: ScalingRules; scaleDown: ScalingRules };
  };
}

const required = {
  name: 'backend',
  target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' },
  minReplicas: 2,
  maxReplicas: 10,
  labels: { 'app.kubernetes.io/name': 'backend' },
} satisfies AutoscalerProps;

function render(props: AutoscalerProps) {
  let autoscaler: Autoscaler | undefined;
  const objects = synth((chart) => {
    autoscaler = new Autoscaler(chart, 'autoscaler', props);
  });
  return { objects, hpa: only<Hpa>(objects, 'HorizontalPodAutoscaler'), autoscaler: autoscaler! };
}

const utilization = (hpa: Hpa) => Object.fromEntries(hpa.spec.metrics.map((m) => [m.resource.name, m.resource.target.averageUtilization]));

describe('Autoscaler', () => {
  it('emits one autoscaling/v2 HPA', () => {
    expect(render(required).objects).toMatchSnapshot();
  });

  it('scales the target it is given between min and max', () => {
    const { hpa } = render(required);
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.metadata).toEqual({ name: 'backend', labels: { 'app.kubernetes.io/name': 'backend' } });
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' });
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(10);
  });

  it("targets CAP-03's CPU and memory utilization by default (AUTOSCALING_DEFAULTS)", () => {
    const { hpa, autoscaler } = render(required);
    const { cpuPercent, memoryPercent } = AUTOSCALING_DEFAULTS;
    expect(hpa.spec.metrics.map((m) => [m.type, m.resource.target.type])).toEqual([
      ['Resource', 'Utilization'],
      ['Resource', 'Utilization'],
    ]);
    expect(utilization(hpa)).toEqual({ cpu: cpuPercent, memory: memoryPercent });
    expect(autoscaler.cpuPercent).toBe(cpuPercent);
    expect(autoscaler.memoryPercent).toBe(memoryPercent);
  });

  it("scales at CAP-03's pace behind its windows by default (AUTOSCALING_DEFAULTS)", () => {
    const { hpa } = render(required);
    const behavior = ({
      percent,
      periodSeconds,
      stabilizationSeconds,
    }: {
      percent: number;
      periodSeconds: number;
      stabilizationSeconds: number;
    }) => ({
      stabilizationWindowSeconds: stabilizationSeconds,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: percent, periodSeconds }],
    });
    expect(hpa.spec.behavior).toEqual({
      scaleUp: behavior(AUTOSCALING_DEFAULTS.scaleUp),
      scaleDown: behavior(AUTOSCALING_DEFAULTS.scaleDown),
    });
  });

  it('emits nothing but the HPA', () => {
    const { objects } = render(required);
    expect(objects.map((o) => o.kind)).toEqual(['HorizontalPodAutoscaler']);
  });

  it('takes every optional prop', () => {
    const props: Required<AutoscalerProps> = {
      ...required,
      cpuPercent: 55,
      memoryPercent: 65,
      scaleUp: { percent: 200, periodSeconds: 30, stabilizationSeconds: 0 },
      scaleDown: { percent: 5, periodSeconds: 120, stabilizationSeconds: 600 },
    };
    const { hpa, autoscaler } = render(props);
    expect(utilization(hpa)).toEqual({ cpu: 55, memory: 65 });
    expect(autoscaler.cpuPercent).toBe(55);
    expect(autoscaler.memoryPercent).toBe(65);
    expect(hpa.spec.behavior.scaleUp).toEqual({
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 200, periodSeconds: 30 }],
    });
    expect(hpa.spec.behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 600,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 5, periodSeconds: 120 }],
    });
  });

  it('overrides one utilization target and keeps the other default', () => {
    expect(utilization(render({ ...required, memoryPercent: 90 }).hpa)).toEqual({ cpu: 70, memory: 90 });
  });
});
