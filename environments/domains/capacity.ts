/** What the cluster's capacity is built from and what it costs: node pools, machine types, storage classes. */
import { z } from 'zod';
import type { Environment as Env } from '../schema';
import { type Ctx, MAX_NODES, strict } from './common';

export const nodePool = strict({
  machineType: z.string().min(1),
  minNodes: z.number().int().min(0).max(MAX_NODES, `must be at most ${MAX_NODES}`),
  maxNodes: z.number().int().min(1).max(MAX_NODES, `must be at most ${MAX_NODES}`),
  /** Spot/preemptible capacity; its nodes carry the cluster's spot taint. */
  spot: z.boolean(),
});

export const machineType = strict({
  /** vCPUs of one node. */
  cpu: z.number().positive(),
  /** Memory of one node, GiB. */
  memoryGiB: z.number().positive(),
  /** On-demand list price per node-hour, USD. */
  pricePerHour: z.number().nonnegative(),
  /** Spot/preemptible list price per node-hour, USD. */
  spotPricePerHour: z.number().nonnegative(),
});

/** A persistent disk type: its list price. */
export const storageClass = strict({
  /** USD per GiB and month. */
  pricePerGiBMonth: z.number().nonnegative(),
});

/** Each pool names a machine type of the environment and has room between its bounds. */
export function checkNodePools(env: Env, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  for (const [name, pool] of Object.entries(env.nodePools)) {
    if (!(pool.machineType in env.machineTypes)) {
      issue(
        ['nodePools', name, 'machineType'],
        pool.machineType,
        `must be a machine type of this environment: ${Object.keys(env.machineTypes).join(', ')}`,
      );
    }
    if (pool.maxNodes < pool.minNodes)
      issue(['nodePools', name, 'maxNodes'], pool.maxNodes, `must be at least minNodes (${pool.minNodes})`);
  }
}
