/**
 * The environments this repository deploys, in synth order. Adding one is a new file here and one
 * line in this list.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../lib/core/user-error';
import dev from './dev';
import {
  EnvironmentError,
  EnvironmentErrors,
  type EnvironmentOverlay,
  overlaySource,
  type ResolvedEnvironment,
  readOverlayFile,
  registerOverlaySource,
  resolveWithProvenance,
} from './load';
import { platform } from './platform';
import prod from './prod';
import prodAsia from './prod-asia';
import prodEu from './prod-eu';
import prodUsWest from './prod-us-west';
import previewTemplate from './pr-0';
import secops from './secops';
import type { Environment } from './schema';
import staging from './staging';

export const ENVIRONMENTS: readonly EnvironmentOverlay[] = [dev, staging, prod, prodUsWest, prodEu, prodAsia, secops, previewTemplate];

export function environmentNames(): string[] {
  return ENVIRONMENTS.map((env) => env.name);
}

/** Resolves and validates one overlay against the platform base, keeping where each value came from. */
export function resolveOverlay(overlay: EnvironmentOverlay): ResolvedEnvironment {
  return resolveWithProvenance(overlay, platform as unknown as Record<string, unknown>);
}

/** Resolves and validates one overlay against the platform base. */
export function loadEnvironment(overlay: EnvironmentOverlay): Environment {
  return resolveOverlay(overlay).environment;
}

/** Runs `load` on each item; every failure is collected, so one run reports every bad environment. */
export function loadAll<T, R>(items: readonly T[], load: (item: T) => R): R[] {
  const errors: EnvironmentError[] = [];
  const loaded: R[] = [];
  for (const item of items) {
    try {
      loaded.push(load(item));
    } catch (error) {
      if (!(error instanceof EnvironmentError)) throw error;
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new EnvironmentErrors(errors);
  return loaded;
}

function registered(name: string): EnvironmentOverlay {
  const overlay = ENVIRONMENTS.find((env) => env.name === name);
  if (!overlay) throw new UserError(`unknown environment "${name}"; known: ${environmentNames().join(', ')}`);
  return overlay;
}

/**
 * Environments by name, in declaration order; every name must exist.
 * @throws UserError naming the unknown environment and the known ones
 * @throws EnvironmentError or EnvironmentErrors with every bad value of every selected environment
 */
export function selectEnvironments(names?: readonly string[]): Environment[] {
  const overlays = names === undefined || names.length === 0 ? ENVIRONMENTS : names.map(registered);
  return loadAll(overlays, loadEnvironment);
}

/** Reads an overlay file; a string `extends` names a registered environment. */
export function readEnvironmentFile(file: string): EnvironmentOverlay {
  const raw = readOverlayFile(file);
  const name: unknown = raw.name;
  if (typeof name !== 'string' || name === '') {
    throw new EnvironmentError('(unnamed environment)', [
      {
        path: 'name',
        value: name,
        message: 'is required: an overlay file names its own environment, which is synthesized into <out>/<name>/',
        source: overlaySource(raw),
      },
    ]);
  }
  if (environmentNames().includes(name)) {
    throw new EnvironmentError(name, [
      {
        path: 'name',
        value: name,
        message: `must differ from the registered environments (${environmentNames().join(', ')}): an overlay never replaces a registered environment's output; give it a new name and \`extends: ${name}\``,
        source: overlaySource(raw),
      },
    ]);
  }
  const parentName: unknown = raw.extends;
  if (typeof parentName !== 'string') return raw;
  const parent = ENVIRONMENTS.find((env) => env.name === parentName);
  if (!parent) {
    throw new EnvironmentError(String(raw.name), [
      {
        path: 'extends',
        value: parentName,
        message: `must name a known environment: ${environmentNames().join(', ')}`,
        source: overlaySource(raw),
      },
    ]);
  }
  return registerOverlaySource({ ...raw, extends: parent }, overlaySource(raw));
}

/** Loads an overlay from a YAML/JSON file. A string `extends` names a registered environment. */
export function loadEnvironmentFile(file: string): Environment {
  return loadEnvironment(readEnvironmentFile(file));
}

/**
 * Environment files in `dir` (one per environment, named after it) that are not in ENVIRONMENTS: a
 * region file left out of the list would otherwise never be synthesized, silently.
 */
export function unregisteredEnvironmentFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const known = new Set(environmentNames());
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !known.has(file.slice(0, -3)))
    .filter((file) => /\bdefineEnvironment\s*\(/.test(readFileSync(join(dir, file), 'utf8')) && file !== 'load.ts')
    .map((file) => join(dir, file));
}

export {
  EnvironmentError,
  EnvironmentErrors,
  defineEnvironment,
  type EnvironmentOverlay,
  formatIssue,
  sourceOf,
  DEFAULTS_SOURCE,
} from './load';
export { readOverlayFile } from './load';
export type { Environment, ServiceSpec, NodePool, Strategy } from './schema';
