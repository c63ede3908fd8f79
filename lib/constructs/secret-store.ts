import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { workloadIdentityAnnotations } from '../workload-identity';
import {
  ClusterSecretStore,
  ClusterSecretStoreSpecProviderAwsService,
  ClusterSecretStoreSpecProviderVaultCaProviderType,
  ClusterSecretStoreSpecProviderVaultVersion,
  type ClusterSecretStoreSpecProviderVaultCaProvider,
  SecretStore,
  toJson_ClusterSecretStoreSpec,
  type ClusterSecretStoreSpecProvider,
} from '../../imports/external-secrets.io';

/** Namespace the external-secrets operator runs in, where a ClusterSecretStore's identity lives. */
export const EXTERNAL_SECRETS_NAMESPACE = 'external-secrets';

/**
 * Where secrets are kept, and the ServiceAccount that authenticates to it: by workload identity as the
 * cloud identity of its namespace (`identities`, by namespace), or to Vault by its own token.
 */
export type SecretProvider =
  | {
      readonly provider: 'aws';
      readonly region: string;
      readonly serviceAccount: string;
      readonly identities: Readonly<Record<string, string>>;
    }
  | {
      readonly provider: 'gcp';
      readonly projectId: string;
      readonly serviceAccount: string;
      readonly identities: Readonly<Record<string, string>>;
    }
  | {
      readonly provider: 'vault';
      readonly server: string;
      readonly path: string;
      readonly role: string;
      readonly serviceAccount: string;
      /** Where the CA of Vault's certificate is. @default - the system's trusted CAs */
      readonly caProvider?: {
        readonly type: 'ConfigMap' | 'Secret';
        readonly name: string;
        readonly key: string;
        readonly namespace: string;
      };
    };

export interface PlatformSecretStoreProps {
  /** A ClusterSecretStore (limited to `namespace`) or a SecretStore in `namespace`. */
  readonly scope: 'ClusterSecretStore' | 'SecretStore';
  /** The store, as ExternalSecrets name it. */
  readonly name: string;
  /** The namespace whose ExternalSecrets read the store. */
  readonly namespace: string;
  /** Further namespaces whose ExternalSecrets read it (a SecretStore is then repeated in each). @default - none */
  readonly otherNamespaces?: readonly string[];
  /** The provider it reads (AWS, GCP or Vault: where it is and how it authenticates). */
  readonly store: SecretProvider;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
}

function caProvider(
  ca: NonNullable<Extract<SecretProvider, { provider: 'vault' }>['caProvider']>,
): ClusterSecretStoreSpecProviderVaultCaProvider {
  return {
    type:
      ca.type === 'ConfigMap'
        ? ClusterSecretStoreSpecProviderVaultCaProviderType.CONFIG_MAP
        : ClusterSecretStoreSpecProviderVaultCaProviderType.SECRET,
    name: ca.name,
    key: ca.key,
    namespace: ca.namespace,
  };
}

/** The store's provider, authenticated by workload identity: no static cloud credential exists anywhere. */
function provider(store: SecretProvider, accountRef: { name: string; namespace?: string }): ClusterSecretStoreSpecProvider {
  switch (store.provider) {
    case 'aws':
      return {
        aws: {
          service: ClusterSecretStoreSpecProviderAwsService.SECRETS_MANAGER,
          region: store.region,
          auth: { jwt: { serviceAccountRef: accountRef } },
        },
      };
    case 'gcp':
      return { gcpsm: { projectId: store.projectId, auth: { workloadIdentity: { serviceAccountRef: accountRef } } } };
    case 'vault':
      return {
        vault: {
          server: store.server,
          path: store.path,
          version: ClusterSecretStoreSpecProviderVaultVersion.V2,
          ...(store.caProvider === undefined ? {} : { caProvider: caProvider(store.caProvider) }),
          auth: { kubernetes: { mountPath: 'kubernetes', role: store.role, serviceAccountRef: accountRef } },
        },
      };
  }
}

/**
 * Where the environment's secrets come from (SEC-08: external secrets, or Vault): AWS
 * Secrets Manager, GCP Secret Manager or Vault, as a ClusterSecretStore limited to this
 * environment's namespace, or as a namespaced SecretStore.
 */
export class PlatformSecretStore extends Construct {
  constructor(scope: Construct, id: string, props: PlatformSecretStoreProps) {
    super(scope, id);
    const namespaces = [props.namespace, ...(props.otherNamespaces ?? []).filter((n) => n !== props.namespace)];
    const cluster = props.scope === 'ClusterSecretStore';
    const account = props.store.serviceAccount;
    if (cluster) {
      const spec = toJson_ClusterSecretStoreSpec({
        provider: provider(props.store, { name: account, namespace: EXTERNAL_SECRETS_NAMESPACE }),
        // A cluster-wide store would otherwise serve any namespace that names it.
        conditions: [{ namespaces }],
      });
      new ApiObject(this, 'Resource', { ...ClusterSecretStore.GVK, metadata: { name: props.name, labels: props.labels }, spec });
      return;
    }
    namespaces.forEach((namespace, index) => {
      const suffix = index === 0 ? '' : `-${namespace}`;
      // A namespaced store authenticates as an identity of its own namespace.
      const identity = 'identities' in props.store ? props.store.identities[namespace] : undefined;
      if ('identities' in props.store && identity === undefined) {
        throw new Error(
          `secret store ${props.name}: namespace ${namespace} has no cloud identity (identities names ${Object.keys(props.store.identities).join(', ') || 'none'})`,
        );
      }
      new k8s.KubeServiceAccount(this, `Identity${suffix}`, {
        metadata: {
          name: account,
          namespace,
          labels: props.labels,
          // The cloud identity the store reads as (GKE Workload Identity, EKS IRSA); Vault reads the token itself.
          ...(identity === undefined ? {} : { annotations: workloadIdentityAnnotations(identity) }),
        },
        automountServiceAccountToken: false,
      });
      const spec = toJson_ClusterSecretStoreSpec({ provider: provider(props.store, { name: account }) });
      new ApiObject(this, `Resource${suffix}`, {
        ...SecretStore.GVK,
        metadata: { name: props.name, labels: props.labels, namespace },
        spec,
      });
    });
  }
}
