/**
 * gitops/project-scope: an Argo CD project is what its Applications may do, so one project shared by
 * the root, the add-ons and the apps gives each the reach of all (Argo CD checks an Application's
 * destination and every object's kind against its project alone: AppProject.IsDestinationPermitted,
 * IsGroupKindPermitted, pkg/apis/application/v1alpha1/app_project.go). Each project must be scoped to
 * one stage:
 * - no destination `*` (every namespace or every cluster: reaches namespaces nobody listed);
 * - the project that deploys into Argo CD's own namespace (where any new Application may name any
 *   project, and a new AppProject may allow anything) deploys nowhere else and no cluster-scoped kind;
 * - a project with an Application synced from a git folder lists its namespaced kinds
 *   (namespaceResourceWhitelist): the folder's objects are known, and a missing whitelist allows every
 *   namespaced kind;
 * - cluster-wide RBAC (ClusterRole, ClusterRoleBinding) and admission webhooks, which grant or
 *   intercept everything, only in a project whose every Application installs a Helm chart (the add-ons,
 *   whose charts need them), never beside a git folder;
 * - every Application names a project that is emitted, and a destination that project allows.
 *
 * gitops/source-pinned (Argo CD's half; Flux's is in gitops-sources.ts): an Application that follows a
 * branch or tag of a git repository syncs whatever that ref points to, so its project must verify the
 * commit's signature (spec.sourceIntegrity.git, a policy for the repository with mode head or strict
 * and at least one key; or the deprecated spec.signatureKeys), or the Application names a commit.
 */
import type { Violation } from '../types';
import { asArray, asObj, asString, type Entry, type Obj, type RuleFamily, show, violation } from './model';
import { SOURCE_PINNED } from './gitops-sources';

export const PROJECT_SCOPE = 'gitops/project-scope';

const COMMIT = /^[0-9a-f]{40}$/;
const PROJECT = 'argoproj.io/AppProject';
const APPLICATION = 'argoproj.io/Application';

/** Cluster-scoped kinds that grant or intercept every request: only charts that need them get them. */
const CLUSTER_WIDE_POWER = new Set([
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
]);

interface GroupKindItem {
  readonly group: string;
  readonly kind: string;
}

function groupKinds(value: unknown): GroupKindItem[] {
  return asArray(value).flatMap((item) => {
    const o = asObj(item);
    const kind = asString(o?.kind);
    return kind === undefined ? [] : [{ group: asString(o?.group) ?? '', kind }];
  });
}

const everyKind = (items: readonly GroupKindItem[]) => items.some((i) => i.group === '*' && i.kind === '*');

/** An Application's sources (`source`, or every entry of `sources`). */
function sourcesOf(spec: Obj): Obj[] {
  const one = asObj(spec.source);
  return one !== undefined ? [one] : asArray(spec.sources).flatMap((s) => (asObj(s) === undefined ? [] : [asObj(s)!]));
}

/** A folder of a git repository: not a Helm chart of a Helm repository (`chart`) or of an OCI registry. */
const isGitFolder = (source: Obj) =>
  asString(source.chart) === undefined && asString(source.repoURL) !== undefined && !asString(source.repoURL)!.startsWith('oci://');

/**
 * Whether a policy's repository pattern matches a source's URL as Argo CD matches them: a glob without
 * separators (`*` any characters, `?` one), on the URL as written (findMatchingGitPolicies,
 * util/sourceintegrity).
 */
