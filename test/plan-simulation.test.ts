/**
 * `npm run plan -- --simulation <report.json>`: beside each pool, whether `npm run simulate` agreed. A
 * pool the scheduler needed more nodes for than the plan counts disagrees; a pool the report does not
 * cover is said to be not simulated, never taken as agreeing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapacityPlan } from '../app/plan';
import { readSimulationReport, simulationVerdicts } from '../app/simulate/plan-notes';

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

  it('refuses a file that is not a simulation report', () => {
    const other = join(dir, 'plan.json');
    writeFileSync(other, JSON.stringify([{ environment: 'prod' }]));
    expect(() => readSimulationReport(other)).toThrow('not a report of npm run simulate -- --output json');
  });
});
