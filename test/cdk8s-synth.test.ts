/**
 * `npx cdk8s synth` never deletes dist/ (issue 19 #10). cdk8s-cli empties its output folder before it
 * runs the app (cdk8s-cli lib/cli/cmds/synth.js: `fs.rmSync(outdir, { recursive: true, force: true })`),
 * so cdk8s.yaml points it at a scratch folder and the app writes dist/ itself, staged and swapped in
 * only when everything rendered and validated. Each case runs the real cdk8s-cli on a copy of the
 * repository (its node_modules linked), so the real dist/ and .build/ are never touched.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';

const root = join(__dirname, '..');
/** Copying or removing the repository, and each run of the real tools, on a loaded 2-core machine. */
const COPY_TIMEOUT = 120_000;
const RUN_TIMEOUT = 300_000;
const SKIP = new Set(['node_modules', '.build', '.cache', '.git', '.cdk8s.out', 'coverage', 'test', 'docs', 'tools']);

/** Every file under `dir` with the SHA-256 of its bytes, by path relative to `dir`. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('npx cdk8s synth', () => {
  let copy: string;
  const cdk8s = (...args: string[]) =>
    spawnSync(join(copy, 'node_modules', '.bin', 'cdk8s'), ['synth', ...args], {
      cwd: copy,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      timeout: RUN_TIMEOUT - 10_000,
    });
  const dist = () => join(copy, 'dist');
  const config = () => parse(readFileSync(join(copy, 'cdk8s.yaml'), 'utf8')) as { app: string; output: string };
  const output = () => join(copy, config().output);
  // The first registered environment's file: whichever environments the model has.
  const envFile = () => join(copy, 'environments', `${environmentNames()[0]}.ts`);

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'cdk8s-synth-'));
    for (const entry of readdirSync(root)) if (!SKIP.has(entry)) cpSync(join(root, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  }, COPY_TIMEOUT);
  afterAll(() => rmSync(copy, { recursive: true, force: true }), COPY_TIMEOUT);

  it(
    "never names dist/ as cdk8s-cli's output folder, which cdk8s-cli empties first",
    () => {
      expect(output()).not.toBe(dist());
      expect(dist().startsWith(`${output()}/`)).toBe(false);
      // The app knows that folder as cdk8s-cli's scratch, and writes dist/ when it is asked for it.
      expect(config().app).toMatch(new RegExp(`synth --scratch ${config().output.replace(/\./g, '\\.')}$`));
    },
    RUN_TIMEOUT,
  );

  it(
    'leaves dist/ byte-for-byte as it was when an environment is invalid',
    () => {
      const before = tree(dist());
      expect(Object.keys(before).length).toBeGreaterThan(0);
      const source = readFileSync(envFile(), 'utf8');
      expect(source).toContain('defineEnvironment({');
      writeFileSync(envFile(), source.replace('defineEnvironment({', "defineEnvironment({\n  replicaz: 'not a field',\n"));
      try {
        const failed = cdk8s();
        expect(failed.status, failed.stdout).not.toBe(0);
        expect(failed.stderr).toContain('replicaz');
        expect(tree(dist())).toEqual(before);
      } finally {
        writeFileSync(envFile(), source);
      }
    },
    RUN_TIMEOUT,
  );

  it(
    'leaves dist/ byte-for-byte as it was when the sources do not build',
    () => {
      const before = tree(dist());
      const file = join(copy, 'lib', 'names.ts');
      const source = readFileSync(file, 'utf8');
      writeFileSync(file, `${source}\nexport const broken = ;\n`);
      try {
        const failed = cdk8s();
        expect(failed.status, failed.stdout).not.toBe(0);
        expect(tree(dist())).toEqual(before);
      } finally {
        writeFileSync(file, source);
      }
    },
    RUN_TIMEOUT,
  );

  it(
    'writes only the folder --output names',
    () => {
      const before = tree(dist());
      const ok = cdk8s('--output', 'elsewhere');
      expect(ok.status, ok.stderr).toBe(0);
      expect(tree(dist())).toEqual(before);
      const written = tree(join(copy, 'elsewhere'));
      for (const name of environmentNames()) expect(Object.keys(written).some((file) => file.startsWith(`${name}/`))).toBe(true);
    },
    RUN_TIMEOUT,
  );

  it(
    "writes dist/ and the same files into cdk8s-cli's folder when it succeeds",
    () => {
      const ok = cdk8s();
      expect(ok.status, ok.stderr).toBe(0);
      expect(statSync(dist()).isDirectory()).toBe(true);
      expect(existsSync(output())).toBe(true);
      const written = tree(dist());
      expect(Object.keys(written).length).toBeGreaterThan(0);
      expect(tree(output())).toEqual(written);
      for (const name of environmentNames()) expect(Object.keys(written).some((file) => file.startsWith(`${name}/`))).toBe(true);
    },
    RUN_TIMEOUT,
  );
});
