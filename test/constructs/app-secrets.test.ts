import { describe, expect, it } from 'vitest';
import { AppSecrets, type AppSecretsProps } from '../../lib/constructs/app-secrets';
import { only, synth } from './synth';

interface ExternalSecret {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    refreshInterval: string;
    secretStoreRef: { name: string; kind: string };
    target: { name: string; creationPolicy: string; deletionPolicy: string };
    data: { secretKey: string; remoteRef: { key: string } }[];
  };
}

const props: AppSecretsProps = {
  name: 'backend-secrets',
  labels: { 'app.kubernetes.io/name': 'backend' },
  store: { name: 'platform-secrets', kind: 'ClusterSecretStore' },
  refreshInterval: '1h',
  entries: [
    { secretKey: 'database-url', remoteKey: 'prod/backend/database-url' },
    { secretKey: 'jwt-secret', remoteKey: 'prod/backend/jwt-secret' },
  ],
};

function render(p: AppSecretsProps) {
  let secrets: AppSecrets | undefined;
  const objects = synth((chart) => {
    secrets = new AppSecrets(chart, 'secrets', p);
  });
  return { objects, external: only<ExternalSecret>(objects, 'ExternalSecret'), secrets: secrets! };
}

describe('AppSecrets', () => {
  it('emits one ExternalSecret', () => {
    expect(render(props).objects).toMatchSnapshot();
  });

  it('writes the Secret it is named after, and exposes that name', () => {
    const { external, secrets } = render(props);
    expect(external.apiVersion).toBe('external-secrets.io/v1');
    expect(external.metadata).toEqual({ name: 'backend-secrets', labels: { 'app.kubernetes.io/name': 'backend' } });
    expect(external.spec.target.name).toBe('backend-secrets');
    expect(secrets.secretName).toBe('backend-secrets');
  });

  it('owns the Secret but retains it when the store is unreachable', () => {
    const { target } = render(props).external.spec;
    expect(target.creationPolicy).toBe('Owner');
    expect(target.deletionPolicy).toBe('Retain');
  });

  it('maps each entry to a key of the Secret, by reference only', () => {
    expect(render(props).external.spec.data).toEqual([
      { secretKey: 'database-url', remoteRef: { key: 'prod/backend/database-url' } },
      { secretKey: 'jwt-secret', remoteRef: { key: 'prod/backend/jwt-secret' } },
    ]);
  });

  it('reads a ClusterSecretStore at the given refresh interval', () => {
    const { spec } = render(props).external;
    expect(spec.secretStoreRef).toEqual({ name: 'platform-secrets', kind: 'ClusterSecretStore' });
    expect(spec.refreshInterval).toBe('1h');
  });

  it('reads a namespaced SecretStore', () => {
    const { spec } = render({ ...props, store: { name: 'local', kind: 'SecretStore' }, refreshInterval: '15m' }).external;
    expect(spec.secretStoreRef).toEqual({ name: 'local', kind: 'SecretStore' });
    expect(spec.refreshInterval).toBe('15m');
  });
});
