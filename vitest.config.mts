import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Test files share one module graph per worker (`isolate: false`): the charts, the CRD bindings and
 * the validators are loaded once per worker instead of once per file, which is most of what the suite
 * used to spend. A file that mocks modules, stubs globals or the environment, or spies on shared
 * objects could leak into the others, so such files are found here by what they call and run as
 * before: a module graph of their own, in a forked process (where process.chdir works too).
 */
const NEEDS_ISOLATION =
  /\bvi\.(?:mock|doMock|unmock|doUnmock|hoisted|stubGlobal|stubEnv|spyOn|useFakeTimers|resetModules)\b|process\.(?:chdir|on|once)\(|process\.exitCode\s*=[^=]|process\.env(?:\.\w+|\[[^\]]+\])\s*=[^=]/;

const testDir = join(process.cwd(), 'test');
const testFiles = readdirSync(testDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => `test/${file.split('\\').join('/')}`);
const isolated = testFiles.filter((file) => NEEDS_ISOLATION.test(readFileSync(join(process.cwd(), file), 'utf8')));

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // A test that asserts nothing fails: an invariant loop over an emptied list cannot pass by accident.
    expect: { requireAssertions: true },
    // Threads start faster than forked processes; the files that need a process run in forks (below).
    pool: 'threads',
    coverage: { exclude: ['imports/**'] },
    projects: [
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: isolated, isolate: false } },
      ...(isolated.length > 0 ? [{ extends: true, test: { name: 'isolated', include: isolated, isolate: true, pool: 'forks' } }] : []),
    ],
  },
});
