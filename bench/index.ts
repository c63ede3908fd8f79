/**
 * `npm run bench`: how long the pipeline takes and how it scales.
 *
 * - a cold whole-process synth of every environment, and synth plus validation, each the median of
 *   several runs of a fresh Node process;
 * - `kubectl kustomize` over the same synthesized folders, as the reference a GitOps controller pays;
 * - a generated fleet (services x regions) rendered and validated in memory at 25, 50 and 100 % of
 *   its size, each in a fresh process so its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { environmentNames } from '../environments';
import { renderEnvironments } from '../lib/synthesize';
import { machine, median, medianOfRuns, timeProcess } from './measure';
import { formatReport, type BenchReport, type FleetRow } from './report';
import { loadValidator } from './validation';
import { fleet, synthAndValidate, type FleetResult, type SynthValidateResult } from './worker';

const root = join(__dirname, '..');
const MAIN = join(root, '.build', 'main.cjs');
const FLEET_SHARES = [25, 50, 100] as const;

/** This same program (bundle or TypeScript under tsx) in a fresh process, in worker mode. */
function worker<T>(args: readonly string[]): { ms: number; result: T } {
  const { ms, stdout } = timeProcess(process.execPath, [...process.execArgv, process.argv[1]!, 'worker', ...args], root);
  return { ms, result: JSON.parse(stdout.trim().split('\n').at(-1)!) as T };
}

function hasKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

interface BenchOptions {
  runs: string;
  services: string;
  regions: string;
  json?: boolean;
}

function runBench(options: BenchOptions): BenchReport {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run bench\`, which builds it first`);
  const runs = Number(options.runs);
  const host = machine();
  const tmp = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const synthOut = join(tmp, 'synth');
    const synth = medianOfRuns(runs, () => timeProcess(process.execPath, [MAIN, 'synth', '--out', synthOut], root).ms);
    const envs = readdirSync(synthOut).sort();

    const objects = renderEnvironments().reduce((n, env) => n + env.objects.length, 0);
    const synthValidate =
      loadValidator() === undefined
        ? null
        : medianOfRuns(runs, () => worker<SynthValidateResult>(['synth-validate', '--out', join(tmp, 'validated')]).ms);

    const kustomize = hasKubectl()
      ? medianOfRuns(runs, () => envs.reduce((sum, env) => sum + timeProcess('kubectl', ['kustomize', join(synthOut, env)], root).ms, 0))
      : null;

    const services = Number(options.services);
    const regions = Number(options.regions);
    const fleetRows: FleetRow[] = FLEET_SHARES.map((share) => {
      const count = Math.round((services * share) / 100);
      const results = Array.from({ length: Math.min(runs, 3) }, () => worker<FleetResult>(['fleet', '--fleet-services', String(count), '--fleet-regions', String(regions)]).result);
      const validated = results.map((r) => r.validateMs).filter((v): v is number => v !== null);
      return {
        ...results[0]!,
        share,
        services: count,
        regions,
        loadMs: median(results.map((r) => r.loadMs)),
        renderMs: median(results.map((r) => r.renderMs)),
        validateMs: validated.length === 0 ? null : median(validated),
        maxRssMiB: Math.max(...results.map((r) => r.maxRssMiB)),
      };
    });

    const synthValidateMs = synthValidate?.median ?? null;
    return {
      machine: host,
      runs,
      environments: envs.length > 0 ? envs : environmentNames(),
      objects,
      synthMs: synth.median,
      synthValidateMs,
      kustomizeMs: kustomize?.median ?? null,
      ratio: synthValidateMs === null || kustomize === null ? null : synthValidateMs / kustomize.median,
      fleet: fleetRows,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function program(): Command {
  const cli = new Command('bench').description('time synth, validation and kustomize; scale a generated fleet');
  cli
    .option('--runs <n>', 'runs per figure (the median is reported)', '7')
    .option('--services <n>', 'synthetic services per region of the full fleet', '100')
    .option('--regions <n>', 'regions of the fleet', '20')
    .option('--json', 'print the figures as JSON instead of a table')
    .action((options: BenchOptions) => {
      const report = runBench(options);
      console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
    });
  const work = cli.command('worker', { hidden: true });
  work.command('synth-validate').requiredOption('--out <dir>').action((o: { out: string }) => console.log(JSON.stringify(synthAndValidate(o.out))));
  work
    .command('fleet')
    .requiredOption('--fleet-services <n>')
    .requiredOption('--fleet-regions <n>')
    .action((o: { fleetServices: string; fleetRegions: string }) => console.log(JSON.stringify(fleet(Number(o.fleetServices), Number(o.fleetRegions)))));
  return cli;
}

program()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
