/**
 * verify's add-on proof (app/verify/addons): the installs read from the GitOps objects, the chart
 * found in the mirror by its own Chart.yaml, and, with the tools, a chart rendered by Helm and
 * admitted by a real API server. Each case is something verify must refuse.
 *
 * The first part needs no tool. The second needs helm and kube-apiserver (tools-ready.ts): always in
 * CI, else skipped with one line when they are not built.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonInstalls } from '../../app/verify/addons/installs';
import { chartSource, defaultChartMirror, mirrorCharts } from '../../app/verify/addons/mirror';
import { addonFailures } from '../../app/verify/addons/report';
import { type AddonsReport, manifestsFolder, renderInstalls, verifyAddons } from '../../app/verify/addons/verify-addons';
import { type ApiServer, startApiServer } from '../../app/verify/apiserver';
import { readEnvironmentOutput } from '../../app/verify/manifests';
import { pinnedVersions } from '../../app/verify/tools';
import { selectEnvironments } from '../../environments';
import { explainSkip, MINOR, readyTools, TOOLS_READY } from './tools-ready';

const restrictedLabels = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};

function helmRelease(name: string, chart: string, version: string, namespace: string, values: Record<string, unknown> = {}) {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'flux-system' },
    spec: {
      releaseName: name,
      targetNamespace: namespace,
      chart: { spec: { chart, version, sourceRef: { kind: 'HelmRepository', name: 'demo', namespace: 'flux-system' } } },
      install: { crds: 'CreateReplace' },
      values,
    },
  };
}

/** A chart folder: Chart.yaml plus templates. */
function writeChart(dir: string, name: string, version: string, templates: Record<string, string>): void {
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), stringify({ apiVersion: 'v2', name, version, appVersion: version }));
  writeFileSync(join(dir, 'values.yaml'), 'privileged: true\n');
  for (const [file, text] of Object.entries(templates)) writeFileSync(join(dir, 'templates', file), text);
}

/** A Deployment whose pod Pod Security "restricted" refuses while `.Values.privileged` is true. */
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels: { app: demo }
  template:
    metadata:
      labels: { app: demo }
    spec:
      containers:
        - name: demo
          image: registry.example.com/demo:1.0.0
          securityContext:
            privileged: {{ .Values.privileged }}
