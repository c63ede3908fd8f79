import { describe, expect, it } from 'vitest';
import { ProjectSandbox, type ProjectSandboxProps, type SandboxSpec } from '../../lib/constructs/project-sandbox';
import { inventory, only, synth } from './synth';

interface Namespace {
  metadata: { name: string; labels: Record<string, string> };
}

interface ResourceQuota {
  metadata: { name: string; namespace: string };
  spec: { hard: Record<string, string> };
}

interface LimitRange {
  spec: { limits: { defaultRequest: Record<string, string>; default: Record<string, string>; max: Record<string, string> }[] };
}

interface NetworkPolicy {
  metadata: { name: string; namespace: string };
  spec: { podSelector: Record<string, unknown>; policyTypes: string[]; ingress?: unknown[]; egress?: unknown[] };
}

interface ServiceAccount {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  automountServiceAccountToken: boolean;
}

interface Container {
  name: string;
  image: string;
  imagePullPolicy: string;
  ports: { name: string; containerPort: number; protocol: string }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: {
    runAsNonRoot: boolean;
    runAsUser: number;
    allowPrivilegeEscalation: boolean;
    privileged: boolean;
    readOnlyRootFilesystem: boolean;
    capabilities: { drop: string[] };
    seccompProfile: { type: string };
  };
  volumeMounts: { name: string; mountPath: string }[];
}

interface PodTemplate {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string> };
    spec: {
      serviceAccountName: string;
      automountServiceAccountToken: boolean;
      restartPolicy: string;
      activeDeadlineSeconds: number;
      runtimeClassName?: string;
      nodeSelector?: Record<string, string>;
      tolerations?: Record<string, string>[];
      enableServiceLinks: boolean;
      securityContext: { runAsNonRoot: boolean; runAsUser: number; runAsGroup: number; fsGroup: number; seccompProfile: { type: string } };
      containers: Container[];
      volumes: { name: string; emptyDir: { sizeLimit: string } }[];
    };
  };
}

const sandbox: SandboxSpec = {
  namespace: 'projects',
  image: { repository: 'registry.example.com/project-runtime', tag: '2.1.0' },
  resources: {
    requests: { cpu: '250m', memory: '256Mi', ephemeralStorage: '512Mi' },
    limits: { cpu: '500m', memory: '512Mi', ephemeralStorage: '1Gi' },
  },
  activeDeadlineSeconds: 3600,
  maxPods: 20,
  port: 8080,
  pool: 'projects',
};

const props: ProjectSandboxProps = {
  environment: { name: 'prod', partOf: 'platform', kubernetesVersion: '1.35' },
  sandbox,
  nodePoolLabel: 'cloud.google.com/gke-nodepool',
  launcher: { namespace: 'platform', serviceAccountName: 'api' },
};

function render(p: ProjectSandboxProps) {
  let construct: ProjectSandbox | undefined;
  const objects = synth((chart) => {
    construct = new ProjectSandbox(chart, 'sandbox', p);
  });
  return { objects, sandbox: construct!, template: only<PodTemplate>(objects, 'PodTemplate') };
}

