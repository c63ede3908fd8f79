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
    .option('-f, --environment-file <file>', 'also synthesize an environment overlay from a YAML/JSON file, repeatable', collect)
    .option('-o, --out <dir>', 'output folder', process.env.CDK8S_OUTDIR ?? 'dist')
    .option(
      '--scratch <dir>',
      "cdk8s-cli's own output folder, which it empties before every run (cdk8s.yaml's output): when --out names it, write dist/ instead and then copy it there",
    )
    .action((options: { env?: string[]; environmentFile?: string[]; out: string; scratch?: string }) => {
      const started = process.hrtime.bigint();
      const scratch = options.scratch !== undefined && resolve(options.scratch) === resolve(options.out) ? options.out : undefined;
      const out = scratch === undefined ? options.out : 'dist';
      const rendered = synthesize({ environments: options.env, environmentFiles: options.environmentFile, outDir: out });
      if (scratch !== undefined) {
        for (const env of rendered) {
          rmSync(join(scratch, env.environment), { recursive: true, force: true });
          cpSync(join(out, env.environment), join(scratch, env.environment), { recursive: true });
        }
      }
      const objects = rendered.reduce((sum, env) => sum + env.objects.length, 0);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(
        `synthesized ${rendered.map((env) => env.environment).join(', ')}: ${objects} objects into ${out}/ in ${ms.toFixed(0)} ms`,
      );
    });
}
