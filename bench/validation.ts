/**
 * The validator is optional to the benchmark: it is another part of the project and may not be
 * there yet. When lib/validation exports `validate(objects, ctx)`, the benchmark times it; otherwise
 * it reports n/a and goes on.
 */
import type { Environment } from '../environments';
import type { Manifest } from '../lib/validation/types';

export type Validate = (objects: readonly Manifest[], environment: Environment) => { readonly violations: number };

export function loadValidator(): Validate | undefined {
  let module: unknown;
  try {
    // A plain require, so that a missing module is a value here, not a build error.
    module = require('../lib/validation/index');
  } catch {
    return undefined;
  }
  const validate = (module as { validate?: unknown }).validate;
  if (typeof validate !== 'function') return undefined;
  return (objects, environment) => {
    const ctx = { environment: environment.name, production: environment.tier === 'production', waivers: environment.waivers };
    const report = (validate as (o: readonly Manifest[], c: typeof ctx) => { violations?: readonly unknown[] })(objects, ctx);
    return { violations: report.violations?.length ?? 0 };
  };
}
