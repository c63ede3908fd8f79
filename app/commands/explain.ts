import type { Command } from 'commander';
import {
  DEFAULTS_SOURCE,
  ENVIRONMENTS,
  environmentNames,
  readEnvironmentFile,
  resolveOverlay,
  sourceOf,
  type EnvironmentOverlay,
} from '../../environments';
import { isPlain } from '../../lib/core/plain';
import { UserError } from '../../lib/core/user-error';

/** One resolved value and the file that set it. */
export interface Explanation {
  readonly environment: string;
  readonly path: string;
  readonly value: unknown;
  /** Leaf paths under `path` and where each came from (one entry for a scalar or a list). */
  readonly sources: readonly { readonly path: string; readonly source: string }[];
}

function leaves(value: unknown, path: string): string[] {
  if (!isPlain(value)) return [path];
  return Object.entries(value).flatMap(([key, inner]) => leaves(inner, `${path}.${key}`));
}

/**
 * The resolved value at a dotted path of an environment (`services.backend.replicas.max`) and which
 * file set it: the platform base, a parent environment, the environment's own file, an overlay, or a
 * schema default.
 * @throws Error naming the path and the keys that exist where it stops matching
 */
export function explain(overlay: EnvironmentOverlay, path: string): Explanation {
  const { environment, provenance } = resolveOverlay(overlay);
  let value: unknown = environment;
  const walked: string[] = [];
  for (const key of path.split('.')) {
    if (!isPlain(value) || !(key in value)) {
      const where = walked.length === 0 ? 'the environment' : walked.join('.');
      const keys = isPlain(value) ? Object.keys(value).join(', ') : '(a value, not a mapping)';
      throw new UserError(`${environment.name}: ${path}: ${where} has no "${key}"; it has ${keys}`);
    }
    value = value[key];
    walked.push(key);
  }
  const sources = leaves(value, path).map((leaf) => ({ path: leaf, source: sourceOf(provenance, leaf) ?? DEFAULTS_SOURCE }));
  return { environment: environment.name, path, value, sources };
}

export function formatExplanation(explanation: Explanation): string {
  const { environment, path, value, sources } = explanation;
  if (sources.length === 1 && sources[0]!.path === path)
    return `${environment}: ${path} = ${JSON.stringify(value)}  (${sources[0]!.source})`;
  const lines = sources.map(({ path: leaf, source }) => {
    const leafValue = leaf
      .slice(path.length + 1)
      .split('.')
      .reduce<unknown>((v, key) => (isPlain(v) ? v[key] : undefined), value);
    return `  ${leaf} = ${JSON.stringify(leafValue)}  (${source})`;
  });
  return [`${environment}: ${path}`, ...lines].join('\n');
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('print the resolved value at a path of an environment and which file set it')
    .argument('<path>', 'dotted path, e.g. services.backend.replicas.max')
    .option('-e, --env <name>', `environment (${environmentNames().join(', ')})`, 'prod')
    .option('-f, --environment-file <file>', 'an environment overlay from a YAML/JSON file instead')
    .action((path: string, options: { env: string; environmentFile?: string }) => {
      const overlay =
        options.environmentFile === undefined
          ? ENVIRONMENTS.find((env) => env.name === options.env)
          : readEnvironmentFile(options.environmentFile);
      if (overlay === undefined) throw new UserError(`unknown environment "${options.env}"; known: ${environmentNames().join(', ')}`);
      console.log(formatExplanation(explain(overlay, path)));
    });
}
