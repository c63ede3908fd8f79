/** The benchmark's figures as a table for people and as JSON for scripts. */
import type { Machine } from './measure';
import type { FleetResult } from './worker';

export interface FleetRow extends FleetResult {
  readonly share: number;
  readonly services: number;
  readonly regions: number;
}

export interface BenchReport {
  readonly machine: Machine;
  readonly runs: number;
  readonly environments: readonly string[];
  readonly objects: number;
  readonly violations: number;
  /** Median wall time of `node .build/main.cjs synth --out <tmp>`: render, validate and write all environments. */
  readonly synthMs: number;
  /** Median phases of one cold synth in a fresh process. */
  readonly phases: { readonly loadMs: number; readonly renderMs: number; readonly validateMs: number; readonly writeMs: number };
  /** Folders with a kustomization.yaml in the synthesized output. */
  readonly kustomizeRoots: number;
  /** Median wall time of `kubectl kustomize` over every kustomize root of the output, one after another. */
  readonly kustomizeMs: number | null;
  readonly ratio: number | null;
  readonly fleet: readonly FleetRow[];
}

const ms = (n: number | null) => (n === null ? 'n/a' : `${Math.round(n)} ms`);

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const perSecond = (objects: number, time: number | null) =>
    time === null || time === 0 ? 'n/a' : Math.round((objects / time) * 1000).toLocaleString('en-US');
  const fleetRows = r.fleet.map((f) => [
    `${f.share}% (${f.services} svc x ${f.regions})`,
    String(f.objects),
    ms(f.renderMs),
    ms(f.validateMs),
    perSecond(f.objects, f.renderMs),
    perSecond(f.objects, f.validateMs),
    `${Math.round(f.maxRssMiB)} MiB`,
    String(f.violations),
  ]);
  return [
    `machine: ${m.cpus} CPUs, ${m.cpuModel}, node ${m.node}, kubectl ${m.kubectl}; load average ${m.loadAverage.toFixed(2)} at start; median of ${r.runs} runs`,
    '',
    table([
      ['whole process, all environments', 'median'],
      [`synth, validation included (${r.environments.length} environments, ${r.objects} objects)`, ms(r.synthMs)],
      [`kubectl kustomize, each of the ${r.kustomizeRoots} kustomize roots of the output`, ms(r.kustomizeMs)],
      ['ratio synth / kustomize', r.ratio === null ? 'n/a' : r.ratio.toFixed(2)],
    ]),
    '',
    table([
      ['one cold synth, by phase', 'median'],
      ['load modules', ms(r.phases.loadMs)],
      ['resolve and render', ms(r.phases.renderMs)],
      [`validate (${perSecond(r.objects, r.phases.validateMs)} objects/s, ${r.violations} violations)`, ms(r.phases.validateMs)],
      ['write', ms(r.phases.writeMs)],
      [
        'validation share of the in-process synth',
        `${Math.round((100 * r.phases.validateMs) / (r.phases.loadMs + r.phases.renderMs + r.phases.validateMs + r.phases.writeMs))} %`,
      ],
    ]),
    '',
    table([
      ['fleet, in process', 'objects', 'render', 'validate', 'objects/s render', 'objects/s validate', 'peak RSS', 'violations'],
      ...fleetRows,
    ]),
  ].join('\n');
}
