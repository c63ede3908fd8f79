import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetDeletionPolicy,
} from '../imports/external-secrets.io';
import { appSecretName } from './names';
import { remoteKey, secretNamesOf } from './service-secrets';

export interface AppSecretsProps {
  readonly environment: Environment;
  readonly service: string;
  readonly labels: Record<string, string>;
}

/**
 * A service's credentials, by reference: an ExternalSecret that has the external-secrets operator
 * write them from the environment's store into the service's Secret. No secret value is ever in git.
 */
export class AppSecrets extends Construct {
  /** Whether the service has any secret (and so a Secret to mount). */
  readonly present: boolean;

  constructor(scope: Construct, id: string, props: AppSecretsProps) {
    super(scope, id);
    const { environment, service } = props;
    const names = secretNamesOf(environment, service);
    this.present = names.length > 0;
    if (!this.present) return;
    new ExternalSecret(this, 'Resource', {
      metadata: { name: appSecretName(service), labels: props.labels },
      spec: {
        refreshInterval: environment.secrets.refreshInterval,
        secretStoreRef: {
          name: environment.secrets.storeName,
          kind:
            environment.secrets.scope === 'ClusterSecretStore'
              ? ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE
              : ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
        },
        target: {
          name: appSecretName(service),
          creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
          // A store outage must not delete the Secret running pods depend on.
          deletionPolicy: ExternalSecretSpecTargetDeletionPolicy.RETAIN,
        },
        data: names.map((secret) => ({ secretKey: secret, remoteRef: { key: remoteKey(environment, secret) } })),
      },
    });
  }
}
