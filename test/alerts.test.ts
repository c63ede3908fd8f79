/**
 * The platform's alerts, proven: every metric they read has a source in the same environment
 * (monitoring/alert-source over the committed dist/ and the render), each alert's promtool cases
 * (app/alerts-test) pass in Prometheus's own rule engine and fail when the rule is broken, and each
 * alert's runbook exists and names it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDistEnvironment } from '../app/diff/read-dist';
import { alertCases, caseTitle, minutes } from '../app/alerts-test/cases';
import { goFixed, humanizeDuration, renderAnnotation } from '../app/alerts-test/annotations';
import { proveAlerts } from '../app/alerts-test/run';
import { toolPath } from '../app/verify/tools';
import { defaultRunbookBaseUrl, platformAlerts, unwatchedStores } from '../charts/platform-alerts';
import { environmentNames } from '../environments';
import { runbookSlug } from '../lib/constructs/alert-rules';
import { selectorsOf } from '../lib/alert-sources';
import type { Manifest } from '../lib/core/manifest';
import { runRules } from '../validation/rules/all';
import { environment, objects, rendered } from './helpers';
import type { WithSpec } from './k8s-json';

/** A rendered alert rule; writable, as the tests that break one change it. */
interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
type PrometheusRule = WithSpec<{ groups: { name: string; rules: Rule[] }[] }>;

const ROOT = join(__dirname, '..');
const NAMES = environmentNames();
const committed = (name: string): Manifest[] =>
  readDistEnvironment(join(ROOT, 'dist'), name)
    .map((o) => o.object)
    // kustomization.yaml has no metadata: it is no object of the cluster's.
    .filter((o) => o.metadata !== undefined);
const rulesOf = (set: readonly Manifest[]): Rule[] =>
  (set.filter((o) => o.kind === 'PrometheusRule') as PrometheusRule[]).flatMap((r) => r.spec.groups.flatMap((g) => g.rules));

describe.each(NAMES)('%s: every alert has a source', (name) => {
  it('in the committed dist/ (monitoring/alert-source finds nothing)', () => {
    const set = committed(name);
    expect(rulesOf(set).length).toBeGreaterThan(0);
    expect(runRules(set, { environment: name, production: false }).filter((v) => v.rule === 'monitoring/alert-source')).toEqual([]);
  });

  it('in the render from the model', () => {
    const set = rendered(name).objects;
    expect(runRules(set, { environment: name, production: false }).filter((v) => v.rule === 'monitoring/alert-source')).toEqual([]);
  });

  it('reads no node-exporter series (the stack runs without node-exporter): node disks are judged by the kubelet', () => {
    const rules = rulesOf(committed(name));
    expect(rules.filter((r) => selectorsOf(r.expr).some((s) => s.metric.startsWith('node_'))).map((r) => r.alert)).toEqual([]);
    const pressure = rules.filter((r) => r.alert === 'NodeDiskPressure');
    expect(pressure.map((r) => [r.expr, r.for, r.labels.priority])).toEqual([
      ['max by (node) (kube_node_status_condition{condition="DiskPressure", status="true"}) == 1', '10m', 'P2'],
    ]);
  });

  it('reads no probe that nothing deploys: reachability alerts exist for the operated stores only', () => {
    const rules = rulesOf(committed(name));
    expect(rules.filter((r) => r.expr.includes('probe_success')).map((r) => r.alert)).toEqual([]);
    const env = environment(name);
    const operated = Object.entries(env.dataStores)
      .filter(([, s]) => s.mode === 'operated')
      .map(([store]) => store);
    expect(operated.length).toBeGreaterThan(0);
    for (const alert of ['DatabaseUnreachable', 'DatabaseSignalMissing']) {
      expect(rules.filter((r) => r.alert === alert).map((r) => r.labels.datastore)).toEqual(operated);
    }
    expect(unwatchedStores(env).map(([store]) => store)).toEqual(
      Object.entries(env.dataStores)
        .filter(([, s]) => s.mode !== 'operated')
        .map(([store]) => store),
    );
  });
});

describe.each(NAMES)('%s: generated promtool cases', (name) => {
  const env = environment(name);
  const alerts = platformAlerts(env);

  it('give every alert a firing case (pending a minute before its `for`, firing at it), a healthy one and a no-series one', () => {
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      const cases = alertCases(alert, alerts, defaultRunbookBaseUrl(env));
      expect(cases.map((c) => c.name.slice(caseTitle(alert).length + 1))).toEqual([
        `fires after ${alert.for}`,
        'stays quiet when healthy',
        alert.tests.noSeries === undefined ? 'stays quiet with no series' : 'fires with no series',
      ]);
      const [firing, healthy] = cases;
      const at = alert.tests.firing.holdsFrom + minutes(alert.for);
      expect(firing!.alert_rule_test.map((t) => [t.eval_time, t.exp_alerts.length])).toEqual([
        [`${at - 1}m`, 0],
        [`${at}m`, alert.tests.firing.fires.length],
      ]);
      for (const fired of firing!.alert_rule_test[1]!.exp_alerts) {
        expect(fired.exp_labels.priority, alert.name).toBe(alert.priority.name);
        expect(fired.exp_labels.severity, alert.name).toBe(alert.priority.severity);
        expect(fired.exp_annotations.runbook_url).toBe(`${defaultRunbookBaseUrl(env)}/${runbookSlug(alert.name)}.md`);
        expect(fired.exp_annotations.description).not.toContain('{{');
      }
      expect(healthy!.input_series.length).toBeGreaterThan(0);
      expect(healthy!.alert_rule_test.every((t) => t.exp_alerts.length === 0)).toBe(true);
    }
  });
});

