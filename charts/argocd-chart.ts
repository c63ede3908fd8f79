import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import type { ClusterAddon, ClusterKind } from '../lib/addons/addon';
import { addonNamespaceLabels } from '../lib/addons/addon';
import { ADDON_CLUSTER_KINDS } from '../lib/addons/names';
import { dependencyDepths } from '../lib/addons/order';
import { ArgoCdApplication } from '../lib/gitops/argocd-application';
import { ArgoCdProject } from '../lib/gitops/argocd-project';
import { controllerOwnedFields } from '../lib/gitops/controller-owned-fields';
import { ARGOCD_NAMESPACE, Folder, projectName, repositoryPath, Stage, stageName } from '../lib/gitops/names';
import { addonWave, appsWave } from '../lib/gitops/sync-waves';
import { platformLabels } from '../lib/labels';
import type { Manifest } from '../lib/core/manifest';
import { groupOf } from '../lib/core/plain';

export interface ArgoCdChartProps {
  readonly environment: Environment;
  /** The add-ons, in dependency order (charts/addons-catalog.ts). */
  readonly addons: readonly ClusterAddon[];
  /** The objects of the apps bundle: what the apps Application syncs. */
  readonly appObjects: readonly Manifest[];
}

/**
 * dist/<env>/argocd, the Argo CD entry point (app of apps): `kubectl apply -k dist/<env>/argocd`
 * once creates the project and the root Application, which from then on syncs this folder from git:
 * the project (wave 0), one Application per add-on with a Helm source (waves 1.., by dependency
 * depth), and the apps Application (after the deepest add-on).
 */
export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    super(scope, id);
    const { environment, addons, appObjects } = props;
    const labels = platformLabels(environment, 'gitops');
    const namespaceLabels = platformLabels(environment, 'addons');
    const { repository, branch } = environment.gitops;
    const depths = dependencyDepths(addons);
    const appClusterKinds: ClusterKind[] = appObjects
      .filter((o) => o.metadata.namespace === undefined)
      .map((o) => ({ group: groupOf(o.apiVersion), kind: o.kind }));
    const appNamespaces = appObjects.flatMap((o) => (o.metadata.namespace === undefined ? [] : [o.metadata.namespace]));

    const project = new ArgoCdProject(this, 'Project', {
      name: projectName(environment.name),
      labels,
      description: `${environment.name}: the platform's add-ons and apps, from ${repository} and the add-ons' chart repositories`,
      sourceRepos: [repository, ...addons.map((addon) => addon.chart.repository.url)],
      namespaces: [ARGOCD_NAMESPACE, ...addons.map((addon) => addon.namespace.name), ...appNamespaces],
      clusterKinds: [...ADDON_CLUSTER_KINDS, ...appClusterKinds],
    });

    new ArgoCdApplication(this, 'Root', {
      name: stageName(environment.name, Stage.GITOPS),
      project: project.name,
      labels,
      source: { repository, revision: branch, path: repositoryPath(environment.name, Folder.ARGOCD) },
      namespace: ARGOCD_NAMESPACE,
    });

    for (const addon of addons) {
      new ArgoCdApplication(this, `addon-${addon.name}`, {
        name: addon.name,
        project: project.name,
        labels,
        source: { chart: addon.chart, releaseName: addon.name, values: addon.values },
        namespace: addon.namespace.name,
        wave: addonWave(depths.get(addon.name)!),
        // kube-system is the cluster's: never created or relabelled from here.
        ...(addon.namespace.enforce === undefined
          ? {}
          : { managedNamespaceLabels: { ...namespaceLabels, ...addonNamespaceLabels(addon.namespace) } }),
        // Several charts' CRDs are larger than client-side apply's last-applied annotation allows
        // (262144 bytes: KEDA's ScaledJob, External Secrets' stores, the Prometheus operator's): every
        // add-on syncs server-side, so no chart upgrade can start failing on it.
        serverSideApply: true,
      });
    }

    new ArgoCdApplication(this, 'Apps', {
      name: stageName(environment.name, Stage.APPS),
      project: project.name,
      labels,
      source: { repository, revision: branch, path: repositoryPath(environment.name, Folder.APPS) },
      namespace: environment.namespace,
      wave: appsWave(Math.max(...depths.values())),
      ignore: controllerOwnedFields(appObjects),
    });
  }
}
