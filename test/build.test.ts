/**
 * scripts/build.js never runs a stale bundle or a stale code cache. Each case works on a copy of the
 * repository (its node_modules linked), so the real .build/ is never touched.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const SKIP = new Set(['node_modules', '.build', '.cache', '.git', 'dist', 'coverage', 'test', 'docs', 'tools']);

interface BuildScript {
  BUNDLES: Record<string, { outfile: string }>;
  inputsHash(bundle: unknown): string;
  builtFrom(outfile: string): string | undefined;
}

describe('scripts/build.js', () => {
  let copy: string;
  let build: BuildScript;
  const run = (...args: string[]) => spawnSync(process.execPath, ['scripts/build.js', ...args], { cwd: copy, encoding: 'utf8' });
  const bundle = () => join(copy, '.build', 'main.cjs');
  const current = () => build.inputsHash(build.BUNDLES.main);
  const caches = () => readdirSync(join(copy, '.build')).filter((name) => name.endsWith('.v8cache'));

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'build-'));
    for (const entry of readdirSync(root)) if (!SKIP.has(entry)) cpSync(join(root, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    build = createRequire(__filename)(join(copy, 'scripts', 'build.js')) as BuildScript;
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('labels a bundle with the hash of its inputs, and runs it without building again while they are unchanged', () => {
    expect(run('main').status).toBe(0);
    const hash = current();
    expect(build.builtFrom(bundle())).toBe(hash);
    const before = readFileSync(bundle(), 'utf8');
    const listed = run('--run', 'main', 'list');
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('prod (production, namespace platform)');
    expect(readFileSync(bundle(), 'utf8')).toBe(before);
  });

  it('rebuilds when a source changes, whatever its modification time says', () => {
    const before = current();
    const file = join(copy, 'lib', 'names.ts');
    const { atime, mtime } = statSync(file);
    appendFileSync(file, '\n// changed\n');
    // The edit keeps the old modification time: only the content tells.
    utimesSync(file, atime, mtime);
    expect(current()).not.toBe(before);
    expect(build.builtFrom(bundle())).toBe(before);
    expect(run('--run', 'main', 'list').status).toBe(0);
    expect(build.builtFrom(bundle())).toBe(current());
  });

  it('never runs the previous bundle when the build fails, and never labels it fresh', () => {
    const file = join(copy, 'lib', 'names.ts');
    const source = readFileSync(file, 'utf8');
    const labelled = build.builtFrom(bundle());
    writeFileSync(file, `${source}\nexport const broken = ;\n`);
    const failed = run('--run', 'main', 'list');
    expect(failed.status).not.toBe(0);
    expect(failed.stdout).not.toContain('prod (production');
    expect(build.builtFrom(bundle())).toBe(labelled);
    expect(build.builtFrom(bundle())).not.toBe(current());
    // Back to the sources it was built from: fresh again, by content.
    writeFileSync(file, source);
    expect(build.builtFrom(bundle())).toBe(current());
  });

  it('refuses to build when an environment file defines a key twice, before anything is written', () => {
    const file = join(copy, 'environments', 'dev.ts');
    const source = readFileSync(file, 'utf8');
    const out = join(copy, 'out-duplicate');
    // The frontend written a second time, as a copy-paste would leave it.
    writeFileSync(
      file,
      source.replace('  services: {\n', "  services: {\n    frontend: { pool: 'general', replicas: { min: 1, max: 2 } },\n"),
    );
    const failed = run('--run', 'main', 'synth', '--out', out);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toMatch(/Duplicate key "frontend" in object literal/);
    expect(() => readdirSync(out)).toThrow();
    writeFileSync(file, source);
  });

  it('keeps a code cache per source and runtime, and survives a corrupt one', () => {
    expect(run('--run', 'main', 'list').status).toBe(0);
    const [cache] = caches();
    expect(cache).toMatch(/^main\.cjs\.[0-9a-f]{32}-[0-9a-f]{32}\.v8cache$/);
    // Other Node flags are another runtime: another cache beside the first, for the same source.
    expect(spawnSync(process.execPath, ['--no-warnings', 'scripts/build.js', '--run', 'main', 'list'], { cwd: copy }).status).toBe(0);
    expect(caches()).toHaveLength(2);
    expect(new Set(caches().map((name) => name.split('-')[0]))).toEqual(new Set([cache!.split('-')[0]]));
    // A cache V8 rejects is not used, and is written again.
    writeFileSync(join(copy, '.build', cache!), 'not a code cache');
    const listed = run('--run', 'main', 'list');
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('prod (production, namespace platform)');
    expect(readFileSync(join(copy, '.build', cache!), 'utf8')).not.toBe('not a code cache');
    // A new source makes the old caches stale: they are removed when the new one is written.
    appendFileSync(join(copy, 'lib', 'names.ts'), '\n// changed again\n');
    expect(run('--run', 'main', 'list').status).toBe(0);
    expect(caches()).toHaveLength(1);
    expect(caches()[0]!.split('-')[0]).not.toBe(cache!.split('-')[0]);
  });
});
