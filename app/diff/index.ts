/**
 * Two comparisons a reviewer asks for:
 * - the committed dist/ against a fresh render (what will this pull request change in the cluster?);
 * - one environment against another (what does prod run that staging does not?).
 */
import { environmentNames, readEnvironmentFile, selectEnvironments } from '../../environments';
import { buildEnvironment } from '../../charts';
import { UserError } from '../../lib/core/user-error';
import { renderEnvironment } from '../render';
import { loadSelected, renderEnvironments } from '../synthesize';
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
  if (unknown.length > 0) throw new UserError(`unknown environment "${unknown[0]}"; known: ${registered.join(', ')}`);
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

/**
 * Objects matched by kind and name, the environment's own name in them read as `{env}`. An object in
 * another namespace than the environment's own keeps its namespace in the key, so a name used in two
 * namespaces (each namespace's default-deny policy) stays two objects.
 */
function crossEnvironmentKey(side: RenderedSide, namespaces: WeakMap<object, string | undefined>, normalize: boolean): KeyOf {
  return (source) => {
    const namespace = namespaces.has(source.object) ? namespaces.get(source.object) : source.object.metadata?.namespace;
    const key =
      namespace === undefined || namespace === side.namespace
        ? byKindAndName(source)
        : byNamespacedName({ ...source, object: { ...source.object, metadata: { ...source.object.metadata, namespace } } });
    return normalize ? normalizeString(key, side.name) : key;
  };
}

/**
 * Two rendered environments, object by object, matched by kind and name. Unless `exact`, the
 * namespace and each side's own environment name are not differences (see `sameAcrossEnvironments`).
 */
export function diffRendered(from: RenderedSide, to: RenderedSide, options: EnvironmentDiffOptions = {}): ObjectDiff {
  const title = `${from.name} → ${to.name}`;
  const namespaces = new WeakMap<object, string | undefined>();
  if (options.exact) {
    return diffObjects(title, from.objects, to.objects, crossEnvironmentKey(from, namespaces, false), {
      toKey: crossEnvironmentKey(to, namespaces, false),
    });
  }
  // Compared without the namespace; the key says where an object outside the environment's own is.
  const strip = (sources: readonly SourcedObject[]) =>
    sources.map((source) => {
      const object = withoutNamespace(source.object);
      namespaces.set(object, source.object.metadata?.namespace);
      return { ...source, object };
    });
  return diffObjects(title, strip(from.objects), strip(to.objects), crossEnvironmentKey(from, namespaces, true), {
    toKey: crossEnvironmentKey(to, namespaces, true),
    same: sameAcrossEnvironments(from.name, to.name),
    identity: { from: (entry) => rewriteForEnvironment(entry, from.name), to: (entry) => rewriteForEnvironment(entry, to.name) },
  });
}

/** One side of an environment diff: its name and its objects as they would be written. */
export interface RenderedSide {
  readonly name: string;
  /** The environment's own namespace, left out of the keys. */
  readonly namespace: string;
  readonly objects: readonly SourcedObject[];
}

/** Two registered environments, rendered now. */
export function diffEnvironments(from: string, to: string, options: EnvironmentDiffOptions = {}): ObjectDiff {
  const fresh = renderedObjects([from, to]);
  const [fromEnv, toEnv] = selectEnvironments([from, to]);
  return diffRendered(
    { name: from, namespace: fromEnv!.namespace, objects: fresh.get(from) ?? [] },
    { name: to, namespace: toEnv!.namespace, objects: fresh.get(to) ?? [] },
    options,
  );
}

/** A proposed overlay file against the environment it extends: what merging it would change. */
export function diffProposal(file: string, options: EnvironmentDiffOptions = {}): ObjectDiff {
  const overlay = readEnvironmentFile(file);
  const parent = overlay.extends?.name;
  if (parent === undefined)
    throw new UserError(
      `${file}: extends no registered environment (set \`extends: <environment>\`) so there is nothing to compare it with`,
    );
  const [environment] = loadSelected({ environmentFiles: [file] });
  if (environment === undefined) throw new UserError(`${file}: nothing was rendered`);
  const rendered = renderEnvironment(buildEnvironment(environment));
  const proposal = rendered.files.flatMap((f) => parseObjects(f.name, f.text));
  return diffRendered(
    { name: parent, namespace: selectEnvironments([parent])[0]!.namespace, objects: renderedObjects([parent]).get(parent) ?? [] },
    { name: rendered.environment, namespace: environment.namespace, objects: proposal },
    options,
  );
}
