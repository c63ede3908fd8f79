/** data/redis-release (validation/rules/redis-release.ts): Redis fixed for CVE-2025-49844 (issue 24 #7). */
import { describe, expect, it } from 'vitest';
import { validationContext } from '../../app/synthesize';
import { environmentNames } from '../../environments';
import type { Manifest } from '../../lib/core/manifest';
import { REDIS_DEFAULTS } from '../../lib/defaults';
import { runRules } from '../../validation/rules/all';
import { REDIS_RELEASE, redisReleaseProblem } from '../../validation/rules/redis-release';
import type { M } from '../fixtures/rules/factories';
import { environment, rendered } from '../helpers';

const findings = (name: string, objects: readonly M[]) =>
  runRules(objects as Manifest[], validationContext(environment(name)))
    .filter((v) => v.rule === REDIS_RELEASE)
    .map((v) => `${v.object} ${v.path}: ${v.message}`);

describe(REDIS_RELEASE, () => {
  it('reads each maintained line against its first fixed patch', () => {
    expect(redisReleaseProblem('quay.io/opstree/redis:v7.0.15')).toBe('Redis 7.0 is end-of-life and has no fix for CVE-2025-49844');
    expect(redisReleaseProblem('quay.io/opstree/redis:v7.2.10')).toBe('Redis 7.2.10 is affected by CVE-2025-49844 (fixed in 7.2.11)');
    for (const fixed of ['v7.2.11', 'v7.4.6', 'v8.0.4', 'v8.2.2', 'v8.4.0']) expect(redisReleaseProblem(`redis:${fixed}`)).toBeUndefined();
    expect(redisReleaseProblem('redis@sha256:abc')).toMatch(/names no Redis release/);
  });

  it('runs a fixed 7.2 release (BSD-licensed) by default', () => {
    expect(redisReleaseProblem(`${REDIS_DEFAULTS.image.repository}:${REDIS_DEFAULTS.image.tag}`)).toBeUndefined();
    expect(REDIS_DEFAULTS.image.tag).toMatch(/^v7\.2\./);
    expect(REDIS_DEFAULTS.sentinelImage.tag).toBe(REDIS_DEFAULTS.image.tag);
  });

  it.each(environmentNames())('passes %s', (name) => expect(findings(name, structuredClone(rendered(name).objects) as M[])).toEqual([]));

  it('fails prod as it was: Redis 7.0.15 and its Sentinels', () => {
    const objects = structuredClone(rendered('prod').objects) as M[];
    const redis = objects.find((o) => o.kind === 'RedisReplication');
    redis.spec.kubernetesConfig.image = 'quay.io/opstree/redis:v7.0.15';
    expect(findings('prod', objects)).toEqual([
      `RedisReplication/data/${redis.metadata.name} spec.kubernetesConfig.image: runs quay.io/opstree/redis:v7.0.15: Redis 7.0 is end-of-life and has no fix for CVE-2025-49844 (an authenticated Lua use-after-free; fixed in 7.2.11, 7.4.6, 8.0.4, 8.2.2); 7.2.11 or later keeps the BSD licence`,
    ]);
  });
});
