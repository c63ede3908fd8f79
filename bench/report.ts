/** The benchmark's figures as a table for people and as JSON for scripts. */
import type { Machine, Series } from './measure';
import type { HubResult } from './hub';
import type { FleetResult, YamlResult } from './worker';

export interface FleetRow extends FleetResult {
  readonly label: string;
  readonly services: number;
  readonly regions: number;
  /** Render and validation together, median over runs. */
  readonly totalMs: number;
}

/** Whole processes over every environment, each the median of the rounds. */
export interface SynthFigures {
  /** `npm run synth -- --out <tmp>`: npm, the build's freshness check, render, validate, write. */
  readonly npmSynth: Series;
  /** `node scripts/build.js --run main synth`: the same without npm. */
  readonly launcher: Series;
  /** The same without the V8 code cache. */
  readonly uncached: Series;
  /** `node .build/main.cjs synth`: the bundle alone, no freshness check, no code cache. */
  readonly bundle: Series;
  /** `node scripts/build.js` with nothing to build: the freshness check alone (a Node start and hashing). */
  readonly buildCheck: Series;
  /** `kubectl kustomize` of each environment folder of the output, one after another. */
  readonly kustomizeEnvironments: Series | null;
  /** `kubectl kustomize` of every kustomize root of the output (add-on and GitOps folders too). */
  readonly kustomizeRoots: Series | null;
}

export interface DevLoop {
  /** `tsc --noEmit` from nothing, as `npm test` ran it before. */
  readonly typecheckScratch: Series;
  /** `tsc --noEmit` incremental, unchanged tree. */
  readonly typecheckWarm: Series;
  readonly npmTest: Series;
  /** The same suite under the previous settings: a typecheck from scratch, every test file isolated in forks. */
  readonly previousTest: Series;
}

export interface BenchReport {
  readonly machine: Machine;
  readonly runs: number;
  readonly environments: readonly string[];
  readonly objects: number;
  readonly violations: number;
  readonly synth: SynthFigures;
  readonly kustomizeRoots: number;
  /** Median phases of one cold synth in a fresh process. */
  readonly phases: { readonly loadMs: number; readonly renderMs: number; readonly validateMs: number; readonly writeMs: number };
  readonly yaml: { readonly fast: YamlResult; readonly reference: YamlResult };
  readonly fleet: readonly FleetRow[];
  /** The fleet through the hub (bench/hub.ts): the clusters' own outputs, and the hub bundle for them. */
  readonly hub: { readonly clusters: HubResult; readonly hub: HubResult } | null;
  readonly devLoop: DevLoop | null;
}

/** The hub against the clusters it drives: render and validation time, and peak memory, as ratios. */
export function hubRatios(r: BenchReport): { time: number | null; memory: number | null } {
  if (r.hub === null) return { time: null, memory: null };
  const total = (h: HubResult) => h.renderMs + h.validateMs;
  return { time: ratio(total(r.hub.hub), total(r.hub.clusters)), memory: ratio(r.hub.hub.maxRssMiB, r.hub.clusters.maxRssMiB) };
}

const ms = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : `${Math.round(n).toLocaleString('en-US')} ms`);
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b;
const fixed = (n: number | null, digits = 2) => (n === null ? 'n/a' : n.toFixed(digits));
const check = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'yes' : 'NO');
const perSecond = (objects: number, time: number | null) =>
  time === null || time === 0 ? 'n/a' : Math.round((objects / time) * 1000).toLocaleString('en-US');
const cpu = (s: Series | null) => (s?.cpuMedian === null || s === null ? 'n/a' : ms(s.cpuMedian));

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

