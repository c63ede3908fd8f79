/**
 * kube-score and checkov on third-party charts (app/verify/addons/attribution.ts): a finding the chart
 * has with its own defaults is upstream's, counted; one that only a value we set causes fails verify,
 * unless waived for its object with the reason.
 *
 * The first part needs no tool. The second renders two small charts with Helm, admits them and runs
 * kube-score and checkov for real (tools-ready.ts): always in CI, else skipped with one line.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeFindings, waiveOurs } from '../../app/verify/addons/attribution';
import { addonFailures } from '../../app/verify/addons/report';
import { type AddonsReport, unusedValueWaivers, verifyAddons } from '../../app/verify/addons/verify-addons';
import { type ApiServer, startApiServer } from '../../app/verify/apiserver';
import type { Finding } from '../../app/verify/findings';
import { readEnvironmentOutput } from '../../app/verify/manifests';
import { pinnedVersions } from '../../app/verify/tools';
import { selectEnvironments } from '../../environments';
import { explainSkip, MINOR, readyTools, TOOLS_READY } from './tools-ready';

const finding = (rule: string, object: string, message = 'm'): Finding => ({
  environment: 'dev',
  tool: 'kube-score',
  rule,
  severity: 'warning',
  object,
  message,
});

describe('attributing kube-score and checkov findings (no tools)', () => {
  it('a finding the defaults render has too is upstream’s; one it lacks is ours', () => {
    const shared = finding('container-resources', 'Deployment/x/a');
    const added = finding('pod-networkpolicy', 'Deployment/x/a');
    const { upstream, ours } = attributeFindings([shared, added], [shared, finding('container-image-tag', 'Deployment/x/a')]);
    expect(upstream).toEqual([shared]);
    expect(ours).toEqual([added]);
  });

  it('the same check on another object, or once more on the same object, is ours', () => {
    const before = [finding('container-image-tag', 'Deployment/x/a', 'container a')];
    const { upstream, ours } = attributeFindings(
      [
        finding('container-image-tag', 'Deployment/x/a', 'container a'),
        finding('container-image-tag', 'Deployment/x/a', 'container b'),
        finding('container-image-tag', 'Deployment/x/other', 'container a'),
      ],
      before,
    );
    expect(upstream.map((f) => f.message)).toEqual(['container a']);
    expect(ours.map((f) => `${f.object} ${f.message}`)).toEqual(['Deployment/x/a container b', 'Deployment/x/other container a']);
  });

  it('a finding reworded by a value we changed, as many times as before, stays upstream’s', () => {
    const { upstream, ours } = attributeFindings(
      [finding('container-resources', 'Deployment/x/a', 'limit 2')],
      [finding('container-resources', 'Deployment/x/a', 'limit 1')],
    );
    expect(upstream).toHaveLength(1);
    expect(ours).toEqual([]);
  });

  it('a waiver names one object and one rule, with the reason; an unused one is reported', () => {
    const waiver = { kind: 'Deployment', namespace: 'x', name: 'a', rule: 'kube-score/pod-networkpolicy', reason: 'why' };
    const { open, waived, used } = waiveOurs(
      [finding('pod-networkpolicy', 'Deployment/x/a'), finding('pod-networkpolicy', 'Deployment/y/a')],
      [waiver],
    );
    expect(waived).toEqual([{ finding: finding('pod-networkpolicy', 'Deployment/x/a'), reason: 'why' }]);
    expect(open.map((f) => f.object)).toEqual(['Deployment/y/a']);
    expect([...used]).toEqual([0]);
    expect(unusedValueWaivers([0], [waiver])).toEqual([]);
    expect(unusedValueWaivers([], [waiver])).toEqual([expect.objectContaining({ rule: 'waiver-unused', object: 'Deployment/x/a' })]);
  });
});

explainSkip('test/verify/addon-attribution.test.ts');

/** A chart whose one Deployment is restricted and whose image tag is `.Values.tag` (`defaultTag` in its values.yaml). */
function writeChart(dir: string, name: string, defaultTag: string): void {
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), stringify({ apiVersion: 'v2', name, version: '1.0.0', appVersion: '1.0.0' }));
  writeFileSync(join(dir, 'values.yaml'), stringify({ tag: defaultTag }));
  writeFileSync(
    join(dir, 'templates', 'deployment.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels: { app: {{ .Release.Name }} }
  template:
    metadata:
      labels: { app: {{ .Release.Name }} }
    spec:
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: app
          image: registry.example.com/app:{{ .Values.tag }}
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] }, readOnlyRootFilesystem: true }
`,
  );
}

function helmRelease(name: string, chart: string, values: Record<string, unknown>) {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'flux-system' },
    spec: {
      releaseName: name,
      targetNamespace: 'demo',
      chart: { spec: { chart, version: '1.0.0', sourceRef: { kind: 'HelmRepository', name: 'demo', namespace: 'flux-system' } } },
      values,
    },
  };
}

/** Image tag `latest`: kube-score's container-image-tag and checkov's CKV_K8S_14 both report it. */
const LATEST_TAG = (f: Finding) =>
  (f.tool === 'kube-score' && f.rule === 'container-image-tag') || (f.tool === 'checkov' && f.rule === 'CKV_K8S_14');

describe.skipIf(!TOOLS_READY)(`kube-score and checkov findings on rendered add-ons, upstream's or ours (${MINOR})`, () => {
  let root: string;
  let server: ApiServer;
  let report: AddonsReport;

  beforeAll(async () => {
    readyTools();
    root = mkdtempSync(join(tmpdir(), 'verify-attribution-test-'));
    writeChart(join(root, 'mirror', 'pinned-1.0.0'), 'pinned', '1.0.0');
    writeChart(join(root, 'mirror', 'floating-1.0.0'), 'floating', 'latest');
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'test', 'addons'), { recursive: true });
    writeFileSync(
      join(dist, 'test', 'addons', 'addons.yaml'),
      [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: 'demo',
            labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' },
          },
        },
        // A value we set brings the finding in: ours, failing.
        helmRelease('ours', 'pinned', { tag: 'latest' }),
        // The chart does it with its defaults and we set nothing: upstream's, counted.
        helmRelease('upstream', 'floating', {}),
      ]
        .map((o) => `---\n${stringify(o)}`)
        .join(''),
    );
    server = await startApiServer({ minor: MINOR, handleSignals: false });
    const [environment] = selectEnvironments(['dev']);
    report = await verifyAddons(server, [{ environment: { ...environment!, name: 'test' }, output: readEnvironmentOutput(dist, 'test') }], {
      mirror: join(root, 'mirror'),
      work: join(root, 'work'),
      kubernetesVersion: pinnedVersions().kubernetes.get(MINOR)!,
    });
  }, 3_600_000);

  afterAll(async () => {
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('fails a finding that a value we set causes, naming it as ours', () => {
    const ours = report.addons.find((a) => a.addon === 'ours')!;
    const caused = ours.findings.filter(LATEST_TAG);
    expect(caused.map((f) => f.tool).sort()).toEqual(['checkov', 'kube-score']);
    for (const f of caused) {
      expect(f.object).toBe('Deployment/demo/ours');
      expect(f.message).toMatch(/caused by our values: pinned rendered with its default values has no/);
    }
    expect(ours.counted.some(LATEST_TAG)).toBe(false);
    expect(ours.attribution?.ours).toBeGreaterThanOrEqual(2);
    expect(addonFailures(report)).toEqual(expect.arrayContaining(caused));
  });

  it('counts the same finding where the chart has it with its defaults, not failing', () => {
    const upstream = report.addons.find((a) => a.addon === 'upstream')!;
    expect(
      upstream.counted
        .filter(LATEST_TAG)
        .map((f) => f.tool)
        .sort(),
    ).toEqual(['checkov', 'kube-score']);
    expect(upstream.findings).toEqual([]);
    expect(upstream.attribution).toMatchObject({ ours: 0, oursWaived: 0 });
    expect(upstream.attribution!.upstream).toBe(upstream.counted.length);
  });
});
