/**
 * Alerts as one PrometheusRule with a group per priority: P1 pages, P2 SLO breaches, P3 capacity.
 * Every expression is checked with Prometheus's own PromQL grammar when the construct is built. The
 * platform's alerts themselves are worked out from the environment in charts/platform-alerts.ts.
 */
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com';
import { assertPromql, eqAll, selector } from '../promql';
import { PropChecks } from '../prop-checks';

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

/** One input series of a `promtool test rules` case: a series and its samples, one a minute. */
export interface InputSeries {
  /** `metric{label="value", ...}` */
  readonly series: string;
  /** promtool's expanding notation: `1x60` (60 more samples of 1), `0+60x60` (a counter). */
  readonly values: string;
}

/** An alert instance a case expects to fire. */
export interface ExpectedFiring {
  /** The labels of the expression's result; the alert's own labels are added to them. @default - none */
  readonly labels?: Record<string, string>;
  /** Its value (`$value` in the annotations), given the evaluation time in seconds from the first sample. */
  readonly value: (evalSeconds: number) => number;
}

/** Series under which the alert fires once its `for` has passed. */
export interface FiringCase {
  readonly series: readonly InputSeries[];
  /** Minutes after the first sample from which the expression is true (a rate needs two samples). */
  readonly holdsFrom: number;
  readonly fires: readonly ExpectedFiring[];
}

/**
 * How the alert is proven with Prometheus's own rule engine (`promtool test rules`): it fires on
 * `firing` exactly once its `for` has passed (and not a minute before), and stays quiet on `healthy`.
 */
export interface AlertTests {
  readonly firing: FiringCase;
  /** A healthy system's series: the alert stays quiet. */
  readonly healthy: readonly InputSeries[];
  /**
   * With no series at all: firing as described (an alert about missing data), or quiet.
   * @default - quiet
   */
  readonly noSeries?: FiringCase;
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
  /** The series that make it fire and keep it quiet, for the generated promtool tests. */
  readonly tests: AlertTests;
}

/** `metric{a="b", ...}`, an input series' name. */
export function seriesName(metric: string, labels: Readonly<Record<string, string>>): string {
  return selector(metric, ...eqAll(labels));
}

/** `HighErrorRate` → `high-error-rate`, the runbook's file name. */
export function runbookSlug(alert: string): string {
  return alert.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export interface AlertRulesProps {
  /** The PrometheusRule; its groups are `<name>.p1`, `.p2`, `.p3`. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The alerts, each in the group of its priority. */
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
    new PropChecks(this).name('name', props.name);
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
