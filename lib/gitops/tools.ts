/** Which GitOps controllers an environment is generated for (`gitops.tool`). */

export const GitOpsTool = { FLUX: 'flux', ARGOCD: 'argocd', BOTH: 'both' } as const;
export type GitOpsTool = (typeof GitOpsTool)[keyof typeof GitOpsTool];

/** Flux entry point and add-ons (dist/<env>/flux, dist/<env>/addons). */
export function usesFlux(tool: GitOpsTool): boolean {
  return tool === GitOpsTool.FLUX || tool === GitOpsTool.BOTH;
}

/** Argo CD entry point (dist/<env>/argocd). */
export function usesArgoCd(tool: GitOpsTool): boolean {
  return tool === GitOpsTool.ARGOCD || tool === GitOpsTool.BOTH;
}
