/**
 * Alerts as one PrometheusRule with a group per priority: P1 pages, P2 SLO breaches, P3 capacity.
 * Every expression is checked with Prometheus's own PromQL grammar when the construct is built. The
 * platform's alerts themselves are worked out from the environment in charts/platform-alerts.ts.
 */
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/monitoring.coreos.com';
import { assertPromql } from './promql';

/** An alert's urgency: who is woken, and the Alertmanager severity it routes on. */
export class Priority {
  /** Page now: users are affected. */
  static readonly P1 = new Priority('P1', 'critical');
  /** Act today: the service is outside its objectives. */
  static readonly P2 = new Priority('P2', 'warning');
  /** Plan: capacity is running out. */
  static readonly P3 = new Priority('P3', 'info');

  private constructor(
    readonly name: string,
    readonly severity: string,
  ) {}
}

export interface Alert {
  /** Alert name, CamelCase as Prometheus convention has it. */
  readonly name: string;
  readonly priority: Priority;
  readonly expr: string;
  /** How long the condition must hold before the alert fires, e.g. `5m`. */
  readonly for: string;
  readonly summary: string;
  readonly description: string;
  /** @default - severity and priority only */
  readonly labels?: Record<string, string>;
}

/** `HighErrorRate` → `high-error-rate`, the runbook's file name. */
export function runbookSlug(alert: string): string {
  return alert.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export interface AlertRulesProps {
  /** The PrometheusRule; its groups are `<name>.p1`, `.p2`, `.p3`. */
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly alerts: readonly Alert[];
  /** Base of the runbook links; each alert links to `<base>/<alert-name>.md`. */
  readonly runbookBaseUrl: string;
  /** Names where the alerts come from in error messages, e.g. the environment. */
  readonly context: string;
}

/** A PrometheusRule with one group per priority. Throws on an expression that is not valid PromQL. */
export class AlertRules extends Construct {
  readonly name: string;
  readonly alerts: readonly Alert[];

  constructor(scope: Construct, id: string, props: AlertRulesProps) {
    super(scope, id);
    this.name = props.name;
    this.alerts = props.alerts;
    const { runbookBaseUrl } = props;
    for (const alert of this.alerts) assertPromql(`${props.context}: alert ${alert.name}`, alert.expr);

    const groups = [Priority.P1, Priority.P2, Priority.P3]
      .map((priority) => ({
        name: `${this.name}.${priority.name.toLowerCase()}`,
        rules: this.alerts
          .filter((alert) => alert.priority === priority)
          .map((alert) => ({
            alert: alert.name,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(alert.expr),
            for: alert.for,
            labels: { ...alert.labels, severity: priority.severity, priority: priority.name },
            annotations: {
              summary: alert.summary,
              description: alert.description,
              runbook_url: `${runbookBaseUrl}/${runbookSlug(alert.name)}.md`,
            },
          })),
      }))
      .filter((group) => group.rules.length > 0);
    new PrometheusRule(this, 'Resource', { metadata: { name: this.name, labels: props.labels }, spec: { groups } });
  }
}
