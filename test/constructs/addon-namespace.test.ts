import { describe, expect, it } from 'vitest';
import { AddonNamespace, type AddonNamespaceProps } from '../../lib/addons/addon-namespace';
import { PodSecurityLevel } from '../../lib/pod-security';
import { only, synth } from './synth';

interface Namespace {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
}

const labels = { 'app.kubernetes.io/part-of': 'platform-addons', 'app.kubernetes.io/managed-by': 'cdk8s' };

const props: AddonNamespaceProps = {
  namespace: { name: 'keda', enforce: PodSecurityLevel.RESTRICTED, labels: {} },
  labels,
  kubernetesVersion: '1.35',
};

function render(p: AddonNamespaceProps) {
  let namespace: AddonNamespace | undefined;
  const objects = synth((chart) => {
    namespace = new AddonNamespace(chart, 'namespace', p);
  });
  return { objects, resource: only<Namespace>(objects, 'Namespace'), namespace: namespace! };
}

describe('AddonNamespace', () => {
  it('emits one Namespace', () => {
    expect(render(props).objects).toMatchSnapshot();
  });

  it('enforces the Pod Security level of the add-on', () => {
    const { resource, namespace } = render(props);
    expect(resource.apiVersion).toBe('v1');
    expect(resource.metadata.name).toBe('keda');
    expect(namespace.name).toBe('keda');
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

  it('still warns and audits at "restricted" where a lower level is enforced, and keeps extra labels', () => {
    const { labels: emitted } = render({
      ...props,
      namespace: {
        name: 'istio-system',
        enforce: PodSecurityLevel.PRIVILEGED,
        reason: 'istio-cni',
        labels: { 'istio-injection': 'disabled' },
      },
    }).resource.metadata;
    expect(emitted).toMatchObject({
      'istio-injection': 'disabled',
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  it('fails on a namespace the cluster owns (no Pod Security level), naming it', () => {
    expect(() => render({ ...props, namespace: { name: 'kube-system', labels: {} } })).toThrow(
      'namespace "kube-system" belongs to the cluster (no Pod Security level is set for it); it must not be emitted',
    );
  });
});
