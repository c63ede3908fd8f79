/**
 * The diff against a copy of dist/ written from a fresh render and then edited by hand (the committed
 * dist/ is never touched), and between two rendered environments.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { diffDist, diffEnvironments, diffFields, diffProposal, diffRendered, formatDiff, normalizeForEnvironment } from '../app/diff';
import { synthesize } from '../app/synthesize';
import { environment, longRunning } from './helpers';

const root = join(__dirname, '..');
const build = join(root, 'scripts', 'build.js');
/** `npm run diff` without npm: the bundle, built first if the sources changed. */
const cli = (...args: string[]) => spawnSync(process.execPath, [build, '--run', 'main', 'diff', ...args], { cwd: root, encoding: 'utf8' });

describe('field diff', () => {
  it('names changed leaves by dotted path, quoting label keys', () => {
    const from = { metadata: { labels: { 'app.kubernetes.io/version': '1.0.0' } }, spec: { replicas: 2 } };
    const to = { metadata: { labels: { 'app.kubernetes.io/version': '1.1.0' } }, spec: { replicas: 3, paused: true } };
    expect(diffFields(from, to)).toEqual([
      { path: 'metadata.labels["app.kubernetes.io/version"]', from: '1.0.0', to: '1.1.0' },
      { path: 'spec.replicas', from: 2, to: 3 },
      { path: 'spec.paused', from: undefined, to: true },
    ]);
  });

  it('matches named list entries by name, so an inserted container is one change', () => {
    const from = { containers: [{ name: 'app', image: 'a:1' }] };
    const to = {
      containers: [
        { name: 'proxy', image: 'envoy:1' },
        { name: 'app', image: 'a:2' },
      ],
    };
    expect(diffFields(from, to)).toEqual([
      { path: 'containers[name=proxy]', from: undefined, to: { name: 'proxy', image: 'envoy:1' } },
      { path: 'containers[name=app].image', from: 'a:1', to: 'a:2' },
    ]);
  });

  it('matches policy rules by their peers when one was inserted, so the insertion is one change', () => {
    const rule = (app: string, port: number) => ({ from: [{ podSelector: { matchLabels: { app } } }], ports: [{ port, protocol: 'TCP' }] });
    const before = { spec: { ingress: [rule('frontend', 8001), rule('worker', 8001)] } };
    const after = { spec: { ingress: [rule('frontend', 8001), rule('admin', 8001), rule('worker', 8001)] } };
    const changes = diffFields(before, after);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.path).toBe('spec.ingress[from=[{"podSelector":{"matchLabels":{"app":"admin"}}}]]');
    expect(changes[0]!.from).toBeUndefined();
  });

  it('treats equal quantities as equal and shows a changed one in its units', () => {
    expect(diffFields({ cpu: '1' }, { cpu: '1000m' })).toEqual([]);
    expect(diffFields({ memory: '1Gi' }, { memory: '1024Mi' })).toEqual([]);
    const diff = {
      title: 't',
      added: [],
      removed: [],
      unchanged: 0,
      changed: [{ key: 'Deployment/x', changes: diffFields({ memory: '2Gi' }, { memory: '3Gi' }) }],
    };
    expect(formatDiff(diff)).toContain('memory: "2Gi" → "3Gi" (+1Gi)');
  });

  it('never hides the part of a long value that changed', () => {
    const expr = (threshold: number) =>
      `histogram_quantile(0.95, sum by (le) (rate(${'x'.repeat(200)}[5m]))) / 1000 > ${threshold} and on() vector(1)`;
    const diff = {
      title: 't',
      added: [],
      removed: [],
      unchanged: 0,
      changed: [{ key: 'PrometheusRule/alerts', changes: diffFields({ expr: expr(2) }, { expr: expr(3) }) }],
    };
    const line = formatDiff(diff).split('\n')[2]!;
    expect(line).toMatch(/ > 2 and on\(\) vector\(1\)" → .* > 3 and on\(\) vector\(1\)"/);
    expect(line.length).toBeLessThan(expr(2).length * 2);
  });

  it('compares unnamed lists by position', () => {
    expect(diffFields({ args: ['a', 'b'] }, { args: ['a'] })).toEqual([{ path: 'args[1]', from: 'b', to: undefined }]);
  });

  it('ignores key order', () => {
    expect(diffFields({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toEqual([]);
  });
});

describe('diff against dist/', () => {
  let dist: string;
  const names = environmentNames();

  beforeAll(() => {
    dist = join(mkdtempSync(join(tmpdir(), 'diff-')), 'dist');
    synthesize({ outDir: dist });
  });
  afterAll(() => rmSync(join(dist, '..'), { recursive: true, force: true }));

  /** A copy of the freshly written dist to edit. */
  function copy(): string {
    const to = join(mkdtempSync(join(tmpdir(), 'diff-copy-')), 'dist');
    cpSync(dist, to, { recursive: true });
    return to;
  }

  it('reports no changes when dist/ is what a synth writes now', () => {
    const diffs = diffDist({ distDir: dist });
    expect(diffs.map((d) => d.title)).toEqual(names.map((name) => `${dist}/${name} → render`));
    for (const diff of diffs) expect(formatDiff(diff)).toMatch(/: no changes \(\d+ objects\)$/);
  });

  it('lists a changed field with its old and new value, and removed and added objects', () => {
    const stale = copy();
    const file = join(stale, 'prod', 'workloads.yaml');
    const prodMax = longRunning(environment('prod').services.frontend).replicas.max;
    // The committed copy says 7 where the render says prodMax, and carries an object the render no longer has.
    const text = readFileSync(file, 'utf8').replace(`maxReplicas: ${prodMax}\n`, 'maxReplicas: 7\n');
    const extra = '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: retired\n  namespace: platform\ndata:\n  a: "1"\n';
    writeFileSync(file, text + extra);
    // The render has an object the copy lacks: the whole edge file is gone from the copy.
    rmSync(join(stale, 'prod', 'edge.yaml'));
    const [prod] = diffDist({ distDir: stale, environments: ['prod'] });
    const out = formatDiff(prod!);
    expect(out).toContain(`~ HorizontalPodAutoscaler/platform/frontend\n    spec.maxReplicas: 7 → ${prodMax}`);
    expect(out).toContain('- ConfigMap/platform/retired');
    expect(out).toMatch(/^\+ HTTPRoute\/edge\/\S+$/m);
    expect(out).toMatch(/^.*prod → render: \d+ added, 1 removed, 1 changed, \d+ unchanged/);
    rmSync(join(stale, '..'), { recursive: true });
  });

  it('treats an environment folder that is no longer registered as all removals', () => {
    const stale = copy();
    mkdirSync(join(stale, 'retired'));
    writeFileSync(join(stale, 'retired', 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: retired\n');
    const diffs = diffDist({ distDir: stale });
    expect(diffs.at(-1)).toMatchObject({ removed: ['Namespace/retired'], added: [], changed: [] });
    rmSync(join(stale, '..'), { recursive: true });
  });

  it('prints "no changes" and exits 0 from the command line', () => {
    const { status, stdout } = cli('--dist', dist, '--env', 'dev');
    expect(status).toBe(0);
    expect(stdout.trim()).toMatch(/^\S+\/dev → render: no changes \(\d+ objects\)$/);
  });

  it('exits 1 with --exit-code when something changed', () => {
    const stale = copy();
    rmSync(join(stale, 'dev', 'edge.yaml'));
    const { status, stdout } = cli('--dist', stale, '--env', 'dev', '--exit-code');
    expect(status).toBe(1);
    expect(stdout).toMatch(/^\+ HTTPRoute\/edge\/\S+$/m);
    rmSync(join(stale, '..'), { recursive: true });
  });
});

describe('diff between environments', () => {
  const diff = diffEnvironments('staging', 'prod');
  const text = formatDiff(diff);
  const staging = environment('staging');
  const prod = environment('prod');

  it('shows what prod scales differently from staging', () => {
    const hpa = diff.changed.find((c) => c.key === 'HorizontalPodAutoscaler/frontend');
    expect(hpa?.changes).toEqual(
      expect.arrayContaining([
        {
          path: 'spec.minReplicas',
          from: longRunning(staging.services.frontend).replicas.min,
          to: longRunning(prod.services.frontend).replicas.min,
        },
        {
          path: 'spec.maxReplicas',
          from: longRunning(staging.services.frontend).replicas.max,
          to: longRunning(prod.services.frontend).replicas.max,
        },
      ]),
    );
    expect(text).toContain(`"${staging.ingress.host}" → "${prod.ingress.host}"`);
  });

  it("matches objects by kind and name, with a namespace in the key only outside the environment's own", () => {
    // kustomization.yaml files have no name; a sub-folder's is keyed by its path (Kustomization/flux/kustomization.yaml).
    const keys = [...diff.added, ...diff.removed, ...diff.changed.map((c) => c.key)];
    const namespaced = keys.filter((key) => key.split('/').length === 3 && !/kustomization\.yaml$/.test(key));
    expect(keys.some((key) => key.includes(`/${prod.namespace}/`))).toBe(false);
    expect(namespaced.length).toBeGreaterThan(0);
    for (const key of namespaced) expect(key.split('/')[1]).not.toBe(prod.namespace);
    // The same name in two namespaces stays two objects.
    const twice = diffEnvironments('prod', 'prod');
    expect(twice.unchanged).toBeGreaterThan(0);
  });

  it('does not report the environment name in labels and selectors as a change', () => {
    expect(text).not.toContain('app.kubernetes.io/instance');
    expect(text).not.toMatch(/-staging"/);
  });

  it('replaces the environment name only where it is a whole part of a value, never in a host', () => {
    const object = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'public-prod-tls',
        namespace: 'platform-prod',
        labels: { 'app.kubernetes.io/instance': 'backend-prod', tier: 'prod' },
      },
      stringData: {
        host: 'prod.example.com',
        other: 'production',
        url: 'https://api-prod.example.com',
        key: 'platform/prod/db',
        otel: 'deployment.environment=prod,v=1',
      },
    };
    expect(normalizeForEnvironment(object, 'prod')).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'public-{env}-tls', labels: { 'app.kubernetes.io/instance': 'backend-{env}', tier: '{env}' } },
      stringData: {
        host: 'prod.example.com',
        other: 'production',
        url: 'https://api-prod.example.com',
        key: 'platform/{env}/db',
        otel: 'deployment.environment={env},v=1',
      },
    });
  });

  it('never reports a value as changed when it is the same on both sides, whatever the environments are called', () => {
    const side = (name: string, mount: string) => ({
      name,
      namespace: 'platform',
      objects: [{ file: 'x.yaml', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'paths' }, data: { mount } } }],
    });
    // `dev` is a whole part of /dev/shm: normalizing one side only would invent a difference.
    expect(diffRendered(side('dev', '/dev/shm'), side('prod', '/dev/shm')).changed).toEqual([]);
    expect(diffRendered(side('dev', 'backend-dev'), side('prod', 'backend-prod')).changed).toEqual([]);
    expect(diffRendered(side('dev', '/dev/shm'), side('prod', '/dev/tmp')).changed).toHaveLength(1);
  });

  it('compares a proposed overlay file with the environment it extends', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'proposal-')), 'proposal.yaml');
    writeFileSync(file, 'name: prod-proposal\nextends: prod\nservices:\n  backend:\n    replicas: { max: 30 }\n');
    const diff = diffProposal(file);
    expect(diff.title).toBe('prod → prod-proposal');
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed.map((c) => c.key)).toEqual(['ResourceQuota/platform', 'ScaledObject/backend']);
  });

  it('reports them with --exact', () => {
    expect(formatDiff(diffEnvironments('staging', 'prod', { exact: true }))).toContain('"frontend-staging" → "frontend-prod"');
  });

  it('is empty for an environment against itself', () => {
    expect(formatDiff(diffEnvironments('dev', 'dev'))).toMatch(/^dev → dev: no changes/);
  });
});
