/**
 * What `npm run plan -- --simulation <report.json>` prints beside each pool: whether `npm run simulate`
 * (its `--output json` report) agreed with the plan, from the nodes the scheduler needed at the floor
 * and the ceiling. A pool the report does not cover says so: no agreement is assumed.
 */
import { readFileSync } from 'node:fs';
import type { CapacityPlan } from '../plan';
import type { PoolVerdict } from '../plan/format';
import type { EnvironmentSimulation } from './simulate';

export interface SimulationVerdict extends PoolVerdict {
  readonly line: string;
}

/** The environments of a simulation report (`npm run simulate -- --output json`). */
export function readSimulationReport(file: string): readonly EnvironmentSimulation[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { environments?: EnvironmentSimulation[] };
  if (!Array.isArray(parsed.environments)) throw new Error(`${file}: not a report of npm run simulate -- --output json (no environments)`);
  return parsed.environments;
}

export function simulationVerdicts(plans: readonly CapacityPlan[], report: readonly EnvironmentSimulation[]): SimulationVerdict[] {
  return plans.flatMap((plan) =>
    plan.pools.map((pool) => {
      const simulated = report.find((e) => e.environment === plan.environment)?.pools.find((p) => p.pool === pool.name);
      if (simulated === undefined) {
        return {
          environment: plan.environment,
          pool: pool.name,
          agrees: undefined,
          line: `${plan.environment}: pool ${pool.name}: not simulated`,
        };
      }
      // The report's own plan may be older than this one: compare with the nodes the scheduler needed.
      const agrees = simulated.nodesAtMin <= pool.nodes.min && simulated.nodesAtMax <= pool.nodes.max && simulated.agrees;
      return {
        environment: plan.environment,
        pool: pool.name,
        agrees,
        needed: { min: simulated.nodesAtMin, max: simulated.nodesAtMax },
        line: `${plan.environment}: pool ${pool.name}: plan ${pool.nodes.min}-${pool.nodes.max} nodes, the scheduler needed ${simulated.nodesAtMin} at min and ${simulated.nodesAtMax} at max: ${agrees ? 'the simulation agrees' : 'the simulation DISAGREES'}`,
      };
    }),
  );
}
