/**
 * `npm run bench`: how long the pipeline takes and how it scales, each goal as a ratio to a reference
 * measured in the same run (see README "Benchmark"). Progress goes to stderr, the report to stdout.
 *
 * - synth: `npm run synth` of every environment (validation included), a fresh process each run,
 *   against `kubectl kustomize` of the six environment folders it wrote; beside it the same synth
 *   without npm, without the V8 code cache, and as a bare `node .build/main.cjs`, and the build's
 *   freshness check alone. Every step runs once per round, round-robin, so that load on a shared
 *   machine weighs on all of them alike;
 * - phases: one cold synth in a fresh process, timed by phase (module load, render, validate, write);
 * - YAML: emitting every environment's objects with the fast emitter and with `yaml`'s stringify,
 *   each in a fresh process (cold) and warm, and checking that the two agree byte for byte;
 * - fleet: a generated fleet (services x regions) rendered and validated in memory, by the current
 *   pipeline and as before the fast path (bench/reference.ts), then at a multiple of its size for
 *   linearity and peak memory, each in a fresh process;
 * - with --dev-loop, the developer loop: `tsc --noEmit` from scratch against an incremental check of
 *   the unchanged tree, and `npm test` against the same suite under the previous settings.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { interleaved, machine, median, sum, timeProcess, type Timed } from './measure';
import { formatReport, type BenchReport, type DevLoop, type FleetRow, type SynthFigures } from './report';
import { hubBench, type HubPart, type HubResult } from './hub';
import type { FleetResult, PhasesResult, RenderMode, YamlResult } from './worker';
import { fleet, phases, yamlEmission } from './worker';

const root = join(__dirname, '..');
const MAIN = join(root, '.build', 'main.cjs');
const BUILD = join(root, 'scripts', 'build.js');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TSC = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** This same program (bundle or TypeScript under tsx) in a fresh process, in worker mode. */
function worker<T>(args: readonly string[]): T {
  const { stdout } = timeProcess(process.execPath, [...process.execArgv, process.argv[1]!, 'worker', ...args], root);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

function hasKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

interface BenchOptions {
  runs: string;
  services: string;
  regions: string;
  scale: string;
  hubClusters: string;
  hubServices: string;
  devLoop?: boolean;
  json?: boolean;
}

function kustomizeAll(dirs: readonly string[]): Timed {
  const timings = dirs.map((dir) => timeProcess('kubectl', ['kustomize', dir], root));
  return { ...sum(timings), stdout: '' };
}

function synthFigures(runs: number, out: string, kubectl: boolean): { figures: SynthFigures; environments: string[]; roots: number } {
  progress('building what changed, then a first synth (writes the V8 code cache; not timed)');
  timeProcess(process.execPath, [BUILD], root);
  timeProcess(NPM, ['run', '--silent', 'synth', '--', '--out', out], root);
  const environments = readdirSync(out).sort();
  const environmentDirs = environments.map((env) => join(out, env));
  // Every folder the synth wrote a kustomization.yaml into: the apps and each cluster-level bundle.
  const roots = readdirSync(out, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('kustomization.yaml'))
    .map((file) => join(out, dirname(file)))
    .sort();
  const synth = (args: string[]) => () => timeProcess(process.execPath, [...args, 'synth', '--out', out], root);
  const steps: Record<string, () => Timed> = {
    npmSynth: () => timeProcess(NPM, ['run', 'synth', '--', '--out', out], root),
    launcher: synth([BUILD, '--run', 'main']),
    uncached: synth([BUILD, '--run-uncached', 'main']),
    bundle: synth([MAIN]),
    buildCheck: () => timeProcess(process.execPath, [BUILD], root),
  };
  if (kubectl) {
    steps.kustomizeEnvironments = () => kustomizeAll(environmentDirs);
    steps.kustomizeRoots = () => kustomizeAll(roots);
  }
  const s = interleaved(runs, steps, (round) => progress(`synth and kustomize, round ${round + 1} of ${runs}`));
  return {
    figures: {
      npmSynth: s.npmSynth!,
      launcher: s.launcher!,
      uncached: s.uncached!,
      bundle: s.bundle!,
      buildCheck: s.buildCheck!,
      kustomizeEnvironments: s.kustomizeEnvironments ?? null,
      kustomizeRoots: s.kustomizeRoots ?? null,
    },
    environments,
    roots: roots.length,
  };
}

function fleetRow(results: readonly FleetResult[], services: number, regions: number, label: string): FleetRow {
  return {
    ...results[0]!,
    label,
    services,
    regions,
    renderMs: median(results.map((r) => r.renderMs)),
    validateMs: median(results.map((r) => r.validateMs)),
    totalMs: median(results.map((r) => r.renderMs + r.validateMs)),
    maxRssMiB: Math.max(...results.map((r) => r.maxRssMiB)),
  };
}

function fleetRun(services: number, regions: number, mode: RenderMode): FleetResult {
  return worker<FleetResult>(['fleet', '--fleet-services', String(services), '--fleet-regions', String(regions), '--mode', mode]);
}

/**
 * The fleet by the current pipeline and as before, alternately (so that load weighs on both alike),
 * then the large fleet once.
 */
function fleetRows(services: number, regions: number, large: number, runs: number): FleetRow[] {
  const results: Record<RenderMode, FleetResult[]> = { fast: [], reference: [] };
  for (let run = 0; run < runs; run++) {
    for (const mode of ['fast', 'reference'] as const) {
      progress(`fleet ${services} x ${regions}, ${mode === 'fast' ? 'current pipeline' : 'as before'}, run ${run + 1} of ${runs}`);
      results[mode].push(fleetRun(services, regions, mode));
    }
  }
  progress(`fleet ${large} x ${regions}, current pipeline (the longest step)`);
  return [
    fleetRow(results.fast, services, regions, `${services} svc x ${regions}`),
    fleetRow(results.reference, services, regions, `${services} svc x ${regions}, as before`),
    fleetRow([fleetRun(large, regions, 'fast')], large, regions, `${large} svc x ${regions}`),
  ];
}

function devLoop(runs: number): DevLoop {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-tsc-'));
  try {
    const info = join(tmp, 'tsconfig.tsbuildinfo');
    const tsc =
      (...args: string[]) =>
      () =>
        timeProcess(process.execPath, [TSC, '--noEmit', '-p', '.', ...args], root);
    const typecheck = interleaved(
      runs,
      {
        // What `npm test` ran before: a whole check from nothing.
        scratch: tsc('--incremental', 'false'),
        // An incremental check after the first: nothing changed, so little is checked again.
        warm: () => {
          rmSync(info, { force: true });
          tsc('--tsBuildInfoFile', info)();
          return tsc('--tsBuildInfoFile', info)();
        },
      },
      (round) => progress(`typecheck from scratch and incremental, round ${round + 1} of ${runs}`),
    );
    const tests = interleaved(
      1,
      {
        npmTest: () => timeProcess(NPM, ['test'], root),
        previous: () => {
          const check = tsc('--incremental', 'false')();
          const vitest = timeProcess(
            process.execPath,
            [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'bench/vitest.previous.mts'],
            root,
          );
          return { ...sum([check, vitest]), stdout: '' };
        },
      },
      () => progress('npm test, and the same suite under the previous settings (minutes)'),
    );
    return { typecheckScratch: typecheck.scratch, typecheckWarm: typecheck.warm, npmTest: tests.npmTest, previousTest: tests.previous };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function runBench(options: BenchOptions): BenchReport {
  const runs = Number(options.runs);
  const host = machine();
  const kubectl = hasKubectl();
  const tmp = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const synth = synthFigures(runs, join(tmp, 'synth'), kubectl);

    const phaseRuns: PhasesResult[] = [];
    for (let run = 0; run < runs; run++) {
      progress(`phases of one cold synth, run ${run + 1} of ${runs}`);
      phaseRuns.push(worker<PhasesResult>(['phases']));
    }
    const phase = (key: 'loadMs' | 'renderMs' | 'validateMs' | 'writeMs') => median(phaseRuns.map((r) => r[key]));

    const yaml: Record<'fast' | 'reference', YamlResult[]> = { fast: [], reference: [] };
    for (let run = 0; run < runs; run++) {
      progress(`YAML emission, run ${run + 1} of ${runs}`);
      for (const emitter of ['fast', 'reference'] as const) yaml[emitter].push(worker<YamlResult>(['yaml', '--emitter', emitter]));
    }
    const yamlFigure = (emitter: 'fast' | 'reference') => ({
      ...yaml[emitter][0]!,
      coldMs: median(yaml[emitter].map((r) => r.coldMs)),
      warmMs: median(yaml[emitter].map((r) => r.warmMs)),
      mismatches: Math.max(...yaml[emitter].map((r) => r.mismatches)),
    });

    const services = Number(options.services);
    const regions = Number(options.regions);
    const large = services * Number(options.scale);
    const fleetFigures = fleetRows(services, regions, large, Math.min(runs, 3));

    const hubRun = (part: HubPart) => {
      progress(
        `fleet through the hub: ${part === 'hub' ? 'the hub bundle' : "the clusters' own outputs"}, ${options.hubClusters} clusters x ${options.hubServices} services`,
      );
      return worker<HubResult>(['hub', '--cluster-count', options.hubClusters, '--service-count', options.hubServices, '--part', part]);
    };
    const hub = Number(options.hubClusters) > 0 ? { clusters: hubRun('clusters'), hub: hubRun('hub') } : null;

    const dev = options.devLoop ? devLoop(Math.min(runs, 3)) : null;
    host.loadAverageAtEnd = machine().loadAverage;
    return {
      machine: host,
      runs,
      environments: synth.environments,
      objects: phaseRuns[0]!.objects,
      violations: phaseRuns[0]!.violations,
      synth: synth.figures,
      kustomizeRoots: synth.roots,
      phases: { loadMs: phase('loadMs'), renderMs: phase('renderMs'), validateMs: phase('validateMs'), writeMs: phase('writeMs') },
      yaml: { fast: yamlFigure('fast'), reference: yamlFigure('reference') },
      fleet: fleetFigures,
      hub,
      devLoop: dev,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function program(): Command {
  const cli = new Command('bench').description('time synth, YAML, validation and kustomize; scale a generated fleet');
  cli
    .option('--runs <n>', 'runs per figure (the median is reported)', '7')
    .option('--services <n>', 'synthetic services per region of the fleet', '100')
    .option('--regions <n>', 'regions of the fleet', '20')
    .option('--scale <n>', 'the large fleet is this many times the services', '5')
    .option('--hub-clusters <n>', 'clusters the hub drives (0 to skip)', '50')
    .option('--hub-services <n>', 'synthetic services per cluster the hub drives', '100')
    .option('--dev-loop', 'also time the typecheck and `npm test` (several minutes)')
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
    .option('--mode <mode>', 'fast or reference', 'fast')
    .action((o: { fleetServices: string; fleetRegions: string; mode: RenderMode }) =>
      console.log(JSON.stringify(fleet(Number(o.fleetServices), Number(o.fleetRegions), o.mode))),
    );
  work
    .command('hub')
    .requiredOption('--cluster-count <n>')
    .requiredOption('--service-count <n>')
    .requiredOption('--part <part>', 'clusters or hub')
    .action((o: { clusterCount: string; serviceCount: string; part: HubPart }) =>
      console.log(JSON.stringify(hubBench(Number(o.serviceCount), Number(o.clusterCount), o.part))),
    );
  work
    .command('yaml')
    .option('--emitter <emitter>', 'fast or reference', 'fast')
    .option('--passes <n>', 'warm passes', '5')
    .action((o: { emitter: 'fast' | 'reference'; passes: string }) =>
      console.log(JSON.stringify(yamlEmission(o.emitter, Number(o.passes)))),
    );
  return cli;
}

program()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
