/**
 * The fleet through the hub: `clusters` generated production clusters of `services` synthetic services
 * each (bench/fleet.ts), driven from the hub (environments/fleet.ts's hub, with the registered fleet's
 * rollout order: the first generated cluster is the DR primary, the others active regions). Two parts,
 * each in its own process so that each peak RSS is its own:
 *
 * - clusters: every cluster's own output rendered and validated, one after another (what a synth of
 *   the fleet costs without a hub);
 * - hub: the hub bundle for the same clusters (the ApplicationSet, the cluster secrets, and each
 *   cluster's Applications, whose ignored fields come from that cluster's rendered apps), rendered and
 *   validated.
 *
 * The report gives the hub's time and peak memory as ratios to the clusters'.
 */
import { App } from 'cdk8s';
import type { Environment } from '../environments';
import { resolveEnvironment } from '../environments/load';
import prod from '../environments/prod';
import { fleetBase } from './fleet';

export type HubPart = 'clusters' | 'hub';

export interface HubResult {
  readonly part: HubPart;
  readonly clusters: number;
  readonly services: number;
  readonly objects: number;
  readonly renderMs: number;
  readonly validateMs: number;
  readonly cpuMs: number;
  readonly violations: number;
  readonly maxRssMiB: number;
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** The generated clusters: production's shape, the first the DR primary, the others active regions. */
export function hubClusters(services: number, clusters: number): Environment[] {
  const base = fleetBase(services);
  // Production pins every image by digest: each synthetic service gets one of its own.
  const pinned = Object.fromEntries(
    Object.entries(base.services as Record<string, { image: Record<string, unknown> }>).map(([name, svc], i) => [
      name,
      { ...svc, image: { ...svc.image, digest: `sha256:${i.toString(16).padStart(64, '0')}` } },
    ]),
  );
  return Array.from({ length: clusters }, (_, i) => {
    const name = `cluster-${String(i).padStart(2, '0')}`;
    return resolveEnvironment(
      {
        name,
        extends: prod,
        region: { name: `region-${String(i).padStart(2, '0')}`, role: i === 0 ? 'primary' : 'active' },
        ingress: { host: `${name}.example.com` },
        secrets: { prefix: `platform-${name}` },
      },
      {
        ...base,
        // The frontend calls every synthetic service: a web service nothing reaches is refused by the model.
        services: {
          ...pinned,
          frontend: {
            ...pinned.frontend!,
            calls: [...((pinned.frontend as { calls?: string[] }).calls ?? []), ...Object.keys(pinned).filter((n) => n.startsWith('svc-'))],
          },
        },
      },
    );
  });
}

/* eslint-disable @typescript-eslint/no-require-imports */

export function hubBench(services: number, clusters: number, part: HubPart): HubResult {
  const { appObjectsOf, buildEnvironment } = require('../charts') as typeof import('../charts');
  const { clusterAddons } = require('../charts/addons-catalog') as typeof import('../charts/addons-catalog');
  const { hubBundles } = require('../charts/fleet-bundles') as typeof import('../charts/fleet-bundles');
  const { selectEnvironments } = require('../environments') as typeof import('../environments');
  const { checkFleet, fleetInput } = require('../environments/fleet') as typeof import('../environments/fleet');
  const { renderEnvironment } = require('../app/render') as typeof import('../app/render');
  const { validate } = require('../validation') as typeof import('../validation');
  const { validationContext } = require('../app/synthesize') as typeof import('../app/synthesize');
  // One untimed render and validation first: JIT warm-up is not a per-object cost.
  const warm = selectEnvironments(['dev'])[0]!;
  validate(renderEnvironment(buildEnvironment(warm)).objects, validationContext(warm));
  const generated = hubClusters(services, clusters);
  let renderMs = 0;
  let validateMs = 0;
  let objects = 0;
  let violations = 0;
  const cpuBefore = process.cpuUsage();
  if (part === 'clusters') {
    for (const environment of generated) {
      let start = process.hrtime.bigint();
      const rendered = renderEnvironment(buildEnvironment(environment));
      renderMs += since(start);
      start = process.hrtime.bigint();
      violations += validate(rendered.objects, validationContext(environment)).violations.length;
      validateMs += since(start);
      objects += rendered.objects.length;
    }
  } else {
    const hubEnvironment = selectEnvironments([fleetInput().hub])[0]!;
    let start = process.hrtime.bigint();
    const { previews } = fleetInput();
    const fleet = checkFleet(fleetInput(), [hubEnvironment, ...selectEnvironments([previews.cluster, previews.environment]), ...generated]);
    const app = new App();
    const members = fleet.members.map((member) => ({
      environment: member,
      addons: clusterAddons(member),
      appObjects: appObjectsOf(member),
    }));
    const bundles = hubBundles(app, fleet, members, appObjectsOf(fleet.preview));
    const rendered = renderEnvironment({ environment: hubEnvironment, bundles });
    renderMs += since(start);
    start = process.hrtime.bigint();
    violations += validate(rendered.objects, validationContext(hubEnvironment)).violations.length;
    validateMs += since(start);
    objects += rendered.objects.length;
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    part,
    clusters,
    services,
    objects,
    renderMs,
    validateMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    violations,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}
