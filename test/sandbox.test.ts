/** The user-project sandbox (SEC-09): its own locked-down namespace and the one pod shape projects run as. */
import { App, ApiObject } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { environmentNames, loadEnvironment } from '../environments';
import dev from '../environments/dev';
import { SandboxChart } from '../charts/sandbox-chart';
import { projectRuntimeName } from '../lib/constructs/project-sandbox';
import { imageReference } from '../lib/pod-template';
import type { Manifest } from '../lib/core/manifest';
import { planEnvironment, workloadsOf } from '../app/plan';
import { environment, find, objects, podTemplates, rendered } from './helpers';
import type { Labels, NetworkPolicyJson, PodTemplateJson, WithSpec } from './k8s-json';

type ResourceQuota = WithSpec<{ readonly hard: Labels }>;
type LimitRange = WithSpec<{ readonly limits: readonly { readonly max?: Labels; readonly defaultRequest?: Labels }[] }>;
/** A PodTemplate object: its pod template sits at the top level, beside metadata. */
type PodTemplate = Manifest & { readonly template: PodTemplateJson };

const withSandbox = environmentNames().filter((name) => environment(name).sandbox !== undefined);

it('some environment runs a sandbox', () => expect(withSandbox.length).toBeGreaterThan(0));

describe.each(withSandbox)('%s sandbox', (name) => {
  const env = rendered(name);
  const spec = environment(name);
  const sandbox = spec.sandbox!;
  const inSandbox = <T extends Manifest = Manifest>(kind: string) =>
    objects<T>(env, kind).filter((o) => o.metadata.namespace === sandbox.namespace);

  it('is its own namespace, Pod Security "restricted" enforced, no sidecars', () => {
    expect(sandbox.namespace).not.toBe(spec.namespace);
    expect(find(env, 'Namespace', sandbox.namespace).metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'istio-injection': 'disabled',
    });
  });

  it('denies all ingress and all egress of every pod, and allows nothing else', () => {
    const policies = inSandbox<NetworkPolicyJson>('NetworkPolicy');
    expect(policies).toHaveLength(1);
    const [policy] = policies;
    expect(policy.spec.podSelector).toEqual({});
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress ?? []).toEqual([]);
    expect(policy.spec.egress ?? []).toEqual([]);
  });

  it('caps the namespace at maxPods pods of the project size', () => {
    const [quota] = inSandbox<ResourceQuota>('ResourceQuota');
    const { requests, limits } = sandbox.resources;
    expect(quota.spec.hard.pods).toBe(String(sandbox.maxPods));
    // Each figure is maxPods × one pod; the prod case is pinned below.
    expect(Object.keys(quota.spec.hard)).toEqual(
      expect.arrayContaining(['requests.cpu', 'limits.cpu', 'requests.memory', 'limits.memory']),
    );
    const [limitRange] = inSandbox<LimitRange>('LimitRange');
    expect(limitRange.spec.limits[0].max).toEqual({ cpu: limits.cpu, memory: limits.memory, 'ephemeral-storage': limits.ephemeralStorage });
    expect(limitRange.spec.limits[0].defaultRequest).toEqual({
      cpu: requests.cpu,
      memory: requests.memory,
      'ephemeral-storage': requests.ephemeralStorage,
    });
  });

  it('offers a PodTemplate that runs once, for at most the deadline, hardened', () => {
    const template = find<PodTemplate>(env, 'PodTemplate', projectRuntimeName());
    expect(template.metadata.namespace).toBe(sandbox.namespace);
    const pod = template.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.activeDeadlineSeconds).toBe(sandbox.activeDeadlineSeconds);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThanOrEqual(10000);
    const [container] = pod.containers;
    expect(pod.containers).toHaveLength(1);
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext.runAsUser).toBeGreaterThanOrEqual(10000);
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: sandbox.resources.limits.ephemeralStorage } }]);
    expect(container.resources).toEqual({
      requests: {
        cpu: sandbox.resources.requests.cpu,
        memory: sandbox.resources.requests.memory,
        'ephemeral-storage': sandbox.resources.requests.ephemeralStorage,
      },
      limits: {
        cpu: sandbox.resources.limits.cpu,
        memory: sandbox.resources.limits.memory,
        'ephemeral-storage': sandbox.resources.limits.ephemeralStorage,
      },
    });
    expect(container.image).toBe(imageReference(sandbox.image));
  });

  it('runs project pods as a dedicated ServiceAccount without an API token', () => {
    const pod = find<PodTemplate>(env, 'PodTemplate', projectRuntimeName()).template.spec;
    const account = inSandbox('ServiceAccount').find((a) => a.metadata.name === pod.serviceAccountName);
    expect(pod.serviceAccountName).not.toBe('default');
    expect(account?.automountServiceAccountToken).toBe(false);
  });

  it("runs project pods under GKE Sandbox's gVisor runtime on the sandbox's own pool, tolerating its taint", () => {
    const pod = find<PodTemplate>(env, 'PodTemplate', projectRuntimeName()).template.spec as PodTemplateJson['spec'] & {
      runtimeClassName?: string;
      tolerations?: unknown[];
    };
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(pod.nodeSelector).toEqual({ [spec.cluster.nodePoolLabel]: sandbox.pool });
    expect(pod.tolerations).toEqual([{ key: 'sandbox.gke.io/runtime', operator: 'Equal', value: 'gvisor', effect: 'NoSchedule' }]);
    expect(find(env, 'Namespace', sandbox.namespace).metadata.labels).toMatchObject({ 'workload-trust': 'untrusted' });
  });

  it("shares the sandbox's pool with no other pod, and the plan counts maxPods project pods there", () => {
    const workloads = workloadsOf(env.objects, spec.cluster.nodePoolLabel);
    expect(workloads.length).toBeGreaterThan(0);
    expect(workloads.filter((w) => w.pool === sandbox.pool)).toEqual([
      expect.objectContaining({
        kind: 'PodTemplate',
        name: projectRuntimeName(),
        namespace: sandbox.namespace,
        replicas: { min: 0, max: sandbox.maxPods },
        autoscaler: 'ResourceQuota',
      }),
    ]);
    const platformTemplates = podTemplates(env);
    expect(platformTemplates.length).toBeGreaterThan(0);
    for (const { template } of platformTemplates) expect(template.spec.nodeSelector?.[spec.cluster.nodePoolLabel]).not.toBe(sandbox.pool);
  });

  it("binds the pod-shape policy to the namespace, turns the default ServiceAccount's token off, and lets only the launcher manage pods", () => {
    const binding = find<Manifest & { spec: { policyName: string; validationActions: string[]; matchResources: unknown } }>(
      env,
      'ValidatingAdmissionPolicyBinding',
      `${sandbox.namespace}-pod-shape`,
    );
    expect(binding.spec.validationActions).toEqual(['Deny']);
    expect(binding.spec.matchResources).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': sandbox.namespace } },
    });
    find(env, 'ValidatingAdmissionPolicy', binding.spec.policyName);
    const accounts = inSandbox<Manifest & { automountServiceAccountToken?: boolean }>('ServiceAccount');
    expect(accounts.find((a) => a.metadata.name === 'default')?.automountServiceAccountToken).toBe(false);
    const [roleBinding] = inSandbox<Manifest & { subjects: unknown[] }>('RoleBinding');
    expect(roleBinding!.subjects).toEqual([{ kind: 'ServiceAccount', name: sandbox.launcher, namespace: spec.namespace }]);
  });

  it("makes every project pod Guaranteed (LimitRange ratio 1), and the plan states the pool's GKE Sandbox and PID limit", () => {
    const [limitRange] = inSandbox<LimitRange & { spec: { limits: { maxLimitRequestRatio?: Labels }[] } }>('LimitRange');
    expect(limitRange!.spec.limits[0]!.maxLimitRequestRatio).toEqual({ cpu: '1', memory: '1' });
    expect(sandbox.resources.requests).toEqual(sandbox.resources.limits);
    expect(planEnvironment(spec, env.objects).notes).toContain(
      `${name}: pool ${sandbox.pool} runs untrusted user projects: create it with GKE Sandbox (--sandbox type=gvisor) and the node system config kubeletConfig.podPidsLimit: ${sandbox.podPidsLimit}`,
    );
  });

  it('labels the template and its pods with the recommended labels', () => {
    const template = find<PodTemplate>(env, 'PodTemplate', projectRuntimeName());
    for (const labels of [template.metadata.labels, template.template.metadata.labels]) {
      expect(labels).toMatchObject({
        'app.kubernetes.io/name': projectRuntimeName(),
        'app.kubernetes.io/instance': `${projectRuntimeName()}-${name}`,
        'app.kubernetes.io/part-of': spec.partOf,
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
    }
  });
});

