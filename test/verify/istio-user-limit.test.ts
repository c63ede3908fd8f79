/**
 * The per-user rate limit's Istio objects, checked by istioctl 1.31 (`istioctl validate`, offline):
 * istiod's own validation, which unmarshals the EnvoyFilter's typed_config into Envoy's LocalRateLimit
 * proto strictly: a field the Envoy API does not have (a misspelling, or `rate_limits` and
 * `max_dynamic_descriptors` on an Envoy without them) is reported. Istio reports it as a warning and
 * exits 0 (istiod would accept the object and the proxies would refuse the listener), so the test reads
 * every warning: the only one allowed is the notice every EnvoyFilter gets. The canary proves the
 * unknown field is reported.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderEnvironment } from '../../app/render';
import { projectExceptions } from '../../app/verify/exceptions';
import { toolPath } from '../../app/verify/tools';
import { buildEnvironment } from '../../charts';
import { resolveEnvironment } from '../../environments/load';
import { platform } from '../../environments/platform';
import staging from '../../environments/staging';
import type { Manifest } from '../../lib/core/manifest';
import { explainSkip, readyTools, TOOLS_READY } from './tools-ready';

explainSkip('test/verify/istio-user-limit.test.ts');

const IDENTITY = {
  issuer: 'https://auth.example.com/',
  jwksUri: 'https://auth.example.com/.well-known/jwks.json',
  audiences: ['platform'],
};

function limitEnvironment(userRateLimit: Record<string, unknown>) {
  return resolveEnvironment(
    { ...staging, ingress: { ...staging.ingress, identity: IDENTITY, userRateLimit } },
    platform as unknown as Record<string, unknown>,
  );
}

function limitObjects(userRateLimit: Record<string, unknown>): Manifest[] {
  const env = limitEnvironment(userRateLimit);
  return renderEnvironment(buildEnvironment(env)).objects.filter((o) => ['EnvoyFilter', 'RequestAuthentication'].includes(o.kind));
}

/** istioctl validate's exit status and output for these objects. */
function istioctlValidate(dir: string, name: string, objects: readonly Manifest[]): { ok: boolean; output: string } {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  // Warnings go to the error output, also when it exits 0.
  const run = spawnSync(toolPath('istioctl'), ['validate', '-f', file], { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

describe.skipIf(!TOOLS_READY)('istioctl validate: the per-user rate limit', () => {
  let dir = '';
  beforeAll(() => {
    readyTools();
    dir = mkdtempSync(join(tmpdir(), 'istio-user-limit-'));
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the per-user and the tiered limits (RequestAuthentication, and the EnvoyFilter’s LocalRateLimit)', () => {
    const perUser = limitObjects({ requestsPerMinute: 10_000 });
    const tiers = limitObjects({
      requestsPerMinute: 100,
      tiers: { claim: 'tier', limits: { premium: 10_000, standard: 1_000, free: 100, suspicious: 10 } },
    });
    expect(perUser.map((o) => o.kind).sort()).toEqual(['EnvoyFilter', 'RequestAuthentication']);
    for (const [name, objects] of [
      ['per-user', perUser],
      ['tiers', tiers],
    ] as const) {
      const run = istioctlValidate(dir, name, objects);
      expect(run.ok, run.output).toBe(true);
      const warnings = run.output.split('\n').filter((line) => line.trim().startsWith('*'));
      expect(
        warnings.map((w) => w.trim()),
        name,
      ).toEqual([
        '* EnvoyFilter/platform/backend-users: EnvoyFilter exposes internal implementation details that may change at any time. Prefer other APIs if possible, and exercise extreme caution, especially around upgrades.',
      ]);
    }
  });

  it('refuses a LocalRateLimit field Envoy does not have (the canary)', () => {
    const objects = structuredClone(limitObjects({ requestsPerMinute: 100 })) as Manifest[];
    const filter = objects.find((o) => o.kind === 'EnvoyFilter') as unknown as {
      spec: { configPatches: { patch: { value: { typed_config: Record<string, unknown> } } }[] };
    };
    const config = filter.spec.configPatches[0]!.patch.value.typed_config;
    config.max_dynamic_descriptorz = config.max_dynamic_descriptors;
    delete config.max_dynamic_descriptors;
    const run = istioctlValidate(dir, 'canary', objects);
    expect(run.output).toContain(
      'unknown field "max_dynamic_descriptorz" in envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
    );
  });

  it('istioctl analyze: only IST0133, which the project exception for the per-user EnvoyFilter excuses (and no other EnvoyFilter)', () => {
    const objects = limitObjects({ requestsPerMinute: 10_000 });
    const file = join(dir, 'analyze.yaml');
    writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
    const run = spawnSync(
      toolPath('istioctl'),
      ['analyze', '--use-kube=false', '--all-namespaces', '--output-threshold', 'Warning', file],
      {
        encoding: 'utf8',
      },
    );
    const codes = `${run.stdout}${run.stderr}`.match(/IST\d{4}/g) ?? [];
    expect(codes).toEqual(['IST0133']);
    const excuse = projectExceptions(limitEnvironment({ requestsPerMinute: 10_000 }), objects);
    const finding = (object: string) =>
      excuse({
        environment: 'staging',
        tool: 'istioctl',
        rule: 'IST0133',
        severity: 'warning',
        object,
        message: 'EnvoyFilter exposes internal implementation details',
      });
    expect(finding('EnvoyFilter/platform/backend-users')).toMatch(/^the EnvoyFilter of ingress\.userRateLimit/);
    expect(finding('EnvoyFilter/platform/something-else')).toBeUndefined();
  });
});
