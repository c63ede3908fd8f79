/**
 * Which Kubernetes versions the validator's core schemas are: the minors captured from their
 * kube-apiserver into imports/kubernetes/ and compiled into imports/validators/. Kept apart from
 * schema.ts so that the check of an environment's version never needs the validators themselves.
 */
import { kubernetesVersions } from '../imports/validators/kubernetes';
import type { Violation } from './types';

export const KUBERNETES_VERSION_RULE = 'schema/kubernetes-version';

/** Kubernetes minors with captured schemas, oldest first, e.g. ['1.35']. */
export const MINORS: readonly string[] = Object.keys(kubernetesVersions).sort((a, b) => {
  const [am, an] = a.split('.').map(Number) as [number, number];
  const [bm, bn] = b.split('.').map(Number) as [number, number];
  return am - bm || an - bn;
});
export const NEWEST_MINOR = MINORS[MINORS.length - 1]!;

/** True when the validators hold the core schemas of that minor, e.g. '1.35'. */
export function hasSchemas(minor: string): boolean {
  return Object.hasOwn(kubernetesVersions, minor);
}

/**
 * The Kubernetes releases the core schemas were captured from, oldest first, e.g.
 * `[{ minor: '1.35', version: '1.35.4' }]`.
 */
export function schemaKubernetesVersions(): { readonly minor: string; readonly version: string }[] {
  return MINORS.map((minor) => ({ minor, version: kubernetesVersions[minor]! }));
}

/**
 * An error when the environment's Kubernetes minor has no captured schemas (the core kinds cannot be
 * checked against its API), naming the environment, the version and the versions available.
 */
export function kubernetesVersionViolation(environment: string, kubernetesVersion: string | undefined): Violation | undefined {
  if (kubernetesVersion === undefined || hasSchemas(kubernetesVersion)) return undefined;
  const available = schemaKubernetesVersions()
    .map((v) => `${v.minor} (${v.version})`)
    .join(', ');
  return {
    rule: KUBERNETES_VERSION_RULE,
    severity: 'error',
    object: `Environment/${environment}`,
    path: 'cluster.kubernetesVersion',
    message:
      `${environment}: cluster.kubernetesVersion is ${kubernetesVersion}, but the validator has schemas only for Kubernetes ${available}; ` +
      `capture ${kubernetesVersion}'s with npm run import -- --kubernetes ${kubernetesVersion} (its kube-apiserver pinned in ` +
      'tools/versions.env, built by npm run tools), then npm run gen:validators',
  };
}
