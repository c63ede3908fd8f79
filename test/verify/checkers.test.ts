/**
 * verify's checkers, run for real (the pinned tools), fail closed: each run on good objects is
 * trusted only because every object was reported on and the canary was caught, and the same run
 * with a canary the tool does not flag, or with input the tool cannot read, fails verify naming the
 * checker. The API server only serves kubeconform's schemas here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../app/verify/apiserver';
import { CHECKERS, type Checker } from '../../app/verify/checkers';
import { assessRun, CHECKER_RULES } from '../../app/verify/coverage';
import { readEnvironmentOutput, type EnvironmentOutput } from '../../app/verify/manifests';
import { serverOpenApi, writeKubeconformSchemas } from '../../app/verify/schemas';
import { pinnedVersions } from '../../app/verify/tools';
import { createWorkspace } from '../../app/verify/workspace';
import type { Manifest } from '../../lib/core/manifest';
import { explainSkip, MINOR, readyTools, TOOLS_READY } from './tools-ready';

const labels = { 'app.kubernetes.io/name': 'good' };
const container = {
  name: 'app',
  image: 'registry.example.com/good:1.0.0@sha256:c4dc7ff5d78d11c2447756e91a2459bb1d1dd9465b4a8690c0c83fd2dfb93bc9',
  imagePullPolicy: 'Always',
  resources: {
    requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
    limits: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
  },
  securityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 10001,
    capabilities: { drop: ['ALL'] },
  },
};
const podSpec = {
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [container],
};
const deployment = (namespace: string, name = 'good'): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, labels },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
});
const GOOD: readonly Manifest[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } },
  deployment('demo'),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'good', namespace: 'demo', labels },
    spec: { selector: labels, ports: [{ name: 'http', port: 80 }] },
  },
];

/** What each tool's canary looks like with the fault taken out: the same kind, namespace and name, nothing for the tool to flag. */
function harmless(checker: Checker): Manifest[] {
  return checker.canary.objects.map((object) => {
    const { namespace, name } = object.metadata;
    switch (object.kind) {
      case 'Deployment':
        return deployment(namespace!, name);
      case 'Service':
        return { ...object, spec: { ports: [{ port: 80 }] } };
      case 'PodDisruptionBudget':
        return { ...object, apiVersion: 'policy/v1' };
      case 'VirtualService':
        return { ...object, spec: { hosts: ['canary.example.com'], http: [{ route: [{ destination: { host: 'canary.example.com' } }] }] } };
      case 'Rollout': {
        const spec = object.spec as Record<string, unknown>;
        return { ...object, spec: { ...spec, strategy: { canary: { steps: [{ setWeight: 50 }] } } } };
      }
      default:
        return object;
    }
  });
}

let server: ApiServer;
let dir: string;
let output: EnvironmentOutput;
let schemaLocation: string;
let runs = 0;

async function run(checker: Checker, canary: readonly Manifest[], prepare?: (files: readonly string[]) => void) {
  const workspace = createWorkspace(join(dir, `work-${runs++}`), output);
  prepare?.([...workspace.objectFiles.keys()]);
  const kubernetesVersion = pinnedVersions().kubernetes.get(MINOR)!;
  return assessRun('test', checker, await checker.run({ workspace, kubernetesVersion, schemaLocation, canary }));
}

explainSkip('test/verify/checkers.test.ts');

describe.skipIf(!TOOLS_READY)('the checkers, run for real, fail closed', () => {
  beforeAll(async () => {
    readyTools();
    dir = mkdtempSync(join(tmpdir(), 'verify-checkers-'));
    mkdirSync(join(dir, 'dist', 'test'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'test', 'objects.yaml'), GOOD.map((o) => `---\n${stringify(o)}`).join(''));
    output = readEnvironmentOutput(join(dir, 'dist'), 'test');
    server = await startApiServer({ minor: MINOR, handleSignals: false });
    const served = await server.client.served();
    const kinds = new Set(
      [...GOOD, ...CHECKERS.flatMap((c) => c.canary.objects)].map((o) => `${o.apiVersion}/${o.kind}`).filter((id) => served.has(id)),
    );
    schemaLocation = await writeKubeconformSchemas(join(dir, 'schemas'), await serverOpenApi(server.client), kinds, []);
  }, 3_600_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(CHECKERS.map((c) => [c.tool, c] as const))(
    '%s: a run is trusted because it covered every object and caught its canary',
    async (_, checker) => {
      const { failures } = await run(checker, checker.canary.objects);
      expect(failures).toEqual([]);
    },
  );

  it.each(CHECKERS.map((c) => [c.tool, c] as const))(
    '%s: a canary it does not flag fails verify, naming the tool',
    async (tool, checker) => {
      const { failures } = await run(checker, harmless(checker));
      expect(failures).toContainEqual(
        expect.objectContaining({
          tool: 'verify',
          rule: CHECKER_RULES.blind,
          object: `checker/${tool}`,
          message: expect.stringContaining(`${tool} went blind`),
        }),
      );
    },
  );

  it('kubeconform fed nothing it can read (empty files) fails verify: it did not validate them', async () => {
    const kubeconform = CHECKERS.find((c) => c.tool === 'kubeconform')!;
    const { failures } = await run(kubeconform, kubeconform.canary.objects, (files) => {
      for (const file of files) writeFileSync(file, '');
    });
    expect(failures.map((f) => f.rule)).toContain(CHECKER_RULES.failed);
    expect(failures.map((f) => f.message).join('\n')).toMatch(/kubeconform did not validate Deployment\/demo\/good \(empty\)/);
  });

  it('pluto fed files it cannot parse (it skips them without a word) fails verify: the objects in them were not reported on', async () => {
    for (const tool of ['pluto'] as const) {
      const checker = CHECKERS.find((c) => c.tool === tool)!;
      const workspace = createWorkspace(join(dir, `broken-${tool}`), output);
      // The manifest files as they would be if a writer cut them short.
      for (const file of output.files) writeFileSync(join(workspace.filesDir, file), 'apiVersion: [');
      writeFileSync(workspace.projectedFile, 'apiVersion: [');
      const kubernetesVersion = pinnedVersions().kubernetes.get(MINOR)!;
      let failures: readonly { rule: string }[];
      try {
        ({ failures } = assessRun(
          'test',
          checker,
          await checker.run({ workspace, kubernetesVersion, schemaLocation, canary: checker.canary.objects }),
        ));
      } catch (error) {
        // A tool that refuses the input outright is caught by verify as a failed run (coverage.ts, failedRun).
        expect(String(error)).not.toBe('');
        continue;
      }
      expect(failures.length, tool).toBeGreaterThan(0);
    }
  });
});
