/**
 * Two comparisons a reviewer asks for:
 * - the committed dist/ against a fresh render (what will this pull request change in the cluster?);
 * - one environment against another (what does prod run that staging does not?).
 */
import { environmentNames, readEnvironmentFile } from '../../environments';
import { renderEnvironments } from '../synthesize';
import { normalizeString, rewriteForEnvironment, sameAcrossEnvironments, withoutNamespace } from './normalize';
import { byKindAndName, byNamespacedName, diffObjects, type KeyOf, type ObjectDiff } from './objects';
import { distEnvironments, parseObjects, readDistEnvironment, type SourcedObject } from './read-dist';

export { diffFields, joinKey, type FieldChange } from './fields';
export { formatDiff, showValue, summary } from './format';
export { ENV_PLACEHOLDER, normalizeForEnvironment, normalizeString, sameAcrossEnvironments } from './normalize';
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

/** Objects matched by kind and name, the environment's own name in the name read as `{env}`. */
function byKindAndNormalizedName(environment: string): KeyOf {
  return (source) => normalizeString(byKindAndName(source), environment);
}

/**
 * Two rendered environments, object by object, matched by kind and name. Unless `exact`, the
 * namespace and each side's own environment name are not differences (see `sameAcrossEnvironments`).
 */
export function diffRendered(from: RenderedSide, to: RenderedSide, options: EnvironmentDiffOptions = {}): ObjectDiff {
  const title = `${from.name} → ${to.name}`;
  if (options.exact) return diffObjects(title, from.objects, to.objects, byKindAndName);
  const strip = (sources: readonly SourcedObject[]) => sources.map((source) => ({ ...source, object: withoutNamespace(source.object) }));
  return diffObjects(title, strip(from.objects), strip(to.objects), byKindAndNormalizedName(from.name), {
    toKey: byKindAndNormalizedName(to.name),
    same: sameAcrossEnvironments(from.name, to.name),
    identity: { from: (entry) => rewriteForEnvironment(entry, from.name), to: (entry) => rewriteForEnvironment(entry, to.name) },
  });
}

/** One side of an environment diff: its name and its objects as they would be written. */
export interface RenderedSide {
  readonly name: string;
  readonly objects: readonly SourcedObject[];
}

/** Two registered environments, rendered now. */
export function diffEnvironments(from: string, to: string, options: EnvironmentDiffOptions = {}): ObjectDiff {
  const fresh = renderedObjects([from, to]);
  return diffRendered({ name: from, objects: fresh.get(from) ?? [] }, { name: to, objects: fresh.get(to) ?? [] }, options);
}

/** A proposed overlay file against the environment it extends: what merging it would change. */
export function diffProposal(file: string, options: EnvironmentDiffOptions = {}): ObjectDiff {
  const overlay = readEnvironmentFile(file);
  const parent = overlay.extends?.name;
  if (parent === undefined)
    throw new Error(`${file}: extends no registered environment (set \`extends: <environment>\`) so there is nothing to compare it with`);
  const [rendered] = renderEnvironments({ environmentFiles: [file] });
  if (rendered === undefined) throw new Error(`${file}: nothing was rendered`);
  const proposal = rendered.files.flatMap((f) => parseObjects(f.name, f.text));
  return diffRendered(
    { name: parent, objects: renderedObjects([parent]).get(parent) ?? [] },
    { name: rendered.environment, objects: proposal },
    options,
  );
}
