import type { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { ServiceDeployment, type ServiceDeploymentProps } from '../../lib/constructs/service-deployment';
import { only, synth } from './synth';

interface Deployment {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    revisionHistoryLimit: number;
    progressDeadlineSeconds: number;
    strategy: { type: string; rollingUpdate: { maxSurge: string; maxUnavailable: number } };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: { name: string; image: string }[] } };
  };
}

const selector = { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend-prod', track: 'main' };

const template: k8s.PodTemplateSpec = {
  metadata: { labels: { ...selector, 'app.kubernetes.io/version': '1.4.2' } },
  spec: { containers: [{ name: 'backend', image: 'registry.example.com/backend:1.4.2' }] },
};

const required = {
  name: 'backend',
  labels: { 'app.kubernetes.io/name': 'backend' },
  selector,
  template,
} satisfies ServiceDeploymentProps;

function render(props: ServiceDeploymentProps) {
  let deployment: ServiceDeployment | undefined;
  const objects = synth((chart) => {
    deployment = new ServiceDeployment(chart, 'deployment', props);
  });
  return { objects, spec: only<Deployment>(objects, 'Deployment').spec, deployment: deployment! };
}

describe('ServiceDeployment', () => {
  it('emits one apps/v1 Deployment', () => {
    expect(render(required).objects).toMatchSnapshot();
  });

  it('never sets replicas: the autoscaler owns the count', () => {
    expect(render(required).spec.replicas).toBeUndefined();
  });

  it('surges 25 % and never goes below the desired count by default (ROLLING_DEFAULTS)', () => {
    expect(render(required).spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
  });

  it('keeps 5 revisions and fails a release without progress for 600 s (PROGRESS_DEADLINE_SECONDS)', () => {
    const { spec } = render(required);
    expect(spec.revisionHistoryLimit).toBe(5);
    expect(spec.progressDeadlineSeconds).toBe(600);
  });

  it('selects the given pods and runs the given template unchanged', () => {
    const { spec } = render(required);
    expect(spec.selector).toEqual({ matchLabels: selector });
    expect(spec.template).toEqual(template);
  });

  it('is the scale target of its autoscaler', () => {
    const { deployment } = render(required);
    expect(deployment.scaleTarget).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' });
    expect(deployment.selector).toEqual(selector);
  });

  it('takes every optional prop', () => {
    const props: Required<ServiceDeploymentProps> = { ...required, maxSurgePercent: 50, replicas: 3 };
    expect(render(props).spec.strategy.rollingUpdate).toEqual({ maxSurge: '50%', maxUnavailable: 0 });
    // A fixed size only where no autoscaler owns the count (a worker without a queue).
    expect(render(props).spec.replicas).toBe(3);
    expect(render(required).spec.replicas).toBeUndefined();
  });

  it('keeps a surge of 0 % rather than falling back to the default', () => {
    expect(render({ ...required, maxSurgePercent: 0 }).spec.strategy.rollingUpdate.maxSurge).toBe('0%');
  });
});
