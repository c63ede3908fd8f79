/** Which GitOps controllers an environment is generated for (`gitops.tool`). */
import type { Environment } from '../../environments/schema';

export const GitOpsTool = { FLUX: 'flux', ARGOCD: 'argocd', BOTH: 'both' } as const;

/** Flux entry point and add-ons (dist/<env>/flux, dist/<env>/addons). */
export function usesFlux(environment: Pick<Environment, 'gitops'>): boolean {
  return environment.gitops.tool === GitOpsTool.FLUX || environment.gitops.tool === GitOpsTool.BOTH;
}

/** Argo CD entry point (dist/<env>/argocd). */
export function usesArgoCd(environment: Pick<Environment, 'gitops'>): boolean {
  return environment.gitops.tool === GitOpsTool.ARGOCD || environment.gitops.tool === GitOpsTool.BOTH;
}
