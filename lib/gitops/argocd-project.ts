import { Construct } from 'constructs';
import { AppProject } from '../../imports/argoproj.io';
import type { ClusterKind } from '../addons/addon';
import { ARGOCD_NAMESPACE, IN_CLUSTER_SERVER } from './names';
import { PROJECT_WAVE, syncWave } from './sync-waves';

export interface ArgoCdProjectProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly description: string;
  /** The only repositories (git and Helm) its Applications may read. */
  readonly sourceRepos: readonly string[];
  /** The only namespaces of the in-cluster server its Applications may deploy to. */
  readonly namespaces: readonly string[];
  /** The only cluster-scoped kinds its Applications may create; namespaced kinds are not limited. */
  readonly clusterKinds: readonly ClusterKind[];
}

/**
 * The Argo CD project of one environment. Argo CD's `default` project allows any repository, any
 * destination and any kind; this one allows exactly the sources, namespaces and cluster-scoped kinds
 * the environment's Applications use, so a mistaken path or chart cannot deploy elsewhere.
 */
export class ArgoCdProject extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, id);
    this.name = props.name;
    const sorted = <T>(items: readonly T[], key: (item: T) => string) =>
      [...new Map(items.map((i) => [key(i), i])).values()].sort((a, b) => key(a).localeCompare(key(b)));
    new AppProject(this, 'Resource', {
      metadata: { name: props.name, namespace: ARGOCD_NAMESPACE, labels: props.labels, annotations: syncWave(PROJECT_WAVE) },
      spec: {
        description: props.description,
        sourceRepos: sorted(props.sourceRepos, (r) => r),
        destinations: sorted(props.namespaces, (n) => n).map((namespace) => ({ server: IN_CLUSTER_SERVER, namespace })),
        clusterResourceWhitelist: sorted(props.clusterKinds, (k) => `${k.group}/${k.kind}`).map((k) => ({ group: k.group, kind: k.kind })),
      },
    });
  }
}
