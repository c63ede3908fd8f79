import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { platformLabels, serviceLabels } from '../lib/labels';
import { MeshAuthorization } from '../lib/mesh-authorization';
import { MeshBaseline } from '../lib/mesh-baseline';
import { MeshRouting } from '../lib/mesh-routing';
import type { EnvironmentChartProps } from './namespace-chart';

/**
 * Istio for the namespace: STRICT mTLS, deny by default, an allow policy per service from the
 * service graph, and each web service's routing and circuit breaker.
 */
export class MeshChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const { environment } = props;
    new MeshBaseline(this, 'Baseline', { labels: platformLabels(environment, 'mesh') });
    for (const [service, spec] of Object.entries(environment.services)) {
      if (spec.kind !== 'web') continue;
      const labels = serviceLabels(environment, service);
      new MeshRouting(this, `${service}-routing`, { environment, service, labels });
      new MeshAuthorization(this, `${service}-authorization`, { environment, service, labels });
    }
  }
}
