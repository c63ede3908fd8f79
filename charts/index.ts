/**
 * The charts of one environment, grouped into bundles: the apps at the root of dist/<env>/, and
 * cluster-level bundles (add-ons, GitOps objects) in sub-folders, each its own kustomize root so a
 * GitOps controller can apply them in order. Building has no side effects: tests and the CLI both
 * call `buildEnvironment` and decide what to do with the result.
 */
import { App, type Chart } from 'cdk8s';
import type { Environment } from '../environments/schema';
import type { Manifest } from '../lib/core/manifest';
import { nonEmpty, type Bundle, type BuiltEnvironment } from './bundle';
import { ADDON_NETWORK_CHART, AddonNetworkChart, isolatedWithApps } from './addon-network-chart';
import { ChaosChart } from './chaos-chart';
import { ClusterChart } from './cluster-chart';
import { DataChart } from './data-chart';
import { DeliveryChart } from './delivery-chart';
import { EdgeChart } from './edge-chart';
import { fleetBundles } from './fleet-bundles';
import { MeshChart } from './mesh-chart';
import { MonitoringChart } from './monitoring-chart';
import { NamespaceChart } from './namespace-chart';
import { NetworkChart } from './network-chart';
import { platformBundles } from './platform-bundles';
import { SandboxChart } from './sandbox-chart';
import { WorkloadsChart } from './workloads-chart';

export type { Bundle, BuiltEnvironment } from './bundle';

function appCharts(app: App, environment: Environment): Chart[] {
  const props = { environment };
  const namespace = new NamespaceChart(app, 'namespace', props);
  const cluster = new ClusterChart(app, 'cluster', props);
  const network = new NetworkChart(app, 'network', props);
  // Where Argo CD installs the add-ons, their namespaces' isolation goes with the apps (Flux's goes
  // with the add-ons, charts/platform-bundles.ts).
  const addonNetwork = isolatedWithApps(environment) ? [new AddonNetworkChart(app, ADDON_NETWORK_CHART, props)] : [];
  const delivery = new DeliveryChart(app, 'delivery', props);
  const mesh = environment.mesh.enabled ? [new MeshChart(app, 'mesh', props)] : [];
  // The data stores before the apps that use them (their operators' custom resources, in their namespace).
  const data = new DataChart(app, 'data', props);
  const workloads = new WorkloadsChart(app, 'workloads', { ...props, analyses: delivery.analyses });
  const edge = new EdgeChart(app, 'edge', props);
  // The sandbox is its own namespace, independent of the apps; monitoring goes last because its
  // objects are the monitoring stack's custom resources and nothing else waits for them.
  const sandbox = new SandboxChart(app, 'sandbox', props);
  const monitoring = new MonitoringChart(app, 'monitoring', props);
  // Chaos drills last: Chaos Mesh Schedules of what everything above runs.
  const chaos = new ChaosChart(app, 'chaos', props);
  return [namespace, cluster, network, ...addonNetwork, delivery, ...mesh, data, workloads, edge, sandbox, monitoring, chaos];
}

/**
 * Each chart's objects once rendered. cdk8s renders a chart by resolving and validating the whole
 * app first, so rendering is the expensive step; the apps' objects are needed twice (the GitOps
 * objects are derived from them, and they are written), and are rendered once.
 */
const rendered = new WeakMap<Chart, Manifest[]>();

/** A chart's objects as `chart.toJson()` gives them, rendered at most once per chart. */
export function chartObjects(chart: Chart): Manifest[] {
  let objects = rendered.get(chart);
  if (objects === undefined) {
    objects = chart.toJson() as Manifest[];
    rendered.set(chart, objects);
  }
  return objects;
}

export function buildEnvironment(environment: Environment): BuiltEnvironment {
  const app = new App();
  const apps: Bundle = { folder: '', charts: nonEmpty(appCharts(app, environment)) };
  // The apps' objects, rendered before any chart is added for the bundles beside them: the GitOps
  // objects are derived from them (which fields Argo Rollouts owns, which namespaces and kinds the
  // Argo CD project must allow).
  const appObjects = app.charts.flatMap(chartObjects);
  // The hub's fleet (when this environment is one): every member's Applications, from its apps' objects.
  const fleet = fleetBundles(app, environment, appObjects, appObjectsOf);
  return { environment, bundles: [apps, ...platformBundles(app, environment, appObjects), ...fleet] };
}

/** An environment's apps' objects alone, in an App of their own. */
export function appObjectsOf(environment: Environment): Manifest[] {
  const app = new App();
  return nonEmpty(appCharts(app, environment)).flatMap(chartObjects);
}
