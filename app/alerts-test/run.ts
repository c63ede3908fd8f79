/**
 * Proves one environment's alerts with Prometheus's own rule engine: `promtool check rules
 * --lint=all --lint-fatal` on the PrometheusRule's groups, then `promtool test rules` on the cases
 * generated from the model (cases.ts). The rule file is the rendered PrometheusRule (dist/ for the
 * CLI, the in-memory render for the unit tests), so what is proven is what ships.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { defaultRunbookBaseUrl, platformAlerts, unwatchedStores } from '../../charts/platform-alerts';
import type { Environment } from '../../environments/schema';
import { selectorsOf, sourceOf } from '../../lib/alert-sources';
import type { Alert } from '../../lib/constructs/alert-rules';
import type { Manifest } from '../../lib/core/manifest';
import { caseTitle, promtoolTests } from './cases';

export interface PromtoolOutcome {
  readonly command: string;
  readonly status: number | null;
  readonly output: string;
  readonly seconds: number;
}

export interface AlertProof {
  readonly environment: string;
  /** Every alert rule, told apart by its own labels (`DatabaseUnreachable{datastore=postgres, ...}`). */
  readonly alerts: readonly string[];
  /** How many promtool test groups were generated (three per alert). */
  readonly tests: number;
  /** The exporters the alerts read, each once. */
  readonly sources: readonly string[];
  /** Data stores without an alert, and why. */
  readonly unwatched: readonly [string, string][];
  readonly check: PromtoolOutcome;
  readonly test: PromtoolOutcome;
  /** Why the proof failed; empty when it holds. */
  readonly problems: readonly string[];
}

interface RuleGroup {
  readonly name: string;
  readonly rules: readonly { readonly alert?: string; readonly labels?: Record<string, string> }[];
}

/** The groups of the environment's PrometheusRules, as a Prometheus rule file holds them. */
export function ruleGroups(objects: readonly Manifest[]): RuleGroup[] {
  return objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => ((o.spec as { groups?: RuleGroup[] } | undefined)?.groups ?? []) as RuleGroup[]);
}

/** The exporters `alerts` read, each once, in the order first read. */
export function alertSources(alerts: readonly Alert[]): string[] {
  return [...new Set(alerts.flatMap((a) => selectorsOf(a.expr).map((s) => sourceOf(s.metric)?.source ?? `unknown (${s.metric})`)))];
}

function run(promtool: string, args: string[], cwd: string): PromtoolOutcome {
  const start = performance.now();
  const result = spawnSync(promtool, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`
    .replace(/\n\s*\n(\s*\n)+/g, '\n\n')
    .trim();
  return { command: `promtool ${args.join(' ')}`, status: result.status, output, seconds: (performance.now() - start) / 1000 };
}

/** Rule identities in the rendered groups and in the model must be the same: otherwise dist/ is stale. */
function staleness(environment: Environment, groups: readonly RuleGroup[], alerts: readonly Alert[]): string[] {
  const key = (name: string, labels: Record<string, string> = {}) =>
    `${name}${JSON.stringify(
      Object.fromEntries(
        Object.entries(labels)
          .filter(([k]) => k !== 'severity' && k !== 'priority')
          .sort(),
      ),
    )}`;
  const rendered = groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined).map((r) => key(r.alert!, r.labels))).sort();
  const model = alerts.map((a) => key(a.name, a.labels)).sort();
  if (JSON.stringify(rendered) === JSON.stringify(model)) return [];
  return [
    `${environment.name}: the rendered alert rules (${rendered.length}) are not the model's (${model.length}): run \`npm run synth\` (rendered only: ${rendered.filter((r) => !model.includes(r)).join(' ') || 'none'}; model only: ${model.filter((m) => !rendered.includes(m)).join(' ') || 'none'})`,
  ];
}

/** Checks and tests the alerts of `environment` rendered as `objects` with the promtool at `promtool`. */
export function proveAlerts(promtool: string, environment: Environment, objects: readonly Manifest[]): AlertProof {
  const alerts = platformAlerts(environment);
  const groups = ruleGroups(objects);
  const dir = mkdtempSync(join(tmpdir(), `alerts-${environment.name}-`));
  try {
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }, { lineWidth: 0 }));
    const file = promtoolTests(alerts, 'rules.yaml', defaultRunbookBaseUrl(environment));
    writeFileSync(join(dir, 'tests.yaml'), stringify(file, { lineWidth: 0 }));
    const check = run(promtool, ['check', 'rules', '--lint=all', '--lint-fatal', 'rules.yaml'], dir);
    const test = run(promtool, ['test', 'rules', 'tests.yaml'], dir);
    const problems = [
      ...(groups.length === 0 ? [`${environment.name}: no PrometheusRule groups in the rendered objects`] : []),
      ...staleness(environment, groups, alerts),
      ...(check.status === 0 ? [] : [`${environment.name}: ${check.command} exited ${check.status}:\n${check.output}`]),
      ...(test.status === 0 ? [] : [`${environment.name}: ${test.command} exited ${test.status}:\n${test.output}`]),
    ];
    return {
      environment: environment.name,
      alerts: alerts.map(caseTitle),
      tests: file.tests.length,
      sources: alertSources(alerts),
      unwatched: unwatchedStores(environment),
      check,
      test,
      problems,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
