/**
 * The offline chart mirror (`--chart-mirror`, default ../shared/charts beside the checkout): upstream
 * chart sources unpacked one folder per chart version (see its SOURCES.md). A chart is found by what
 * its own Chart.yaml says (name and version), never by folder name or a list of today's add-ons, so
 * a pin that moves to a version the mirror does not hold finds nothing and is reported.
 *
 * A pin with no source at its version fails verify unless chart-source-waivers.ts waives it for that
 * chart and version with a reason; a waiver may name the source to render instead (Istio's release
 * branch source stands in for the release, which is not available offline).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../tools';
import { CHART_SOURCE_WAIVERS, type ChartSourceWaiver } from './chart-source-waivers';

/** ../shared/charts beside the checkout when it exists. */
export function defaultChartMirror(): string | undefined {
  const mirror = join(ROOT, '..', 'shared', 'charts');
  return existsSync(mirror) ? mirror : undefined;
}

export interface MirrorChart {
  readonly name: string;
  readonly version: string;
  /** Absolute folder. */
  readonly dir: string;
  /** Folder relative to the mirror, for the report. */
  readonly folder: string;
}

/**
 * Every chart in the mirror: a folder holding a Chart.yaml, at the top level or one level down (a
 * top-level folder without a Chart.yaml that groups several charts, as Istio's source tree does).
 * A chart's own dependencies (`<chart>/charts/*`) are part of it, not charts of their own.
 */
export function mirrorCharts(mirror: string): MirrorChart[] {
  const charts: MirrorChart[] = [];
  const read = (dir: string): boolean => {
    const file = join(dir, 'Chart.yaml');
    if (!existsSync(file)) return false;
    const chart = parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown } | null;
    if (typeof chart?.name !== 'string' || chart.version === undefined) {
      throw new Error(`${file}: no name or version (is the chart mirror ${mirror} intact?)`);
    }
    charts.push({ name: chart.name, version: String(chart.version), dir, folder: relative(mirror, dir) });
    return true;
  };
  for (const entry of readdirSync(mirror).sort()) {
    const dir = join(mirror, entry);
    if (!statSync(dir).isDirectory() || read(dir)) continue;
    for (const inner of readdirSync(dir).sort()) {
      const sub = join(dir, inner);
      if (statSync(sub).isDirectory()) read(sub);
    }
  }
  return charts;
}

export type ChartSource =
  /** The mirror holds the chart at the pinned version. */
  | { readonly status: 'exact'; readonly chart: MirrorChart }
  /** No source at the pinned version; a waiver names another source to render, with the values its release would set. */
  | { readonly status: 'substitute'; readonly chart: MirrorChart; readonly waiver: ChartSourceWaiver }
  /** No source at the pinned version, waived: nothing is rendered, the waiver says why. */
  | { readonly status: 'waived'; readonly waiver: ChartSourceWaiver; readonly available: readonly string[] }
  /** Another project's manifests at a tag, from the CRD mirror (installs.ts `manifests`). */
  | { readonly status: 'manifests'; readonly folder: string }
  /** No source, no waiver: a failing finding. */
  | { readonly status: 'missing'; readonly available: readonly string[] };

/** The source of one pinned chart (name, version), by the mirror's Chart.yaml files and the waivers. */
export function chartSource(
  charts: readonly MirrorChart[],
  name: string,
  version: string,
  waivers: readonly ChartSourceWaiver[] = CHART_SOURCE_WAIVERS,
): ChartSource {
  const exact = charts.find((chart) => chart.name === name && chart.version === version);
  if (exact) return { status: 'exact', chart: exact };
  const available = charts.filter((chart) => chart.name === name).map((chart) => `${chart.version} (${chart.folder})`);
  const waiver = waivers.find((w) => w.chart === name && w.version === version);
  if (waiver === undefined) return { status: 'missing', available };
  if (waiver.substitute === undefined) return { status: 'waived', waiver, available };
  const folder = waiver.substitute.folder;
  const substitute = charts.find((chart) => chart.folder === folder && chart.name === name);
  if (substitute === undefined) return { status: 'missing', available };
  return { status: 'substitute', chart: substitute, waiver };
}
