/**
 * What the benchmark runs in a fresh process of its own, so that each figure starts cold and each
 * peak RSS belongs to one measurement. Prints one JSON line.
 */
import { buildEnvironment } from '../charts';
import { selectEnvironments } from '../environments';
import { renderEnvironment } from '../lib/render';
import { synthesize } from '../lib/synthesize';
import { fleetEnvironments } from './fleet';
import { loadValidator } from './validation';

export interface SynthValidateResult {
  readonly objects: number;
  readonly violations: number | null;
}

export interface FleetResult {
  readonly environments: number;
  readonly objects: number;
  readonly loadMs: number;
  readonly renderMs: number;
  readonly validateMs: number | null;
  readonly violations: number | null;
  readonly maxRssMiB: number;
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** `npm run synth` and then the validator over every environment, as CI would run them. */
export function synthAndValidate(outDir: string): SynthValidateResult {
  const rendered = synthesize({ outDir });
  const validate = loadValidator();
  if (validate === undefined) return { objects: rendered.reduce((n, env) => n + env.objects.length, 0), violations: null };
  const environments = selectEnvironments();
  let violations = 0;
  for (const env of rendered) violations += validate(env.objects, environments.find((e) => e.name === env.environment)!).violations;
  return { objects: rendered.reduce((n, env) => n + env.objects.length, 0), violations };
}

/**
 * Resolve, render and validate a generated fleet in memory; writing files is the synth figure's job.
 * Times are per phase, so objects per second is render (and validation) throughput alone.
 */
export function fleet(services: number, regions: number): FleetResult {
  // One untimed render first: the first chart pays for JIT warm-up, which is not a per-object cost.
  renderEnvironment(buildEnvironment(selectEnvironments(['dev'])[0]!));
  let start = process.hrtime.bigint();
  const environments = fleetEnvironments(services, regions);
  const loadMs = since(start);
  start = process.hrtime.bigint();
  const rendered = environments.map((env) => renderEnvironment(buildEnvironment(env)));
  const renderMs = since(start);
  const validate = loadValidator();
  let validateMs: number | null = null;
  let violations: number | null = null;
  if (validate !== undefined) {
    start = process.hrtime.bigint();
    violations = rendered.reduce((n, env, i) => n + validate(env.objects, environments[i]!).violations, 0);
    validateMs = since(start);
  }
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
