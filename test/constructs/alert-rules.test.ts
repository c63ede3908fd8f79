import { describe, expect, it } from 'vitest';
import { type Alert, AlertRules, type AlertRulesProps, Priority, runbookSlug } from '../../lib/constructs/alert-rules';
import { only, synth } from './synth';

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

interface PrometheusRule {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: { groups: { name: string; rules: Rule[] }[] };
}

/** These constructs' tests render rules only; the promtool cases are generated and run in test/alerts. */
const NO_TESTS: Alert['tests'] = { firing: { series: [], holdsFrom: 0, fires: [] }, healthy: [] };

const highErrorRate: Alert = {
  name: 'HighErrorRate',
  priority: Priority.P1,
  expr: 'sum(rate(istio_requests_total{response_code=~"5.."}[5m])) / sum(rate(istio_requests_total[5m])) > 0.05',
  for: '5m',
  summary: 'More than 5 % of requests fail',
  description: 'Users see errors.',
  tests: NO_TESTS,
};

const slowRequests: Alert = {
  name: 'SlowRequests',
  priority: Priority.P2,
  expr: 'histogram_quantile(0.95, sum(rate(istio_request_duration_milliseconds_bucket[5m])) by (le)) > 2000',
  for: '10m',
  summary: 'p95 latency above 2 s',
  description: 'The latency SLO is breached.',
  labels: { team: 'platform' },
  tests: NO_TESTS,
};

const props: AlertRulesProps = {
  name: 'platform',
  labels: { 'app.kubernetes.io/name': 'alerts' },
  alerts: [highErrorRate, slowRequests],
  runbookBaseUrl: 'https://git.example.com/platform/docs/runbooks',
  context: 'prod',
};

function render(p: AlertRulesProps) {
  let rules: AlertRules | undefined;
  const objects = synth((chart) => {
    rules = new AlertRules(chart, 'alerts', p);
  });
  return { objects, rule: only<PrometheusRule>(objects, 'PrometheusRule'), rules: rules! };
}

describe('AlertRules', () => {
  it('emits one PrometheusRule', () => {
    expect(render(props).objects).toMatchSnapshot();
  });

  it('groups the alerts by priority, leaving out empty groups', () => {
    const { rule, rules } = render(props);
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toEqual({ name: 'platform', labels: { 'app.kubernetes.io/name': 'alerts' } });
    expect(rule.spec.groups.map((g) => [g.name, g.rules.map((r) => r.alert)])).toEqual([
      ['platform.p1', ['HighErrorRate']],
      ['platform.p2', ['SlowRequests']],
    ]);
    expect(rules.name).toBe('platform');
    expect(rules.alerts).toEqual([highErrorRate, slowRequests]);
  });

  it('routes each priority on its severity: P1 critical, P2 warning, P3 info', () => {
    const capacity: Alert = { ...highErrorRate, name: 'QuotaNearlyFull', priority: Priority.P3 };
    const { groups } = render({ ...props, alerts: [capacity, slowRequests, highErrorRate] }).rule.spec;
    expect(groups.map((g) => [g.name, g.rules[0]!.labels])).toEqual([
      ['platform.p1', { severity: 'critical', priority: 'P1' }],
      ['platform.p2', { team: 'platform', severity: 'warning', priority: 'P2' }],
      ['platform.p3', { severity: 'info', priority: 'P3' }],
    ]);
  });

  it('keeps the expression and the duration, and links the runbook by the alert name', () => {
    const [p1] = render(props).rule.spec.groups;
    expect(p1!.rules[0]).toEqual({
      alert: 'HighErrorRate',
      expr: highErrorRate.expr,
      for: '5m',
      labels: { severity: 'critical', priority: 'P1' },
      annotations: {
        summary: 'More than 5 % of requests fail',
        description: 'Users see errors.',
        runbook_url: 'https://git.example.com/platform/docs/runbooks/high-error-rate.md',
      },
    });
  });

  it('never lets an alert label override its severity or priority', () => {
    const relabelled: Alert = { ...slowRequests, labels: { severity: 'none', priority: 'P9' } };
    const { groups } = render({ ...props, alerts: [relabelled] }).rule.spec;
    expect(groups[0]!.rules[0]!.labels).toEqual({ severity: 'warning', priority: 'P2' });
  });

  it('names runbooks in kebab case', () => {
    expect(runbookSlug('HighErrorRate')).toBe('high-error-rate');
    expect(runbookSlug('P95LatencyHigh')).toBe('p95-latency-high');
  });

  it('fails on an expression that is not PromQL, naming the context, the alert and the position', () => {
    const broken: Alert = { ...highErrorRate, expr: 'sum(rate(http_requests_total[5m])' };
    expect(() => render({ ...props, alerts: [broken] })).toThrow(
      'prod: alert HighErrorRate: invalid PromQL at line 1, column 34 near "end of expression": sum(rate(http_requests_total[5m])',
    );
  });

  it('fails on an empty expression', () => {
    expect(() => render({ ...props, alerts: [{ ...slowRequests, expr: ' ' }] })).toThrow(
      'prod: alert SlowRequests: invalid PromQL at line 1, column 1 near "empty expression"',
    );
  });
});
