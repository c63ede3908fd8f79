import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { RolloutAnalyses } from '../lib/constructs/delivery-analyses';
import { PlatformService } from '../lib/constructs/platform-service';
import type { EnvironmentChartProps } from './chart-props';
import { enabledServices, resolveService } from './resolve-service';

export interface WorkloadsChartProps extends EnvironmentChartProps {
  readonly analyses: RolloutAnalyses;
}

/** Every enabled service of the environment, in declaration order. */
export class WorkloadsChart extends Chart {
  readonly services: readonly PlatformService[];

  constructor(scope: Construct, id: string, props: WorkloadsChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    this.services = enabledServices(props.environment).map(
      ([service]) => new PlatformService(this, service, { service: resolveService(props.environment, service, props.analyses) }),
    );
  }
}
