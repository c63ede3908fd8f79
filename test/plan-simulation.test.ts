/**
 * `npm run plan -- --simulation <report.json>`: beside each pool, whether `npm run simulate` agreed. A
 * pool the scheduler needed more nodes for than the plan counts disagrees; a pool the report does not
 * cover is said to be not simulated, never taken as agreeing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CapacityPlan, formatPlans, planEnvironment } from '../app/plan';
import { readSimulationReport, simulationVerdicts } from '../app/simulate/plan-notes';
import type { EnvironmentSimulation } from '../app/simulate/simulate';
import { renderEnvironments } from '../app/synthesize';
import { selectEnvironments } from '../environments';

const plan = {
  environment: 'prod',
  pools: [
    { name: 'frontend', nodes: { min: 5, max: 9 } },
    { name: 'backend', nodes: { min: 11, max: 19 } },
    { name: 'data', nodes: { min: 3, max: 3 } },
  ],
} as unknown as CapacityPlan;

const pool = (name: string, nodesAtMin: number, nodesAtMax: number, agrees = true) => ({ pool: name, nodesAtMin, nodesAtMax, agrees });

describe('the plan beside the simulation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-simulation-'));
  const file = join(dir, 'simulation.json');
  writeFileSync(
    file,
    JSON.stringify({
      passed: false,
      environments: [{ environment: 'prod', pools: [pool('frontend', 5, 9), pool('backend', 11, 20, false)] }],
    }),
  );

  it('agrees where the scheduler needed no more nodes, disagrees where it needed more, and names what it did not simulate', () => {
    const verdicts = simulationVerdicts([plan], readSimulationReport(file));
    expect(verdicts.map((v) => [v.pool, v.agrees])).toEqual([
      ['frontend', true],
      ['backend', false],
      ['data', undefined],
    ]);
    expect(verdicts[1]!.line).toBe(
      'prod: pool backend: plan 11-19 nodes, the scheduler needed 11 at min and 20 at max: the simulation DISAGREES',
    );
    expect(verdicts[2]!.line).toBe('prod: pool data: not simulated');
  });

  it('puts the verdict in a column beside each pool, and in each pool of the JSON', () => {
    const real = planEnvironment(selectEnvironments(['dev'])[0]!, renderEnvironments({ environments: ['dev'] })[0]!.objects);
    const verdicts = simulationVerdicts(
      [real],
      [{ environment: 'dev', pools: [pool('general', 1, 1)] } as unknown as EnvironmentSimulation],
    );
    const table = formatPlans([real], 'table', verdicts).split('\n');
    expect(table.find((l) => l.startsWith('pool '))).toMatch(/ simulation$/);
    expect(table.find((l) => l.startsWith('general '))).toMatch(/ agrees: needed 1$/);
    expect(table.find((l) => l.startsWith('sandbox '))).toMatch(/ not simulated$/);
    const json = JSON.parse(formatPlans([real], 'json', verdicts)) as { pools: { name: string; simulation: unknown }[] };
    expect(json.pools.map((p) => [p.name, p.simulation])).toEqual([
      ['general', { agrees: true, needed: { min: 1, max: 1 } }],
      ['sandbox', { agrees: null, needed: null }],
    ]);
    // Without a report, the plan is its own shape.
    expect(formatPlans([real], 'table')).not.toContain('simulation');
  });

  it('refuses a file that is not a simulation report', () => {
    const other = join(dir, 'plan.json');
    writeFileSync(other, JSON.stringify([{ environment: 'prod' }]));
    expect(() => readSimulationReport(other)).toThrow('not a report of npm run simulate -- --output json');
  });
});
