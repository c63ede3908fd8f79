/**
 * Every zone spread constraint the generator writes leaves out the nodes its pods do not tolerate
 * (`nodeTaintsPolicy: Honor`, lib/zone-spread.ts): a drained or lost zone's cordoned nodes must not
 * count as a zone with no pods, or DoNotSchedule keeps the replacements out of the zones that are left
 * and the drain stops at the first PodDisruptionBudget (found by `npm run simulate`). Read from every
 * registered environment's committed output, wherever a pod spec carries constraints: workloads, the
 * operators' custom resources (Cluster, Pooler, RedisReplication) and the Gateway's NginxProxy.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvironmentOutput } from '../app/verify/manifests';
import { environmentNames } from '../environments';
import { manifestId } from '../lib/core/manifest';

const ZONE = 'topology.kubernetes.io/zone';

function constraints(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const item of value) constraints(item, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'topologySpreadConstraints' && Array.isArray(child)) out.push(...(child as Record<string, unknown>[]));
      else constraints(child, out);
    }
  }
  return out;
}

describe.each(environmentNames())('%s: zone spread', (name) => {
  const output = readEnvironmentOutput(join(__dirname, '..', 'dist'), name);
  const zoneSpread = output.objects.flatMap(({ object }) =>
    constraints(object)
      .filter((c) => c.topologyKey === ZONE)
      .map((c) => ({ id: manifestId(object), constraint: c })),
  );

  it('has zone spread constraints to check', () => {
    expect(zoneSpread.length).toBeGreaterThan(0);
  });

  it('counts only the nodes the pods tolerate (nodeTaintsPolicy: Honor)', () => {
    const ignoring = zoneSpread.filter((z) => z.constraint.nodeTaintsPolicy !== 'Honor').map((z) => z.id);
    expect(ignoring).toEqual([]);
  });
});
