/**
 * Cluster-level bundles beside the apps: the add-ons the apps need and the GitOps objects that
 * deploy everything, each in its own folder of dist/<env>/ (see README "GitOps layout and regions"):
 *
 * - flux/    Flux entry point: GitRepository and Kustomizations gitops, addons, apps (Flux)
 * - addons/  Flux add-ons: their namespaces, HelmRepositories and HelmReleases, and the namespaces'
 *            NetworkPolicies (Flux)
 * - argocd/  Argo CD entry point: AppProject, root Application, add-on and apps Applications (Argo CD)
 */
import type { App } from 'cdk8s';
import type { Environment } from '../environments/schema';
import { clusterAddons } from './addons-catalog';
import { Folder } from '../lib/gitops/names';
import { usesArgoCd, usesFlux } from '../lib/gitops/tools';
import type { Manifest } from '../lib/core/manifest';
import { ADDON_NETWORK_CHART, AddonNetworkChart, isolatedWithApps } from './addon-network-chart';
import { AddonsChart } from './addons-chart';
import { ArgoCdChart } from './argocd-chart';
import { FluxSyncChart } from './flux-chart';
import type { Bundle } from './bundle';

/**
 * @param appObjects the objects of the app's charts, rendered before any chart is added here: the
 * GitOps objects are derived from them (which fields Argo Rollouts owns, which namespaces and kinds
 * the Argo CD project must allow).
 */
export function platformBundles(app: App, environment: Environment, appObjects: readonly Manifest[]): Bundle[] {
  const addons = clusterAddons(environment);
  const bundles: Bundle[] = [];
  if (usesFlux(environment.gitops.tool)) {
    const addonsChart = new AddonsChart(app, 'addons', { environment, addons });
    // The add-on namespaces' isolation, applied with them (where Argo CD may install the add-ons: with the apps).
    const isolation = isolatedWithApps(environment) ? [] : [new AddonNetworkChart(app, ADDON_NETWORK_CHART, { environment })];
    const addonObjects = [addonsChart, ...isolation].flatMap((chart) => chart.toJson() as Manifest[]);
    bundles.push({ folder: Folder.FLUX, charts: [new FluxSyncChart(app, 'flux-sync', { environment, appObjects, addonObjects })] });
    bundles.push({ folder: Folder.ADDONS, charts: [addonsChart, ...isolation] });
  }
  if (usesArgoCd(environment.gitops.tool)) {
    bundles.push({ folder: Folder.ARGOCD, charts: [new ArgoCdChart(app, 'argocd-sync', { environment, addons, appObjects })] });
  }
  return bundles;
}
