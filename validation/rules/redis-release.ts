/**
 * data/redis-release: Redis runs a release fixed for CVE-2025-49844 (an authenticated Lua
 * use-after-free that allows remote code execution; fixed in 7.2.11, 7.4.6, 8.0.4 and 8.2.2; 7.0 and
 * older are end-of-life and get no fix). Read from the image tag (vX.Y.Z) of every Redis and Sentinel
 * the redis-operator runs (RedisReplication, RedisSentinel, Redis, RedisCluster).
 */
import type { Violation } from '../types';
import { asObj, asString, type RuleFamily, violation } from './model';

export const REDIS_RELEASE = 'data/redis-release';

/** The first fixed patch of each maintained minor. */
const FIXED: Readonly<Record<string, number>> = { '7.2': 11, '7.4': 6, '8.0': 4, '8.2': 2 };

const KINDS = ['RedisReplication', 'RedisSentinel', 'Redis', 'RedisCluster'].map((k) => `redis.redis.opstreelabs.in/${k}`);

/** Why the release is affected, or undefined when it is fixed (or cannot be read: a digest alone). */
export function redisReleaseProblem(image: string): string | undefined {
  const tag = /:v?(\d+)\.(\d+)\.(\d+)(?:@|$)/.exec(image);
  if (tag === null) return `its tag names no Redis release (vX.Y.Z): whether it is fixed for CVE-2025-49844 cannot be seen`;
  const [major, minor, patch] = [Number(tag[1]), Number(tag[2]), Number(tag[3])];
  const line = `${major}.${minor}`;
  const fixed = FIXED[line];
  if (fixed === undefined) {
    const newer = major > 8 || (major === 8 && minor > 2);
    return newer ? undefined : `Redis ${line} is end-of-life and has no fix for CVE-2025-49844`;
  }
  return patch >= fixed ? undefined : `Redis ${line}.${patch} is affected by CVE-2025-49844 (fixed in ${line}.${fixed})`;
}

export const redisReleaseRules: RuleFamily = {
  ids: [REDIS_RELEASE],
  check(model, _ctx, out: Violation[]) {
    for (const entry of KINDS.flatMap((gk) => model.ofKind(gk))) {
      const image = asString(asObj(asObj(entry.obj.spec)?.kubernetesConfig)?.image);
      if (image === undefined) continue;
      const problem = redisReleaseProblem(image);
      if (problem === undefined) continue;
      out.push(
        violation(
          REDIS_RELEASE,
          entry,
          'spec.kubernetesConfig.image',
          `runs ${image}: ${problem} (an authenticated Lua use-after-free; fixed in 7.2.11, 7.4.6, 8.0.4, 8.2.2); 7.2.11 or later keeps the BSD licence`,
        ),
      );
    }
  },
};