function repoMatches(pattern: string, url: string): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replaceAll('*', '.*').replaceAll('?', '.')}$`).test(url);
}

/** Whether the project verifies signatures of commits of `url` (sourceIntegrity, or the deprecated signatureKeys). */
function verifies(project: Obj, url: string): boolean {
  if (asArray(project.signatureKeys).some((k) => asString(asObj(k)?.keyID) !== undefined)) return true;
  const policies = asArray(asObj(asObj(project.sourceIntegrity)?.git)?.policies).flatMap((p) =>
    asObj(p) === undefined ? [] : [asObj(p)!],
  );
  const policy = policies.find((p) => asArray(p.repos).some((r) => repoMatches(asString(asObj(r)?.url) ?? '', url)));
  const gpg = asObj(policy?.gpg);
  return ['head', 'strict'].includes(asString(gpg?.mode) ?? '') && asArray(gpg?.keys).length > 0;
}

export const argoCdProjectRules: RuleFamily = {
  ids: [PROJECT_SCOPE],
  check(model, _ctx, out: Violation[]) {
    const applications = model.ofKind(APPLICATION);
    const projects = new Map(model.ofKind(PROJECT).map((p) => [`${p.namespace}/${p.name}`, p]));
    const appsOf = (project: Entry) =>
      applications.filter((a) => a.namespace === project.namespace && (asString(asObj(a.obj.spec)?.project) ?? 'default') === project.name);

    for (const entry of projects.values()) {
      const spec = asObj(entry.obj.spec) ?? {};
      const destinations = asArray(spec.destinations).map((d) => asObj(d) ?? {});
      destinations.forEach((d, i) => {
        const glob = [asString(d.namespace), asString(d.server), asString(d.name)].find((v) => v === '*');
        if (glob !== undefined) {
          out.push(
            violation(
              PROJECT_SCOPE,
              entry,
              `spec.destinations[${i}]`,
              `allows ${show(glob)}: every namespace or cluster, including ones nobody listed; name each namespace the project's Applications deploy to`,
            ),
          );
        }
      });
      const clusterKinds = groupKinds(spec.clusterResourceWhitelist);
      const own = destinations.findIndex((d) => asString(d.namespace) === entry.namespace && asString(d.name) === undefined);
      if (own >= 0) {
        const others = destinations.filter((_, i) => i !== own).map((d) => `${asString(d.name) ?? 'in-cluster'}/${asString(d.namespace)}`);
        if (others.length > 0) {
          out.push(
            violation(
              PROJECT_SCOPE,
              entry,
              'spec.destinations',
              `deploys into Argo CD's namespace ${entry.namespace}, where a new Application may name any project, and also into ${others.join(', ')}: give the root its own project that deploys nowhere else`,
            ),
          );
        }
        if (clusterKinds.length > 0) {
          out.push(
            violation(
              PROJECT_SCOPE,
              entry,
              'spec.clusterResourceWhitelist',
              `deploys into Argo CD's namespace ${entry.namespace} and allows cluster-scoped kinds (${clusterKinds.map((k) => `${k.group}/${k.kind}`).join(', ')}): the root's project allows none`,
            ),
          );
        }
      }
      const apps = appsOf(entry);
      const gitApps = apps.filter((a) => sourcesOf(asObj(a.obj.spec) ?? {}).some(isGitFolder));
      if (gitApps.length > 0 && spec.namespaceResourceWhitelist === undefined && !everyKind(groupKinds(spec.namespaceResourceBlacklist))) {
        out.push(
          violation(
            PROJECT_SCOPE,
            entry,
            'spec.namespaceResourceWhitelist',
            `is unset, which allows every namespaced kind, for Applications synced from git folders (${gitApps.map((a) => a.name).join(', ')}): list the kinds their folders hold`,
          ),
        );
      }
      const powerful = clusterKinds.filter((k) => CLUSTER_WIDE_POWER.has(`${k.group}/${k.kind}`) || (k.group === '*' && k.kind === '*'));
      if (powerful.length > 0 && gitApps.length > 0) {
        out.push(
          violation(
            PROJECT_SCOPE,
            entry,
            'spec.clusterResourceWhitelist',
            `allows ${powerful.map((k) => `${k.group}/${k.kind}`).join(', ')} to Applications synced from git folders (${gitApps.map((a) => a.name).join(', ')}): cluster-wide RBAC and admission webhooks belong only to a project of Helm chart add-ons`,
          ),
        );
      }
    }

    for (const app of applications) {
      const spec = asObj(app.obj.spec) ?? {};
      const name = asString(spec.project) ?? 'default';
      const project = projects.get(`${app.namespace}/${name}`);
      if (project === undefined) {
        out.push(
          violation(
            PROJECT_SCOPE,
            app,
            'spec.project',
            `names project ${show(name)}, which is not emitted in ${app.namespace}: Argo CD refuses the Application (or, for "default", allows it anything)`,
          ),
        );
        continue;
      }
      const projectSpec = asObj(project.obj.spec) ?? {};
      const destination = asObj(spec.destination) ?? {};
      const namespace = asString(destination.namespace) ?? '';
      const allowed = asArray(projectSpec.destinations).some((d) => {
        const o = asObj(d) ?? {};
        const sameCluster =
          asString(destination.name) !== undefined
            ? asString(o.name) === asString(destination.name)
            : asString(o.server) === asString(destination.server);
        return sameCluster && asString(o.namespace) === namespace;
      });
      if (!allowed) {
        out.push(
          violation(
            PROJECT_SCOPE,
            app,
            'spec.destination',
            `deploys to ${asString(destination.name) ?? asString(destination.server) ?? 'no cluster'}/${namespace}, which its project ${name} does not list: Argo CD refuses the sync`,
          ),
        );
      }
      for (const [i, source] of sourcesOf(spec).entries()) {
        if (!isGitFolder(source)) continue;
        const revision = asString(source.targetRevision) ?? 'HEAD';
        const url = asString(source.repoURL)!;
        if (COMMIT.test(revision) || verifies(projectSpec, url)) continue;
        out.push(
          violation(
            SOURCE_PINNED,
            app,
            asObj(spec.source) !== undefined ? 'spec.source.targetRevision' : `spec.sources[${i}].targetRevision`,
            `follows ${revision} of ${url} and its project ${name} verifies no signature for that repository (spec.sourceIntegrity.git: a policy with mode head or strict and the team's key ids): whoever can move that ref decides what Argo CD applies; verify it or name a commit`,
          ),
        );
      }
    }
  },
};
