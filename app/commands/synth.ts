import { cpSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { synthesize } from '../synthesize';

/** Repeatable, comma-separable list options: `--env a --env b` or `--env a,b`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter((name) => name !== '')];
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('synthesize environments into <out>/<environment>/')
    .option('-e, --env <name>', 'environment to synthesize, repeatable (default: all)', collect)
    .option('-f, --env-file <file>', 'also synthesize an environment overlay from a YAML/JSON file, repeatable', collect)
    .option('-o, --out <dir>', 'output folder', process.env.CDK8S_OUTDIR ?? 'dist')
    .option(
      '--copy-to <dir>',
      "then copy what was written into <dir> too (cdk8s.yaml: cdk8s-cli's output folder, which it empties before every run)",
    )
    .action((options: { env?: string[]; envFile?: string[]; out: string; copyTo?: string }) => {
      const started = process.hrtime.bigint();
      const rendered = synthesize({ environments: options.env, environmentFiles: options.envFile, outDir: options.out });
      const copyTo = options.copyTo;
      if (copyTo !== undefined && copyTo !== '' && resolve(copyTo) !== resolve(options.out)) {
        for (const env of rendered) {
          rmSync(join(copyTo, env.environment), { recursive: true, force: true });
          cpSync(join(options.out, env.environment), join(copyTo, env.environment), { recursive: true });
        }
      }
      const objects = rendered.reduce((sum, env) => sum + env.objects.length, 0);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(
        `synthesized ${rendered.map((env) => env.environment).join(', ')}: ${objects} objects into ${options.out}/ in ${ms.toFixed(0)} ms`,
      );
    });
}
