import type { Environment } from '../environments/schema';

/** What every chart of an environment is built from: the resolved environment. */
export interface EnvironmentChartProps {
  readonly environment: Environment;
}
