/**
 * What the benchmark runs in a fresh process of its own, so that each figure starts cold and each
 * peak RSS belongs to one measurement. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PhasesResult {
  readonly objects: number;
  /** Loading the program's modules (charts, constructs, bindings, validators). */
  readonly loadMs: number;
  readonly renderMs: number;
  readonly validateMs: number;
  readonly writeMs: number;
  readonly violations: number;
}

/** How a fleet is rendered: the current pipeline, or as before the fast path (bench/reference.ts). */
export type RenderMode = 'fast' | 'reference';

export interface FleetResult {
  readonly mode: RenderMode;
  readonly environments: number;
  readonly objects: number;
  readonly loadMs: number;
  readonly renderMs: number;
  readonly validateMs: number;
  /** CPU time of render and validation together (user and system): less sensitive than wall time to other load. */
  readonly cpuMs: number;
  readonly violations: number;
  /** Bytes of YAML kept for writing, as a synth keeps them until every environment has passed. */
  readonly yamlBytes: number;
  readonly maxRssMiB: number;
}

export interface YamlResult {
  readonly emitter: 'fast' | 'reference';
  readonly objects: number;
  readonly bytes: number;
  /** The first pass over every environment's objects in a fresh process: cold JIT, empty caches. */
  readonly coldMs: number;
  /** The median of later passes, each with the fast emitter's string cache emptied first. */
  readonly warmMs: number;
  /** Objects whose fast YAML differs from the reference's (must be 0). */
  readonly mismatches: number;
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/* eslint-disable @typescript-eslint/no-require-imports */

/**
 * One cold synth of every environment, phase by phase, with the functions `npm run synth` runs:
 * what validation adds to a synth is its share here.
 */
export function phases(): PhasesResult {
  let start = process.hrtime.bigint();
  const { buildEnvironment } = require('../charts') as typeof import('../charts');
  const { selectEnvironments } = require('../environments') as typeof import('../environments');
  const { renderEnvironment } = require('../app/render') as typeof import('../app/render');
  const { validate } = require('../validation') as typeof import('../validation');
  const { validationContext } = require('../app/synthesize') as typeof import('../app/synthesize');
  const { writeEnvironments } = require('../app/dist-writer') as typeof import('../app/dist-writer');
  const loadMs = since(start);
  start = process.hrtime.bigint();
  const environments = selectEnvironments();
  const rendered = environments.map((env) => renderEnvironment(buildEnvironment(env)));
  const renderMs = since(start);
  start = process.hrtime.bigint();
  const violations = rendered.reduce((n, env, i) => n + validate(env.objects, validationContext(environments[i]!)).violations.length, 0);
  const validateMs = since(start);
  const out = mkdtempSync(join(tmpdir(), 'bench-phases-'));
  start = process.hrtime.bigint();
  writeEnvironments(rendered, { outDir: join(out, 'dist'), complete: true });
  const writeMs = since(start);
  rmSync(out, { recursive: true, force: true });
  return { objects: rendered.reduce((n, env) => n + env.objects.length, 0), loadMs, renderMs, validateMs, writeMs, violations };
}

/**
 * Resolve, render and validate a generated fleet in memory, one environment after another, keeping
 * each environment's YAML (what a synth writes once all have passed) and letting its objects go once
 * validated. Times are per phase, so objects per second is render (and validation) throughput alone.
 */
export function fleet(services: number, regions: number, mode: RenderMode): FleetResult {
  const { buildEnvironment } = require('../charts') as typeof import('../charts');
  const { selectEnvironments } = require('../environments') as typeof import('../environments');
  const { renderEnvironment } = require('../app/render') as typeof import('../app/render');
  const { renderEnvironmentAsBefore } = require('./reference') as typeof import('./reference');
  const { validate } = require('../validation') as typeof import('../validation');
  const { validationContext } = require('../app/synthesize') as typeof import('../app/synthesize');
  const { fleetEnvironments } = require('./fleet') as typeof import('./fleet');
  const render = mode === 'fast' ? renderEnvironment : renderEnvironmentAsBefore;
  // One untimed render and validation first: the first chart pays for JIT warm-up, which is not a per-object cost.
  const warm = selectEnvironments(['dev'])[0]!;
  validate(render(buildEnvironment(warm)).objects, validationContext(warm));
  let start = process.hrtime.bigint();
  const environments = fleetEnvironments(services, regions);
  const loadMs = since(start);
  let renderMs = 0;
  let validateMs = 0;
  let objects = 0;
  let violations = 0;
  const texts: string[][] = [];
  const cpuBefore = process.cpuUsage();
  for (const environment of environments) {
    start = process.hrtime.bigint();
    const rendered = render(buildEnvironment(environment));
    renderMs += since(start);
    start = process.hrtime.bigint();
    violations += validate(rendered.objects, validationContext(environment)).violations.length;
    validateMs += since(start);
    objects += rendered.objects.length;
    texts.push(rendered.files.map((file) => file.text));
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    mode,
    environments: environments.length,
    objects,
    loadMs,
    renderMs,
    validateMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    violations,
    yamlBytes: texts.flat().reduce((n, text) => n + text.length, 0),
    // resourceUsage().maxRSS is in KiB and is the process's peak, not its current size.
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/**
 * YAML emission alone, over every environment's objects (rendered first, untimed), by the fast
 * emitter or by `yaml`'s stringify, which it replaces. Each emitter runs in its own fresh process, so
 * that the first pass is cold for both.
 */
export function yamlEmission(emitter: 'fast' | 'reference', passes: number): YamlResult {
  const { buildEnvironment } = require('../charts') as typeof import('../charts');
  const { selectEnvironments } = require('../environments') as typeof import('../environments');
  const { chartObjects } = require('../charts') as typeof import('../charts');
  const { referenceYaml, resetYamlCache, toYaml } = require('../app/yaml') as typeof import('../app/yaml');
  const objects = selectEnvironments().flatMap((env) => buildEnvironment(env).bundles.flatMap((b) => b.charts.flatMap(chartObjects)));
  const emit = emitter === 'fast' ? toYaml : referenceYaml;
  resetYamlCache();
  let bytes = 0;
  let start = process.hrtime.bigint();
  for (const object of objects) bytes += emit(object).length;
  const coldMs = since(start);
  const warm: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    resetYamlCache();
    start = process.hrtime.bigint();
    for (const object of objects) emit(object);
    warm.push(since(start));
  }
  const mismatches = emitter === 'fast' ? objects.filter((object) => toYaml(object) !== referenceYaml(object)).length : 0;
  return { emitter, objects: objects.length, bytes, coldMs, warmMs: median(warm), mismatches };
}
