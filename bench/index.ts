/**
 * `npm run bench`: how long the pipeline takes and how it scales.
 *
 * - a cold whole-process synth of every environment (render, validate, write: synth always
 *   validates), the median of several runs of a fresh Node process;
 * - the phases of one cold synth in a fresh process, so that what validation adds is its own figure,
 *   and validation throughput on our own output;
 * - `kubectl kustomize` over every kustomize root the synth wrote, as the reference a GitOps
 *   controller pays to re-read the same output;
 * - a generated fleet (services x regions) rendered and validated in memory at 25, 50 and 100 % of
 *   its size, each in a fresh process so its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { environmentNames } from '../environments';
import { machine, median, medianOfRuns, timeProcess } from './measure';
import { formatReport, type BenchReport, type FleetRow } from './report';
import { fleet, phases, type FleetResult, type PhasesResult } from './worker';

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
    // Every folder the synth wrote a kustomization.yaml into: the apps and each cluster-level bundle.
    const roots = readdirSync(synthOut, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('kustomization.yaml'))
      .map((file) => join(synthOut, dirname(file)))
      .sort();

    const phaseRuns = Array.from({ length: runs }, () => worker<PhasesResult>(['phases']).result);
    const phase = (key: 'loadMs' | 'renderMs' | 'validateMs' | 'writeMs') => median(phaseRuns.map((r) => r[key]));

    const kustomize = hasKubectl()
      ? medianOfRuns(runs, () => roots.reduce((sum, dir) => sum + timeProcess('kubectl', ['kustomize', dir], root).ms, 0))
      : null;

    const services = Number(options.services);
    const regions = Number(options.regions);
    const fleetRows: FleetRow[] = FLEET_SHARES.map((share) => {
      const count = Math.round((services * share) / 100);
      const results = Array.from(
        { length: Math.min(runs, 3) },
        () => worker<FleetResult>(['fleet', '--fleet-services', String(count), '--fleet-regions', String(regions)]).result,
      );
      return {
        ...results[0]!,
        share,
        services: count,
        regions,
        loadMs: median(results.map((r) => r.loadMs)),
        renderMs: median(results.map((r) => r.renderMs)),
        validateMs: median(results.map((r) => r.validateMs)),
        maxRssMiB: Math.max(...results.map((r) => r.maxRssMiB)),
      };
    });

    return {
      machine: host,
      runs,
      environments: envs.length > 0 ? envs : environmentNames(),
      objects: phaseRuns[0]!.objects,
      violations: phaseRuns[0]!.violations,
      synthMs: synth.median,
      phases: { loadMs: phase('loadMs'), renderMs: phase('renderMs'), validateMs: phase('validateMs'), writeMs: phase('writeMs') },
      kustomizeRoots: roots.length,
      kustomizeMs: kustomize?.median ?? null,
      ratio: kustomize === null ? null : synth.median / kustomize.median,
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
  work.command('phases').action(() => console.log(JSON.stringify(phases())));
  work
    .command('fleet')
    .requiredOption('--fleet-services <n>')
    .requiredOption('--fleet-regions <n>')
    .action((o: { fleetServices: string; fleetRegions: string }) =>
      console.log(JSON.stringify(fleet(Number(o.fleetServices), Number(o.fleetRegions)))),
    );
  return cli;
}

program()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
