/**
 * What the report shows, gathered without a browser: the plan of each environment as `plan --format
 * json` prints it, the simulation's verdict per pool when a report of `npm run simulate` is given, the
 * topology's Mermaid source, the verify report when one is given (never run here, never assumed), and
 * the diff of the committed dist/ against a fresh render.
 */
import { readFileSync } from 'node:fs';
import { diffDist, type ObjectDiff } from '../diff';
import { graphOptions, topologyMermaid } from '../graph';
import { planEnvironment, planJson, type PlanJson } from '../plan';
import { readSimulationReport, simulationVerdicts, type SimulationVerdict } from '../simulate/plan-notes';
import { renderEnvironments } from '../synthesize';
import type { totals } from '../verify/report';
import type { VerifyReport } from '../verify/verify';

/** What `npm run verify -- --output json` prints (app/verify/report.ts verifyReportJson). */
export type VerifyJson = VerifyReport & { readonly passed: boolean; readonly totals: ReturnType<typeof totals> };

export interface ReportInputs {
  /** Environments in the order they were rendered. */
  readonly environments: readonly string[];
  readonly plans: readonly PlanJson[];
  /** @default - simulate not run (no report given) */
  readonly simulation?: { readonly file: string; readonly verdicts: readonly SimulationVerdict[] };
  readonly topology: readonly { readonly environment: string; readonly mermaid: string }[];
  /** @default - verify not run (no report given) */
  readonly verify?: { readonly file: string; readonly report: VerifyJson };
  /** The committed output folder the diff read. */
  readonly distDir: string;
  readonly diffs: readonly ObjectDiff[];
}

export interface ReportOptions {
  /** @default - every registered environment */
  readonly environments?: readonly string[];
  /** A report of `npm run verify -- --output json`. @default - verify not run */
  readonly verifyFile?: string;
  /** A report of `npm run simulate -- --output json`. @default - simulate not run */
  readonly simulationFile?: string;
  /** @default 'dist' */
  readonly distDir?: string;
}

/** A verify JSON report, refused when it is not one (so a wrong file never reads as a pass). */
export function readVerifyJson(file: string): VerifyJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--verify ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const report = parsed as Partial<VerifyJson> | null;
  const problems = [
    typeof report?.passed === 'boolean' ? undefined : 'passed is not true or false',
    Array.isArray(report?.environments) ? undefined : 'environments is not a list',
    typeof report?.totals === 'object' && report?.totals !== null ? undefined : 'totals is missing',
    Array.isArray(report?.stale) ? undefined : 'stale is not a list',
  ].filter((p) => p !== undefined);
  if (problems.length > 0) {
    throw new Error(`--verify ${file}: not a report of npm run verify -- --output json (${problems.join('; ')})`);
  }
  return report as VerifyJson;
}

export function collectInputs(options: ReportOptions = {}): ReportInputs {
  const distDir = options.distDir ?? 'dist';
  // The files first: a wrong one is refused before anything is rendered.
  const verify = options.verifyFile === undefined ? undefined : { file: options.verifyFile, report: readVerifyJson(options.verifyFile) };
  const simulation =
    options.simulationFile === undefined
      ? undefined
      : { file: options.simulationFile, report: readSimulationReport(options.simulationFile) };
  const rendered = renderEnvironments({ environments: options.environments });
  const plans = rendered.map((env) => planEnvironment(env.model, env.objects));
  const environments = rendered.map((env) => env.environment);
  return {
    environments,
    plans: plans.map(planJson),
    ...(simulation === undefined ? {} : { simulation: { file: simulation.file, verdicts: simulationVerdicts(plans, simulation.report) } }),
    topology: rendered.map((env) => ({ environment: env.environment, mermaid: topologyMermaid(env.objects, graphOptions(env.model)) })),
    ...(verify === undefined ? {} : { verify }),
    distDir,
    diffs: diffDist({ distDir, environments }),
  };
}
