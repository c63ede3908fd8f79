import { describe, expect, it } from 'vitest';
import { Autoscaler, type AutoscalerProps } from '../../lib/autoscaler';
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

  it('targets CPU 70 % and memory 80 % by default (AUTOSCALING_DEFAULTS, CAP-03)', () => {
    const { hpa, autoscaler } = render(required);
    expect(hpa.spec.metrics.every((m) => m.type === 'Resource' && m.resource.target.type === 'Utilization')).toBe(true);
    expect(utilization(hpa)).toEqual({ cpu: 70, memory: 80 });
    expect(autoscaler.cpuPercent).toBe(70);
    expect(autoscaler.memoryPercent).toBe(80);
  });

  it("scales at CAP-03's pace (up 100 % a minute, down 10 %) behind its windows: CPU high for 3 minutes up, low for 10 down", () => {
    const { hpa } = render(required);
    expect(hpa.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 180, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 60 }] },
      scaleDown: { stabilizationWindowSeconds: 600, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
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
