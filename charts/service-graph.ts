/**
 * The one declared service graph: who may call whom. Authorization policies and network policies are
 * derived from it, so the mesh and the network can never disagree about an edge. Disabled services
 * are not in it.
 */
import type { Environment } from '../environments/schema';
import { serviceAccountName, workloadPrincipal } from '../lib/names';
import { enabledServices } from './resolve-service';

export type Caller =
  /** Another platform service, by name. */
  | { readonly kind: 'service'; readonly name: string }
  /** The NGINX ingress controller, for the services the public Ingress routes to. */
  | { readonly kind: 'ingress' };

/** Services the public Ingress routes to. */
export function publicServices(environment: Environment): string[] {
  return [...new Set([environment.ingress.frontendService, environment.ingress.apiService])];
}

/** Everyone allowed to call `service`, in a stable order: the ingress first, then services by declaration. */
export function callersOf(environment: Environment, service: string): Caller[] {
  const fromIngress: Caller[] = publicServices(environment).includes(service) ? [{ kind: 'ingress' }] : [];
  const fromServices: Caller[] = enabledServices(environment)
    .filter(([, spec]) => spec.calls.includes(service))
    .map(([name]) => ({ kind: 'service', name }));
  return [...fromIngress, ...fromServices];
}

/** The workload identity of a caller: a SPIFFE principal, never an IP. */
export function callerPrincipal(environment: Environment, caller: Caller): string {
  const { trustDomain } = environment.mesh;
  return caller.kind === 'ingress'
    ? workloadPrincipal(trustDomain, environment.ingress.controller.namespace, environment.ingress.controller.serviceAccount)
    : workloadPrincipal(trustDomain, environment.namespace, serviceAccountName(caller.name));
}