const PROMTOOL = toolPath('promtool');
const HAVE_PROMTOOL = existsSync(PROMTOOL);
if (!HAVE_PROMTOOL && process.env.CI !== 'true') {
  console.log(`test/alerts.test.ts: promtool tests skipped: ${PROMTOOL} is not built (npm run tools builds it; CI always runs them)`);
}

/** The render with one rule changed. */
function withRule(name: string, alert: string, change: (rule: Rule) => void): Manifest[] {
  const copy = structuredClone(rendered(name).objects) as Manifest[];
  const rule = rulesOf(copy).find((r) => r.alert === alert);
  if (rule === undefined) throw new Error(`no ${alert} in ${name}`);
  change(rule);
  return copy;
}

describe.skipIf(!HAVE_PROMTOOL && process.env.CI !== 'true')("Prometheus's rule engine (promtool)", () => {
  it.each(NAMES)('%s: check rules --lint=all and every generated case pass', (name) => {
    const proof = proveAlerts(PROMTOOL, environment(name), rendered(name).objects);
    expect(proof.problems).toEqual([]);
    expect(proof.check.output).toContain(`SUCCESS: ${proof.alerts.length} rules found`);
    expect(proof.tests).toBe(3 * proof.alerts.length);
  });

  it('fails a case when a rule is broken: a threshold, a `for`, a routing label, an annotation', () => {
    const prove = (set: Manifest[]) => proveAlerts(PROMTOOL, environment('prod'), set).problems.join('\n');
    expect(prove(withRule('prod', 'ContainerMemoryHigh', (r) => (r.expr = r.expr.replace(/> \d+$/, '> 99'))))).toMatch(
      /alertname: ContainerMemoryHigh, time: 15m/,
    );
    expect(prove(withRule('prod', 'ApiDown', (r) => (r.for = '3m')))).toMatch(/alertname: ApiDown, time: 1m/);
    expect(prove(withRule('prod', 'HighErrorRate', (r) => (r.labels.priority = 'P3')))).toMatch(/alertname: HighErrorRate/);
    expect(prove(withRule('prod', 'NodeDiskPressure', (r) => (r.annotations.summary = 'changed')))).toMatch(/alertname: NodeDiskPressure/);
  });

  it("fails today's NodeDiskUsageHigh: stale against the model, and promtool's cases for the node disk find no alert", () => {
    const old = withRule('prod', 'NodeDiskPressure', (r) => {
      Object.assign(r, {
        alert: 'NodeDiskUsageHigh',
        expr: '100 * (1 - node_filesystem_avail_bytes{fstype=~"ext[34]|xfs|btrfs"} / node_filesystem_size_bytes{fstype=~"ext[34]|xfs|btrfs"}) > 80',
      });
    });
    const problems = proveAlerts(PROMTOOL, environment('prod'), old).problems.join('\n');
    expect(problems).toContain('model only: NodeDiskPressure{}');
    expect(problems).toMatch(/alertname: NodeDiskPressure, time: 10m/);
  });
});

describe('annotations as Prometheus renders them', () => {
  it("renders $labels, printf and humanizeDuration as Go and prometheus/common's HumanizeDuration do", () => {
    expect(renderAnnotation('{{ $labels.pod }} at {{ $value | printf "%.2f" }}', { pod: 'p-1' }, 2)).toBe('p-1 at 2.00');
    expect(humanizeDuration(33_300)).toBe('9h 15m 0s');
    expect(humanizeDuration(90_061)).toBe('1d 1h 1m 1s');
    expect(humanizeDuration(61)).toBe('1m 1s');
    expect(humanizeDuration(12.3456)).toBe('12.35s');
    expect(goFixed(93, 0)).toBe('93');
  });

  it('refuses what it cannot render exactly: a tie Go rounds to even, an unknown template, a missing label', () => {
    expect(() => goFixed(92.5, 0)).toThrow(/halfway/);
    expect(() => renderAnnotation('{{ $value | humanize }}', {}, 1)).toThrow(/is not rendered/);
    expect(() => renderAnnotation('{{ $labels.pod }}', {}, 1)).toThrow(/does not have/);
  });
});

describe('runbooks', () => {
  const dir = join(ROOT, 'docs', 'runbooks');

  it.each(NAMES)("%s: each alert's runbook_url names a file under docs/runbooks/ that mentions the alert", (name) => {
    const rules = rulesOf(rendered(name).objects);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      const file = /\/docs\/runbooks\/([a-z0-9-]+\.md)$/.exec(rule.annotations.runbook_url)?.[1];
      expect(file, rule.alert).toBe(`${runbookSlug(rule.alert)}.md`);
      expect(existsSync(join(dir, file!)), `${rule.alert}: docs/runbooks/${file}`).toBe(true);
      expect(readFileSync(join(dir, file!), 'utf8'), file).toContain(rule.alert);
    }
  });

  it('has no runbook for an alert no environment emits', () => {
    const alerts = new Set(
      NAMES.flatMap((name) =>
        objects<PrometheusRule>(rendered(name), 'PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g) => g.rules.map((x) => x.alert))),
      ),
    );
    const pages = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((f) => ![...alerts].some((a) => `${runbookSlug(a)}.md` === f))).toEqual([]);
  });
});
