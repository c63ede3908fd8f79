/**
 * The synth pipeline: resolve environments, build their charts, render them, and only then write.
 * Nothing touches the output folder until every environment has rendered.
 */
import { buildEnvironment } from '../charts';
import { ENVIRONMENTS, loadEnvironmentFile, selectEnvironments } from '../environments';
import { writeEnvironments } from './dist-writer';
import { renderEnvironment, type RenderedEnvironment } from './render';

export interface SynthOptions {
  /** @default - every environment, unless environmentFiles are given */
  readonly environments?: readonly string[];
  /** YAML/JSON environment overlays to synthesize, e.g. a region proposed in a pull request. */
  readonly environmentFiles?: readonly string[];
  /** @default - render only, write nothing */
  readonly outDir?: string;
}

/** Renders the selected environments in memory. Throws on any bad environment. */
export function renderEnvironments(options: Omit<SynthOptions, 'outDir'> = {}): RenderedEnvironment[] {
  const files = options.environmentFiles ?? [];
  const named = files.length > 0 && options.environments === undefined ? [] : selectEnvironments(options.environments);
  const environments = [...named, ...files.map(loadEnvironmentFile)];
  return environments.map((environment) => renderEnvironment(buildEnvironment(environment)));
}

export function synthesize(options: SynthOptions = {}): RenderedEnvironment[] {
  const rendered = renderEnvironments(options);
  if (options.outDir !== undefined) {
    const all = ENVIRONMENTS.map((env) => env.name);
    const complete = rendered.length === all.length && rendered.every((env, i) => env.environment === all[i]);
    writeEnvironments(rendered, { outDir: options.outDir, complete });
  }
  return rendered;
}
