/**
 * Object-level diff of two sets of manifests: which objects were added or removed, and for the
 * objects on both sides, which fields changed.
 */
import { manifestId, type Manifest } from '../../lib/core/manifest';
import { diffFields, type DiffFieldsOptions, type FieldChange } from './fields';
import type { SourcedObject } from './read-dist';

/** How objects are matched: `kind/namespace/name` within an environment, `kind/name` across two. */
export type KeyOf = (source: SourcedObject) => string;

export interface ChangedObject {
  readonly key: string;
  readonly changes: readonly FieldChange[];
}

export interface ObjectDiff {
  /** What the comparison is, e.g. `dist/prod → render` or `staging → prod`. */
  readonly title: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly ChangedObject[];
  readonly unchanged: number;
}

function name(source: SourcedObject): string {
  return source.object.metadata?.name ?? source.file;
}

/** `Deployment/platform/backend`; cluster-scoped objects have no namespace part. */
export const byNamespacedName: KeyOf = (source) =>
  manifestId({ kind: source.object.kind, metadata: { ...source.object.metadata, name: name(source) } });

/** `Deployment/backend`: across environments the namespace is the environment's, not a difference. */
export const byKindAndName: KeyOf = (source) => `${source.object.kind}/${name(source)}`;

function index(sources: readonly SourcedObject[], keyOf: KeyOf): Map<string, Manifest> {
  const map = new Map<string, Manifest>();
  for (const source of sources) {
    const key = keyOf(source);
    if (map.has(key)) throw new Error(`two objects are both ${key}; cannot tell which to compare`);
    map.set(key, source.object);
  }
  return map;
}

/** Compares `from` (old) with `to` (new); added and changed follow `to`'s order, removed `from`'s. */
export function diffObjects(
  title: string,
  from: readonly SourcedObject[],
  to: readonly SourcedObject[],
  keyOf: KeyOf,
  options: DiffFieldsOptions & { readonly toKey?: KeyOf } = {},
): ObjectDiff {
  const before = index(from, keyOf);
  const after = index(to, options.toKey ?? keyOf);
  const changed: ChangedObject[] = [];
  let unchanged = 0;
  for (const [key, object] of after) {
    const old = before.get(key);
    if (old === undefined) continue;
    const changes = diffFields(old, object, options);
    if (changes.length === 0) unchanged++;
    else changed.push({ key, changes });
  }
  return {
    title,
    added: [...after.keys()].filter((key) => !before.has(key)),
    removed: [...before.keys()].filter((key) => !after.has(key)),
    changed,
    unchanged,
  };
}

export function isEmpty(diff: ObjectDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}
