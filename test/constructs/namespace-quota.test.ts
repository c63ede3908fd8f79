import { describe, expect, it } from 'vitest';
import { amountsOf } from '../../lib/core/resource-amounts';
import { NamespaceQuota, type NamespaceQuotaProps } from '../../lib/constructs/namespace-quota';
import { inventory, only, synth } from './synth';

interface Metadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

interface ResourceQuota {
  apiVersion: string;
  metadata: Metadata;
  spec: { hard: Record<string, string> };
}

interface LimitRange {
  apiVersion: string;
  metadata: Metadata;
  spec: {
    limits: { type: string; defaultRequest: Record<string, string>; default: Record<string, string>; max: Record<string, string> }[];
  };
}

const labels = { 'app.kubernetes.io/name': 'quota' };

const required = {
  namespace: 'platform',
  labels,
  quota: {
    pods: 40,
    requests: amountsOf({ cpu: '12', memory: '24Gi', ephemeralStorage: '20Gi' }),
    limits: amountsOf({ cpu: '24500m', memory: '48Gi', ephemeralStorage: '40Gi' }),
  },
  containers: {
    defaultRequest: amountsOf({ cpu: '100m', memory: '128Mi', ephemeralStorage: '256Mi' }),
    default: amountsOf({ cpu: '500m', memory: '512Mi', ephemeralStorage: '1Gi' }),
    max: amountsOf({ cpu: '4', memory: '8Gi', ephemeralStorage: '4Gi' }),
  },
} satisfies NamespaceQuotaProps;

function render(props: NamespaceQuotaProps) {
  let quota: NamespaceQuota | undefined;
  const objects = synth((chart) => {
    quota = new NamespaceQuota(chart, 'quota', props);
  });
  return {
    objects,
    resourceQuota: only<ResourceQuota>(objects, 'ResourceQuota'),
    limitRange: only<LimitRange>(objects, 'LimitRange'),
    quota: quota!,
  };
}

describe('NamespaceQuota', () => {
  it('emits a ResourceQuota and a LimitRange', () => {
    const { objects } = render(required);
    expect(inventory(objects)).toEqual(['ResourceQuota/platform', 'LimitRange/platform']);
    expect(objects).toMatchSnapshot();
  });

  it('caps pods, requests and limits on every dimension, in the namespace, named after it by default', () => {
    const { resourceQuota, quota } = render(required);
    expect(resourceQuota.apiVersion).toBe('v1');
    expect(resourceQuota.metadata).toEqual({ name: 'platform', namespace: 'platform', labels });
    expect(quota.name).toBe('platform');
    expect(resourceQuota.spec.hard).toEqual({
      pods: '40',
      'requests.cpu': '12',
      'requests.memory': '24Gi',
      'requests.ephemeral-storage': '20Gi',
      'limits.cpu': '24500m',
      'limits.memory': '48Gi',
      'limits.ephemeral-storage': '40Gi',
    });
  });

  it('defaults and caps every container so the quota is enforceable', () => {
    const { limitRange } = render(required);
    expect(limitRange.metadata).toEqual({ name: 'platform', namespace: 'platform', labels });
    expect(limitRange.spec.limits).toEqual([
      {
        type: 'Container',
        defaultRequest: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '256Mi' },
        default: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
        max: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '4Gi' },
      },
    ]);
  });

  it('takes every optional prop', () => {
    const props: Required<NamespaceQuotaProps> = {
      ...required,
      counts: { 'services.loadbalancers': 0, 'services.nodeports': 0 },
      name: 'platform-quota',
    };
    const { resourceQuota, limitRange, quota } = render(props);
    expect(resourceQuota.spec.hard).toMatchObject({ 'services.loadbalancers': '0', 'services.nodeports': '0' });
    expect(resourceQuota.metadata.name).toBe('platform-quota');
    expect(limitRange.metadata.name).toBe('platform-quota');
    expect(resourceQuota.metadata.namespace).toBe('platform');
    expect(quota.name).toBe('platform-quota');
  });
});
