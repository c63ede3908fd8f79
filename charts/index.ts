/**
 * The charts of one environment, in apply order. Building them has no side effects: tests and the
 * CLI both call `buildEnvironment` and decide what to do with the result.
 */
import { App, type Chart } from 'cdk8s';
import type { Environment } from '../environments/schema';
import { EdgeChart } from './edge-chart';
import { NamespaceChart } from './namespace-chart';
import { WorkloadsChart } from './workloads-chart';

export interface BuiltEnvironment {
  readonly environment: Environment;
  /** Charts in apply order; each becomes one file in dist/<env>/. */
  readonly charts: readonly Chart[];
}

export function buildEnvironment(environment: Environment): BuiltEnvironment {
  const app = new App();
  const props = { environment };
  const charts = [
    new NamespaceChart(app, 'namespace', props),
    new WorkloadsChart(app, 'workloads', props),
    new EdgeChart(app, 'edge', props),
  ];
  return { environment, charts };
}
