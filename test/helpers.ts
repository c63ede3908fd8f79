/** Test helpers: render environments in memory and find objects in them. */
import { expect } from 'vitest';
import { buildEnvironment } from '../charts';
import { loadEnvironment, selectEnvironments, type Environment, type EnvironmentOverlay } from '../environments';
import { renderEnvironment, type RenderedEnvironment } from '../app/render';
import { validationContext } from '../app/synthesize';
import { validate } from '../validation';
import type { ValidationReport } from '../validation/types';
import type { Manifest } from '../lib/core/manifest';
import type { LongRunningServiceSpec, ServiceSpec } from '../environments/schema';
import type { PodTemplateJson, WorkloadJson } from './k8s-json';

const cache = new Map<string, RenderedEnvironment>();

/** A registered environment, rendered once per test file. */
export function rendered(name: string): RenderedEnvironment {
  let env = cache.get(name);
  if (!env) {
    env = renderEnvironment(buildEnvironment(selectEnvironments([name])[0]!));
    cache.set(name, env);
  }
  return env;
}

export function renderOverlay(overlay: EnvironmentOverlay): RenderedEnvironment {
  return renderEnvironment(buildEnvironment(loadEnvironment(overlay)));
}

/** An overlay rendered and validated as synth would judge it. */
export function validateOverlay(overlay: EnvironmentOverlay): ValidationReport {
  const environment = loadEnvironment(overlay);
  return validate(renderEnvironment(buildEnvironment(environment)).objects, validationContext(environment));
}

export function environment(name: string): Environment {
  return selectEnvironments([name])[0]!;
}

/** Every object of a kind, typed by the shape the test reads (see test/k8s-json.ts). */
export function objects<T extends Manifest = Manifest>(env: RenderedEnvironment, kind: string): T[] {
  return env.objects.filter((object) => object.kind === kind) as T[];
}

/** The one object of that kind and name; fails the test if missing. */
export function find<T extends Manifest = Manifest>(env: RenderedEnvironment, kind: string, name: string): T {
  const found = env.objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`${env.environment}: no ${kind} "${name}"`);
  return found as T;
}

/** The workload of a service, whichever kind rolls it out (Deployment or Rollout). */
export function workload<T extends Manifest = WorkloadJson>(env: RenderedEnvironment, name: string): T {
  const found = env.objects.find((object) => ['Deployment', 'Rollout'].includes(object.kind) && object.metadata.name === name);
  if (!found) throw new Error(`${env.environment}: no workload "${name}"`);
  return found as T;
}

/** Pod templates of every workload kind that carries one. */
export function podTemplates(env: RenderedEnvironment): { object: WorkloadJson; template: PodTemplateJson }[] {
  return env.objects
    .filter((object): object is WorkloadJson => ['Deployment', 'Rollout'].includes(object.kind))
    .map((object) => ({ object, template: object.spec.template }));
}

/** A service that runs long-lived pods (web or worker); fails the test for a job. */
export function longRunning(spec: ServiceSpec | undefined): LongRunningServiceSpec {
  if (spec === undefined || spec.kind === 'job') throw new Error(`expected a web service or a worker, got ${spec?.kind ?? 'nothing'}`);
  return spec;
}

/**
 * The list, once the test has asserted it holds at least one item. An invariant looped over an empty
 * list passes without checking anything, so each loop over what the model declares goes through this:
 * `what` says what the model declares must be there (`prod: public services`), and an emptied model
 * list then fails the test by that name (test/guards.test.ts).
 */
export function nonEmpty<T>(list: readonly T[], what: string): readonly T[] {
  expect(list.length, `${what}: expected at least one, found none`).toBeGreaterThan(0);
  return list;
}
