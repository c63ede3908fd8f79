import { describe, expect, it } from 'vitest';
import { DisruptionBudget, type DisruptionBudgetProps } from '../../lib/constructs/disruption-budget';
import { only, synth } from './synth';

interface Pdb {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    maxUnavailable: number;
    minAvailable?: number;
    selector: { matchLabels: Record<string, string> };
    unhealthyPodEvictionPolicy: string;
  };
}

const selector = { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend-prod', track: 'main' };

const required = {
  name: 'backend',
  selector,
  labels: { 'app.kubernetes.io/name': 'backend' },
} satisfies DisruptionBudgetProps;

function render(props: DisruptionBudgetProps) {
  let budget: DisruptionBudget | undefined;
  const objects = synth((chart) => {
    budget = new DisruptionBudget(chart, 'budget', props);
  });
  return { objects, pdb: only<Pdb>(objects, 'PodDisruptionBudget'), budget: budget! };
}

describe('DisruptionBudget', () => {
  it('emits one policy/v1 PodDisruptionBudget', () => {
    expect(render(required).objects).toMatchSnapshot();
  });

  it('lets one pod go at a time by default (DISRUPTION_DEFAULTS)', () => {
    const { pdb, budget } = render(required);
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(budget.maxUnavailable).toBe(1);
  });

  it('never sets minAvailable, which blocks every drain at the autoscaler floor', () => {
    expect(render(required).pdb.spec.minAvailable).toBeUndefined();
  });

  it('always allows evicting unhealthy pods, so a crash-looping pod cannot wedge a drain', () => {
    expect(render(required).pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
  });

  it('selects exactly the pods it is given', () => {
    const { pdb } = render(required);
    expect(pdb.spec.selector).toEqual({ matchLabels: selector });
    expect(pdb.metadata).toEqual({ name: 'backend', labels: { 'app.kubernetes.io/name': 'backend' } });
  });

  it('takes every optional prop', () => {
    const props: Required<DisruptionBudgetProps> = { ...required, maxUnavailable: 3 };
    const { pdb, budget } = render(props);
    expect(pdb.spec.maxUnavailable).toBe(3);
    expect(budget.maxUnavailable).toBe(3);
  });

  it('fails on maxUnavailable 0, naming the budget and the value', () => {
    expect(() => render({ ...required, maxUnavailable: 0 })).toThrow(
      'backend: maxUnavailable (0) must be at least 1, or no node could ever be drained',
    );
  });

  it('fails on a negative maxUnavailable', () => {
    expect(() => render({ ...required, maxUnavailable: -1 })).toThrow('backend: maxUnavailable (-1) must be at least 1');
  });
});
