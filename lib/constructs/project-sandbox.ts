/**
 * The namespace user projects run in (SEC-09): untrusted code, so everything is closed by default.
 * Pod Security "restricted" is enforced by the namespace, a quota caps the number and size of project
 * pods, a NetworkPolicy cuts every pod off in both directions, and a PodTemplate holds the one pod
 * shape the platform API stamps per project (it copies `template` into a Pod with the project's name
 * and labels), so a project pod cannot be more privileged or larger than this file says.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { amountsOf, scaleAmounts } from '../core/resource-amounts';
import { MANAGED_BY, platformLabels, recommendedLabels } from '../labels';
import { HTTP_PORT_NAME } from '../names';
import { NamespaceQuota } from './namespace-quota';
import { PlatformNamespace } from './platform-namespace';
import { imageReference, type ImageSpec } from '../pod-template';
import { resourceRequirements, type ResourceSpec } from '../resources';
import { SandboxAdmission } from './sandbox-admission';
import { GKE_SANDBOX, gkeSandboxToleration, UNTRUSTED_NAMESPACE_LABEL } from '../sandbox-runtime';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchMount, scratchVolume } from '../restricted-security';

/** The sandbox an environment declares (SEC-09). */
export interface SandboxSpec {
  /** Its namespace; never the platform's. */
  readonly namespace: string;
  readonly image: ImageSpec;
  /** Requests and limits of one project pod. */
  readonly resources: ResourceSpec;
  /** Seconds a project pod may run. */
  readonly activeDeadlineSeconds: number;
  /** Most project pods at once. */
  readonly maxPods: number;
  /** The port a project serves on. */
  readonly port: number;
  /** The GKE Sandbox node pool project pods run on, and nothing else. */
  readonly pool: string;
}

/** The ServiceAccount of the service that launches project pods (the platform API). */
export interface SandboxLauncher {
  readonly namespace: string;
  readonly serviceAccountName: string;
}

/** The PodTemplate the platform API stamps project pods from, and their ServiceAccount. */
export function projectRuntimeName(): string {
  return 'project-runtime';
}

/** The container of a project pod. */
export const PROJECT_CONTAINER = 'project';

/** The NetworkPolicy that isolates every pod of the sandbox. */
export function sandboxIsolationPolicyName(): string {
  return 'deny-all';
}

export interface ProjectSandboxProps {
  /** The environment's name and the application it is part of, for labels. */
  readonly environment: { readonly name: string; readonly partOf: string; readonly kubernetesVersion: string };
  /** The sandbox namespace's model: pool, runtime image, quota and limits of project pods. */
  readonly sandbox: SandboxSpec;
  /** Node label whose value is the node pool name (GKE: cloud.google.com/gke-nodepool). */
  readonly nodePoolLabel: string;
  /** The platform API that stamps project pods: its namespace and ServiceAccount. */
  readonly launcher: SandboxLauncher;
}

export class ProjectSandbox extends Construct {
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: ProjectSandboxProps) {
    super(scope, id);
    const { environment, sandbox } = props;
    this.namespace = sandbox.namespace;
    const namespace = this.namespace;
    const labels = platformLabels(environment, 'project-sandbox');

    new PlatformNamespace(this, 'Namespace', {
      name: namespace,
      kubernetesVersion: environment.kubernetesVersion,
      labels: {
        'app.kubernetes.io/part-of': environment.partOf,
        'app.kubernetes.io/managed-by': MANAGED_BY,
        // No sidecar: a proxy would need egress to istiod, and project pods get no network at all.
        'istio-injection': 'disabled',
        [UNTRUSTED_NAMESPACE_LABEL.key]: UNTRUSTED_NAMESPACE_LABEL.value,
      },
    });

    const pod = { requests: amountsOf(sandbox.resources.requests), limits: amountsOf(sandbox.resources.limits) };
    new NamespaceQuota(this, 'Quota', {
      namespace,
      labels,
      quota: {
        pods: sandbox.maxPods,
        requests: scaleAmounts(pod.requests, sandbox.maxPods),
        limits: scaleAmounts(pod.limits, sandbox.maxPods),
      },
      // A project pod may never be larger than the template, even if the platform API is misused.
      // Request = limit: a project pod is Guaranteed and cannot burst into what the others were promised.
      containers: { defaultRequest: pod.requests, default: pod.limits, max: pod.limits, requestEqualsLimit: true },
      // A project must never get a public or node-level endpoint.
      counts: { 'services.loadbalancers': 0, 'services.nodeports': 0 },
    });

    // No ingress or egress rule: every connection in or out of every pod is dropped, DNS included.
    new k8s.KubeNetworkPolicy(this, 'Isolation', {
      metadata: { name: sandboxIsolationPolicyName(), namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    const runtime = projectRuntimeName();
    const runtimeLabels = recommendedLabels({
      name: runtime,
      environment: environment.name,
      partOf: environment.partOf,
      component: 'sandbox',
      version: sandbox.image.tag,
    });
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: runtime, namespace, labels: runtimeLabels },
      // Project code must never reach the Kubernetes API.
      automountServiceAccountToken: false,
    });
    new k8s.KubePodTemplate(this, 'PodTemplate', {
      metadata: { name: runtime, namespace, labels: runtimeLabels },
      template: {
        metadata: { labels: runtimeLabels },
        spec: {
          serviceAccountName: runtime,
          automountServiceAccountToken: false,
          // A project pod runs once, for at most the environment's deadline, then is gone.
          restartPolicy: 'Never',
          activeDeadlineSeconds: sandbox.activeDeadlineSeconds,
          // Service environment variables would tell project code the addresses of everything else.
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(),
          // gVisor's user-space kernel between project code and the node's kernel, on the sandbox's own
          // pool: an escape reaches neither the platform's pods nor their secrets and mesh identities.
          runtimeClassName: GKE_SANDBOX.runtimeClassName,
          nodeSelector: { [props.nodePoolLabel]: sandbox.pool },
          tolerations: [gkeSandboxToleration()],
          containers: [
            {
              name: PROJECT_CONTAINER,
              image: imageReference(sandbox.image),
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: HTTP_PORT_NAME, containerPort: sandbox.port, protocol: 'TCP' }],
              resources: resourceRequirements(sandbox.resources),
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [scratchMount()],
            },
          ],
          volumes: [scratchVolume(sandbox.resources.limits.ephemeralStorage)],
        },
      },
    });

    new SandboxAdmission(this, 'Admission', {
      namespace,
      labels,
      pod: {
        serviceAccountName: runtime,
        container: PROJECT_CONTAINER,
        image: imageReference(sandbox.image),
        activeDeadlineSeconds: sandbox.activeDeadlineSeconds,
        nodePoolLabel: props.nodePoolLabel,
        pool: sandbox.pool,
      },
      template: runtime,
      launcher: props.launcher,
    });
  }
}
