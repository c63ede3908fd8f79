import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { EdgeImplementation } from '../environments/schema';
import { AcmeIssuer } from '../lib/constructs/acme-issuer';
import { NGINX_CLASS } from '../lib/constructs/edge-ingress';
import { GatewayListener } from '../lib/constructs/gateway-edge';
import { GATEWAY_NAME } from '../lib/names';
import { platformLabels } from '../lib/labels';
import { PlatformSecretStore } from '../lib/constructs/secret-store';
import type { EnvironmentChartProps } from './chart-props';
import { dataNamespaces } from './resolve-data-store';

/**
 * Cluster-level configuration the apps rely on: where secrets come from and who issues certificates.
 * The chart has no namespace: its objects are cluster-scoped or name their namespace themselves.
 */
export class ClusterChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id);
    const { environment } = props;
    const labels = platformLabels(environment, 'cluster-config');
    const { secrets } = environment;
    new PlatformSecretStore(this, 'SecretStore', {
      scope: secrets.scope,
      name: secrets.storeName,
      namespace: environment.namespace,
      // The data stores' ExternalSecrets (their passwords, an object store key) read the same store.
      otherNamespaces: dataNamespaces(environment),
      store: secrets.store,
      labels,
    });
    new AcmeIssuer(this, 'Issuer', {
      issuer: environment.tls.issuer,
      labels,
      http01Route:
        environment.ingress.implementation === EdgeImplementation.GATEWAY
          ? { kind: 'gateway', gateway: GATEWAY_NAME, namespace: environment.ingress.namespace, listener: GatewayListener.HTTP }
          : { kind: 'ingress', className: NGINX_CLASS },
    });
  }
}
