/**
 * The synth pipeline: resolve environments, build their charts, render them, and only then write.
 * Nothing touches the output folder until every environment has rendered.
 */
import { buildEnvironment } from '../charts';
import { ENVIRONMENTS, selectEnvironments } from '../environments';
import { writeEnvironments } from './dist-writer';
import { renderEnvironment, type RenderedEnvironment } from './render';

export interface SynthOptions {
  /** @default - every environment */
  readonly environments?: readonly string[];
  /** @default - render only, write nothing */
  readonly outDir?: string;
}

/** Renders the selected environments in memory. Throws on any bad environment. */
export function renderEnvironments(names?: readonly string[]): RenderedEnvironment[] {
  return selectEnvironments(names).map((environment) => renderEnvironment(buildEnvironment(environment)));
}

export function synthesize(options: SynthOptions = {}): RenderedEnvironment[] {
  const rendered = renderEnvironments(options.environments);
  if (options.outDir !== undefined) {
    const complete = rendered.length === ENVIRONMENTS.length;
    writeEnvironments(rendered, { outDir: options.outDir, complete });
  }
  return rendered;
}
