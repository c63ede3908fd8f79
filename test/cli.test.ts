/**
 * The command line as a user runs it: a real process, real exit codes, no stack traces. The process
 * is the one `npm run <command>` starts (scripts/build.js runs the bundle, built first if the sources
 * changed), not the TypeScript under a loader.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderEnvironments } from '../app/synthesize';
import { environmentNames } from '../environments';
import { environment, longRunning, nonEmpty } from './helpers';

const root = join(__dirname, '..');
const build = join(root, 'scripts', 'build.js');

function cli(...args: string[]) {
  return node([build, '--run', 'main', ...args]);
}

function node(args: string[]) {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
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
    const { min, max } = longRunning(environment('prod').services.backend).replicas;
    expect(stdout).toMatch(new RegExp(`backend\\s+web\\s+replicas ${min}-${max}\\s+pool backend`));
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
    const { status, stderr } = cli('synth', '--environment-file', 'test/fixtures/environments/min-above-max.yaml', '--out', tmpdir());
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(
      'error: bad-range (test/fixtures/environments/min-above-max.yaml): services.backend.replicas.max = 4: must be at least replicas.min (5)',
    );
  });

  it('reads an overlay named by --environment-file, a flag Node does not take for its own', () => {
    // Node 20 takes `--env-file` for itself even after the script's name (nodejs/node#54232): it loads
    // the file as dotenv before our code runs, and exits 9 when the file is missing.
    const missing = join(tmpdir(), 'no-such-overlay.yaml');
    const { status, stderr } = cli('synth', '--environment-file', missing, '--out', tmpdir());
    expect(status).toBe(1);
    expect(stderr).toContain(missing);
    expect(stderr).not.toMatch(/^node:/m);
  });

  it('fails on an unknown environment', () => {
    const { status, stderr } = cli('synth', '--env', 'no-such-environment');
    expect(status).toBe(1);
    expect(stderr).toContain(`unknown environment "no-such-environment"; known: ${environmentNames().join(', ')}`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('fails on a bad flag value or a missing file with one line and no stack trace', () => {
    const output = cli('validate', '--output', 'yaml');
    expect(output.status).toBe(1);
    expect(output.stderr).toBe('error: --output must be text or json, got "yaml"\n');
    const missing = cli('synth', '-f', 'test/fixtures/environments/no-such-file.yaml', '--out', tmpdir());
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe("error: ENOENT: no such file or directory, open 'test/fixtures/environments/no-such-file.yaml'\n");
  });

  it('reports an internal error with its stack at the TypeScript source file and line', () => {
    // A bug stand-in from outside the bundle: console.log throws a plain Error, so `list` fails inside
    // its own action, the way a bug in the code would.
    const dir = mkdtempSync(join(tmpdir(), 'cli-bug-'));
    const preload = join(dir, 'throwing-console.cjs');
    writeFileSync(preload, "console.log = () => { throw new Error('planted bug'); };\n");
    const { status, stderr } = node(['--require', preload, build, '--run', 'main', 'list']);
    rmSync(dir, { recursive: true });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^internal error \(a bug, not a problem with your input\):\nError: planted bug\n/);
    const source = readFileSync(join(root, 'app', 'commands', 'list.ts'), 'utf8').split('\n');
    const line = source.findIndex((text) => text.includes('console.log(listEnvironments())')) + 1;
    expect(line).toBeGreaterThan(0);
    expect(stderr).toContain(`(${join(root, 'app', 'commands', 'list.ts')}:${line}:`);
    // Every frame of the bundle is mapped: none names the bundle itself.
    expect(stderr).not.toContain('main.cjs');
  });
});

describe('npx cdk8s synth', () => {
  it('writes the same output as npm run synth, through cdk8s.yaml', () => {
    const out = mkdtempSync(join(tmpdir(), 'cdk8s-'));
    const result = spawnSync('npx', ['cdk8s', 'synth', '--output', out], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    for (const env of renderEnvironments()) {
      for (const file of nonEmpty(env.files, `${env.environment}: rendered files`))
        expect(readFileSync(join(out, env.environment, file.name), 'utf8')).toBe(file.text);
    }
    rmSync(out, { recursive: true });
  });
});
