/**
 * `promtool test rules` cases generated from the model's alerts (lib/constructs/alert-rules.ts `tests`). For each
 * alert (each rule, so each data store's own):
 * - `fires`: on its firing series it is still only pending one minute before its `for` has passed,
 *   and fires at that moment with exactly the labels (its own, severity and the P1/P2/P3 priority
 *   routing label, and the expression's) and the annotations (summary, description, runbook link)
 *   it is expected to carry;
 * - `quiet`: on a healthy system's series it does not fire;
 * - `no series`: with nothing scraped it stays quiet, or fires where that is its job (an alert about
 *   a missing signal, a backup that was never reported).
 * Other alerts of the same name (the same rule for another store) get their healthy series in every
 * case, so that each case's expectation is about one rule.
 */
import type { Alert, ExpectedFiring, FiringCase, InputSeries } from '../../lib/constructs/alert-rules';
import { runbookSlug } from '../../lib/constructs/alert-rules';
import { renderAnnotation } from './annotations';

export interface PromtoolAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}

export interface PromtoolTest {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly InputSeries[];
  readonly alert_rule_test: readonly {
    readonly eval_time: string;
    readonly alertname: string;
    readonly exp_alerts: readonly PromtoolAlert[];
  }[];
}

export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly tests: readonly PromtoolTest[];
}

/** `5m` → 5; the platform writes every `for` in whole minutes. */
export function minutes(duration: string): number {
  const m = /^(\d+)m$/.exec(duration);
  if (!m) throw new Error(`for: ${duration} is not whole minutes`);
  return Number(m[1]);
}

/** What an alert rule's own labels are once rendered (lib/constructs/alert-rules.ts adds severity and priority). */
function ruleLabels(alert: Alert): Record<string, string> {
  return { ...alert.labels, severity: alert.priority.severity, priority: alert.priority.name };
}

/** How the case is told apart from the rule's siblings: the alert and its own labels. */
export function caseTitle(alert: Alert): string {
  const own = Object.entries(alert.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  return own.length > 0 ? `${alert.name}{${own.join(', ')}}` : alert.name;
}

function expected(alert: Alert, fire: ExpectedFiring, evalSeconds: number, runbookBaseUrl: string): PromtoolAlert {
  const value = fire.value(evalSeconds);
  const templateLabels = { ...fire.labels };
  return {
    exp_labels: { ...fire.labels, ...ruleLabels(alert) },
    exp_annotations: {
      summary: renderAnnotation(alert.summary, templateLabels, value),
      description: renderAnnotation(alert.description, templateLabels, value),
      runbook_url: `${runbookBaseUrl}/${runbookSlug(alert.name)}.md`,
    },
  };
}

/** `series` plus the healthy series of the other rules of the same name, each series once. */
function withSiblings(alert: Alert, all: readonly Alert[], series: readonly InputSeries[]): InputSeries[] {
  const out = [...series];
  const seen = new Set(series.map((s) => s.series));
  for (const other of all) {
    if (other === alert || other.name !== alert.name) continue;
    for (const s of other.tests.healthy) {
      if (seen.has(s.series)) continue;
      seen.add(s.series);
      out.push(s);
    }
  }
  return out;
}

function firingChecks(alert: Alert, c: FiringCase, runbookBaseUrl: string): PromtoolTest['alert_rule_test'] {
  if (c.fires.length === 0) throw new Error(`${caseTitle(alert)}: a firing case must expect the alert to fire`);
  const at = c.holdsFrom + minutes(alert.for);
  return [
    ...(minutes(alert.for) > 0 ? [{ eval_time: `${at - 1}m`, alertname: alert.name, exp_alerts: [] }] : []),
    { eval_time: `${at}m`, alertname: alert.name, exp_alerts: c.fires.map((f) => expected(alert, f, at * 60, runbookBaseUrl)) },
  ];
}

/** The three cases of one alert. */
export function alertCases(alert: Alert, all: readonly Alert[], runbookBaseUrl: string): PromtoolTest[] {
  const { firing, healthy, noSeries } = alert.tests;
  if (healthy.length === 0) throw new Error(`${caseTitle(alert)}: the healthy case has no series`);
  const settled = `${firing.holdsFrom + minutes(alert.for) + 1}m`;
  const title = caseTitle(alert);
  return [
    {
      name: `${title} fires after ${alert.for}`,
      interval: '1m',
      input_series: withSiblings(alert, all, firing.series),
      alert_rule_test: firingChecks(alert, firing, runbookBaseUrl),
    },
    {
      name: `${title} stays quiet when healthy`,
      interval: '1m',
      input_series: withSiblings(alert, all, healthy),
      alert_rule_test: [{ eval_time: settled, alertname: alert.name, exp_alerts: [] }],
    },
    {
      name: `${title} ${noSeries === undefined ? 'stays quiet' : 'fires'} with no series`,
      interval: '1m',
      input_series: withSiblings(alert, all, []),
      alert_rule_test:
        noSeries === undefined
          ? [{ eval_time: settled, alertname: alert.name, exp_alerts: [] }]
          : firingChecks(alert, noSeries, runbookBaseUrl),
    },
  ];
}

/** The promtool test file for every alert of one environment, against the rule file `ruleFile`. */
export function promtoolTests(alerts: readonly Alert[], ruleFile: string, runbookBaseUrl: string): PromtoolTestFile {
  if (alerts.length === 0) throw new Error('no alerts to test');
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: alerts.flatMap((alert) => alertCases(alert, alerts, runbookBaseUrl)),
  };
}
