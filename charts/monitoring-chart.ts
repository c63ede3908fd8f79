import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AlertRules } from '../lib/alert-rules';
import { platformLabels, serviceLabels } from '../lib/labels';
import { ServiceMonitor } from '../lib/service-monitor';
import type { EnvironmentChartProps } from './namespace-chart';

/**
 * What the cluster's Prometheus Operator picks up for the environment: a ServiceMonitor per web
 * service that exposes metrics, and seed 000's alerts. Applied last: these are custom resources of
 * the monitoring stack, and nothing else waits for them.
 */
export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const { environment } = props;
    for (const [service, spec] of Object.entries(environment.services)) {
      if (spec.kind !== 'web' || spec.metricsPath === undefined) continue;
      const labels = serviceLabels(environment, service);
      new ServiceMonitor(this, `${service}-monitor`, { environment, service, labels });
    }
    new AlertRules(this, 'Alerts', { environment, labels: platformLabels(environment, 'monitoring') });
  }
}
