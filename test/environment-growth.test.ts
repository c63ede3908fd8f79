/**
 * Adding an environment breaks no unit test that `-u` cannot fix (issue 19 #11): on a copy of the
 * repository, a new environment file is written and registered (the one line environments/index.ts
 * asks for), and the test files that check the model's lists of environments, services, pools and
 * stores run there and pass. (The whole suite was run the same way once, with the environment's
 * dist/ synthesized: its snapshots were new, and the one other failure the new environment caused was
 * a rule over the model, test/operations.test.ts: an overlay inherits its parent's secrets.prefix, so
 * it must set its own.)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';

const root = join(__dirname, '..');
/** Copying or removing the repository, and each run of the real tools, on a loaded 2-core machine. */
const COPY_TIMEOUT = 120_000;
const RUN_TIMEOUT = 300_000;
const SKIP = new Set(['node_modules', '.build', '.cache', '.git', '.cdk8s.out', 'coverage', 'docs', 'tools']);
const ADDED = 'growth-check';
/** The test files whose expectations list what the model declares. */
const FILES = ['test/environments.test.ts', 'test/regions.test.ts', 'test/week-one.test.ts'];

describe('a new environment', () => {
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'environment-growth-'));
    for (const entry of readdirSync(root)) if (!SKIP.has(entry)) cpSync(join(root, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    const parent = environmentNames()[0]!;
    writeFileSync(
      join(copy, 'environments', `${ADDED}.ts`),
      [
        "import { defineEnvironment } from './load';",
        `import parent from './${parent}';`,
        '',
        `export default defineEnvironment({ name: '${ADDED}', extends: parent, ingress: { host: '${ADDED}.example.com' } });`,
        '',
      ].join('\n'),
    );
    const index = join(copy, 'environments', 'index.ts');
    const source = readFileSync(index, 'utf8');
    const list = /(export const ENVIRONMENTS: readonly EnvironmentOverlay\[\] = \[)([^\]]*)\]/;
    expect(source).toMatch(list);
    writeFileSync(
      index,
      `import growthCheck from './${ADDED}';\n${source.replace(list, (_, head: string, names: string) => `${head}${names}, growthCheck]`)}`,
    );
  }, COPY_TIMEOUT);
  afterAll(() => rmSync(copy, { recursive: true, force: true }), COPY_TIMEOUT);

  it(
    'is registered in the copy',
    () => {
      const listed = spawnSync(process.execPath, ['scripts/build.js', '--run', 'main', 'list'], { cwd: copy, encoding: 'utf8' });
      expect(listed.status, listed.stderr).toBe(0);
      expect(listed.stdout).toContain(`${ADDED} (`);
    },
    RUN_TIMEOUT,
  );

  it(
    "passes the tests that check the model's lists, with no expectation changed",
    () => {
      const run = spawnSync(process.execPath, [join(copy, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...FILES, '--update'], {
        cwd: copy,
        encoding: 'utf8',
        // Snapshots are what `-u` fixes: they are updated (in the copy), so only other expectations can fail.
        env: { ...process.env, CI: '' },
        timeout: RUN_TIMEOUT - 10_000,
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(stripVTControlCharacters(run.stdout)).toMatch(new RegExp(`Test Files\\s+${FILES.length} passed`));
    },
    RUN_TIMEOUT,
  );
});
