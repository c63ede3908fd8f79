/**
 * lib/addons/chart-facts.ts against the rendered chart (app/verify/addons/chart-facts-check.ts): each
 * fact a render can show fails verify when the render says otherwise. No tools: the renders are given.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartFactsUnproven, checkChartFacts, clusterKindKey } from '../../app/verify/addons/chart-facts-check';
import type { AddonInstall } from '../../app/verify/addons/installs';
import type { Manifest } from '../../lib/core/manifest';

const install = (chart: string, values: Record<string, unknown> = {}): AddonInstall => ({
  type: 'chart',
  object: `HelmRelease/flux-system/${chart}`,
  file: 'addons/addons.yaml',
  tool: 'flux',
  chart,
  version: '0.0.0',
  repository: 'demo',
  releaseName: chart,
  namespace: chart,
  values,
  includeCrds: true,
  namespaceLabels: {},
  problems: [],
  clientSideApply: false,
});

const object = (apiVersion: string, kind: string, name: string, spec: Record<string, unknown> = {}): Manifest =>
  ({ apiVersion, kind, metadata: { name }, spec }) as Manifest;

const CLUSTER = new Set([
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
]);
const clusterScoped = (o: Manifest) => CLUSTER.has(o.kind) || o.kind === 'PriorityClass';

/** What cloudnative-pg 0.29.0 renders, as its facts say. */
const CNPG = [
  object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'clusters.postgresql.cnpg.io'),
  object('rbac.authorization.k8s.io/v1', 'ClusterRole', 'cnpg'),
  object('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'cnpg'),
  object('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'cnpg'),
  object('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'cnpg'),
  object('apps/v1', 'Deployment', 'cnpg'),
];

const dir = mkdtempSync(join(tmpdir(), 'chart-facts-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chart facts against the rendered chart', () => {
  it('a render that agrees with the facts gives no finding', () => {
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: cloudnative-pg\nversion: 0.29.0\nappVersion: "1.30.0"\n');
    expect(checkChartFacts('dev', install('cloudnative-pg'), dir, CNPG, clusterScoped, false)).toEqual([]);
  });

  it("fails an appVersion the chart's Chart.yaml contradicts", () => {
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: cloudnative-pg\nversion: 0.29.0\nappVersion: "1.31.0"\n');
    const [finding] = checkChartFacts('dev', install('cloudnative-pg'), dir, CNPG, clusterScoped, false);
    expect(finding).toMatchObject({ tool: 'verify', rule: 'addon-chart-fact', severity: 'error' });
    expect(finding!.message).toMatch(/appVersion is 1\.30\.0, but the chart's Chart\.yaml says 1\.31\.0/);
  });

  it('fails a cluster-scoped kind the chart renders that clusterKinds does not list', () => {
    const rendered = [...CNPG, object('scheduling.k8s.io/v1', 'PriorityClass', 'cnpg-critical')];
    const findings = checkChartFacts('dev', install('cloudnative-pg'), undefined, rendered, clusterScoped, false);
    expect(findings.map((f) => f.object)).toEqual(['PriorityClass/cnpg-critical']);
    expect(findings[0]!.message).toMatch(/clusterKinds lacks scheduling\.k8s\.io\/PriorityClass/);
  });

  it('fails a listed cluster kind no install renders, and a drifting kind the install does not render', () => {
    const withoutMutating = CNPG.filter((o) => o.kind !== 'MutatingWebhookConfiguration');
    const findings = checkChartFacts('dev', install('cloudnative-pg'), undefined, withoutMutating, clusterScoped, false);
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/drifting names admissionregistration\.k8s\.io\/MutatingWebhookConfiguration/),
    ]);
    const kinds = new Set(withoutMutating.filter(clusterScoped).map(clusterKindKey));
    expect(chartFactsUnproven(new Map([['cloudnative-pg', kinds]])).map((f) => f.message)).toEqual([
      expect.stringMatching(/clusterKinds lists admissionregistration\.k8s\.io\/MutatingWebhookConfiguration, but no install/),
    ]);
  });

  it('fails a Job the facts do not list, and a Job the injector gave a classic sidecar', () => {
    const job = object('batch/v1', 'Job', 'cnpg-migrate', {
      template: { spec: { containers: [{ name: 'migrate' }, { name: 'istio-proxy' }] } },
    });
    const findings = checkChartFacts('dev', install('cloudnative-pg'), undefined, [...CNPG, job], clusterScoped, true);
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/pods list 0 Job\(s\) \(none\), but the chart renders 1 with our values \(Job\/cnpg-migrate\)/),
      expect.stringMatching(/no injectionOff that keeps Istio's sidecar out of Job\/cnpg-migrate/),
    ]);
  });

  it('counts only the Jobs our values leave on (enabledBy)', () => {
    // kube-prometheus-stack lists two admission Jobs; node-exporter and grafana are workloads.
    const jobs = ['create', 'patch'].map((n) =>
      object('batch/v1', 'Job', `kps-admission-${n}`, { template: { spec: { containers: [{ name: n }] } } }),
    );
    const messages = checkChartFacts('dev', install('kube-prometheus-stack'), undefined, jobs.slice(0, 1), () => false, false).map(
      (f) => f.message,
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/pods list 2 Job\(s\) \(admission-create, admission-patch\), but the chart renders 1/),
    );
  });

  it('leaves out a listed kind the mirror cannot render when its reason is written, and reports the entry once a render proves it', () => {
    const crd = 'apiextensions.k8s.io/CustomResourceDefinition';
    const explained = [{ chart: 'cloudnative-pg', kind: crd, reason: 'why' }];
    const withoutCrds = new Set(CNPG.filter((o) => clusterScoped(o) && o.kind !== 'CustomResourceDefinition').map(clusterKindKey));
    expect(chartFactsUnproven(new Map([['cloudnative-pg', withoutCrds]]), explained)).toEqual([]);
    const all = new Set(CNPG.filter(clusterScoped).map(clusterKindKey));
    expect(chartFactsUnproven(new Map([['cloudnative-pg', all]]), explained)).toEqual([
      expect.objectContaining({
        rule: 'waiver-unused',
        message: expect.stringMatching(/renders apiextensions\.k8s\.io\/CustomResourceDefinition now/),
      }),
    ]);
  });

  it('says nothing of a chart without facts (synth refuses such an add-on before verify sees it)', () => {
    expect(checkChartFacts('dev', install('unknown-chart'), undefined, CNPG, clusterScoped, false)).toEqual([]);
  });
});
