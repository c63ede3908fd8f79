/**
 * The sandbox's ValidatingAdmissionPolicy, proven by a real API server (kube-apiserver and etcd from the
 * tools cache, the Kubernetes version the environments target): prod's committed sandbox objects are
 * created for real (with the `gvisor` RuntimeClass GKE Sandbox provides in a cluster with a gVisor pool),
 * then a pod stamped from the PodTemplate is admitted and every pod that breaks the template's shape is
 * refused with the policy's message; adding an ephemeral container (kubectl debug) is refused too.
 *
 * These tests need the verify tools: skipped with one line outside CI when they are not built, failing
 * in CI when they are missing (tools-ready.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyNamespace } from '../../app/verify/admission';
import { type ApiServer, startApiServer } from '../../app/verify/apiserver';
import { statusMessage } from '../../app/verify/kube-client';
import { readEnvironmentOutput } from '../../app/verify/manifests';
import { environment } from '../helpers';
import { explainSkip, MINOR, readyTools, TOOLS_READY } from './tools-ready';

const ENV = 'prod';
const sandbox = environment(ENV).sandbox!;
const namespace = sandbox.namespace;

// biome-ignore lint/suspicious/noExplicitAny: pods are built from the template and broken on purpose
type Pod = any;

let server: ApiServer;
let template: Pod;

function pod(name: string, mutate: (spec: Pod) => void = () => {}): Pod {
  const spec = structuredClone(template.template.spec);
  mutate(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: template.template.metadata.labels }, spec };
}

async function create(object: Pod, dryRun: boolean): Promise<{ status: number; message: string }> {
  const res = await server.client.apply(`/api/v1/namespaces/${namespace}/pods/${object.metadata.name}`, object, { dryRun });
  return { status: res.status, message: res.status === 200 || res.status === 201 ? '' : statusMessage(res) };
}

explainSkip('test/verify/sandbox-admission.test.ts');

beforeAll(async () => {
  if (!TOOLS_READY) return;
  readyTools();
  const output = readEnvironmentOutput(join(__dirname, '..', '..', 'dist'), ENV);
  const objects = output.objects
    .map((o) => o.object)
    .filter(
      (o) =>
        (o.metadata as { namespace?: string }).namespace === namespace ||
        o.metadata?.name === namespace ||
        o.kind.startsWith('ValidatingAdmissionPolicy'),
    );
  template = objects.find((o) => o.kind === 'PodTemplate');
  expect(template).toBeDefined();
  server = await startApiServer({ minor: MINOR, handleSignals: false });
  const client = server.client;
  const ns = objects.find((o) => o.kind === 'Namespace')!;
  await applyNamespace(client, namespace, ns.metadata.labels ?? {});
  // What GKE Sandbox provides: the RuntimeClass with its handler and the pool's selector and toleration.
  const runtime = {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: 'gvisor' },
    handler: 'gvisor',
    scheduling: {
      nodeSelector: { 'sandbox.gke.io/runtime': 'gvisor' },
      tolerations: [{ key: 'sandbox.gke.io/runtime', operator: 'Equal', value: 'gvisor', effect: 'NoSchedule' }],
    },
  };
  // A plain runtime the nodes also have, so that the policy (not the RuntimeClass plugin) must refuse it.
  const runc = { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'runc' }, handler: 'runc' };
  for (const object of [runtime, runc, ...objects.filter((o) => o.kind !== 'Namespace')] as Pod[]) {
    const path = await client.objectPath(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
    const res = await client.apply(path!, object, { dryRun: false });
    if (res.status !== 200 && res.status !== 201) throw new Error(`${object.kind}/${object.metadata.name}: ${statusMessage(res)}`);
  }
  // A new policy is enforced once the server has compiled it: wait until a pod that breaks it is refused.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const probe = await create(
      pod('probe', (spec) => delete spec.runtimeClassName),
      true,
    );
    if (probe.status === 403) break;
    if (Date.now() > deadline) throw new Error(`the policy was never enforced: ${JSON.stringify(probe)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}, 600_000);

afterAll(async () => {
  await server?.stop();
});

describe.skipIf(!TOOLS_READY)(`${ENV}'s sandbox admission policy on kube-apiserver ${MINOR}`, () => {
  it('admits a pod stamped from the PodTemplate', async () => {
    expect(await create(pod('good'), true)).toEqual({ status: 201, message: '' });
  });

  const BROKEN: readonly (readonly [string, (spec: Pod) => void, string])[] = [
    ['no runtime class', (spec) => delete spec.runtimeClassName, 'a project pod runs under runtimeClassName gvisor (GKE Sandbox)'],
    ['another runtime class', (spec) => (spec.runtimeClassName = 'runc'), 'a project pod runs under runtimeClassName gvisor'],
    [
      'another image',
      (spec) => (spec.containers[0].image = 'registry.example.com/miner:1.0.0'),
      'a project pod has one container, project, running',
    ],
    [
      'the image by tag only',
      (spec) => (spec.containers[0].image = spec.containers[0].image.split('@')[0]),
      'a project pod has one container, project, running',
    ],
    ['the default ServiceAccount', (spec) => delete spec.serviceAccountName, 'a project pod runs as ServiceAccount project-runtime'],
    ['a mounted token', (spec) => (spec.automountServiceAccountToken = true), 'a project pod sets automountServiceAccountToken: false'],
    [
      'another volume',
      (spec) => spec.volumes.push({ name: 'extra', configMap: { name: 'anything' } }),
      'a project pod mounts only its tmp emptyDir volume',
    ],
    ['no deadline', (spec) => delete spec.activeDeadlineSeconds, 'a project pod ends within activeDeadlineSeconds'],
    ['another pool', (spec) => (spec.nodeSelector['cloud.google.com/gke-nodepool'] = 'backend'), 'a project pod runs on node pool sandbox'],
  ];

  it.each(BROKEN)('refuses a pod with %s', async (name, mutate, message) => {
    const result = await create(pod(name.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, ''), mutate), true);
    // The policy's reason is Forbidden: 403.
    expect(result.status).toBe(403);
    expect(result.message).toContain('ValidatingAdmissionPolicy');
    expect(result.message).toContain(message);
  });

  it('refuses an ephemeral container added to a running project pod (kubectl debug)', async () => {
    expect(await create(pod('debugged'), false)).toEqual({ status: 201, message: '' });
    const res = await server.client.request(
      'PATCH',
      `/api/v1/namespaces/${namespace}/pods/debugged/ephemeralcontainers`,
      {
        spec: {
          ephemeralContainers: [
            {
              name: 'debugger',
              image: template.template.spec.containers[0].image,
              targetContainerName: 'project',
              // Restricted, so that Pod Security admits it and only the policy refuses it.
              securityContext: template.template.spec.containers[0].securityContext,
            },
          ],
        },
      },
      'application/strategic-merge-patch+json',
    );
    expect(res.status).toBe(403);
    expect(statusMessage(res)).toContain('a project pod gets no ephemeral containers');
  });
});
