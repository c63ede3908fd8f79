/**
 * Writes rendered environments into the output folder without ever leaving it half-written: every
 * file goes to a staging folder beside it first, and only a complete staging folder is swapped in.
 * A failure before the swap leaves the output folder byte-for-byte as it was.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RenderedEnvironment } from './render';

export interface WriteOptions {
  /** The output folder, e.g. `dist`. */
  readonly outDir: string;
  /**
   * True when every environment was rendered: the whole output folder is replaced, so the folder of
   * a deleted environment does not linger for GitOps to keep applying. Otherwise only the rendered
   * environments' folders are replaced.
   */
  readonly complete: boolean;
}

function stage(outDir: string, environments: readonly RenderedEnvironment[]): string {
  const staging = join(dirname(outDir), `.synth-${basename(outDir)}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  for (const env of environments) {
    const dir = join(staging, env.environment);
    mkdirSync(dir, { recursive: true });
    for (const file of env.files) {
      mkdirSync(dirname(join(dir, file.name)), { recursive: true });
      writeFileSync(join(dir, file.name), file.text);
    }
  }
  return staging;
}

/** Replaces `target` with `replacement` by two renames, so a reader never sees a partial folder. */
function swap(replacement: string, target: string): void {
  const old = `${replacement}.old`;
  const hadTarget = existsSync(target);
  if (hadTarget) renameSync(target, old);
  try {
    renameSync(replacement, target);
  } catch (error) {
    if (hadTarget) renameSync(old, target);
    throw error;
  }
  rmSync(old, { recursive: true, force: true });
}

export function writeEnvironments(environments: readonly RenderedEnvironment[], options: WriteOptions): void {
  const staging = stage(options.outDir, environments);
  try {
    if (options.complete) {
      swap(staging, options.outDir);
      return;
    }
    mkdirSync(options.outDir, { recursive: true });
    for (const name of readdirSync(staging)) swap(join(staging, name), join(options.outDir, name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