/** Each goal's figure, its reference from the same run, and their ratio. */
export function goals(r: BenchReport) {
  const s = r.synth;
  const [fleetNow, fleetBefore, fleetLarge] = r.fleet;
  const perObject = (row: FleetRow | undefined) => (row === undefined ? null : row.totalMs / row.objects);
  const synthRatio = ratio(s.npmSynth.median, s.kustomizeEnvironments?.median);
  const yamlCold = ratio(r.yaml.reference.coldMs, r.yaml.fast.coldMs);
  const yamlWarm = ratio(r.yaml.reference.warmMs, r.yaml.fast.warmMs);
  const fleetRatio = ratio(fleetNow?.totalMs, fleetBefore?.totalMs);
  const linearity = ratio(perObject(fleetLarge), perObject(fleetNow));
  const cacheRatio = ratio(s.launcher.median, s.uncached.median);
  const typecheck = r.devLoop === null ? null : ratio(r.devLoop.typecheckWarm.median, r.devLoop.typecheckScratch.median);
  const tests = r.devLoop === null ? null : ratio(r.devLoop.npmTest.median, r.devLoop.previousTest.median);
  return {
    synthRatio,
    synthMet: synthRatio === null ? null : synthRatio <= 1,
    yamlCold,
    yamlWarm,
    yamlMet: yamlCold === null || yamlWarm === null ? null : yamlCold >= 5 && yamlWarm >= 5 && r.yaml.fast.mismatches === 0,
    fleetRatio,
    fleetMet: fleetRatio === null ? null : fleetRatio <= 0.5,
    linearity,
    largeMet: linearity === null || fleetLarge === undefined ? null : linearity <= 1.25 && fleetLarge.maxRssMiB <= 1024,
    cacheRatio,
    typecheck,
    tests,
    testsMet: tests === null ? null : tests <= 0.5,
  };
}

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const s = r.synth;
  const g = goals(r);
  const [fleetNow, fleetBefore, fleetLarge] = r.fleet;
  const goalRows = [
    ['goal', 'figure', 'reference, same run', 'ratio', 'target', 'met'],
    [
      '1. npm run synth, all environments, validation included',
      ms(s.npmSynth.median),
      `${ms(s.kustomizeEnvironments?.median)} kubectl kustomize, ${r.environments.length} environment folders`,
      fixed(g.synthRatio),
      '<= 1.00',
      check(g.synthMet),
    ],
    [
      `2. YAML of every environment's ${r.yaml.fast.objects} objects, cold`,
      ms(r.yaml.fast.coldMs),
      `${ms(r.yaml.reference.coldMs)} yaml.stringify`,
      `${fixed(g.yamlCold, 1)}x faster`,
      '>= 5x',
      check(g.yamlMet),
    ],
    [
      `   the same, warm (${r.yaml.fast.mismatches} objects differ)`,
      ms(r.yaml.fast.warmMs),
      `${ms(r.yaml.reference.warmMs)} yaml.stringify`,
      `${fixed(g.yamlWarm, 1)}x faster`,
      '>= 5x, 0 differ',
      check(g.yamlMet),
    ],
    [
      `3. fleet ${fleetNow?.label ?? ''}, render and validate`,
      ms(fleetNow?.totalMs),
      `${ms(fleetBefore?.totalMs)} as before`,
      fixed(g.fleetRatio),
      '<= 0.50',
      check(g.fleetMet),
    ],
    [
      `   fleet ${fleetLarge?.label ?? ''}: time per object, peak RSS`,
      `${ms(fleetLarge?.totalMs)}, ${Math.round(fleetLarge?.maxRssMiB ?? 0)} MiB`,
      `${fleetNow?.label ?? ''} per object`,
      fixed(g.linearity),
      '<= 1.25, 1,024 MiB',
      check(g.largeMet),
    ],
    [
      `6. hub for ${r.hub?.hub.clusters ?? 'n/a'} clusters x ${r.hub?.hub.services ?? 'n/a'} services, render and validate`,
      ms(r.hub === null ? null : r.hub.hub.renderMs + r.hub.hub.validateMs),
      `${ms(r.hub === null ? null : r.hub.clusters.renderMs + r.hub.clusters.validateMs)} the clusters' own outputs`,
      fixed(hubRatios(r).time),
      'measured',
      'n/a',
    ],
    [
      '   the same, peak RSS',
      `${Math.round(r.hub?.hub.maxRssMiB ?? 0)} MiB`,
      `${Math.round(r.hub?.clusters.maxRssMiB ?? 0)} MiB the clusters' own outputs`,
      fixed(hubRatios(r).memory),
      'measured',
      'n/a',
    ],
    [
      '4. tsc --noEmit, incremental, unchanged tree',
      ms(r.devLoop?.typecheckWarm.median),
      `${ms(r.devLoop?.typecheckScratch.median)} from scratch`,
      fixed(g.typecheck),
      'a fraction',
      check(g.typecheck === null ? null : g.typecheck < 0.5),
    ],
    [
      '   npm test',
      ms(r.devLoop?.npmTest.median),
      `${ms(r.devLoop?.previousTest.median)} previous settings`,
      fixed(g.tests),
      '<= 0.50',
      check(g.testsMet),
    ],
    [
      '5. synth with the V8 code cache (no npm)',
      ms(s.launcher.median),
      `${ms(s.uncached.median)} without`,
      fixed(g.cacheRatio),
      '< 1',
      check(g.cacheRatio === null ? null : g.cacheRatio < 1),
    ],
  ];
  const fleetRows = r.fleet.map((f) => [
    f.label,
    f.objects.toLocaleString('en-US'),
    ms(f.renderMs),
    ms(f.validateMs),
    perSecond(f.objects, f.renderMs),
    perSecond(f.objects, f.validateMs),
    `${Math.round(f.maxRssMiB)} MiB`,
    String(f.violations),
  ]);
  const load = `load average ${m.loadAverage.toFixed(2)} at start, ${m.loadAverageAtEnd?.toFixed(2) ?? 'n/a'} at end`;
  return [
    `machine: ${m.cpus} CPUs, ${m.cpuModel}, node ${m.node}, kubectl ${m.kubectl}; ${load}; median of ${r.runs} runs`,
    '',
    table(goalRows),
    '',
    table([
      ['whole process, all environments', 'wall', 'cpu'],
      [`npm run synth (${r.environments.length} environments, ${r.objects} objects)`, ms(s.npmSynth.median), cpu(s.npmSynth)],
      ['node scripts/build.js --run main synth (no npm)', ms(s.launcher.median), cpu(s.launcher)],
      ['  the same without the V8 code cache', ms(s.uncached.median), cpu(s.uncached)],
      ['node .build/main.cjs synth (bundle alone)', ms(s.bundle.median), cpu(s.bundle)],
      ['node scripts/build.js, nothing to build (freshness check)', ms(s.buildCheck.median), cpu(s.buildCheck)],
      [
        `kubectl kustomize, each of the ${r.environments.length} environment folders`,
        ms(s.kustomizeEnvironments?.median),
        cpu(s.kustomizeEnvironments),
      ],
      [`kubectl kustomize, each of the ${r.kustomizeRoots} kustomize roots`, ms(s.kustomizeRoots?.median), cpu(s.kustomizeRoots)],
    ]),
    '',
    table([
      ['one cold synth, by phase', 'median'],
      ['load modules', ms(r.phases.loadMs)],
      ['resolve and render', ms(r.phases.renderMs)],
      [`validate (${perSecond(r.objects, r.phases.validateMs)} objects/s, ${r.violations} violations)`, ms(r.phases.validateMs)],
      ['write', ms(r.phases.writeMs)],
    ]),
    '',
    table([
      ['fleet, in process', 'objects', 'render', 'validate', 'objects/s render', 'objects/s validate', 'peak RSS', 'violations'],
      ...fleetRows,
      ...(r.hub === null
        ? []
        : [r.hub.clusters, r.hub.hub].map((h) => [
            `${h.part === 'hub' ? 'hub bundle for' : 'own outputs of'} ${h.clusters} clusters x ${h.services} svc`,
            h.objects.toLocaleString('en-US'),
            ms(h.renderMs),
            ms(h.validateMs),
            perSecond(h.objects, h.renderMs),
            perSecond(h.objects, h.validateMs),
            `${Math.round(h.maxRssMiB)} MiB`,
            String(h.violations),
          ])),
    ]),
  ].join('\n');
}
