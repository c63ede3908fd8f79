import { describe, expect, it } from 'vitest';
import { MeshBaseline } from '../../lib/constructs/mesh-baseline';
import { inventory, only, synth } from './synth';

interface PeerAuthentication {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: { mtls: { mode: string } };
}

interface AuthorizationPolicy {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

const labels = { 'app.kubernetes.io/name': 'mesh', 'app.kubernetes.io/part-of': 'platform' };

const render = () =>
  synth((chart) => {
    new MeshBaseline(chart, 'baseline', { labels });
  });

describe('MeshBaseline', () => {
  it('emits a PeerAuthentication and an allow-nothing AuthorizationPolicy', () => {
    const objects = render();
    expect(inventory(objects)).toEqual(['PeerAuthentication/default', 'AuthorizationPolicy/allow-nothing']);
    expect(objects).toMatchSnapshot();
  });

  it('requires mutual TLS for every workload of the namespace', () => {
    const peer = only<PeerAuthentication>(render(), 'PeerAuthentication');
    expect(peer.apiVersion).toBe('security.istio.io/v1');
    expect(peer.metadata).toEqual({ name: 'default', labels });
    expect(peer.spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  it('denies every request no other policy allows: an ALLOW policy without rules and without a selector', () => {
    const policy = only<AuthorizationPolicy>(render(), 'AuthorizationPolicy');
    expect(policy.metadata).toEqual({ name: 'allow-nothing', labels });
    expect(policy.spec).toEqual({});
  });
});
