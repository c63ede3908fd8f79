/**
 * The Kubernetes core kinds the platform emits and the captured OpenAPI definitions they are
 * validated against: imports/kubernetes/v<major.minor.patch>-definitions.json, one file per minor,
 * written by scripts/capture-k8s-schemas.ts (`npm run import -- --kubernetes <minor>`) and read by
 * scripts/gen-validators.ts.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

export const K8S_SCHEMAS_DIR = path.resolve(__dirname, '..', 'imports', 'kubernetes');

/** Core kinds we emit, looked up by their x-kubernetes-group-version-kind. */
export const CORE_KINDS: readonly (readonly [apiVersion: string, kind: string])[] = [
  ['v1', 'Namespace'],
  ['v1', 'ServiceAccount'],
  ['v1', 'Service'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'PodTemplate'],
  ['v1', 'ResourceQuota'],
  ['v1', 'LimitRange'],
  ['apps/v1', 'Deployment'],
  ['batch/v1', 'CronJob'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy'],
  ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding'],
];

/** One captured file: `v1.35.4-definitions.json` → minor 1.35, version 1.35.4. */
export interface CapturedSchemas {
  readonly minor: string;
  readonly version: string;
  readonly file: string;
}

const FILE = /^v(\d+\.\d+)\.(\d+)-definitions\.json$/;

export function capturedFileName(version: string): string {
  return `v${version}-definitions.json`;
}

/** Every captured version, oldest minor first; fails if a minor was captured twice. */
export function capturedSchemas(dir = K8S_SCHEMAS_DIR): CapturedSchemas[] {
  const found: CapturedSchemas[] = [];
  for (const name of readdirSync(dir).sort()) {
    const m = FILE.exec(name);
    if (m === null) continue;
    const minor = m[1]!;
    const other = found.find((c) => c.minor === minor);
    if (other !== undefined)
      throw new Error(`${dir}: Kubernetes ${minor} captured twice (${path.basename(other.file)}, ${name}): keep one`);
    found.push({ minor, version: `${minor}.${m[2]}`, file: path.join(dir, name) });
  }
  return found.sort((a, b) => compareMinors(a.minor, b.minor));
}

export function compareMinors(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number) as [number, number];
  const [bm, bn] = b.split('.').map(Number) as [number, number];
  return am - bm || an - bn;
}

/** The definition names reachable from `roots` through `$ref`s (the roots included). */
export function referencedDefinitions(definitions: Readonly<Record<string, unknown>>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') add(v.replace(/^#\/definitions\//, ''));
        else visit(v);
      }
    }
  };
  const add = (name: string): void => {
    if (seen.has(name)) return;
    const def = definitions[name];
    if (def === undefined) throw new Error(`unresolved $ref ${name}`);
    seen.add(name);
    visit(def);
  };
  for (const r of roots) add(r);
  return seen;
}

/** The definition name of a kind, by its x-kubernetes-group-version-kind. */
export function definitionOfKind(
  definitions: Readonly<Record<string, { readonly [k: string]: unknown }>>,
  apiVersion: string,
  kind: string,
): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const entry = Object.entries(definitions).find(([, def]) =>
    ((def['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined) ?? []).some(
      (g) => g.group === group && g.version === version && g.kind === kind,
    ),
  );
  return entry?.[0];
}
