import { Construct } from 'constructs';
import { Application, type ApplicationSpecIgnoreDifferences, type ApplicationSpecSource } from '../../imports/argoproj.io';
import type { PinnedChart } from '../addons/chart-versions';
import type { OwnedFields } from './controller-owned-fields';
import { ARGOCD_NAMESPACE, IN_CLUSTER_SERVER } from './names';
import { syncWave } from './sync-waves';

/** Argo CD deletes an Application's objects before the Application itself (foreground cascading deletion). */
export const ARGOCD_FOREGROUND_FINALIZER = 'resources-finalizer.argocd.argoproj.io/foreground';

/** A pinned Helm chart with its release name and values. */
export interface HelmSource {
  readonly chart: PinnedChart;
  readonly releaseName: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** A folder of a git repository at a branch. */
export interface GitSource {
  readonly repository: string;
  readonly revision: string;
  readonly path: string;
}

export interface ArgoCdApplicationProps {
  /** The Application (in the argocd namespace). */
  readonly name: string;
  /** The AppProject that limits what it may read and deploy. */
  readonly project: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** What it syncs: a Helm chart at a pinned version, or a folder of a Git repository. */
  readonly source: HelmSource | GitSource;
  /** Namespace the objects go to (when they do not name their own). */
  readonly namespace: string;
  /**
   * The cluster the objects go to, by the name it is registered under in Argo CD (a hub's fleet).
   * @default - the cluster Argo CD runs in
   */
  readonly cluster?: string;
  /** Sync wave within the parent Application's sync. @default - no wave (0) */
  readonly wave?: number;
  /** Create the destination namespace with these labels. @default - the namespace must exist or be part of the source */
  readonly managedNamespaceLabels?: Record<string, string>;
  /** Fields other controllers own: not diffed, and kept at their live value on sync. @default - none */
  readonly ignore?: readonly OwnedFields[];
  /** Apply server-side (CRDs larger than the last-applied annotation allows). @default false */
  readonly serverSideApply?: boolean;
  /** Delete objects removed from the source. Never for CRDs: that would delete every object of the kind. @default true */
  readonly prune?: boolean;
}

function isHelm(source: HelmSource | GitSource): source is HelmSource {
  return 'chart' in source;
}

/** An OCI chart is an artifact of its own: Argo CD reads it by `oci://<registry>/<chart>` at its version, from its root. */
export function ociChartUrl(chart: PinnedChart): string {
  return `${chart.repository.url}/${chart.chart}`;
}

function sourceOf(source: HelmSource | GitSource): ApplicationSpecSource {
  if (isHelm(source) && source.chart.repository.oci) {
    return {
      repoUrl: ociChartUrl(source.chart),
      targetRevision: source.chart.version,
      path: '.',
      helm: { releaseName: source.releaseName, valuesObject: source.values },
    };
  }
  if (isHelm(source)) {
    return {
      repoUrl: source.chart.repository.url,
      chart: source.chart.chart,
      targetRevision: source.chart.version,
      helm: { releaseName: source.releaseName, valuesObject: source.values },
    };
  }
  return { repoUrl: source.repository, targetRevision: source.revision, path: source.path };
}

/**
 * An owned-fields entry as an Argo CD diffing rule: JSON pointers where they name fields, jq path
 * expressions where a pointer would go through a list by position (a route or subset added in
 * front would silently move the ignore onto another item; jq selects it by name).
 */
export function ignoreDifference(fields: OwnedFields): ApplicationSpecIgnoreDifferences {
  const positional = fields.jsonPointers.length === 0 || fields.jsonPointers.some((pointer) => /\/\d+(\/|$)/.test(pointer));
  return {
    group: fields.group,
    kind: fields.kind,
    ...(fields.name === undefined ? {} : { name: fields.name }),
    ...(fields.namespace === undefined ? {} : { namespace: fields.namespace }),
    ...(positional ? { jqPathExpressions: [...fields.jqPathExpressions] } : { jsonPointers: [...fields.jsonPointers] }),
  };
}

/**
 * An Argo CD Application synced automatically, with pruning (objects removed from the source are
 * deleted) and self-healing (edits in the cluster are reverted). Deleting the Application deletes its
 * objects (the resources finalizer), so removing it from git cleans up, as Flux's prune does.
 */
export class ArgoCdApplication extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    this.name = props.name;
    const ignore = props.ignore ?? [];
    const syncOptions = [
      ...(props.managedNamespaceLabels ? ['CreateNamespace=true'] : []),
      ...(props.serverSideApply ? ['ServerSideApply=true'] : []),
      // A sync keeps the live value of every ignored field instead of resetting it from git, and
      // leaves objects that are in sync alone (Argo Rollouts' GitOps guidance).
      ...(ignore.length > 0 ? ['RespectIgnoreDifferences=true', 'ApplyOutOfSyncOnly=true'] : []),
      // Delete removed objects only after everything else has synced.
      'PruneLast=true',
    ];
    new Application(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: ARGOCD_NAMESPACE,
        labels: props.labels,
        // Foreground cascading deletion, by the finalizer's domain-qualified name (the bare name means the
        // same, and the API server warns about finalizer names without a path).
        finalizers: [ARGOCD_FOREGROUND_FINALIZER],
        ...(props.wave === undefined ? {} : { annotations: syncWave(props.wave) }),
      },
      spec: {
        project: props.project,
        source: sourceOf(props.source),
        destination:
          props.cluster === undefined
            ? { server: IN_CLUSTER_SERVER, namespace: props.namespace }
            : { name: props.cluster, namespace: props.namespace },
        syncPolicy: {
          automated: { prune: props.prune ?? true, selfHeal: true },
          syncOptions,
          ...(props.managedNamespaceLabels ? { managedNamespaceMetadata: { labels: props.managedNamespaceLabels } } : {}),
          retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
        },
        ...(ignore.length > 0 ? { ignoreDifferences: ignore.map(ignoreDifference) } : {}),
      },
    });
  }
}
