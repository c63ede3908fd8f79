import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { platformLabels, serviceLabels } from '../lib/labels';
import { NamespaceIsolation } from '../lib/namespace-isolation';
import { ServiceNetworkPolicy } from '../lib/service-network-policy';
import type { EnvironmentChartProps } from './namespace-chart';

/** Network isolation: deny by default, then one policy per service from the service graph. */
export class NetworkChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const { environment } = props;
    new NamespaceIsolation(this, 'Isolation', { labels: platformLabels(environment, 'network'), mesh: environment.mesh.enabled });
    for (const service of Object.keys(environment.services)) {
      new ServiceNetworkPolicy(this, service, { environment, service, labels: serviceLabels(environment, service) });
    }
  }
}
