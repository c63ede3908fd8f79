import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AlertRules } from '../lib/constructs/alert-rules';
import { platformLabels, selectorLabels } from '../lib/labels';
import { METRICS_PORT_NAME, portName, serviceName } from '../lib/names';
import { ServiceMonitor } from '../lib/constructs/service-monitor';
import type { EnvironmentChartProps } from './chart-props';
import { alertRulesName, defaultRunbookBaseUrl, platformAlerts, scrapedWebServices } from './platform-alerts';
import { serviceLabels } from './resolve-service';

/**
 * What the cluster's Prometheus Operator picks up for the environment: a ServiceMonitor per web
 * service that exposes metrics, and OPS-01's alerts. Applied last: these are custom resources of
 * the monitoring stack, and nothing else waits for them.
 */
export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const { environment } = props;
    for (const [service, spec] of scrapedWebServices(environment)) {
      new ServiceMonitor(this, `${service}-monitor`, {
        name: serviceName(service),
        labels: serviceLabels(environment, service),
        selector: selectorLabels({ name: service, environment: environment.name }),
        serviceName: serviceName(service),
        metricsPath: spec.metricsPath,
        port: portName(spec.protocol),
        metricsPort: METRICS_PORT_NAME,
        mesh: environment.mesh.enabled,
      });
    }
    new AlertRules(this, 'Alerts', {
      name: alertRulesName(environment),
      labels: platformLabels(environment, 'monitoring'),
      alerts: platformAlerts(environment),
      runbookBaseUrl: defaultRunbookBaseUrl(environment),
      context: environment.name,
    });
  }
}