`;

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'verify-addons-test-'));
  writeChart(join(root, 'mirror', 'demo-1.0.0'), 'demo', '1.0.0', { 'deployment.yaml': DEPLOYMENT });
  if (ISTIOD) symlinkSync(ISTIOD.dir, join(root, 'mirror', 'istiod'));
  // One object over the 262144 bytes client-side apply's last-applied annotation can hold.
  writeChart(join(root, 'mirror', 'big-1.0.0'), 'big', '1.0.0', {
    'configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  big: {{ repeat 270000 "x" | quote }}\n',
  });
  // A folder grouping charts (as Istio's source tree does), found one level down.
  writeChart(join(root, 'mirror', 'suite', 'inner'), 'inner', '0.1.0', {});
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('add-on installs and chart sources (no tools)', () => {
  it('finds charts by their Chart.yaml, at the top level and one level down', () => {
    const charts = mirrorCharts(join(root, 'mirror'));
    // (istiod is linked in from the real mirror for the injection case, when there is one)
    expect(charts.filter((c) => c.folder !== 'istiod').map((c) => `${c.name}@${c.version} ${c.folder}`)).toEqual([
      'big@1.0.0 big-1.0.0',
      'demo@1.0.0 demo-1.0.0',
      'inner@0.1.0 suite/inner',
    ]);
  });

  it('a pinned version the mirror does not hold is missing, naming what it holds', () => {
    const charts = mirrorCharts(join(root, 'mirror'));
    expect(chartSource(charts, 'demo', '1.0.0').status).toBe('exact');
    expect(chartSource(charts, 'demo', '1.0.1', [])).toEqual({ status: 'missing', available: ['1.0.0 (demo-1.0.0)'] });
    expect(chartSource(charts, 'demo', '1.0.1', [{ chart: 'demo', version: '1.0.1', reason: 'because' }]).status).toBe('waived');
    // A waiver for another version does not apply.
    expect(chartSource(charts, 'demo', '1.0.1', [{ chart: 'demo', version: '1.0.2', reason: 'because' }]).status).toBe('missing');
  });

  it('a chart version with no mirror source is a failing finding, and nothing is rendered for it', async () => {
    const installs = addonInstalls([
      { file: 'addons/addons.yaml', bundle: 'addons', text: '', object: helmRelease('demo', 'demo', '2.0.0', 'demo') as never },
    ]);
    const prepared = await renderInstalls('test', installs, mirrorCharts(join(root, 'mirror')), [], 'v1.35.4', { cached: 0, run: 0 });
    expect(prepared).toHaveLength(1);
    expect(prepared[0]!.objects).toEqual([]);
    expect(prepared[0]!.findings).toEqual([
      expect.objectContaining({ tool: 'verify', rule: 'addon-chart-source', severity: 'error', object: 'HelmRelease/flux-system/demo' }),
    ]);
    expect(prepared[0]!.findings[0]!.message).toContain('chart demo 2.0.0 has no source in the chart mirror (it holds 1.0.0 (demo-1.0.0))');
    const report: AddonsReport = {
      mirror: '',
      helm: '',
      addons: [
        {
          environment: 'test',
          addon: 'demo',
          installedBy: 'HelmRelease/flux-system/demo',
          chart: 'demo',
          version: '2.0.0',
          namespace: 'demo',
          source: 'missing',
          objects: 0,
          crds: 0,
          pods: 0,
          podsAdmitted: 0,
          injected: 0,
          findings: prepared[0]!.findings,
          counted: [],
        },
      ],
      findings: [],
      renders: { cached: 0, run: 0 },
      seconds: 0,
    };
    expect(addonFailures(report)).toHaveLength(1);
  });

  it("finds another project's manifests in the CRD mirror by tag or, through its SOURCES.md, by commit", () => {
    const mirror = join(root, 'crds');
    mkdirSync(join(mirror, 'gateway-api-v1.5.1'), { recursive: true });
    const commit = 'e7677b70ae75d14a4448fba94870e7deea6cf0ad';
    writeFileSync(
      join(mirror, 'SOURCES.md'),
      `- kubernetes-sigs/gateway-api @ ${commit} tag v1.5.1: config/crd/standard/*.yaml in gateway-api-v1.5.1/ (the release)\n`,
    );
    const url = 'https://github.com/kubernetes-sigs/gateway-api';
    expect(manifestsFolder(mirror, url, ['v1.5.1'])).toBe('gateway-api-v1.5.1');
    expect(manifestsFolder(mirror, url, [commit])).toBe('gateway-api-v1.5.1');
    expect(manifestsFolder(mirror, url, ['0'.repeat(40), 'v1.6.1'])).toBeUndefined();
    expect(manifestsFolder(mirror, 'https://github.com/other/gateway-api', [commit])).toBeUndefined();
  });

  it('reads what Flux and Argo CD would install, and refuses what verify cannot reproduce', () => {
    const installs = addonInstalls([
      {
        file: 'addons/addons.yaml',
        bundle: 'addons',
        text: '',
        object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: restrictedLabels } },
      },
      {
        file: 'addons/addons.yaml',
        bundle: 'addons',
        text: '',
        object: {
          ...helmRelease('demo', 'demo', '1.0.0', 'demo', { a: 1 }),
          spec: { ...helmRelease('demo', 'demo', '1.0.0', 'demo', { a: 1 }).spec, valuesFrom: [{ kind: 'ConfigMap', name: 'x' }] },
        } as never,
      },
      {
        file: 'argocd/argocd-sync.yaml',
        bundle: 'argocd',
        text: '',
        object: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'oci-demo', namespace: 'argocd' },
          spec: {
            destination: { namespace: 'other' },
            source: {
              repoURL: 'oci://registry.example.com/charts/demo',
              path: '.',
              targetRevision: '1.0.0',
              helm: { valuesObject: { b: 2 } },
            },
            syncPolicy: { syncOptions: ['CreateNamespace=true'], managedNamespaceMetadata: { labels: restrictedLabels } },
          },
        },
      },
    ]);
    expect(installs).toHaveLength(2);
    expect(installs[0]).toMatchObject({
      tool: 'flux',
      chart: 'demo',
      version: '1.0.0',
      namespace: 'demo',
      namespaceLabels: restrictedLabels,
    });
    expect(installs[0]!.problems).toEqual([expect.stringContaining('spec.valuesFrom')]);
    expect(installs[1]).toMatchObject({
      tool: 'argocd',
      chart: 'demo',
      releaseName: 'oci-demo',
      namespace: 'other',
      values: { b: 2 },
      namespaceLabels: restrictedLabels,
      problems: [],
    });
  });
});

explainSkip('test/verify/addons.test.ts');

/** istiod in the offline chart mirror, when there is one (verify's own tests may read it). */
const CHART_MIRROR = defaultChartMirror();
const ISTIOD = CHART_MIRROR ? mirrorCharts(CHART_MIRROR).find((c) => c.name === 'istiod') : undefined;
if (TOOLS_READY && !ISTIOD)
  console.warn('test/verify/addons.test.ts: the injection case is skipped: no chart mirror with istiod (../shared/charts)');

