/**
 * The charts of one environment, in apply order. Building them has no side effects: tests and the
 * CLI both call `buildEnvironment` and decide what to do with the result.
 */
import { ApiObject, App, type Chart } from 'cdk8s';
import type { Environment } from '../environments/schema';
import { DeliveryChart } from './delivery-chart';
import { EdgeChart } from './edge-chart';
import { MeshChart } from './mesh-chart';
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
  const namespace = new NamespaceChart(app, 'namespace', props);
  const delivery = new DeliveryChart(app, 'delivery', props);
  const mesh = environment.mesh.enabled ? [new MeshChart(app, 'mesh', props)] : [];
  const workloads = new WorkloadsChart(app, 'workloads', { ...props, analyses: delivery.analyses });
  const edge = new EdgeChart(app, 'edge', props);
  // A chart with no objects would be an empty file; leave it out of the kustomization instead.
  const charts = [namespace, delivery, ...mesh, workloads, edge].filter((chart) => chart.node.findAll().some(ApiObject.isApiObject));
  return { environment, charts };
}
