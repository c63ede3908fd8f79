import { Construct } from 'constructs';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetDeletionPolicy,
  ExternalSecretSpecTargetTemplateEngineVersion,
  ExternalSecretSpecTargetTemplateMergePolicy,
} from '../../imports/external-secrets.io';

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
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The SecretStore or ClusterSecretStore the operator reads from. */
  readonly store: SecretStoreRef;
  /** How often the operator re-reads the store, e.g. `1h`. */
  readonly refreshInterval: string;
  /** The keys of the Secret and the remote secret each is read from. */
  readonly entries: readonly SecretEntry[];
  /**
   * Keys built from the fetched ones with External Secrets' templates (`{{ index . "redis-password" }}`),
   * e.g. a connection URL to an in-cluster store around a password from the store. @default - none
   */
  readonly template?: SecretTemplate;
}

/** Templated keys of the Secret. */
export interface SecretTemplate {
  /** Key → Go template over the fetched keys. */
  readonly data: Readonly<Record<string, string>>;
  /** The Secret's type, e.g. kubernetes.io/basic-auth. @default - Opaque */
  readonly type?: string;
  /** Keep the fetched keys beside the templated ones (else only the templated keys are written). @default true */
  readonly keepFetched?: boolean;
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
    const { template } = props;
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
          ...(template === undefined
            ? {}
            : {
                template: {
                  engineVersion: ExternalSecretSpecTargetTemplateEngineVersion.V2,
                  mergePolicy:
                    template.keepFetched === false
                      ? ExternalSecretSpecTargetTemplateMergePolicy.REPLACE
                      : ExternalSecretSpecTargetTemplateMergePolicy.MERGE,
                  ...(template.type === undefined ? {} : { type: template.type }),
                  data: { ...template.data },
                },
              }),
        },
        data: props.entries.map((entry) => ({ secretKey: entry.secretKey, remoteRef: { key: entry.remoteKey } })),
      },
    });
  }
}
