import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { PlatformService } from '../lib/platform-service';
import type { RolloutAnalyses } from '../lib/service-rollout';
import type { EnvironmentChartProps } from './namespace-chart';

export interface WorkloadsChartProps extends EnvironmentChartProps {
  readonly analyses: RolloutAnalyses;
}

/** Every service of the environment, in declaration order. */
export class WorkloadsChart extends Chart {
  readonly services: readonly PlatformService[];

  constructor(scope: Construct, id: string, props: WorkloadsChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    this.services = Object.keys(props.environment.services).map(
      (service) => new PlatformService(this, service, { environment: props.environment, service, analyses: props.analyses }),
    );
  }
}
