/**
 * Tests that run real tools (kube-apiserver, the checkers) need the verify tools built by `npm run tools`
 * (Go and Python). `npm test` builds them first and these tests always run there and in CI, where a
 * missing tool fails the run. On a machine without them, a plain `npx vitest run` skips these files
 * with one line saying why.
 */
import { existsSync } from 'node:fs';
import { inCi } from '../../app/verify/verify';
import { ensureTools, requiredBinaries, toolPath } from '../../app/verify/tools';
import { platform } from '../../environments/platform';

/** The minor every environment targets (environments/platform.ts). */
export const MINOR = platform.cluster.kubernetesVersion;

const built = requiredBinaries([MINOR]).every((name) => existsSync(toolPath(name)));

/** Whether the tool tests run here: always in CI, else when the tools are built. */
export const TOOLS_READY = inCi() || built;

/** Call in a skipped file's describe: the one line a developer sees. */
export function explainSkip(file: string): void {
  if (!TOOLS_READY) {
    console.warn(
      `${file}: skipped, the verify tools are not built here (npm run tools needs Go and Python; npm test and CI build them and run it)`,
    );
  }
}

/** In CI, builds what is missing (and fails when it cannot); elsewhere the tools are already there. */
export function readyTools(): void {
  if (inCi() || !built) ensureTools([MINOR], { quiet: true });
}
