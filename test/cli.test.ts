/**
 * The command line as a user runs it: a real process, real exit codes, no stack traces. The process
 * is the one `npm run <command>` starts (scripts/build.js runs the bundle, built first if the sources
 * changed), not the TypeScript under a loader.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderEnvironments } from '../app/synthesize';
import { environmentNames } from '../environments';

const root = join(__dirname, '..');
const build = join(root, 'scripts', 'build.js');

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [build, '--run', 'main', ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// Build first when the sources changed, so that no test's output includes the build's.
// A cold esbuild build on a loaded 2-core machine (the whole suite runs beside it) can take well over
// vitest's 10 s hook default.
beforeAll(() => {
  const result = spawnSync(process.execPath, [build], { cwd: root, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
}, 120_000);

describe('cli', () => {
  it('lists environments with their services and replica ranges', () => {
    const { status, stdout } = cli('list');
    expect(status).toBe(0);
    expect(stdout).toContain('prod (production, namespace platform)');
    expect(stdout).toMatch(/backend\s+web\s+replicas 20-36\s+pool backend/);
  });

  it('synthesizes only the named environments into --out', () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    const { status, stdout } = cli('synth', '--env', 'dev', '--env', 'staging', '--out', out);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^synthesized dev, staging: \d+ objects/);
    expect(readdirSync(out).sort()).toEqual(['dev', 'staging']);
    rmSync(out, { recursive: true });
  });

  it('fails on a bad environment with one line per issue and no stack trace', () => {
    const { status, stderr } = cli('synth', '--env-file', 'test/fixtures/environments/min-above-max.yaml', '--out', tmpdir());
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(
      'error: bad-range (test/fixtures/environments/min-above-max.yaml): services.backend.replicas.max = 4: must be at least replicas.min (5)',
    );
  });

  it('fails on an unknown environment', () => {
    const { status, stderr } = cli('synth', '--env', 'no-such-environment');
    expect(status).toBe(1);
    expect(stderr).toContain(`unknown environment "no-such-environment"; known: ${environmentNames().join(', ')}`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('npx cdk8s synth', () => {
  it('writes the same output as npm run synth, through cdk8s.yaml', () => {
    const out = mkdtempSync(join(tmpdir(), 'cdk8s-'));
    const result = spawnSync('npx', ['cdk8s', 'synth', '--output', out], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    for (const env of renderEnvironments()) {
      for (const file of env.files) expect(readFileSync(join(out, env.environment, file.name), 'utf8')).toBe(file.text);
    }
    rmSync(out, { recursive: true });
  });
});
