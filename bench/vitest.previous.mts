import { defineConfig } from 'vitest/config';

/**
 * The test settings before the suite shared module graphs: every test file isolated, in forked
 * processes. Only for `npm run bench -- --dev-loop`, as the reference for `npm test`.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    isolate: true,
    coverage: { exclude: ['imports/**'] },
  },
});
