/**
 * The one declared service graph: who may call whom. Authorization policies and network policies are
 * derived from it, so the mesh and the network can never disagree about an edge. Disabled services
 * are not in it.
 */
import type { Environment } from '../environments/schema';
import { EdgeImplementation } from '../environments/schema';
import { type ResolvedRoute, resolveRoutes, routedServices } from '../environments/public-routes';
import {
  GATEWAY_CLASS,
  GATEWAY_NAME,
  gatewayPodSelector,
  gatewayServiceAccount,
  INGRESS_NGINX_POD_LABELS,
  INGRESS_NGINX_SERVICE_ACCOUNT,
  RELEASE_SMOKE,
  serviceAccountName,
  workloadPrincipal,
} from '../lib/names';
import type { k8s } from 'cdk8s-plus-28';
import { namespaceSelector } from '../lib/network-peers';
import { enabledServices, enabledWebServices } from './resolve-service';

export type Caller =
  /** Another platform service, by name. */
  | { readonly kind: 'service'; readonly name: string }
  /** The NGINX ingress controller, for the services the public Ingress routes to. */
  | { readonly kind: 'ingress' }
  /** The smoke traffic a blue-green gate sends the preview (lib/smoke-traffic.ts). */
  | { readonly kind: 'smoke' };

/** The environment's public routes, resolved (environments/public-routes.ts): one list the edge, the mesh and the network read. */
export function environmentRoutes(environment: Environment): ResolvedRoute[] {
  return resolveRoutes(environment.ingress, (service) => {
    const spec = environment.services[service] as { readonly protocol?: string } | undefined;
    return (spec?.protocol ?? 'http') === 'grpc';
  });
}

/** Services the public edge routes to: each gets the edge as a caller (mesh ALLOW, NetworkPolicy ingress). */
export function publicServices(environment: Environment): string[] {
  return routedServices(environmentRoutes(environment));
}

/** Everyone allowed to call `service`, in a stable order: the ingress first, then services by declaration. */
export function callersOf(environment: Environment, service: string): Caller[] {
  const fromIngress: Caller[] = publicServices(environment).includes(service) ? [{ kind: 'ingress' }] : [];
  const fromServices: Caller[] = enabledServices(environment)
    .filter(([, spec]) => spec.calls.includes(service))
    .map(([name]) => ({ kind: 'service', name }));
  const fromSmoke: Caller[] = smokeTargets(environment).includes(service) ? [{ kind: 'smoke' }] : [];
  return [...fromIngress, ...fromServices, ...fromSmoke];
}

/** Services released blue-green: their previews get smoke traffic from the gate. */
export function smokeTargets(environment: Environment): string[] {
  return enabledWebServices(environment)
    .filter(([, spec]) => spec.strategy.type === 'blueGreen')
    .map(([name]) => name);
}

/** The identity of the edge's NGINX pods: NGINX Gateway Fabric's per-Gateway account, or ingress-nginx's. */
export function edgeServiceAccount(environment: Environment): string {
  return environment.ingress.implementation === EdgeImplementation.GATEWAY
    ? gatewayServiceAccount(GATEWAY_NAME, GATEWAY_CLASS)
    : INGRESS_NGINX_SERVICE_ACCOUNT;
}

/** The labels of the edge's NGINX pods: the Gateway's (NGINX Gateway Fabric sets them), or ingress-nginx's controller's. */
export function edgePodLabels(environment: Environment): Record<string, string> {
  return environment.ingress.implementation === EdgeImplementation.GATEWAY
    ? gatewayPodSelector(GATEWAY_NAME)
    : { ...INGRESS_NGINX_POD_LABELS };
}

/** The edge's NGINX pods as a network peer: those pods of the edge namespace, nothing else there. */
export function edgePeer(environment: Environment): k8s.NetworkPolicyPeer {
  return { namespaceSelector: namespaceSelector(environment.ingress.namespace), podSelector: { matchLabels: edgePodLabels(environment) } };
}

/** The workload identity of a caller: a SPIFFE principal, never an IP. */
export function callerPrincipal(environment: Environment, caller: Caller): string {
  const { trustDomain } = environment.mesh;
  switch (caller.kind) {
    case 'ingress':
      return workloadPrincipal(trustDomain, environment.ingress.namespace, edgeServiceAccount(environment));
    case 'smoke':
      return workloadPrincipal(trustDomain, environment.namespace, RELEASE_SMOKE);
    case 'service':
      return workloadPrincipal(trustDomain, environment.namespace, serviceAccountName(caller.name));
  }
}
