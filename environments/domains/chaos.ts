/** Scheduled chaos drills, run by Chaos Mesh. */
import { z } from 'zod';
import { CHAOS_DEFAULTS } from '../../lib/defaults';
import type { Environment as Env } from '../schema';
import { type Ctx, strict, Tier } from './common';

/** Scheduled chaos drills (Chaos Mesh). */
export const chaos = strict({
  /** Pod-kill drills of every service and data store: weekly (staging), monthly (production, opt-in), or off. */
  podKill: z.enum(['off', 'weekly', 'monthly']).default(CHAOS_DEFAULTS.podKill),
  /** Also kill the data stores' primaries (the PostgreSQL primary, the Redis master). */
  includePrimaries: z.boolean().default(CHAOS_DEFAULTS.includePrimaries),
  /**
   * A failover drill: kill the current master of every Redis with Sentinels, so its clients are seen to
   * follow the promotion (staging). @default false
   */
  failover: z.boolean().default(CHAOS_DEFAULTS.failover),
});

/** Production drills at most monthly (AVL-05). */
export function checkChaos(env: Env, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  if (env.tier === Tier.PRODUCTION && env.chaos.podKill === 'weekly') {
    issue(
      ['chaos', 'podKill'],
      env.chaos.podKill,
      'must be "monthly" or "off" in production: weekly drills are for staging (AVL-05: monthly pod-failure drills)',
    );
  }
}