describe.skipIf(!TOOLS_READY)(`add-ons rendered by helm and admitted by kube-apiserver ${MINOR}`, () => {
  let server: ApiServer;
  let report: AddonsReport;

  beforeAll(async () => {
    readyTools();
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'test', 'addons'), { recursive: true });
    writeFileSync(
      join(dist, 'test', 'addons', 'addons.yaml'),
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: restrictedLabels } },
        helmRelease('demo', 'demo', '1.0.0', 'demo'),
        // Where the offline chart mirror holds istiod: a namespace that injects, and istiod to inject with.
        ...(ISTIOD
          ? [
              { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: restrictedLabels } },
              helmRelease('istiod', 'istiod', ISTIOD.version, 'istio-system', { global: { hub: 'docker.io/istio', tag: '1.31.4' } }),
              {
                apiVersion: 'v1',
                kind: 'Namespace',
                metadata: { name: 'mesh', labels: { ...restrictedLabels, 'istio-injection': 'enabled' } },
              },
              helmRelease('meshed', 'demo', '1.0.0', 'mesh', { privileged: false }),
            ]
          : []),
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'big', namespace: 'argocd' },
          spec: {
            destination: { namespace: 'demo' },
            source: { repoURL: 'https://charts.example.com', chart: 'big', targetRevision: '1.0.0', helm: { releaseName: 'big' } },
            syncPolicy: { syncOptions: ['CreateNamespace=true'] },
          },
        },
      ]
        .map((o) => `---\n${stringify(o)}`)
        .join(''),
    );
    const output = readEnvironmentOutput(dist, 'test');
    server = await startApiServer({ minor: MINOR, handleSignals: false });
    const [environment] = selectEnvironments(['dev']);
    report = await verifyAddons(server, [{ environment: { ...environment!, name: 'test' }, output }], {
      mirror: join(root, 'mirror'),
      work: join(root, 'work'),
      kubernetesVersion: pinnedVersions().kubernetes.get(MINOR)!,
      // The checkers' own proofs are test/verify/admission.test.ts's and coverage.test.ts's.
      checkers: false,
    });
  }, 3_600_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('renders the chart with the release name and admits it in the namespace as labelled', () => {
    expect(report.addons.map((a) => a.addon).sort()).toEqual(['big', 'demo', ...(ISTIOD ? ['istiod', 'meshed'] : [])].sort());
    expect(report.addons.find((a) => a.addon === 'demo')).toMatchObject({
      addon: 'demo',
      chart: 'demo',
      version: '1.0.0',
      objects: 1,
      pods: 1,
    });
  });

  it('a rendered pod that Pod Security "restricted" refuses is a failing finding', () => {
    const addon = report.addons.find((a) => a.addon === 'demo');
    expect(addon!.podsAdmitted).toBe(0);
    const finding = addon!.findings.find((f) => f.tool === 'apiserver' && f.object === 'Deployment/demo/demo');
    expect(finding).toMatchObject({ rule: 'warning', severity: 'warning' });
    expect(finding!.message).toMatch(
      /would violate PodSecurity "restricted:(latest|v1\.\d+)": privileged \(container "demo" must not set securityContext\.privileged=true\)/,
    );
    expect(addonFailures(report)).toContainEqual(finding);
  });

  it('an object too large for client-side apply is a failing finding where the install applies client-side', () => {
    const big = report.addons.find((a) => a.addon === 'big');
    expect(big?.findings).toEqual([
      expect.objectContaining({ tool: 'verify', rule: 'addon-client-side-apply-too-large', object: 'ConfigMap/demo/big' }),
    ]);
    // The Flux install applies through Helm, which keeps no last-applied annotation.
    expect(report.addons.find((a) => a.addon === 'demo')?.findings.some((f) => f.rule === 'addon-client-side-apply-too-large')).toBe(false);
  });

  it.skipIf(!ISTIOD)("injects Istio's sidecar with the rendered istiod's template where the namespace injects", () => {
    const meshed = report.addons.find((a) => a.addon === 'meshed');
    expect(meshed).toMatchObject({ namespace: 'mesh', pods: 1, injected: 1 });
    // The same chart outside the injecting namespace gets none.
    expect(report.addons.find((a) => a.addon === 'demo')?.injected).toBe(0);
    // The injected pod is what admission saw: Pod Security names the proxy's container.
    expect(meshed!.findings.some((f) => f.tool === 'apiserver' && /istio-proxy|istio-init/.test(f.message))).toBe(true);
  });
});
