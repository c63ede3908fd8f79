/**
 * Names and paths the GitOps objects share: a Kustomization's `dependsOn` names another
 * Kustomization, an Application's path names a folder this repository writes. They are made here
 * only, so a rename cannot leave a dependency pointing at nothing (the rule for names: lib/names.ts).
 */
/** Where Flux runs (`flux install` / `flux bootstrap` default). */
export const FLUX_NAMESPACE = 'flux-system';

/** Where Argo CD runs, and where its Applications and AppProjects must live. */
export const ARGOCD_NAMESPACE = 'argocd';

/** The API server of the cluster the controller runs in: each environment is its own cluster. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** Folders of dist/<env>/; '' is the apps at its root. */
export const Folder = {
  APPS: '',
  ADDONS: 'addons',
  FLUX: 'flux',
  ARGOCD: 'argocd',
} as const;
export type Folder = (typeof Folder)[keyof typeof Folder];

/**
 * What a controller syncs, in order: its own objects, the add-ons, the apps. Each stage is one Flux
 * Kustomization or one Argo CD Application.
 */
export const Stage = {
  GITOPS: 'gitops',
  /** CRDs installed from their own project's repository (Gateway API's), before the add-ons that use them. */
  CRDS: 'crds',
  ADDONS: 'addons',
  APPS: 'apps',
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];

/** A folder's path in the repository, as Argo CD wants it: `dist/prod/addons`. */
export function repositoryPath(environment: string, folder: Folder): string {
  return folder === Folder.APPS ? `dist/${environment}` : `dist/${environment}/${folder}`;
}

/** A folder's path as Flux wants it, relative to the repository root: `./dist/prod/addons`. */
export function fluxPath(environment: string, folder: Folder): string {
  return `./${repositoryPath(environment, folder)}`;
}

/** The Flux GitRepository of the environment. */
export function sourceName(environment: string): string {
  return environment;
}

/** A stage's Flux Kustomization or Argo CD Application: `prod-addons`. */
export function stageName(environment: string, stage: Stage): string {
  return `${environment}-${stage}`;
}

/**
 * The Argo CD AppProject of one stage of the environment: each stage's Applications belong to a
 * project that allows only that stage's sources, namespaces and kinds.
 */
export function projectName(environment: string, stage: Stage): string {
  return `${environment}-${stage}`;
}

/** The Secret in flux-system with the public keys the environment's commits must be signed by. */
export function signingKeysSecretName(environment: string): string {
  return `${environment}-git-signers`;
}
