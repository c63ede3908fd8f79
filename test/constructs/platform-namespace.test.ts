import { describe, expect, it } from 'vitest';
import { PlatformNamespace, type PlatformNamespaceProps } from '../../lib/constructs/platform-namespace';
import { only, synth } from './synth';

interface Namespace {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
}

const labels = { 'app.kubernetes.io/part-of': 'platform', 'istio-injection': 'enabled' };
const required = { name: 'platform', labels, kubernetesVersion: '1.35' } satisfies PlatformNamespaceProps;

function render(props: PlatformNamespaceProps) {
  let namespace: PlatformNamespace | undefined;
  const objects = synth((chart) => {
    namespace = new PlatformNamespace(chart, 'namespace', props);
  });
  return { objects, resource: only<Namespace>(objects, 'Namespace'), namespace: namespace! };
}

describe('PlatformNamespace', () => {
  it('emits one Namespace', () => {
    expect(render(required).objects).toMatchSnapshot();
  });

  it('enforces, warns and audits Pod Security "restricted", pinned to the cluster\'s Kubernetes minor', () => {
    const { resource, namespace } = render(required);
    expect(resource.apiVersion).toBe('v1');
    expect(resource.metadata.name).toBe('platform');
    expect(namespace.name).toBe('platform');
    expect(resource.metadata.labels).toEqual({
      ...labels,
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.35',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'v1.35',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'v1.35',
    });
  });

  it('cannot be relaxed by a label it is given', () => {
    const { resource } = render({ ...required, labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } });
    expect(resource.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('follows the cluster version it is given', () => {
    const { labels: emitted } = render({ ...required, kubernetesVersion: '1.36' }).resource.metadata;
    expect(emitted['pod-security.kubernetes.io/enforce-version']).toBe('v1.36');
    expect(emitted['pod-security.kubernetes.io/warn-version']).toBe('v1.36');
    expect(emitted['pod-security.kubernetes.io/audit-version']).toBe('v1.36');
  });
});
