import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { serviceAccountName } from '../lib/names';
import { ProjectSandbox } from '../lib/constructs/project-sandbox';
import type { EnvironmentChartProps } from './chart-props';

/** The user-project sandbox (SEC-09): its own namespace. Empty when the environment has none. */
export class SandboxChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id);
    const { environment } = props;
    if (environment.sandbox !== undefined)
      new ProjectSandbox(this, 'Sandbox', {
        environment: { name: environment.name, partOf: environment.partOf, kubernetesVersion: environment.cluster.kubernetesVersion },
        sandbox: environment.sandbox,
        nodePoolLabel: environment.cluster.nodePoolLabel,
        launcher: { namespace: environment.namespace, serviceAccountName: serviceAccountName(environment.sandbox.launcher) },
      });
  }
}
