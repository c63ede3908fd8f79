/**
 * Turns an environment file (only its differences) into a validated Environment: the platform base,
 * then each parent it extends, then its own overlay, merged and checked against the schema.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  ACME_SOLVER_VARIANTS,
  DATA_STORE_VARIANTS,
  environmentSchema,
  SECRET_PROVIDER_VARIANTS,
  SERVICE_VARIANTS,
  STRATEGY_VARIANTS,
  type Environment,
  type EnvironmentInput,
} from './schema';
import { isPlain, type Plain } from '../lib/core/plain';
import { UserError } from '../lib/core/user-error';
import { unschedulablePods } from './pod-fit';

/** An overlay's value: any part of the field, or `null` to remove what the base declared. */
type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly U[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

/**
 * What an environment file declares: its name, what it extends, and what differs. A key set to `null`
 * removes what the base (or the parent) declared: a service, a data store, the sandbox, a region's
 * replication. A service can also be kept but switched off with `enabled: false`.
 */
export type EnvironmentOverlay = DeepPartial<Omit<EnvironmentInput, 'name'>> & {
  readonly name: string;
  /** The environment this one is a small overlay on (regions extend prod). @default - the platform base */
  readonly extends?: EnvironmentOverlay;
};

/** Identity function that gives environment files their type. */
export function defineEnvironment(overlay: EnvironmentOverlay): EnvironmentOverlay {
  return overlay;
}

/** One rejected value: where, what, and what is allowed. */
export interface EnvironmentIssue {
  readonly path: string;
  readonly value: unknown;
  readonly message: string;
  /** The file that set the value (or the one that should have). @default - unknown */
  readonly source?: string;
}

/** `prod (environments/prod.ts): services.backend.replicas.max = 4: must be at least replicas.min (5)`. */
export function formatIssue(environment: string, issue: EnvironmentIssue): string {
  const where = issue.source === undefined ? environment : `${environment} (${issue.source})`;
  return `${where}: ${issue.path} = ${show(issue.value)}: ${issue.message}`;
}

/** A bad environment. The message lists every issue, one per line, each naming the environment and the file. */
export class EnvironmentError extends UserError {
  constructor(
    readonly environment: string,
    readonly issues: readonly EnvironmentIssue[],
  ) {
    super(issues.map((issue) => formatIssue(environment, issue)).join('\n'));
    this.name = 'EnvironmentError';
  }
}

/** Several bad environments, reported together so one run shows every problem. */
export class EnvironmentErrors extends UserError {
  constructor(readonly errors: readonly EnvironmentError[]) {
    super(errors.map((error) => error.message).join('\n'));
    this.name = 'EnvironmentErrors';
  }
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The fields of each variant of the schema's unions, by discriminator key and value
 * (`type: canary` → steps; `mode: managed` → engine, port, cidrs). An overlay that switches variant
 * keeps only the base's fields the new variant also has, so a field of the old variant cannot leak
 * into the new one, and the fields they share (a data store's engine and port) need not be repeated.
 */
const VARIANT_FIELDS: ReadonlyMap<string, ReadonlyMap<unknown, readonly string[]>> = (() => {
  const unions: [string, readonly { shape: Record<string, { def?: unknown }> }[]][] = [
    ['type', [...STRATEGY_VARIANTS, ...ACME_SOLVER_VARIANTS]],
    ['provider', SECRET_PROVIDER_VARIANTS],
    ['mode', DATA_STORE_VARIANTS],
    ['kind', SERVICE_VARIANTS],
  ];
  // Variants that share a value (the operated stores, one per engine) contribute every field they have.
  const fieldsByValue = (key: string, variants: readonly { shape: Record<string, unknown> }[]) => {
    const out = new Map<unknown, string[]>();
    for (const variant of variants) {
      const value = (variant.shape[key] as unknown as { value: unknown }).value;
      out.set(value, [...new Set([...(out.get(value) ?? []), ...Object.keys(variant.shape)])]);
    }
    return out;
  };
  return new Map(unions.map(([key, variants]) => [key, fieldsByValue(key, variants)]));
})();

/**
 * Where each value of a merged environment came from: dotted paths (`services.backend.replicas.max`)
 * to the file that set them. Objects are not leaves: each of their fields is recorded.
 */
export type Provenance = Map<string, string>;

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Records `source` for every leaf of `value` under `path`. */
function record(value: unknown, path: string, source: string, provenance: Provenance): void {
  if (isPlain(value)) {
    for (const [key, inner] of Object.entries(value)) record(inner, join(path, key), source, provenance);
    return;
  }
  provenance.set(path, source);
}

/** Forgets every recorded value at or under `path` (an overlay replaced it). */
function forget(path: string, provenance: Provenance): void {
  for (const key of [...provenance.keys()]) if (key === path || key.startsWith(`${path}.`)) provenance.delete(key);
}

/**
 * Objects merge key by key; arrays and scalars replace, so an overlay can shorten a list, and `null`
 * removes the key. An overlay that switches a union's variant (a strategy from blueGreen to rolling, a
 * store from managed to in-cluster) starts from the base's fields that the new variant shares.
 */
function merge(base: unknown, overlay: unknown, path: string, source: string, provenance: Provenance): unknown {
  if (overlay === undefined) return base;
  if (overlay === null) {
    forget(path, provenance);
    return undefined;
  }
  if (!isPlain(base) || !isPlain(overlay)) {
    forget(path, provenance);
    record(overlay, path, source, provenance);
    return overlay;
  }
  let start: Plain = base;
  for (const [key, variants] of VARIANT_FIELDS) {
    if (!(key in overlay) || overlay[key] === base[key]) continue;
    const fields = variants.get(overlay[key]);
    start = fields === undefined ? {} : Object.fromEntries(Object.entries(base).filter(([field]) => fields.includes(field)));
    for (const field of Object.keys(base)) if (!(field in start)) forget(join(path, field), provenance);
    break;
  }
  const out: Plain = { ...start };
  for (const [key, value] of Object.entries(overlay)) {
    const merged = merge(start[key], value, join(path, key), source, provenance);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  return out;
}

/** The file of the platform base. */
export const PLATFORM_SOURCE = 'environments/platform.ts';

/** Where schema defaults come from, for `explain`. */
export const DEFAULTS_SOURCE = 'lib/defaults.ts (default)';

const overlaySources = new WeakMap<EnvironmentOverlay, string>();

/** Remembers the file an overlay was read from. */
export function registerOverlaySource(overlay: EnvironmentOverlay, source: string): EnvironmentOverlay {
  overlaySources.set(overlay, source);
  return overlay;
}

/** The file an overlay was read from: registered environments live in environments/<name>.ts. */
export function overlaySource(overlay: EnvironmentOverlay): string {
  return overlaySources.get(overlay) ?? `environments/${overlay.name}.ts`;
}

/**
 * The file that set `path`: its own entry, else the file that set a field under it (an object
 * written as a whole), else the nearest parent that was set as a whole.
 */
export function sourceOf(provenance: Provenance, path: string): string | undefined {
  const plain = path.replace(/\[\d+\]/g, '');
  const own = provenance.get(plain);
  if (own !== undefined) return own;
  const below = [...provenance].filter(([key]) => key.startsWith(`${plain}.`)).map(([, source]) => source);
  if (below.length > 0) return below[below.length - 1];
  for (let at = plain; at.includes('.'); ) {
    at = at.slice(0, at.lastIndexOf('.'));
    const source = provenance.get(at);
    if (source !== undefined) return source;
  }
  return undefined;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

function issuesOf(error: z.ZodError): EnvironmentIssue[] {
  return error.issues.flatMap((issue): EnvironmentIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      const input = isPlain(issue.input) ? issue.input : {};
      return issue.keys.map((key) => ({ path: pathText([...issue.path, key]), value: input[key], message: issue.message }));
    }
    // Some issues (a bad discriminator) carry the parent object as input; show the field itself.
    const last = issue.path.at(-1);
    const value = isPlain(issue.input) && typeof last === 'string' && last in issue.input ? issue.input[last] : issue.input;
    return [{ path: pathText(issue.path) || '(root)', value, message: issue.message }];
  });
}

interface Flattened {
  readonly merged: Plain;
  readonly issues: EnvironmentIssue[];
  readonly provenance: Provenance;
}

/** Applies the overlay chain (base first) without validating, recording where every value came from. */
function flatten(overlay: EnvironmentOverlay, base: Plain): Flattened {
  const parent: Flattened =
    overlay.extends === undefined
      ? (() => {
          const provenance: Provenance = new Map();
          record(base, '', PLATFORM_SOURCE, provenance);
          return { merged: base, issues: [], provenance };
        })()
      : flatten(overlay.extends, base);
  const source = overlaySource(overlay);
  const { extends: _parent, ...own } = overlay as Plain;
  const provenance: Provenance = new Map(parent.provenance);
  const merged = merge(parent.merged, own, '', source, provenance) as Plain;
  return { merged, issues: parent.issues, provenance };
}

/** A resolved environment and where each of its values came from. */
export interface ResolvedEnvironment {
  readonly environment: Environment;
  readonly provenance: Provenance;
}

/**
 * Resolves and validates an environment, keeping where each value came from.
 * @throws EnvironmentError listing every bad value, each with the file that set it.
 */
export function resolveWithProvenance(overlay: EnvironmentOverlay, base: Plain): ResolvedEnvironment {
  const label = typeof overlay.name === 'string' && overlay.name !== '' ? overlay.name : '(unnamed environment)';
  const { merged, issues, provenance } = flatten(overlay, base);
  const result = environmentSchema.safeParse(merged, { reportInput: true });
  // A value nobody set (a required field left out) is for the environment's own file to add.
  const ownFile = overlaySource(overlay);
  const schemaIssues = result.success
    ? []
    : issuesOf(result.error).map((issue) => ({ ...issue, source: sourceOf(provenance, issue.path) ?? ownFile }));
  // A pod that no node of its pool can hold (pod-fit.ts), once the model is otherwise valid.
  const unschedulable = result.success
    ? unschedulablePods(result.data).map((issue) => ({ ...issue, source: sourceOf(provenance, issue.path) ?? ownFile }))
    : [];
  const all = [...issues, ...schemaIssues, ...unschedulable];
  if (all.length > 0 || !result.success) throw new EnvironmentError(label, all);
  return { environment: result.data, provenance };
}

/**
 * Resolves and validates an environment.
 * @throws EnvironmentError listing every bad value.
 */
export function resolveEnvironment(overlay: EnvironmentOverlay, base: Plain): Environment {
  return resolveWithProvenance(overlay, base).environment;
}

/**
 * Reads an environment overlay from a YAML or JSON file, e.g. one proposed in a pull request or a
 * test fixture. Malformed YAML and duplicate keys fail with the file and line.
 */
export function readOverlayFile(file: string): EnvironmentOverlay {
  const text = readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter, prettyErrors: false });
  const [first] = doc.errors;
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new UserError(`${file}:${line}:${col}: ${first.message.split('\n')[0]}`);
  }
  const value: unknown = doc.toJS();
  if (!isPlain(value)) throw new UserError(`${file}:1:1: an environment must be a mapping, got ${show(value)}`);
  // Messages name the file as the user would: relative to where the command runs.
  const shown = isAbsolute(file) && !relative(process.cwd(), file).startsWith('..') ? relative(process.cwd(), file) : file;
  return registerOverlaySource(value as EnvironmentOverlay, shown);
}
