/**
 * Who each Flux stage applies as. Without `serviceAccountName` kustomize-controller and helm-controller
 * apply with their own ServiceAccount, which `flux install` binds to cluster-admin: any object in any
 * folder, RBAC and webhooks included, would be applied. Here every stage impersonates its own
 * ServiceAccount in flux-system (Kustomization and HelmRelease `.spec.serviceAccountName`), and each
 * account may write exactly the kinds its folder holds (read from the objects the stage applies):
 * - crds: Gateway API's CustomResourceDefinitions and its safe-upgrades admission policy;
 * - addons: the add-ons' Namespaces, HelmRepositories and HelmReleases, nothing else;
 * - apps: the apps' kinds (and `bind`/`escalate` only on the Roles the apps emit, which RBAC requires
 *   to create a Role it does not hold); never ClusterRoles, bindings of them, or webhooks.
 * Two accounts are cluster-admin, and say why: the gitops stage applies these very roles (RBAC lets
 * only a holder of a permission grant it), and the add-ons' Helm releases install charts that create
 * CRDs, ClusterRoles and webhooks.
 * The kinds are granted in every namespace: a stage creates the namespaces it writes into (a Role
 * cannot exist before its namespace).
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import type { Manifest } from '../core/manifest';
import { FLUX_NAMESPACE, stageName, type Stage } from './names';

/** The ServiceAccount a stage's Kustomization impersonates. */
export function stageServiceAccountName(environment: string, stage: Stage): string {
  return `flux-${stageName(environment, stage)}`;
}

/** The ServiceAccount the add-ons' HelmReleases impersonate. */
export function helmReleaseServiceAccountName(environment: string): string {
  return `flux-${environment}-helm`;
}

/** The verbs server-side apply, drift detection, pruning and health checks need. */
export const APPLY_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;

/** An API resource: its group and plural. */
export interface ApiResource {
  readonly group: string;
  readonly resource: string;
}

/**
 * The plural Kubernetes serves a kind under (the API machinery's default: `-y` after a consonant
 * becomes `-ies`, `-s`, `-x`, `-ch` and `-sh` take `-es`, anything else `-s`); every kind this
 * project emits follows it (verify's API server serves each one under this name).
 */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** The resources a set of objects is written as, each once, in a stable order. */
export function writtenResources(objects: readonly Pick<Manifest, 'apiVersion' | 'kind'>[]): ApiResource[] {
  const seen = new Map<string, ApiResource>();
  for (const o of objects) {
    const resource = { group: groupOf(o.apiVersion), resource: pluralOf(o.kind) };
    seen.set(`${resource.group}/${resource.resource}`, resource);
  }
  return [...seen.values()].sort((a, b) => `${a.group}/${a.resource}`.localeCompare(`${b.group}/${b.resource}`));
}

/** The resources a list of kinds (`group` and `kind`) is written as. */
export function kindResources(kinds: readonly { readonly group: string; readonly kind: string }[]): ApiResource[] {
  return writtenResources(kinds.map((k) => ({ apiVersion: k.group === '' ? 'v1' : `${k.group}/v1`, kind: k.kind })));
}

/** RBAC rules granting the apply verbs on the resources, one rule per API group. */
export function applyRules(resources: readonly ApiResource[]): k8s.PolicyRule[] {
  const byGroup = new Map<string, string[]>();
  for (const r of resources) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.resource]);
  return [...byGroup.entries()].map(([group, names]) => ({ apiGroups: [group], resources: names, verbs: [...APPLY_VERBS] }));
}

export interface StageAccessProps {
  /** The environment the stage belongs to. */
  readonly environment: string;
  /** The stage (a dist/ folder) whose Kustomization or Application applies as this account. */
  readonly stage: Stage;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** What the stage writes, or cluster-admin with the reason it needs it. */
  readonly access: { readonly resources: readonly ApiResource[]; readonly roles?: readonly string[] } | { readonly clusterAdmin: string };
  /** The account's name. @default stageServiceAccountName(environment, stage) */
  readonly serviceAccountName?: string;
}

/** One stage's ServiceAccount in flux-system, its ClusterRole and the binding. */
export class StageAccess extends Construct {
  readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: StageAccessProps) {
    super(scope, id);
    const name = props.serviceAccountName ?? stageServiceAccountName(props.environment, props.stage);
    this.serviceAccountName = name;
    const { labels, access } = props;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name,
        namespace: FLUX_NAMESPACE,
        labels,
        ...('clusterAdmin' in access ? { annotations: { 'platform/cluster-admin-because': access.clusterAdmin } } : {}),
      },
      // Flux impersonates the account; no pod runs as it.
      automountServiceAccountToken: false,
    });
    let roleName = 'cluster-admin';
    if (!('clusterAdmin' in access)) {
      roleName = name;
      const roles = access.roles ?? [];
      new k8s.KubeClusterRole(this, 'ClusterRole', {
        metadata: { name, labels },
        rules: [
          ...applyRules(access.resources),
          // Creating a Role requires holding its permissions (or escalate), binding it requires bind.
          ...(roles.length > 0
            ? [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], resourceNames: [...roles], verbs: ['bind', 'escalate'] }]
            : []),
        ],
      });
    }
    new k8s.KubeClusterRoleBinding(this, 'Binding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name, namespace: FLUX_NAMESPACE }],
    });
  }
}
