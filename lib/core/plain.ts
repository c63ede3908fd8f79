/**
 * Reading plain JSON (manifests as emitted, environment overlays as loaded) without trusting its
 * shape: each accessor returns undefined or an empty list where the shape is not what was asked for.
 */
export type Plain = Record<string, unknown>;

export function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a path of object keys, or undefined where any step is not an object. */
export function at(value: unknown, ...path: string[]): unknown {
  let here = value;
  for (const key of path) here = isPlain(here) ? here[key] : undefined;
  return here;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The API group of an apiVersion: `apps` of `apps/v1`, '' for the core `v1`. */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}
