import { ApiObject, Chart } from 'cdk8s';
import { AppProject } from '../imports/argoproj.io';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { EdgeImplementation } from '../environments/schema';
import { GATEWAY_API_CRDS } from '../lib/addons/chart-versions';
import { NGINX_GATEWAY_NAMESPACE } from '../lib/addons/names';
import type { ClusterAddon } from '../lib/addons/addon';
import { dependencyDepths } from '../lib/addons/order';
import { ArgoCdApplication, ociChartUrl } from '../lib/gitops/argocd-application';
import { addonApplicationProps } from './argocd-addon-props';
import { ArgoCdProject, kindsOf } from '../lib/gitops/argocd-project';
import { controllerOwnedFields } from '../lib/gitops/controller-owned-fields';
import { addonClusterKinds } from '../lib/addons/chart-facts';
import { ARGOCD_NAMESPACE, Folder, projectName, repositoryPath, Stage, stageName } from '../lib/gitops/names';
import { addonWave, appsWave } from '../lib/gitops/sync-waves';
import { platformLabels } from '../lib/labels';
import type { Manifest } from '../lib/core/manifest';

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
    const { repository, branch } = environment.gitops;
    const depths = dependencyDepths(addons);
    const gateway = environment.ingress.implementation === EdgeImplementation.GATEWAY;
    const appKinds = kindsOf(appObjects);
    const appNamespaces = appObjects.flatMap((o) => (o.metadata.namespace === undefined ? [] : [o.metadata.namespace]));
    const project = (stage: Stage) => projectName(environment.name, stage);

    new ArgoCdApplication(this, 'Root', {
      name: stageName(environment.name, Stage.GITOPS),
      project: project(Stage.GITOPS),
      labels,
      source: { repository, revision: branch, path: repositoryPath(environment.name, Folder.ARGOCD) },
      namespace: ARGOCD_NAMESPACE,
    });

    if (gateway) {
      // Gateway API's CRDs, which no chart ships, in the first add-on wave: before cert-manager and NGINX Gateway Fabric.
      new ArgoCdApplication(this, 'addon-gateway-api', {
        name: GATEWAY_API_CRDS.name,
        project: project(Stage.CRDS),
        labels,
        // The commit its tag named: a moved or re-pushed tag changes nothing.
        source: { repository: GATEWAY_API_CRDS.repository, revision: GATEWAY_API_CRDS.commit, path: GATEWAY_API_CRDS.path },
        namespace: NGINX_GATEWAY_NAMESPACE,
        wave: addonWave(0),
        serverSideApply: true,
        prune: false,
      });
    }

    for (const addon of addons) {
      new ArgoCdApplication(this, `addon-${addon.name}`, {
        name: addon.name,
        project: project(Stage.ADDONS),
        labels,
        ...addonApplicationProps(environment, addon, depths.get(addon.name)!),
      });
    }

    new ArgoCdApplication(this, 'Apps', {
      name: stageName(environment.name, Stage.APPS),
      project: project(Stage.APPS),
      labels,
      source: { repository, revision: branch, path: repositoryPath(environment.name, Folder.APPS) },
      namespace: environment.namespace,
      wave: appsWave(Math.max(...depths.values())),
      ignore: controllerOwnedFields(appObjects),
    });

    // One project per stage, each allowing what that stage's Applications write and nothing more.
    // They come last, in wave 0: the root's kinds are those of this folder, known once it is built.
    const description = (what: string, from: string) => `${environment.name}: ${what}, from ${from}`;
    const signedBy = environment.gitops.verifyCommits ? { repositories: [repository], keys: environment.gitops.signingKeys } : undefined;
    const ownKinds = kindsOf([
      ...this.node
        .findAll()
        .flatMap((c) =>
          c instanceof ApiObject ? [{ apiVersion: c.apiVersion, kind: c.kind, metadata: { namespace: c.metadata.namespace } }] : [],
        ),
      { ...AppProject.GVK, metadata: { namespace: ARGOCD_NAMESPACE } },
    ]);
    // The root writes Argo CD's own namespace, where any Application may name any project: it writes nothing else.
    new ArgoCdProject(this, 'Project', {
      name: project(Stage.GITOPS),
      labels,
      description: description('the Argo CD projects and Applications of this folder', repository),
      sourceRepos: [repository],
      destinations: [ARGOCD_NAMESPACE],
      clusterKinds: ownKinds.cluster,
      namespacedKinds: ownKinds.namespaced,
      ...(signedBy === undefined ? {} : { signedBy }),
    });
    if (gateway) {
      new ArgoCdProject(this, 'ProjectCrds', {
        name: project(Stage.CRDS),
        labels,
        description: description("Gateway API's CRDs", GATEWAY_API_CRDS.repository),
        sourceRepos: [GATEWAY_API_CRDS.repository],
        destinations: [NGINX_GATEWAY_NAMESPACE],
        clusterKinds: GATEWAY_API_CRDS.kinds,
        namespacedKinds: [],
      });
    }
    // The charts' cluster-scoped kinds are the charts' facts, read from their renders; their namespaced
    // kinds, in the add-ons' namespaces only, are not limited: a render alone knows them.
    new ArgoCdProject(this, 'ProjectAddons', {
      name: project(Stage.ADDONS),
      labels,
      description: description('the add-ons', 'their chart repositories'),
      sourceRepos: addons.map((addon) => (addon.chart.repository.oci ? ociChartUrl(addon.chart) : addon.chart.repository.url)),
      destinations: addons.map((addon) => addon.namespace.name),
      clusterKinds: addonClusterKinds(
        addons.map((addon) => ({ chart: addon.chart, createsNamespace: addon.namespace.enforce !== undefined })),
      ),
    });
    new ArgoCdProject(this, 'ProjectApps', {
      name: project(Stage.APPS),
      labels,
      description: description('the apps', repository),
      sourceRepos: [repository],
      destinations: [environment.namespace, ...appNamespaces],
      clusterKinds: appKinds.cluster,
      namespacedKinds: appKinds.namespaced,
      ...(signedBy === undefined ? {} : { signedBy }),
    });
  }
}
