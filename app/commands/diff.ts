import type { Command } from 'commander';
import { UserError } from '../../lib/core/user-error';
import { diffDist, diffEnvironments, diffProposal, formatDiff, isEmpty, type ObjectDiff } from '../diff';
import { collect } from './synth';

interface DiffOptions {
  env?: string[];
  environmentFile?: string[];
  dist: string;
  from?: string;
  to?: string;
  exact?: boolean;
  exitCode?: boolean;
}

function diffs(options: DiffOptions): ObjectDiff[] {
  if (options.environmentFile !== undefined) return options.environmentFile.map((file) => diffProposal(file, { exact: options.exact }));
  if (options.from === undefined && options.to === undefined) {
    return diffDist({ distDir: options.dist, environments: options.env });
  }
  if (options.from === undefined || options.to === undefined)
    throw new UserError('--from and --to go together: diff --from staging --to prod');
  return [diffEnvironments(options.from, options.to, { exact: options.exact })];
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('object-level diff: committed dist/ against a fresh render, or --from one environment --to another')
    .option('-e, --env <name>', 'environment to compare with dist/, repeatable (default: all)', collect)
    .option('--dist <dir>', 'the committed output folder to compare against', 'dist')
    .option('--from <env>', 'compare two environments: the one to start from')
    .option('--to <env>', 'compare two environments: the one to compare it with')
    .option(
      '-f, --environment-file <file>',
      'compare a proposed overlay (YAML/JSON, `extends: <env>`) with the environment it extends, repeatable',
      collect,
    )
    .option('--exact', 'with --from/--to: keep namespaces and environment names in values (by default they are normalized away)')
    .option('--exit-code', 'exit 1 when there are differences, as `git diff --exit-code` does')
    .action((options: DiffOptions) => {
      const results = diffs(options);
      console.log(results.map(formatDiff).join('\n\n'));
      if ((options.from !== undefined || options.environmentFile !== undefined) && !options.exact) {
        console.log(
          '\n(matched by kind/name; a namespace, or a value that differs only by each side\'s own environment name, e.g. "backend-staging" and "backend-prod", is not shown as a change; --exact shows them)',
        );
      }
      if (options.exitCode && !results.every(isEmpty)) process.exitCode = 1;
    });
}
