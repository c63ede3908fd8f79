/**
 * The hub's bundles: added to the output of the environment the fleet names as its hub, and to no
 * other. The members are every registered environment the fleet's rule selects (environments/fleet.ts).
 */
import type { App } from 'cdk8s';
import { selectEnvironments } from '../environments';
import { type LoadedFleet, loadFleet } from '../environments/fleet';
import type { Environment } from '../environments/schema';
import type { Manifest } from '../lib/core/manifest';
import { clusterAddons } from './addons-catalog';
import type { Bundle } from './bundle';
import { FLEET_FOLDER, FleetClusterChart, FleetHubChart, type FleetMember, fleetClusterFolder } from './fleet-chart';

/** The hub bundle and one bundle per member, for a given fleet. */
export function hubBundles(app: App, fleet: LoadedFleet, members: readonly FleetMember[], previewObjects: readonly Manifest[]): Bundle[] {
  const hub = fleet.hub;
  const preview = { environment: fleet.preview, objects: previewObjects };
  return [
    { folder: FLEET_FOLDER, charts: [new FleetHubChart(app, 'fleet-hub', { fleet: fleet.fleet, hub, members, preview })] },
    ...members.map((member) => ({
      folder: fleetClusterFolder(member.environment.name),
      charts: [new FleetClusterChart(app, `fleet-${member.environment.name}`, { fleet: fleet.fleet, hub, member })],
    })),
  ];
}

/**
 * The fleet's bundles when `environment` is its hub, else none.
 * @param appObjectsOf the apps' objects of another member (the hub's own are `appObjects`)
 */
export function fleetBundles(
  app: App,
  environment: Environment,
  appObjects: readonly Manifest[],
  appObjectsOf: (member: Environment) => readonly Manifest[],
): Bundle[] {
  const registered = selectEnvironments();
  if (!registered.some((env) => env.name === environment.name)) return [];
  const fleet = loadFleet(registered.map((env) => (env.name === environment.name ? environment : env)));
  if (fleet.hub.name !== environment.name) return [];
  const members = fleet.members.map((member) => ({
    environment: member,
    addons: clusterAddons(member),
    appObjects: member.name === environment.name ? appObjects : appObjectsOf(member),
  }));
  return hubBundles(app, fleet, members, appObjectsOf(fleet.preview));
}
