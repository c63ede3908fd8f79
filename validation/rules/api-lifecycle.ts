/**
 * api/lifecycle — no object uses an API version that the cluster's Kubernetes minor has removed or
 * deprecated: a removed one is refused by the API server (the sync fails), a deprecated one is removed
 * in a later minor and warns on every apply. The table is the Kubernetes deprecated API migration
 * guide (kubernetes.io/docs/reference/using-api/deprecation-guide/) for the built-in kinds; the pinned
 * CRDs' served versions are checked by the schemas.
 */
import { compareMinor } from '../../lib/addons/chart-facts';
import { show, violation, type RuleFamily } from './model';

export const API_LIFECYCLE = 'api/lifecycle';

interface Lifecycle {
  /** `group/version` (`v1` for the core group). */
  readonly apiVersion: string;
  readonly kinds: readonly string[];
  /** The minor that deprecated it. */
  readonly deprecated: string;
  /** The minor that stopped serving it. @default - still served */
  readonly removed?: string;
  /** What to use instead. */
  readonly use: string;
}

const APPS = ['Deployment', 'DaemonSet', 'ReplicaSet', 'StatefulSet'];

export const API_LIFECYCLES: readonly Lifecycle[] = [
  {
    apiVersion: 'extensions/v1beta1',
    kinds: [...APPS, 'Ingress', 'NetworkPolicy', 'PodSecurityPolicy'],
    deprecated: '1.8',
    removed: '1.16',
    use: 'apps/v1, networking.k8s.io/v1',
  },
  { apiVersion: 'apps/v1beta1', kinds: APPS, deprecated: '1.9', removed: '1.16', use: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', kinds: APPS, deprecated: '1.9', removed: '1.16', use: 'apps/v1' },
  {
    apiVersion: 'networking.k8s.io/v1beta1',
    kinds: ['Ingress', 'IngressClass'],
    deprecated: '1.19',
    removed: '1.22',
    use: 'networking.k8s.io/v1',
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1beta1',
    kinds: ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
    deprecated: '1.17',
    removed: '1.22',
    use: 'rbac.authorization.k8s.io/v1',
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    deprecated: '1.16',
    removed: '1.22',
    use: 'admissionregistration.k8s.io/v1',
  },
  {
    apiVersion: 'apiextensions.k8s.io/v1beta1',
    kinds: ['CustomResourceDefinition'],
    deprecated: '1.16',
    removed: '1.22',
    use: 'apiextensions.k8s.io/v1',
  },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], deprecated: '1.21', removed: '1.25', use: 'batch/v1' },
  { apiVersion: 'discovery.k8s.io/v1beta1', kinds: ['EndpointSlice'], deprecated: '1.21', removed: '1.25', use: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', kinds: ['Event'], deprecated: '1.19', removed: '1.25', use: 'events.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta1', kinds: ['HorizontalPodAutoscaler'], deprecated: '1.22', removed: '1.25', use: 'autoscaling/v2' },
  { apiVersion: 'autoscaling/v2beta2', kinds: ['HorizontalPodAutoscaler'], deprecated: '1.23', removed: '1.26', use: 'autoscaling/v2' },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodDisruptionBudget', 'PodSecurityPolicy'],
    deprecated: '1.21',
    removed: '1.25',
    use: 'policy/v1 (PSP: Pod Security labels)',
  },
  { apiVersion: 'node.k8s.io/v1beta1', kinds: ['RuntimeClass'], deprecated: '1.20', removed: '1.25', use: 'node.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIStorageCapacity'], deprecated: '1.24', removed: '1.27', use: 'storage.k8s.io/v1' },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    deprecated: '1.26',
    removed: '1.29',
    use: 'flowcontrol.apiserver.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    deprecated: '1.29',
    removed: '1.32',
    use: 'flowcontrol.apiserver.k8s.io/v1',
  },
  // Served, but deprecated since 1.33: Services' endpoints are EndpointSlices.
  { apiVersion: 'v1', kinds: ['Endpoints'], deprecated: '1.33', use: 'discovery.k8s.io/v1 EndpointSlice' },
];

export const apiLifecycleRules: RuleFamily = {
  ids: [API_LIFECYCLE],
  check(model, ctx, out) {
    const version = ctx.kubernetesVersion;
    if (version === undefined) return;
    for (const entry of model.entries) {
      const api = String(entry.obj.apiVersion ?? '');
      const found = API_LIFECYCLES.find((l) => l.apiVersion === api && l.kinds.includes(entry.kind));
      if (found === undefined || compareMinor(version, found.deprecated) < 0) continue;
      const removed = found.removed !== undefined && compareMinor(version, found.removed) >= 0;
      out.push(
        violation(
          API_LIFECYCLE,
          entry,
          'apiVersion',
          removed
            ? `${show(api)} ${entry.kind} is not served by Kubernetes ${version} (removed in ${found.removed}): use ${found.use}`
            : `${show(api)} ${entry.kind} is deprecated in Kubernetes ${version} (since ${found.deprecated}) and will be removed: use ${found.use}`,
        ),
      );
    }
  },
};