describe('ProjectSandbox', () => {
  it('emits a closed namespace, its quota, its isolation and the project pod template', () => {
    const { objects } = render(props);
    expect(inventory(objects)).toEqual([
      'Namespace/projects',
      'ResourceQuota/projects',
      'LimitRange/projects',
      'NetworkPolicy/deny-all',
      'ServiceAccount/project-runtime',
      'PodTemplate/project-runtime',
      'ValidatingAdmissionPolicy/projects-pod-shape',
      'ValidatingAdmissionPolicyBinding/projects-pod-shape',
      'ServiceAccount/default',
      'Role/project-launcher',
      'RoleBinding/project-launcher',
    ]);
    expect(objects).toMatchSnapshot();
  });

  it('puts every namespaced object in the sandbox namespace', () => {
    const { objects, sandbox: construct } = render(props);
    expect(construct.namespace).toBe('projects');
    const namespaced = objects.filter(
      (o) => !['Namespace', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'].includes(o.kind),
    );
    expect(namespaced.map((o) => o.metadata.namespace)).toEqual(Array(8).fill('projects'));
  });

  it('enforces Pod Security "restricted" and keeps the sidecar out', () => {
    const { labels } = only<Namespace>(render(props).objects, 'Namespace').metadata;
    expect(labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'istio-injection': 'disabled',
      'app.kubernetes.io/part-of': 'platform',
      'app.kubernetes.io/managed-by': 'cdk8s',
    });
  });

  it('caps the namespace at maxPods project pods and refuses load balancers and node ports', () => {
    expect(only<ResourceQuota>(render(props).objects, 'ResourceQuota').spec.hard).toEqual({
      pods: '20',
      'requests.cpu': '5',
      'requests.memory': '5Gi',
      'requests.ephemeral-storage': '10Gi',
      'limits.cpu': '10',
      'limits.memory': '10Gi',
      'limits.ephemeral-storage': '20Gi',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
  });

  it('never lets a container be larger than the project pod', () => {
    expect(only<LimitRange>(render(props).objects, 'LimitRange').spec.limits[0]).toMatchObject({
      defaultRequest: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '512Mi' },
      default: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
      max: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
    });
  });

  it('cuts every pod off in both directions, DNS included', () => {
    const policy = only<NetworkPolicy>(render(props).objects, 'NetworkPolicy');
    expect(policy.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('gives project pods an identity without an API token', () => {
    const account = (render(props).objects as unknown as ServiceAccount[]).find(
      (o) => (o as { kind?: string }).kind === 'ServiceAccount' && o.metadata.name === 'project-runtime',
    )!;
    expect(account.automountServiceAccountToken).toBe(false);
    expect(account.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'project-runtime', 'app.kubernetes.io/version': '2.1.0' });
  });

  it('runs each project pod once, for at most the deadline, without a token or service links', () => {
    const { spec } = render(props).template.template;
    expect(spec.serviceAccountName).toBe('project-runtime');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.activeDeadlineSeconds).toBe(3600);
    expect(spec.enableServiceLinks).toBe(false);
  });

  it('hardens the project pod as "restricted": UID 10001, no escalation, no capabilities, read-only root', () => {
    const { spec } = render(props).template.template;
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.containers[0]!.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }]);
    expect(spec.containers[0]!.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it('runs the pinned image with the project resources on the project port', () => {
    const [container] = render(props).template.template.spec.containers;
    expect(container!.name).toBe('project');
    expect(container!.image).toBe('registry.example.com/project-runtime:2.1.0');
    expect(container!.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container!.resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '512Mi' },
      limits: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
    });
  });

  it("runs project pods under GKE Sandbox's gVisor runtime on the sandbox's own tainted pool, and nowhere else", () => {
    const { spec } = render(props).template.template;
    expect(spec.runtimeClassName).toBe('gvisor');
    expect(spec.nodeSelector).toEqual({ 'cloud.google.com/gke-nodepool': 'projects' });
    expect(spec.tolerations).toEqual([{ key: 'sandbox.gke.io/runtime', operator: 'Equal', value: 'gvisor', effect: 'NoSchedule' }]);
    expect(only<Namespace>(render(props).objects, 'Namespace').metadata.labels).toMatchObject({ 'workload-trust': 'untrusted' });
  });

  it("binds a Deny admission policy to the namespace that holds every pod to the template's shape", () => {
    const { objects } = render(props);
    const policy = only<{ spec: { failurePolicy: string; matchConstraints: unknown; validations: { expression: string }[] } }>(
      objects,
      'ValidatingAdmissionPolicy',
    );
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints).toEqual({
      resourceRules: [
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] },
      ],
    });
    const expressions = policy.spec.validations.map((v) => v.expression).join('\n');
    for (const fragment of [
      "object.spec.serviceAccountName == 'project-runtime'",
      'object.spec.automountServiceAccountToken == false',
      "object.spec.runtimeClassName == 'gvisor'",
      "object.spec.nodeSelector['cloud.google.com/gke-nodepool'] == 'projects'",
      "c.image == 'registry.example.com/project-runtime:2.1.0'",
      'size(object.spec.ephemeralContainers) == 0',
      "v.name == 'tmp' && has(v.emptyDir)",
      'object.spec.activeDeadlineSeconds <= 3600',
    ])
      expect(expressions).toContain(fragment);
    const binding = only<{ spec: unknown }>(objects, 'ValidatingAdmissionPolicyBinding');
    expect(binding.spec).toEqual({
      policyName: 'projects-pod-shape',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'projects' } } },
    });
  });

  it("turns the namespace's default ServiceAccount's token off and lets the launcher manage pods, nothing more", () => {
    const { objects } = render(props);
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount') as unknown as ServiceAccount[];
    expect(accounts.find((a) => a.metadata.name === 'default')?.automountServiceAccountToken).toBe(false);
    const role = only<{ rules: unknown[] }>(objects, 'Role');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
      { apiGroups: [''], resources: ['podtemplates'], resourceNames: ['project-runtime'], verbs: ['get'] },
    ]);
    const binding = only<{ roleRef: unknown; subjects: unknown[] }>(objects, 'RoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'project-launcher' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'api', namespace: 'platform' }]);
  });

  it('pins the image by digest when one is given', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const { template } = render({ ...props, sandbox: { ...sandbox, image: { ...sandbox.image, digest } } });
    expect(template.template.spec.containers[0]!.image).toBe(`registry.example.com/project-runtime:2.1.0@${digest}`);
  });
});
