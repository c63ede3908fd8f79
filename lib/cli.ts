/**
 * The command line: `synth` and `list`. Errors a user can act on are printed as their message alone,
 * never as a stack trace, and exit non-zero.
 */
import { Command } from 'commander';
import { selectEnvironments } from '../environments';
import { synthesize } from './synthesize';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter((name) => name !== '')];
}

function listEnvironments(): string {
  return selectEnvironments()
    .map((env) => {
      const rows = Object.entries(env.services).map(([name, svc]) => {
        const range = `${svc.replicas.min}-${svc.replicas.max}`;
        return `  ${name.padEnd(10)} ${svc.kind.padEnd(7)} replicas ${range.padEnd(7)} pool ${svc.pool}`;
      });
      return [`${env.name} (${env.tier}, namespace ${env.namespace})`, ...rows].join('\n');
    })
    .join('\n\n');
}

export function createProgram(): Command {
  const program = new Command('platform').description('Typed Kubernetes manifests for the platform').showHelpAfterError();
  program
    .command('synth')
    .description('synthesize environments into <out>/<environment>/')
    .option('-e, --env <name...>', 'environments to synthesize (default: all)', collect)
    .option('-f, --env-file <file...>', 'also synthesize environment overlays from YAML/JSON files', collect)
    .option('-o, --out <dir>', 'output folder', process.env.CDK8S_OUTDIR ?? 'dist')
    .action((options: { env?: string[]; envFile?: string[]; out: string }) => {
      const started = process.hrtime.bigint();
      const rendered = synthesize({ environments: options.env, environmentFiles: options.envFile, outDir: options.out });
      const objects = rendered.reduce((sum, env) => sum + env.objects.length, 0);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(`synthesized ${rendered.map((env) => env.environment).join(', ')}: ${objects} objects into ${options.out}/ in ${ms.toFixed(0)} ms`);
    });
  program
    .command('list')
    .description('list environments with their services and replica ranges')
    .action(() => console.log(listEnvironments()));
  return program;
}

export function runCli(argv: readonly string[]): void {
  try {
    createProgram().parse([...argv]);
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
