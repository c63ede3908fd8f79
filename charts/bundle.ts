import { ApiObject, type Chart } from 'cdk8s';
import type { Environment } from '../environments/schema';

/** Charts that are applied together from one folder. */
export interface Bundle {
  /** Folder under dist/<env>/; '' for the apps at its root. */
  readonly folder: string;
  /** Charts in apply order; each becomes one file. */
  readonly charts: readonly Chart[];
}

export interface BuiltEnvironment {
  readonly environment: Environment;
  readonly bundles: readonly Bundle[];
}

/** Charts without objects would be empty files; they are left out of the kustomization instead. */
export function nonEmpty(charts: readonly Chart[]): Chart[] {
  return charts.filter((chart) => chart.node.findAll().some(ApiObject.isApiObject));
}
