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

export interface FleetResult {
  readonly environments: number;
  readonly objects: number;
  readonly loadMs: number;
  readonly renderMs: number;
  readonly validateMs: number;
  readonly violations: number;
  readonly maxRssMiB: number;
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * One cold synth of every environment, phase by phase, with the functions `npm run synth` runs:
 * what validation adds to a synth is its share here.
 */
export function phases(): PhasesResult {
  let start = process.hrtime.bigint();
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { buildEnvironment } = require('../charts') as typeof import('../charts');
  const { selectEnvironments } = require('../environments') as typeof import('../environments');
  const { renderEnvironment } = require('../app/render') as typeof import('../app/render');
  const { validate } = require('../lib/validation') as typeof import('../lib/validation');
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
 * Resolve, render and validate a generated fleet in memory; writing files is the synth figure's job.
 * Times are per phase, so objects per second is render (and validation) throughput alone.
 */
export function fleet(services: number, regions: number): FleetResult {
  const { buildEnvironment } = require('../charts') as typeof import('../charts');
  const { selectEnvironments } = require('../environments') as typeof import('../environments');
  const { renderEnvironment } = require('../app/render') as typeof import('../app/render');
  const { validate } = require('../lib/validation') as typeof import('../lib/validation');
  const { validationContext } = require('../app/synthesize') as typeof import('../app/synthesize');
  const { fleetEnvironments } = require('./fleet') as typeof import('./fleet');
  // One untimed render and validation first: the first chart pays for JIT warm-up, which is not a per-object cost.
  const warm = selectEnvironments(['dev'])[0]!;
  validate(renderEnvironment(buildEnvironment(warm)).objects, validationContext(warm));
  let start = process.hrtime.bigint();
  const environments = fleetEnvironments(services, regions);
  const loadMs = since(start);
  start = process.hrtime.bigint();
  const rendered = environments.map((env) => renderEnvironment(buildEnvironment(env)));
  const renderMs = since(start);
  start = process.hrtime.bigint();
  const violations = rendered.reduce((n, env, i) => n + validate(env.objects, validationContext(environments[i]!)).violations.length, 0);
  const validateMs = since(start);
  return {
    environments: environments.length,
    objects: rendered.reduce((n, env) => n + env.objects.length, 0),
    loadMs,
    renderMs,
    validateMs,
    violations,
    // resourceUsage().maxRSS is in KiB and is the process's peak, not its current size.
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}
