/**
 * A generated fleet: `regions` environments, each production's shape plus `services` synthetic web
 * services. The registry is not touched: the synthetic services join a copy of the platform base,
 * and the regions are overlays on prod resolved against that copy, with the same loader the real
 * environments go through.
 */
import type { Environment } from '../environments';
import { resolveEnvironment } from '../environments/load';
import { platform } from '../environments/platform';
import prod from '../environments/prod';

/**
 * A synthetic service: the platform's frontend (whatever fields it has) under another name, with a
 * production-grade floor of two replicas so that the fleet is valid and validation times its happy path.
 */
function syntheticService(index: number): [string, unknown] {
  const name = `svc-${String(index).padStart(3, '0')}`;
  const frontend = platform.services.frontend!;
  // Production pins every image by digest (the schema refuses a production service without one).
  const image = {
    ...frontend.image,
    repository: `${frontend.image.repository}-${name}`,
    digest: `sha256:${index.toString(16).padStart(64, '0')}`,
  };
  return [name, { ...frontend, component: name, image, replicas: { min: 2, max: 4 } }];
}

export function fleetBase(services: number): Record<string, unknown> {
  const synthetic = Object.fromEntries(Array.from({ length: services }, (_, i) => syntheticService(i)));
  return { ...platform, services: { ...platform.services, ...synthetic } };
}

export function fleetEnvironments(services: number, regions: number): Environment[] {
  const base = fleetBase(services);
  return Array.from({ length: regions }, (_, i) => {
    const name = `region-${String(i).padStart(2, '0')}`;
    return resolveEnvironment({ name, extends: prod, ingress: { host: `${name}.example.com` } }, base);
  });
}
