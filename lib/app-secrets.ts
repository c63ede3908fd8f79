import { Construct } from 'constructs';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetDeletionPolicy,
} from '../imports/external-secrets.io';

/** The store an ExternalSecret reads from. */
export interface SecretStoreRef {
  readonly name: string;
  readonly kind: 'ClusterSecretStore' | 'SecretStore';
}

/** One key of the Secret, and the key of the value in the store. */
export interface SecretEntry {
  readonly secretKey: string;
  readonly remoteKey: string;
}

export interface AppSecretsProps {
  /** The Secret the operator writes (and the ExternalSecret's name). */
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly store: SecretStoreRef;
  /** How often the operator re-reads the store, e.g. `1h`. */
  readonly refreshInterval: string;
  readonly entries: readonly SecretEntry[];
}

/**
 * A service's credentials, by reference: an ExternalSecret that has the external-secrets operator
 * write them from the environment's store into the service's Secret. No secret value is ever in git.
 */
export class AppSecrets extends Construct {
  readonly secretName: string;

  constructor(scope: Construct, id: string, props: AppSecretsProps) {
    super(scope, id);
    this.secretName = props.name;
    new ExternalSecret(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        refreshInterval: props.refreshInterval,
        secretStoreRef: {
          name: props.store.name,
          kind:
            props.store.kind === 'ClusterSecretStore'
              ? ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE
              : ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
        },
        target: {
          name: props.name,
          creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
          // A store outage must not delete the Secret running pods depend on.
          deletionPolicy: ExternalSecretSpecTargetDeletionPolicy.RETAIN,
        },
        data: props.entries.map((entry) => ({ secretKey: entry.secretKey, remoteRef: { key: entry.remoteKey } })),
      },
    });
  }
}
