/**
 * verify's proof against a real API server (kube-apiserver and etcd from the tools cache, the
 * Kubernetes version the environments target): each case is an object the generator must never
 * emit, and the test fails unless verify reports it. One server for the file.
 *
 * These tests need the verify tools: in CI the setup runs the installer (`npm run tools`; about a
 * second when they are built) and fails, never skips, when they are missing; elsewhere the file is
 * skipped with one line when they are not built (tools-ready.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dryRunApply, prepareNamespaces } from '../../app/verify/admission';
import { type ApiServer, startApiServer } from '../../app/verify/apiserver';
import { kubeconform } from '../../app/verify/checkers';
import { pluto } from '../../app/verify/checkers/pluto';
import { customKinds, defaultCrdMirror, installCrds, pinnedCrds } from '../../app/verify/crds';
import type { Finding } from '../../app/verify/findings';
import { readEnvironmentOutput, type EnvironmentOutput } from '../../app/verify/manifests';
import { serverOpenApi, writeKubeconformSchemas } from '../../app/verify/schemas';
import { pinnedVersions } from '../../app/verify/tools';
import { createWorkspace } from '../../app/verify/workspace';
import { explainSkip, MINOR, readyTools, TOOLS_READY } from './tools-ready';

const labels = { 'app.kubernetes.io/name': 'demo' };
const restrictedPod = {
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'app',
      image: 'registry.example.com/demo:1.0.0',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
    },
  ],
};
const namespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name: 'demo',
    labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' },
  },
};

function deployment(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'demo', labels }, spec };
}

const CASES = {
  good: deployment('good', { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: restrictedPod } }),
  selectorMismatch: deployment('selector-mismatch', {
    selector: { matchLabels: { 'app.kubernetes.io/name': 'other' } },
    template: { metadata: { labels }, spec: restrictedPod },
  }),
  privileged: deployment('privileged', {
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: { containers: [{ name: 'app', image: 'registry.example.com/demo:1.0.0', securityContext: { privileged: true } }] },
    },
  }),
  // Valid against the Gateway CRD's OpenAPI schema; refused by one of its CEL rules.
  tcpListenerWithHostname: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'tcp-hostname', namespace: 'demo' },
    spec: { gatewayClassName: 'nginx', listeners: [{ name: 'tcp', protocol: 'TCP', port: 9000, hostname: 'tcp.example.com' }] },
  },
  removedPdb: {
    apiVersion: 'policy/v1beta1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'removed-pdb', namespace: 'demo' },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  },
  removedFlowSchema: {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
    kind: 'FlowSchema',
    metadata: { name: 'removed-flowschema' },
    spec: { priorityLevelConfiguration: { name: 'global-default' }, matchingPrecedence: 9000 },
  },
};

let server: ApiServer;
let dir: string;
let output: EnvironmentOutput;
let admission: { accepted: number; findings: Finding[] };

function findingsFor(findings: readonly Finding[], object: string): Finding[] {
  return findings.filter((f) => f.object === object);
}

explainSkip('test/verify/admission.test.ts');

beforeAll(async () => {
  if (!TOOLS_READY) return;
  // Fails with "... Run `npm run tools`" when the tools are missing and cannot be built.
  readyTools();
  dir = mkdtempSync(join(tmpdir(), 'verify-test-'));
  mkdirSync(join(dir, 'dist', 'test'), { recursive: true });
  writeFileSync(
    join(dir, 'dist', 'test', 'objects.yaml'),
    [namespace, ...Object.values(CASES)].map((o) => `---\n${stringify(o)}`).join(''),
  );
  output = readEnvironmentOutput(join(dir, 'dist'), 'test');
  server = await startApiServer({ minor: MINOR, handleSignals: false });
  const { crds } = await pinnedCrds(await customKinds(server.client, output.objects), defaultCrdMirror());
  await installCrds(server.client, crds);
  await prepareNamespaces(server.client, 'test', output.objects);
  admission = await dryRunApply(server.client, 'test', output.objects, server.gitVersion);
}, 3_600_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!TOOLS_READY)(`verify against kube-apiserver ${MINOR}`, () => {
  it('runs the pinned version and admits a valid restricted Deployment without warnings', () => {
    expect(server.gitVersion).toBe(`v${pinnedVersions().kubernetes.get(MINOR)}`);
    expect(findingsFor(admission.findings, 'Deployment/demo/good')).toEqual([]);
  });

  it('rejects a Deployment whose selector does not match its template', () => {
    const [finding] = findingsFor(admission.findings, 'Deployment/demo/selector-mismatch');
    expect(finding).toMatchObject({ tool: 'apiserver', rule: 'rejected' });
    expect(finding!.message).toMatch(/`?selector`? does not match template `?labels`?/);
  });

  it('fails a pod template that Pod Security restricted refuses (a warning on a Deployment counts)', () => {
    const findings = findingsFor(admission.findings, 'Deployment/demo/privileged');
    expect(findings.map((f) => f.rule)).toEqual(['warning']);
    expect(findings[0]!.message).toMatch(/would violate PodSecurity "restricted:latest": privileged/);
  });

  it("rejects a custom resource that passes the CRD's OpenAPI schema but fails a CEL rule", async () => {
    const [finding] = findingsFor(admission.findings, 'Gateway/demo/tcp-hostname');
    expect(finding).toMatchObject({ tool: 'apiserver', rule: 'rejected' });
    expect(finding!.message).toMatch(/hostname must not be specified for protocols \['TCP', 'UDP'\]/);
    // kubeconform, which reads the same CRD's schema but cannot evaluate CEL, finds nothing wrong.
    const served = await server.client.served();
    const schemas = await writeKubeconformSchemas(
      join(dir, 'schemas'),
      await serverOpenApi(server.client),
      new Set(output.objects.map((o) => `${o.object.apiVersion}/${o.object.kind}`).filter((id) => served.has(id))),
      (await pinnedCrds(new Set(['gateway.networking.k8s.io/Gateway']), defaultCrdMirror())).crds,
    );
    const workspace = createWorkspace(join(dir, 'work'), output);
    const run = await kubeconform.run({
      workspace,
      kubernetesVersion: pinnedVersions().kubernetes.get(MINOR)!,
      schemaLocation: schemas,
      canary: kubeconform.canary.objects,
    });
    expect(run.problems).toEqual([]);
    expect(findingsFor(run.findings, 'Gateway/demo/tcp-hostname')).toEqual([]);
    expect(findingsFor(run.findings, 'Deployment/demo/good')).toEqual([]);
  });

  it('rejects objects whose API version the targeted Kubernetes no longer serves', async () => {
    expect(findingsFor(admission.findings, 'PodDisruptionBudget/demo/removed-pdb')).toEqual([
      expect.objectContaining({
        rule: 'not-served',
        message: expect.stringMatching(/does not serve policy\/v1beta1 PodDisruptionBudget \(it serves policy\/v1\)/),
      }),
    ]);
    expect(findingsFor(admission.findings, 'FlowSchema/removed-flowschema')).toEqual([
      expect.objectContaining({
        rule: 'not-served',
        message: expect.stringMatching(/does not serve flowcontrol.apiserver.k8s.io\/v1beta3 FlowSchema/),
      }),
    ]);
    const workspace = createWorkspace(join(dir, 'pluto'), output);
    const run = await pluto.run({
      workspace,
      kubernetesVersion: pinnedVersions().kubernetes.get(MINOR)!,
      schemaLocation: '',
      canary: pluto.canary.objects,
    });
    expect(run.problems).toEqual([]);
    expect(
      run.findings
        .filter((f) => f.rule === 'removed' && !f.object.includes('verify-canary'))
        .map((f) => f.object)
        .sort(),
    ).toEqual(['FlowSchema/removed-flowschema', 'PodDisruptionBudget/demo/removed-pdb']);
  });

  it('admits everything else: only the bad objects are counted as refused', () => {
    expect(admission.accepted).toBe(output.objects.length - 4);
  });
});
