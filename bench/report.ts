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
  /** Median wall time of `node .build/main.cjs synth --out <tmp>`, all environments. */
  readonly synthMs: number;
  /** Median wall time of one process that synthesizes and validates all environments; null without a validator. */
  readonly synthValidateMs: number | null;
  /** Median wall time of `kubectl kustomize` over every synthesized environment folder, one after another. */
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
  const perSecond = (objects: number, time: number | null) => (time === null || time === 0 ? 'n/a' : Math.round((objects / time) * 1000).toLocaleString('en-US'));
  const fleetRows = r.fleet.map((f) => [
    `${f.share}% (${f.services} svc x ${f.regions})`,
    String(f.objects),
    ms(f.renderMs),
    ms(f.validateMs),
    perSecond(f.objects, f.renderMs),
    perSecond(f.objects, f.validateMs === null ? null : f.renderMs + f.validateMs),
    `${Math.round(f.maxRssMiB)} MiB`,
    f.violations === null ? 'n/a' : String(f.violations),
  ]);
  return [
    `machine: ${m.cpus} CPUs, ${m.cpuModel}, node ${m.node}, kubectl ${m.kubectl}; load average ${m.loadAverage.toFixed(2)} at start; median of ${r.runs} runs`,
    '',
    table([
      ['whole process, all environments', 'median'],
      [`synth (${r.environments.join(', ')}: ${r.objects} objects)`, ms(r.synthMs)],
      ['synth + validate', ms(r.synthValidateMs)],
      ['kubectl kustomize, every dist/<env>', ms(r.kustomizeMs)],
      ['ratio (synth + validate) / kustomize', r.ratio === null ? 'n/a' : r.ratio.toFixed(2)],
    ]),
    '',
    table([['fleet, in process', 'objects', 'render', 'validate', 'objects/s render', 'objects/s render+validate', 'peak RSS', 'violations'], ...fleetRows]),
  ].join('\n');
}
