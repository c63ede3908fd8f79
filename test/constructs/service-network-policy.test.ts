import { describe, expect, it } from 'vitest';
import { ipPeer, namespaceSelector, tcp } from '../../lib/network-peers';
import { ServiceNetworkPolicy, type ServiceNetworkPolicyProps } from '../../lib/constructs/service-network-policy';
import { only, synth } from './synth';

interface Peer {
  namespaceSelector?: { matchLabels: Record<string, string> };
  podSelector?: { matchLabels: Record<string, string> };
  ipBlock?: { cidr: string; except?: string[] };
}

interface Port {
  protocol: string;
  port: number;
}

interface NetworkPolicy {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: string[];
    ingress: { from: Peer[]; ports: Port[] }[];
    egress: { to: Peer[]; ports: Port[] }[];
  };
}

const selector = { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend-prod' };

const props: ServiceNetworkPolicyProps = {
  name: 'backend',
  labels: { 'app.kubernetes.io/name': 'backend' },
  podSelector: { matchLabels: selector },
  ingress: [
    {
      peers: [
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } } },
        { namespaceSelector: namespaceSelector('ingress-nginx') },
      ],
      ports: [tcp(8001)],
    },
  ],
  egress: [
    { peers: [{ namespaceSelector: namespaceSelector('monitoring') }], ports: [tcp(9090)] },
    { peers: [ipPeer('0.0.0.0/0')], ports: [tcp(443)] },
  ],
};

function render(p: ServiceNetworkPolicyProps) {
  const objects = synth((chart) => {
    new ServiceNetworkPolicy(chart, 'policy', p);
  });
  return { objects, policy: only<NetworkPolicy>(objects, 'NetworkPolicy') };
}

describe('ServiceNetworkPolicy', () => {
  it('emits one NetworkPolicy', () => {
    expect(render(props).objects).toMatchSnapshot();
  });

  it("governs both directions of the service's pods", () => {
    const { policy } = render(props);
    expect(policy.apiVersion).toBe('networking.k8s.io/v1');
    expect(policy.metadata).toEqual({ name: 'backend', labels: { 'app.kubernetes.io/name': 'backend' } });
    expect(policy.spec.podSelector).toEqual({ matchLabels: selector });
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('allows in exactly the given peers on the given ports', () => {
    expect(render(props).policy.spec.ingress).toEqual([
      {
        from: [
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
        ],
        ports: [{ protocol: 'TCP', port: 8001 }],
      },
    ]);
  });

  it('allows out exactly the given peers; the internet never includes private ranges', () => {
    expect(render(props).policy.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ protocol: 'TCP', port: 9090 }],
      },
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);
  });

  it('allows nothing in either direction when no rule is given', () => {
    const { spec } = render({ ...props, ingress: [], egress: [] }).policy;
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(spec.ingress).toEqual([]);
    expect(spec.egress).toEqual([]);
  });
});
