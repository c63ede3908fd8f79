import { describe, expect, it } from 'vitest';
import { NamespaceIsolation, type NamespaceIsolationProps } from '../../lib/constructs/namespace-isolation';
import { inventory, only, synth } from './synth';

interface NetworkPolicy {
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    podSelector: Record<string, unknown>;
    policyTypes: string[];
    ingress?: unknown[];
    egress?: {
      to: { namespaceSelector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } }[];
      ports: { protocol: string; port: number }[];
    }[];
  };
}

const labels = { 'app.kubernetes.io/name': 'network', 'app.kubernetes.io/part-of': 'platform' };

function render(props: NamespaceIsolationProps) {
  return synth((chart) => {
    new NamespaceIsolation(chart, 'isolation', props);
  });
}

describe('NamespaceIsolation', () => {
  it('emits a default deny, DNS and the mesh control plane', () => {
    const objects = render({ labels, mesh: true });
    expect(inventory(objects)).toEqual(['NetworkPolicy/default-deny', 'NetworkPolicy/allow-dns', 'NetworkPolicy/allow-mesh-control-plane']);
    expect(objects).toMatchSnapshot();
  });

  it('denies all ingress and egress of every pod (SEC-06)', () => {
    const deny = only<NetworkPolicy>(render({ labels, mesh: false }), 'NetworkPolicy', 'default-deny');
    expect(deny.metadata.labels).toEqual(labels);
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('allows every pod to reach kube-dns on port 53, UDP and TCP, and nothing else', () => {
    const dns = only<NetworkPolicy>(render({ labels, mesh: false }), 'NetworkPolicy', 'allow-dns');
    expect(dns.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
  });

  it('allows sidecars to reach istiod on 15012 in the mesh', () => {
    const mesh = only<NetworkPolicy>(render({ labels, mesh: true }), 'NetworkPolicy', 'allow-mesh-control-plane');
    expect(mesh.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }],
          ports: [{ protocol: 'TCP', port: 15012 }],
        },
      ],
    });
  });

  it('opens nothing to istio-system outside the mesh', () => {
    expect(inventory(render({ labels, mesh: false }))).toEqual(['NetworkPolicy/default-deny', 'NetworkPolicy/allow-dns']);
  });
});
