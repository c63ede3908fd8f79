/**
 * The environments this repository deploys, in synth order. Adding one is a new file here and one
 * line in this list.
 */
import dev from './dev';
import { EnvironmentError, readOverlayFile, resolveEnvironment, type EnvironmentOverlay } from './load';
import { platform } from './platform';
import prod from './prod';
import prodAsia from './prod-asia';
import prodEu from './prod-eu';
import prodUsWest from './prod-us-west';
import type { Environment } from './schema';
import staging from './staging';

export const ENVIRONMENTS: readonly EnvironmentOverlay[] = [dev, staging, prod, prodUsWest, prodEu, prodAsia];

export function environmentNames(): string[] {
  return ENVIRONMENTS.map((env) => env.name);
}

/** Resolves and validates one overlay against the platform base. */
export function loadEnvironment(overlay: EnvironmentOverlay): Environment {
  return resolveEnvironment(overlay, platform as unknown as Record<string, unknown>);
}

/**
 * Environments by name, in declaration order; every name must exist.
 * @throws Error naming the unknown environment and the known ones.
 */
export function selectEnvironments(names?: readonly string[]): Environment[] {
  if (names === undefined || names.length === 0) return ENVIRONMENTS.map(loadEnvironment);
  return names.map((name) => {
    const overlay = ENVIRONMENTS.find((env) => env.name === name);
    if (!overlay) throw new Error(`unknown environment "${name}"; known: ${environmentNames().join(', ')}`);
    return loadEnvironment(overlay);
  });
}

/**
 * Loads an overlay from a YAML/JSON file. A string `extends` names a registered environment.
 */
export function loadEnvironmentFile(file: string): Environment {
  const raw = readOverlayFile(file);
  const parentName: unknown = raw.extends;
  if (typeof parentName !== 'string') return loadEnvironment(raw);
  const parent = ENVIRONMENTS.find((env) => env.name === parentName);
  if (!parent) {
    throw new EnvironmentError(String(raw.name), [
      { path: 'extends', value: parentName, message: `must name a known environment: ${environmentNames().join(', ')}` },
    ]);
  }
  return loadEnvironment({ ...raw, extends: parent });
}

export { EnvironmentError, defineEnvironment, type EnvironmentOverlay } from './load';
export type { Environment, ServiceSpec, NodePool, Strategy } from './schema';
