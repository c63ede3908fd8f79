/**
 * Two comparisons a reviewer asks for:
 * - the committed dist/ against a fresh render (what will this pull request change in the cluster?);
 * - one environment against another (what does prod run that staging does not?).
 */
import { environmentNames } from '../../environments';
import { renderEnvironments } from '../synthesize';
import { normalizeForEnvironment } from './normalize';
import { byKindAndName, byNamespacedName, diffObjects, type ObjectDiff } from './objects';
import { distEnvironments, parseObjects, readDistEnvironment, type SourcedObject } from './read-dist';

export { diffFields, joinKey, type FieldChange } from './fields';
export { formatDiff, showValue, summary } from './format';
export { ENV_PLACEHOLDER, normalizeForEnvironment } from './normalize';
export { byKindAndName, byNamespacedName, diffObjects, isEmpty, type ChangedObject, type ObjectDiff } from './objects';
export { parseObjects, readDistEnvironment } from './read-dist';

/** Renders environments in memory and reads the objects back from the text that would be written. */
function renderedObjects(names: readonly string[]): Map<string, SourcedObject[]> {
  const rendered = renderEnvironments({ environments: names });
  return new Map(rendered.map((env) => [env.environment, env.files.flatMap((file) => parseObjects(file.name, file.text))]));
}

export interface DistDiffOptions {
  /** @default 'dist' */
  readonly distDir?: string;
  /** @default - every registered environment, plus any folder in dist/ that no longer has one */
  readonly environments?: readonly string[];
}

/** dist/<env>/ as committed against what a synth would write now, per environment. */
export function diffDist(options: DistDiffOptions = {}): ObjectDiff[] {
  const distDir = options.distDir ?? 'dist';
  const registered = environmentNames();
  const inDist = distEnvironments(distDir);
  const names = options.environments ?? [...registered, ...inDist.filter((name) => !registered.includes(name))];
  const unknown = names.filter((name) => !registered.includes(name) && !inDist.includes(name));
  if (unknown.length > 0) throw new Error(`unknown environment "${unknown[0]}"; known: ${registered.join(', ')}`);
  // An environment only in dist/ was deleted from the registry: all its objects are removals.
  const fresh = renderedObjects(names.filter((name) => registered.includes(name)));
  return names.map((name) =>
    diffObjects(`${distDir}/${name} → render`, readDistEnvironment(distDir, name), fresh.get(name) ?? [], byNamespacedName),
  );
}

export interface EnvironmentDiffOptions {
  /** Compare raw objects: keep namespaces and environment names in values. @default false */
  readonly exact?: boolean;
}

/** Two rendered environments, object by object, matched by kind and name. */
export function diffEnvironments(from: string, to: string, options: EnvironmentDiffOptions = {}): ObjectDiff {
  const fresh = renderedObjects([from, to]);
  const side = (name: string): SourcedObject[] =>
    (fresh.get(name) ?? []).map((source) => (options.exact ? source : { ...source, object: normalizeForEnvironment(source.object, name) }));
  return diffObjects(`${from} → ${to}`, side(from), side(to), byKindAndName);
}
