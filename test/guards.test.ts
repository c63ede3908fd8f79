/**
 * An invariant that loops over what the model declares must fail when the model's list empties, not
 * pass having checked nothing. The tests guard each such loop with `nonEmpty` (test/helpers.ts); this
 * proves the guard on a real model whose list was emptied.
 */
import { describe, expect, it } from 'vitest';
import type { RenderedEnvironment } from '../app/render';
import { type Environment, type EnvironmentOverlay, loadEnvironment } from '../environments';
import dev from '../environments/dev';
import { environment, nonEmpty, objects, rendered, renderOverlay } from './helpers';

/** The model's enabled queue workers (workers sized by a queue). */
const queueWorkers = (model: Environment) =>
  Object.entries(model.services)
    .filter(([, spec]) => spec.enabled && spec.kind === 'worker' && spec.queue !== undefined)
    .map(([name]) => name);

/** An invariant as the tests write it: KEDA scales every queue worker. `guard` off is the loop as it was. */
function kedaScalesEveryQueueWorker(env: RenderedEnvironment, model: Environment, guard = true): void {
  const workers = queueWorkers(model);
  const scaled = objects(env, 'ScaledObject').map((object) => object.metadata.name);
  for (const name of guard ? nonEmpty(workers, `${model.name}: queue workers`) : workers) expect(scaled).toContain(name);
}

describe('nonEmpty', () => {
  it('lets an invariant hold over the model as it is', () => {
    expect(() => kedaScalesEveryQueueWorker(rendered('dev'), environment('dev'))).not.toThrow();
  });

  it('fails an invariant whose model list was emptied, where the unguarded loop passes having checked nothing', () => {
    const overlay: EnvironmentOverlay = { name: 'dev-without-workers', extends: dev, services: { worker: { enabled: false } } };
    const model = loadEnvironment(overlay);
    expect(queueWorkers(model)).toEqual([]);
    const env = renderOverlay(overlay);
    expect(() => kedaScalesEveryQueueWorker(env, model, false)).not.toThrow();
    expect(() => kedaScalesEveryQueueWorker(env, model)).toThrow('dev-without-workers: queue workers: expected at least one, found none');
  });
});
