import { Construct } from 'constructs';
import { AppProject, type AppProjectSpecDestinations } from '../../imports/argoproj.io';
import { groupOf } from '../core/plain';
import { ARGOCD_NAMESPACE, IN_CLUSTER_SERVER } from './names';
import { PROJECT_WAVE, syncWave } from './sync-waves';

/** A kind by its API group ('' for the core group), as an AppProject's whitelists name it. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** The kinds a set of objects holds: cluster-scoped (no namespace) and namespaced, each once, sorted. */
export function kindsOf(
  objects: readonly { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly namespace?: string } }[],
): {
  cluster: GroupKind[];
  namespaced: GroupKind[];
} {
  const of = (namespaced: boolean) =>
    sortedKinds(
      objects
        .filter((o) => (o.metadata.namespace !== undefined) === namespaced)
        .map((o) => ({ group: groupOf(o.apiVersion), kind: o.kind })),
    );
  return { cluster: of(false), namespaced: of(true) };
}

function sorted<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((i) => [key(i), i])).values()].sort((a, b) => key(a).localeCompare(key(b)));
}

export function sortedKinds(kinds: readonly GroupKind[]): GroupKind[] {
  return sorted(kinds, (k) => `${k.group}/${k.kind}`).map((k) => ({ group: k.group, kind: k.kind }));
}

/** Every kind: as a blacklist entry it refuses all of them (Argo CD matches group and kind with filepath.Match). */
const EVERY_KIND = [{ group: '*', kind: '*' }];

/** A destination: a namespace of a cluster, the one Argo CD runs in unless named. */
export interface ProjectDestination {
  readonly namespace: string;
  /** The cluster's name in Argo CD. @default - the in-cluster server */
  readonly cluster?: string;
}

export interface ArgoCdProjectProps {
  /** The AppProject (in the argocd namespace). */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** One line for Argo CD's UI: what the project deploys. */
  readonly description: string;
  /** The only repositories (git and Helm) its Applications may read. */
  readonly sourceRepos: readonly string[];
  /** The only namespaces its Applications may deploy to (of the in-cluster server, or of a named cluster). */
  readonly destinations: readonly (string | ProjectDestination)[];
  /** The only cluster-scoped kinds its Applications may create; none when empty. */
  readonly clusterKinds: readonly GroupKind[];
  /**
   * The only namespaced kinds its Applications may create; none when empty.
   * @default - any namespaced kind (only for Helm charts, whose kinds a render alone knows)
   */
  readonly namespacedKinds?: readonly GroupKind[];
  /**
   * Git repositories whose commits Argo CD syncs only when the HEAD commit carries a signature by one of
   * these GPG key ids (`spec.sourceIntegrity.git`, mode `head`; the keys must be in Argo CD's GnuPG
   * keyring, the argocd-gpg-keys-cm ConfigMap). @default - none verified
   */
  readonly signedBy?: { readonly repositories: readonly string[]; readonly keys: readonly string[] };
}

/**
 * One Argo CD project: the sources, destinations and kinds one stage's Applications use, and nothing
 * more. Argo CD's `default` project allows any repository, any destination and any kind.
 *
 * Where a stage writes no kind of a scope, the project says so twice: an empty whitelist and a
 * blacklist of every kind. Argo CD reads a missing or empty clusterResourceWhitelist as "none" but a
 * missing namespaceResourceWhitelist as "all" (AppProject.IsGroupKindPermitted,
 * pkg/apis/application/v1alpha1/app_project.go), so only the blacklist is unambiguous.
 */
export class ArgoCdProject extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, id);
    this.name = props.name;
    const destinations: AppProjectSpecDestinations[] = sorted(
      props.destinations.map((d) => (typeof d === 'string' ? { namespace: d } : d)),
      (d) => `${d.cluster ?? ''}/${d.namespace}`,
    ).map((d) =>
      d.cluster === undefined ? { server: IN_CLUSTER_SERVER, namespace: d.namespace } : { name: d.cluster, namespace: d.namespace },
    );
    const clusterKinds = sortedKinds(props.clusterKinds);
    const namespacedKinds = props.namespacedKinds === undefined ? undefined : sortedKinds(props.namespacedKinds);
    const signed = props.signedBy;
    new AppProject(this, 'Resource', {
      metadata: { name: props.name, namespace: ARGOCD_NAMESPACE, labels: props.labels, annotations: syncWave(PROJECT_WAVE) },
      spec: {
        description: props.description,
        sourceRepos: sorted(props.sourceRepos, (r) => r),
        destinations,
        ...(clusterKinds.length > 0 ? { clusterResourceWhitelist: clusterKinds } : { clusterResourceBlacklist: EVERY_KIND }),
        ...(namespacedKinds === undefined
          ? {}
          : namespacedKinds.length > 0
            ? { namespaceResourceWhitelist: namespacedKinds }
            : { namespaceResourceBlacklist: EVERY_KIND }),
        ...(signed === undefined || signed.keys.length === 0
          ? {}
          : {
              sourceIntegrity: {
                git: {
                  policies: [
                    {
                      repos: sorted(signed.repositories, (r) => r).map((url) => ({ url })),
                      gpg: { mode: 'head', keys: [...new Set(signed.keys)].sort() },
                    },
                  ],
                },
              },
            }),
      },
    });
  }
}
