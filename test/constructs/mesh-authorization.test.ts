import { describe, expect, it } from 'vitest';
import { MeshAuthorization, type MeshAuthorizationProps } from '../../lib/constructs/mesh-authorization';
import { only, synth } from './synth';

interface AuthorizationPolicy {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    selector: { matchLabels: Record<string, string> };
    action: string;
    rules: { from: { source: { principals: string[] } }[]; to: { operation: { ports: string[] } }[] }[];
  };
}

const selector = { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend-prod' };
const principals = ['cluster.local/ns/platform/sa/frontend', 'cluster.local/ns/ingress-nginx/sa/ingress-nginx'];

const props: MeshAuthorizationProps = {
  name: 'backend',
  labels: { 'app.kubernetes.io/name': 'backend' },
  selector,
  principals,
  port: 8001,
};

function render(p: MeshAuthorizationProps) {
  let authorization: MeshAuthorization | undefined;
  const objects = synth((chart) => {
    authorization = new MeshAuthorization(chart, 'authorization', p);
  });
  return { objects, authorization: authorization! };
}

describe('MeshAuthorization', () => {
  it('emits one ALLOW AuthorizationPolicy', () => {
    expect(render(props).objects).toMatchSnapshot();
  });

  it("allows exactly the given principals to the service's port, on its pods", () => {
    const policy = only<AuthorizationPolicy>(render(props).objects, 'AuthorizationPolicy');
    expect(policy.apiVersion).toBe('security.istio.io/v1');
    expect(policy.metadata).toEqual({ name: 'backend', labels: { 'app.kubernetes.io/name': 'backend' } });
    expect(policy.spec).toEqual({
      selector: { matchLabels: selector },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals } }], to: [{ operation: { ports: ['8001'] } }] }],
    });
  });

  it('exposes the principals it allows', () => {
    expect(render(props).authorization.principals).toEqual(principals);
  });

  it('emits nothing for a service nobody calls: allow-nothing already denies it', () => {
    const { objects, authorization } = render({ ...props, principals: [] });
    expect(objects).toEqual([]);
    expect(authorization.principals).toEqual([]);
  });
});
