import { describe, expect, it } from 'vitest';
import { PlatformSecretStore, type PlatformSecretStoreProps, type SecretProvider } from '../../lib/constructs/secret-store';
import { inventory, only, synth } from './synth';

interface ServiceAccountRef {
  name: string;
  namespace?: string;
}

interface Store {
  apiVersion: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  spec: {
    provider: {
      aws?: { service: string; region: string; auth: { jwt: { serviceAccountRef: ServiceAccountRef } } };
      gcpsm?: { projectID: string; auth: { workloadIdentity: { serviceAccountRef: ServiceAccountRef } } };
      vault?: {
        server: string;
        path: string;
        version: string;
        auth: { kubernetes: { mountPath: string; role: string; serviceAccountRef: ServiceAccountRef } };
      };
    };
    conditions?: { namespaces: string[] }[];
  };
}

interface ServiceAccount {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  automountServiceAccountToken: boolean;
}

const labels = { 'app.kubernetes.io/name': 'secrets' };
const awsStore: SecretProvider = {
  provider: 'aws',
  region: 'eu-west-1',
  serviceAccount: 'secrets-reader',
  identities: { platform: 'arn:aws:iam::123456789012:role/secrets-reader' },
};
const gcp: SecretProvider = {
  provider: 'gcp',
  projectId: 'platform-prod',
  serviceAccount: 'secrets-reader',
  identities: { platform: 'secrets-reader@platform-prod.iam.gserviceaccount.com' },
};
const vault: SecretProvider = {
  provider: 'vault',
  server: 'https://vault.example.com',
  path: 'secret',
  role: 'platform',
  serviceAccount: 'secrets-reader',
};

function props(scope: PlatformSecretStoreProps['scope'], store: SecretProvider): PlatformSecretStoreProps {
  return { scope, name: 'platform-secrets', namespace: 'platform', store, labels };
}

function render(p: PlatformSecretStoreProps) {
  return synth((chart) => {
    new PlatformSecretStore(chart, 'store', p);
  });
}

describe('PlatformSecretStore', () => {
  it('emits a ClusterSecretStore', () => {
    const objects = render(props('ClusterSecretStore', awsStore));
    expect(inventory(objects)).toEqual(['ClusterSecretStore/platform-secrets']);
    expect(objects).toMatchSnapshot();
  });

  it('emits a namespaced SecretStore with its own identity', () => {
    const objects = render(props('SecretStore', vault));
    expect(inventory(objects)).toEqual(['ServiceAccount/secrets-reader', 'SecretStore/platform-secrets']);
    expect(objects).toMatchSnapshot();
  });

  it("limits a ClusterSecretStore to the environment's namespace", () => {
    const store = only<Store>(render(props('ClusterSecretStore', awsStore)), 'ClusterSecretStore');
    expect(store.apiVersion).toBe('external-secrets.io/v1');
    expect(store.metadata).toEqual({ name: 'platform-secrets', labels });
    expect(store.spec.conditions).toEqual([{ namespaces: ['platform'] }]);
  });

  it("authenticates a ClusterSecretStore as the operator's service account, by workload identity", () => {
    const store = only<Store>(render(props('ClusterSecretStore', awsStore)), 'ClusterSecretStore');
    expect(store.spec.provider).toEqual({
      aws: {
        service: 'SecretsManager',
        region: 'eu-west-1',
        auth: { jwt: { serviceAccountRef: { name: 'secrets-reader', namespace: 'external-secrets' } } },
      },
    });
  });

  it('reads GCP Secret Manager by workload identity', () => {
    const store = only<Store>(render(props('ClusterSecretStore', gcp)), 'ClusterSecretStore');
    expect(store.spec.provider).toEqual({
      gcpsm: {
        projectID: 'platform-prod',
        auth: { workloadIdentity: { serviceAccountRef: { name: 'secrets-reader', namespace: 'external-secrets' } } },
      },
    });
  });

  it('reads Vault KV v2 with Kubernetes auth', () => {
    const store = only<Store>(render(props('ClusterSecretStore', vault)), 'ClusterSecretStore');
    expect(store.spec.provider).toEqual({
      vault: {
        server: 'https://vault.example.com',
        path: 'secret',
        version: 'v2',
        auth: {
          kubernetes: {
            mountPath: 'kubernetes',
            role: 'platform',
            serviceAccountRef: { name: 'secrets-reader', namespace: 'external-secrets' },
          },
        },
      },
    });
  });

  it('puts a SecretStore and its token-less identity in the namespace, without namespace conditions', () => {
    const objects = render(props('SecretStore', gcp));
    const store = only<Store>(objects, 'SecretStore');
    expect(store.apiVersion).toBe('external-secrets.io/v1');
    expect(store.metadata).toEqual({ name: 'platform-secrets', namespace: 'platform', labels });
    expect(store.spec.conditions).toBeUndefined();
    expect(store.spec.provider.gcpsm!.auth.workloadIdentity.serviceAccountRef).toEqual({ name: 'secrets-reader' });
    const account = only<ServiceAccount>(objects, 'ServiceAccount');
    // Bound to the store's Google service account (GKE Workload Identity): never the node's credentials.
    expect(account.metadata).toEqual({
      name: 'secrets-reader',
      namespace: 'platform',
      labels,
      annotations: { 'iam.gke.io/gcp-service-account': 'secrets-reader@platform-prod.iam.gserviceaccount.com' },
    });
    expect(account.automountServiceAccountToken).toBe(false);
  });

  it("binds an AWS store's identity to its IAM role (IRSA), and a Vault store's to nothing", () => {
    const aws = only<ServiceAccount & { metadata: { annotations?: Record<string, string> } }>(
      render(props('SecretStore', awsStore)),
      'ServiceAccount',
    );
    expect(aws.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/secrets-reader' });
    const vaultAccount = only<ServiceAccount & { metadata: { annotations?: Record<string, string> } }>(
      render(props('SecretStore', vault)),
      'ServiceAccount',
    );
    expect(vaultAccount.metadata.annotations).toBeUndefined();
  });

  it("repeats the store in each namespace as that namespace's own identity, and refuses a namespace without one", () => {
    const two: SecretProvider = {
      ...gcp,
      identities: {
        platform: 'eso-platform@platform-prod.iam.gserviceaccount.com',
        data: 'eso-data@platform-prod.iam.gserviceaccount.com',
      },
    };
    const objects = render({ ...props('SecretStore', two), otherNamespaces: ['data'] });
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount') as unknown as (ServiceAccount & {
      metadata: { annotations: Record<string, string> };
    })[];
    expect(accounts.map((a) => [a.metadata.namespace, a.metadata.annotations['iam.gke.io/gcp-service-account']])).toEqual([
      ['platform', 'eso-platform@platform-prod.iam.gserviceaccount.com'],
      ['data', 'eso-data@platform-prod.iam.gserviceaccount.com'],
    ]);
    expect((objects.filter((o) => o.kind === 'SecretStore') as unknown as Store[]).map((s) => s.metadata.namespace)).toEqual([
      'platform',
      'data',
    ]);
    expect(() => render({ ...props('SecretStore', gcp), otherNamespaces: ['data'] })).toThrow(
      'secret store platform-secrets: namespace data has no cloud identity (identities names platform)',
    );
  });
});
