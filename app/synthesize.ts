/**
 * The synth pipeline: resolve environments, build their charts, render them, validate them, and only
 * then write. Nothing touches the output folder until every environment has rendered and passed.
 */
import { buildEnvironment } from '../charts';
import { join, relative } from 'node:path';
import {
  ENVIRONMENTS,
  environmentNames,
  loadAll,
  loadEnvironmentFile,
  selectEnvironments,
  unregisteredEnvironmentFiles,
  type Environment,
} from '../environments';
import { writeEnvironments } from './dist-writer';
import { renderEnvironment, type RenderedEnvironment } from './render';
import { checkDrPairs, formatReport, validate } from '../validation';
import type { ValidationContext, ValidationReport } from '../validation/types';
import { namesTool } from '../lib/core/waivers';
import { isCheckerWaiver } from './verify/findings';
import { SIMULATION_WAIVERS } from './simulate/findings';
import { UserError } from '../lib/core/user-error';

/** The environment files of this checkout (from the bundle in .build/ or the sources in app/ alike). */
const ENVIRONMENTS_DIR = join(__dirname, '..', 'environments');

export interface SynthOptions {
  /** @default - every environment, unless environmentFiles are given */
  readonly environments?: readonly string[];
  /** YAML/JSON environment overlays to synthesize, e.g. a region proposed in a pull request. */
  readonly environmentFiles?: readonly string[];
  /** @default - render only, write nothing */
  readonly outDir?: string;
}

export interface ValidatedEnvironment extends RenderedEnvironment {
  readonly report: ValidationReport;
}

/** Output that failed validation; the message is the full report. */
export class ValidationError extends UserError {
  constructor(readonly reports: readonly ValidationReport[]) {
    super(`refusing to write invalid manifests:\n${formatReport(reports.filter((r) => r.invalid > 0 || hasErrors(r)))}`);
    this.name = 'ValidationError';
  }
}

function hasErrors(report: ValidationReport): boolean {
  return report.violations.some((v) => v.severity === 'error');
}

/**
 * How an environment's output is judged: its tier, its ingress controller and the waivers of the
 * validator's rules (those of verify's checkers and of the simulation are theirs to apply).
 */
export function validationContext(environment: Environment): ValidationContext {
  return {
    environment: environment.name,
    production: environment.tier === 'production',
    ingressControllerNamespace: environment.ingress.namespace,
    kubernetesVersion: environment.cluster.kubernetesVersion,
    network: environment.cluster.network,
    nodePoolLabel: environment.cluster.nodePoolLabel,
    waivers: environment.waivers.filter((waiver) => !isCheckerWaiver(waiver) && !namesTool(waiver, SIMULATION_WAIVERS.tools)),
  };
}

/**
 * The environments selected by name and/or file. Every bad environment is reported in one error, each
 * value with the file that set it.
 */
export function loadSelected(options: Omit<SynthOptions, 'outDir'> = {}): Environment[] {
  const files = options.environmentFiles ?? [];
  const stray = unregisteredEnvironmentFiles(ENVIRONMENTS_DIR);
  if (stray.length > 0) {
    throw new UserError(
      stray
        .map(
          (file) =>
            `${relative(process.cwd(), file)} defines an environment that is not in ENVIRONMENTS (environments/index.ts): nothing would synthesize it; add it to the list or delete the file`,
        )
        .join('\n'),
    );
  }
  const named = files.length > 0 && options.environments === undefined ? [] : (options.environments ?? environmentNames());
  const overlays = [...named.map((name) => ({ name })), ...files.map((file) => ({ file }))];
  return loadAll(overlays, (item) => ('file' in item ? loadEnvironmentFile(item.file) : selectEnvironments([item.name])[0]!));
}

/** Renders the selected environments in memory, without validating them. */
export function renderEnvironments(options: Omit<SynthOptions, 'outDir'> = {}): RenderedEnvironment[] {
  return loadSelected(options).map((environment) => renderEnvironment(buildEnvironment(environment)));
}

/**
 * Renders and validates the selected environments in memory. Rules over several environments (a DR
 * pair's two regions) also see the registered environments of the regions the selected ones pair
 * with, rendered for the check only.
 */
export function validateEnvironments(options: Omit<SynthOptions, 'outDir'> = {}): ValidatedEnvironment[] {
  const selected = loadSelected(options);
  const rendered = selected.map((environment) => renderEnvironment(buildEnvironment(environment)));
  const peers = drPeers(selected).map((environment) => renderEnvironment(buildEnvironment(environment)));
  const across = checkDrPairs([...rendered, ...peers]);
  return rendered.map((env, i) => {
    const extra = across.filter((v) => v.environment === env.environment).map((v) => v.violation);
    return { ...env, report: validate(env.objects, validationContext(selected[i]!), extra) };
  });
}

/** The registered environments in the regions the selected ones' data stores replicate to, not selected themselves. */
function drPeers(selected: readonly Environment[]): Environment[] {
  const regions = new Set(
    selected.flatMap((env) =>
      Object.values(env.dataStores).flatMap((s) =>
        s.mode === 'operated' && s.engine === 'postgres' && s.replication ? [s.replication.region] : [],
      ),
    ),
  );
  if (regions.size === 0) return [];
  const names = new Set(selected.map((env) => env.name));
  return selectEnvironments(environmentNames()).filter(
    (env) => !names.has(env.name) && env.region !== undefined && regions.has(env.region.name),
  );
}

/**
 * Renders, validates and (with outDir) writes. Throws EnvironmentError on bad input and
 * ValidationError on invalid output, in both cases before anything is written.
 */
export function synthesize(options: SynthOptions = {}): ValidatedEnvironment[] {
  const validated = validateEnvironments(options);
  const reports = validated.map((env) => env.report);
  if (reports.some(hasErrors)) throw new ValidationError(reports);
  if (options.outDir !== undefined) {
    const all = ENVIRONMENTS.map((env) => env.name);
    const complete = validated.length === all.length && validated.every((env, i) => env.environment === all[i]);
    writeEnvironments(validated, { outDir: options.outDir, complete });
  }
  return validated;
}
