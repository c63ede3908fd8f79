import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AcmeIssuer } from '../lib/acme-issuer';
import { platformLabels } from '../lib/labels';
import { PlatformSecretStore } from '../lib/secret-store';
import type { EnvironmentChartProps } from './namespace-chart';

/**
 * Cluster-level configuration the apps rely on: where secrets come from and who issues certificates.
 * The chart has no namespace: its objects are cluster-scoped or name their namespace themselves.
 */
export class ClusterChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id);
    const { environment } = props;
    const labels = platformLabels(environment, 'cluster-config');
    new PlatformSecretStore(this, 'SecretStore', { environment, labels });
    new AcmeIssuer(this, 'Issuer', { issuer: environment.tls.issuer, labels });
  }
}
