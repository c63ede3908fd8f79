/**
 * Construct unit tests: synthesize one construct in a fresh cdk8s test chart and read the objects it
 * emitted through small typed views (each test file declares the fields it reads).
 */
import { type Chart, Testing } from 'cdk8s';
import type { Manifest } from '../../lib/core/manifest';

/** The objects `build` adds to a fresh `Testing.chart()`, as `Testing.synth` emits them. */
export function synth(build: (chart: Chart) => void): Manifest[] {
  const chart = Testing.chart();
  build(chart);
  const objects: Manifest[] = Testing.synth(chart);
  return objects;
}

/** The objects of one kind, in emission order. */
export function ofKind<T>(objects: readonly Manifest[], kind: string): T[] {
  return objects.filter((object) => object.kind === kind) as unknown[] as T[];
}

/** The one object of `kind` (and `name`, when given); fails the test when there is none or several. */
export function only<T>(objects: readonly Manifest[], kind: string, name?: string): T {
  const found = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (found.length !== 1) {
    const what = name === undefined ? kind : `${kind} "${name}"`;
    throw new Error(`expected one ${what}, found ${found.length} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found[0] as unknown as T;
}

/** `kind/name` of every object, in emission order: what a construct emits at a glance. */
export function inventory(objects: readonly Manifest[]): string[] {
  return objects.map((object) => `${object.kind}/${object.metadata.name}`);
}
