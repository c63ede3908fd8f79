/**
 * Turns an environment file (only its differences) into a validated Environment: the platform base,
 * then each parent it extends, then its own overlay, merged and checked against the schema.
 */
import { readFileSync } from 'node:fs';
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

type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly U[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** What an environment file declares: its name, what it extends, and what differs. */
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
}

/** A bad environment. The message lists every issue, one per line, each naming the environment. */
export class EnvironmentError extends Error {
  constructor(
    readonly environment: string,
    readonly issues: readonly EnvironmentIssue[],
  ) {
    super(issues.map((issue) => `${environment}: ${issue.path} = ${show(issue.value)}: ${issue.message}`).join('\n'));
    this.name = 'EnvironmentError';
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
  return new Map(
    unions.map(([key, variants]) => [
      key,
      new Map(variants.map((variant) => [(variant.shape[key] as unknown as { value: unknown }).value, Object.keys(variant.shape)])),
    ]),
  );
})();

/**
 * Objects merge key by key; arrays and scalars replace, so an overlay can shorten a list. An overlay
 * that switches a union's variant (a strategy from blueGreen to rolling, a store from managed to
 * in-cluster) starts from the base's fields that the new variant shares.
 */
function merge(base: unknown, overlay: unknown): unknown {
  if (!isPlain(base) || !isPlain(overlay)) return overlay === undefined ? base : overlay;
  let start: Plain = base;
  for (const [key, variants] of VARIANT_FIELDS) {
    if (!(key in overlay) || overlay[key] === base[key]) continue;
    const fields = variants.get(overlay[key]);
    start = fields === undefined ? {} : Object.fromEntries(Object.entries(base).filter(([field]) => fields.includes(field)));
    break;
  }
  const out: Plain = { ...start };
  for (const [key, value] of Object.entries(overlay)) {
    out[key] = merge(start[key], value);
  }
  return out;
}

/** Services must be declared in the platform base: an environment may tune them, not invent them. */
function unknownServices(base: Plain, overlay: Plain): EnvironmentIssue[] {
  const known = Object.keys(isPlain(base.services) ? base.services : {});
  const declared = isPlain(overlay.services) ? Object.keys(overlay.services) : [];
  return declared
    .filter((name) => !known.includes(name))
    .map((name) => ({
      path: `services.${name}`,
      value: name,
      message: `unknown service; known services: ${known.join(', ')} (declare new services in environments/platform.ts)`,
    }));
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

/** Applies the overlay chain (base first) without validating. */
function flatten(overlay: EnvironmentOverlay, base: Plain): { merged: Plain; issues: EnvironmentIssue[] } {
  const parent = overlay.extends === undefined ? { merged: base, issues: [] } : flatten(overlay.extends, base);
  const { extends: _parent, ...own } = overlay as Plain;
  const unknown = unknownServices(parent.merged, own);
  // Unknown services are reported once, here, rather than again as a service missing every field.
  const services = isPlain(own.services)
    ? Object.fromEntries(Object.entries(own.services).filter(([name]) => !unknown.some((i) => i.value === name)))
    : own.services;
  return { merged: merge(parent.merged, { ...own, services }) as Plain, issues: [...parent.issues, ...unknown] };
}

/**
 * Resolves and validates an environment.
 * @throws EnvironmentError listing every bad value.
 */
export function resolveEnvironment(overlay: EnvironmentOverlay, base: Plain): Environment {
  const label = typeof overlay.name === 'string' && overlay.name !== '' ? overlay.name : '(unnamed environment)';
  const { merged, issues } = flatten(overlay, base);
  const result = environmentSchema.safeParse(merged, { reportInput: true });
  const all = [...issues, ...(result.success ? [] : issuesOf(result.error))];
  if (all.length > 0 || !result.success) throw new EnvironmentError(label, all);
  return result.data;
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
    throw new Error(`${file}:${line}:${col}: ${first.message.split('\n')[0]}`);
  }
  const value: unknown = doc.toJS();
  if (!isPlain(value)) throw new Error(`${file}:1:1: an environment must be a mapping, got ${show(value)}`);
  return value as EnvironmentOverlay;
}