describe('prod sandbox (SEC-09)', () => {
  const prod = rendered('prod');

  it('ends project pods after an hour', () => {
    expect(find<PodTemplate>(prod, 'PodTemplate', 'project-runtime').template.spec.activeDeadlineSeconds).toBe(3600);
  });

  /*
   * 500 pods of 250m / 512Mi / 1Gi, requested and limited alike (Guaranteed):
   * requests.cpu = limits.cpu = 500 × 0.25 = 125, memory 500 × 512Mi = 250Gi, ephemeral 500 × 1Gi = 500Gi.
   */
  it('sizes the quota as maxPods × one project pod, and forbids public endpoints', () => {
    const quota = objects<ResourceQuota>(prod, 'ResourceQuota').find((q) => q.metadata.namespace === 'user-projects');
    expect(quota!.spec.hard).toEqual({
      pods: '500',
      'requests.cpu': '125',
      'limits.cpu': '125',
      'requests.memory': '250Gi',
      'limits.memory': '250Gi',
      'requests.ephemeral-storage': '500Gi',
      'limits.ephemeral-storage': '500Gi',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
  });
});

describe('an environment without a sandbox', () => {
  it('gets no sandbox objects', () => {
    const chart = new SandboxChart(new App(), 'sandbox', { environment: { ...environment('dev'), sandbox: undefined } });
    expect(chart.node.findAll().filter(ApiObject.isApiObject)).toEqual([]);
  });

  it('fails when the sandbox names a pool the environment does not declare', () => {
    expect(() => loadEnvironment({ name: 'no-pool', extends: dev, sandbox: { pool: 'gvisor' } })).toThrow(
      /^no-pool \(.*\): sandbox\.pool = "gvisor": must be a node pool of this environment: general, sandbox$/,
    );
  });

  it('fails a service, an operated data store or the edge on the sandbox pool', () => {
    let error: unknown;
    try {
      loadEnvironment({
        name: 'shared-pool',
        extends: dev,
        services: { backend: { pool: 'sandbox' } },
        dataStores: { postgres: { pool: 'sandbox' } },
        ingress: { pool: 'sandbox' },
      });
    } catch (caught) {
      error = caught;
    }
    const why = 'is the sandbox pool (sandbox.pool): untrusted project code runs there; give this its own pool';
    const lines = (error as Error).message.split('\n').map((line) => line.replace(/^shared-pool \(.*?\): /, ''));
    expect(lines).toEqual(
      expect.arrayContaining([
        `services.backend.pool = "sandbox": ${why}`,
        `dataStores.postgres.pool = "sandbox": ${why}`,
        `ingress.pool = "sandbox": ${why}`,
      ]),
    );
  });

  it('fails a launcher that is not an enabled web service, and a runtime image without a digest', () => {
    let error: unknown;
    try {
      loadEnvironment({ name: 'bad-launcher', extends: dev, sandbox: { launcher: 'worker', image: { digest: null } } });
    } catch (caught) {
      error = caught;
    }
    const lines = (error as Error).message.split('\n').map((line) => line.replace(/^bad-launcher \(.*?\): /, ''));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sandbox\.launcher = "worker": must name the enabled web service that launches project pods: /),
        'sandbox.image.digest = (missing): is required: the sandbox admission policy admits the runtime image by digest only (sha256:<64 hex>), so a moved tag cannot run',
      ]),
    );
  });

  it('fails a project pod that requests less than its limit (burstable)', () => {
    expect(() =>
      loadEnvironment({
        name: 'burstable',
        extends: dev,
        sandbox: { resources: { requests: { cpu: '100m' }, limits: { cpu: '500m' } } },
      }),
    ).toThrow(
      /^burstable \(.*\): sandbox\.resources\.requests\.cpu = "100m": must equal resources\.limits\.cpu \(500m\): a project pod gets what it may use \(Guaranteed\), so it cannot burst into what other projects were promised$/,
    );
  });

  it('fails when the sandbox would share the platform namespace', () => {
    expect(() => loadEnvironment({ name: 'shared', extends: dev, sandbox: { namespace: 'platform' } })).toThrow(
      /^shared \(.*\): sandbox\.namespace = "platform": must differ from namespace: untrusted projects never share the platform's namespace$/,
    );
  });
});
