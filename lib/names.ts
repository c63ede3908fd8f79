/**
 * The one place where names that cross objects are made. A Service, the Rollout that points at it,
 * the VirtualService that routes to it and the HPA that scales it all call these functions, so a
 * rename cannot leave a dangling reference.
 */

/** The workload (Deployment or Rollout), its ServiceAccount and its main Service share this name. */
export function workloadName(service: string): string {
  return service;
}

export function serviceAccountName(service: string): string {
  return workloadName(service);
}

/** The Service that receives live traffic; for Rollouts, the active (blue-green) or stable (canary) one. */
export function serviceName(service: string): string {
  return workloadName(service);
}

/** Blue-green preview Service, where the new version is reachable before promotion. */
export function previewServiceName(service: string): string {
  return `${service}-preview`;
}

/** Canary Service, selecting only the canary ReplicaSet. */
export function canaryServiceName(service: string): string {
  return `${service}-canary`;
}

export function hpaName(service: string): string {
  return workloadName(service);
}

export function pdbName(service: string): string {
  return workloadName(service);
}

/** The DNS name other workloads in the namespace use to call the service. */
export function serviceHost(service: string, namespace: string): string {
  return `${serviceName(service)}.${namespace}.svc.cluster.local`;
}

/** The named Service port every web service exposes, and its container port name. */
export const HTTP_PORT_NAME = 'http';

/** The port the Services listen on; containers listen on their own port behind it. */
export const SERVICE_PORT = 80;
