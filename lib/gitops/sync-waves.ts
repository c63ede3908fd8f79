/**
 * Argo CD's ordering: resources of one sync are applied wave by wave, lowest first, and a wave starts
 * only when the previous one is healthy (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/).
 * The root Application syncs the AppProject, then the add-on Applications by dependency depth, then
 * the apps; Flux expresses the same order with `dependsOn`.
 */

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** The annotation that puts an object into a wave. */
export function syncWave(wave: number): Record<string, string> {
  return { [SYNC_WAVE_ANNOTATION]: String(wave) };
}

/** The AppProject comes first: every Application names it. */
export const PROJECT_WAVE = 0;

/** An add-on's wave: after the project, one wave per level of its dependencies. */
export function addonWave(depth: number): number {
  return PROJECT_WAVE + 1 + depth;
}

/** The apps come after the deepest add-on. */
export function appsWave(deepestAddon: number): number {
  return addonWave(deepestAddon) + 1;
}

/**
 * Inside the apps Application: cluster configuration the workloads rely on (the ClusterIssuer, the
 * ClusterSecretStore) goes one wave before everything else (wave 0). The add-ons' controllers and
 * CRDs are already healthy by then, since the apps Application itself waits for them.
 */
export const CONFIG_SYNC_WAVE = -1;
