/**
 * What the API server enforces in the user-project sandbox (SEC-09), so that whoever can create pods
 * there (the platform API, or anyone who takes its identity) gets the one pod shape of the PodTemplate
 * and nothing more:
 * - a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA since Kubernetes 1.30) with CEL
 *   validations of every pod created or updated in the namespace, ephemeral containers included, and
 *   its binding to the namespace with `validationActions: [Deny]`;
 * - the namespace's `default` ServiceAccount without a token (a pod that names no account gets it);
 * - the Role the platform API launches projects with (create, read and delete pods, read the template;
 *   no exec, attach, port-forward, logs or Secrets), bound to the launcher's ServiceAccount.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SCRATCH_VOLUME } from '../restricted-security';
import { GKE_SANDBOX } from '../sandbox-runtime';
import type { BindingJson } from '../binding-json';

/** The policy and its binding share this name (cluster-scoped: one per sandbox namespace). */
export function sandboxPodPolicyName(namespace: string): string {
  return `${namespace}-pod-shape`;
}

/** The Role (and RoleBinding) that lets the launcher manage project pods. */
export function projectLauncherRoleName(): string {
  return 'project-launcher';
}

export interface SandboxAdmissionProps {
  /** The sandbox namespace the policy admits pods to. */
  readonly namespace: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Readonly<Record<string, string>>;
  /** The pod shape every project pod must have. */
  readonly pod: {
    readonly serviceAccountName: string;
    readonly container: string;
    /** The runtime image, by digest. */
    readonly image: string;
    readonly activeDeadlineSeconds: number;
    readonly nodePoolLabel: string;
    readonly pool: string;
  };
  /** The PodTemplate the launcher reads. */
  readonly template: string;
  /** The launcher's ServiceAccount: the platform API that stamps project pods. */
  readonly launcher: { readonly namespace: string; readonly serviceAccountName: string };
}

/** A CEL string literal. */
function cel(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The CEL validations of a project pod, each with the message the API server returns. */
export function sandboxPodValidations(pod: SandboxAdmissionProps['pod']): { expression: string; message: string }[] {
  const spec = 'object.spec';
  return [
    {
      expression: `${spec}.serviceAccountName == ${cel(pod.serviceAccountName)}`,
      message: `a project pod runs as ServiceAccount ${pod.serviceAccountName}`,
    },
    {
      expression: `has(${spec}.automountServiceAccountToken) && ${spec}.automountServiceAccountToken == false`,
      message: 'a project pod sets automountServiceAccountToken: false',
    },
    {
      expression: `has(${spec}.runtimeClassName) && ${spec}.runtimeClassName == ${cel(GKE_SANDBOX.runtimeClassName)}`,
      message: `a project pod runs under runtimeClassName ${GKE_SANDBOX.runtimeClassName} (GKE Sandbox)`,
    },
    {
      expression: `has(${spec}.nodeSelector) && ${cel(pod.nodePoolLabel)} in ${spec}.nodeSelector && ${spec}.nodeSelector[${cel(pod.nodePoolLabel)}] == ${cel(pod.pool)}`,
      message: `a project pod runs on node pool ${pod.pool} (nodeSelector ${pod.nodePoolLabel})`,
    },
    {
      expression: `size(${spec}.containers) == 1 && ${spec}.containers.all(c, c.name == ${cel(pod.container)} && c.image == ${cel(pod.image)})`,
      message: `a project pod has one container, ${pod.container}, running ${pod.image}`,
    },
    {
      expression: `!has(${spec}.initContainers) || size(${spec}.initContainers) == 0`,
      message: 'a project pod has no init containers',
    },
    {
      expression: `!has(${spec}.ephemeralContainers) || size(${spec}.ephemeralContainers) == 0`,
      message: 'a project pod gets no ephemeral containers',
    },
    {
      expression: `!has(${spec}.volumes) || ${spec}.volumes.all(v, v.name == ${cel(SCRATCH_VOLUME)} && has(v.emptyDir))`,
      message: `a project pod mounts only its ${SCRATCH_VOLUME} emptyDir volume`,
    },
    {
      expression: `has(${spec}.activeDeadlineSeconds) && ${spec}.activeDeadlineSeconds <= ${pod.activeDeadlineSeconds}`,
      message: `a project pod ends within activeDeadlineSeconds ${pod.activeDeadlineSeconds}`,
    },
    {
      expression: `has(${spec}.restartPolicy) && ${spec}.restartPolicy == 'Never'`,
      message: 'a project pod runs once (restartPolicy: Never)',
    },
    {
      expression: `has(${spec}.enableServiceLinks) && ${spec}.enableServiceLinks == false`,
      message: 'a project pod sets enableServiceLinks: false',
    },
  ];
}

export class SandboxAdmission extends Construct {
  constructor(scope: Construct, id: string, props: SandboxAdmissionProps) {
    super(scope, id);
    const { namespace, labels } = props;
    const name = sandboxPodPolicyName(namespace);

    // Typed by the v1beta1 binding of cdk8s-plus-28 (Kubernetes 1.28): v1 (GA in 1.30) has the same
    // fields (imports/kubernetes/v1.35.4-definitions.json, admissionregistration.v1).
    new ApiObject(this, 'Policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels },
      spec: {
        // A policy the server cannot evaluate refuses the pod.
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['CREATE', 'UPDATE'],
              // kubectl debug adds containers through the ephemeralcontainers subresource.
              resources: ['pods', 'pods/ephemeralcontainers'],
            },
          ],
        },
        validations: sandboxPodValidations(props.pod).map((v) => ({ ...v, reason: 'Forbidden' })),
      } satisfies BindingJson<k8s.ValidatingAdmissionPolicySpecV1Beta1>,
    });
    new ApiObject(this, 'Binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels },
      spec: {
        policyName: name,
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } },
      } satisfies BindingJson<k8s.ValidatingAdmissionPolicyBindingSpecV1Beta1>,
    });

    // A pod that names no ServiceAccount gets `default`; it must never carry a token either.
    new k8s.KubeServiceAccount(this, 'DefaultServiceAccount', {
      metadata: { name: 'default', namespace, labels },
      automountServiceAccountToken: false,
    });

    const role = projectLauncherRoleName();
    new k8s.KubeRole(this, 'LauncherRole', {
      metadata: { name: role, namespace, labels },
      rules: [
        // No pods/exec, pods/attach, pods/portforward or pods/log: sub-resources need rules of their own.
        { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
        { apiGroups: [''], resources: ['podtemplates'], resourceNames: [props.template], verbs: ['get'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'LauncherBinding', {
      metadata: { name: role, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
      subjects: [{ kind: 'ServiceAccount', name: props.launcher.serviceAccountName, namespace: props.launcher.namespace }],
    });
  }
}
