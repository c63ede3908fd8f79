/** Timing helpers: whole processes timed from outside, medians, and what machine the figures are from. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall-clock milliseconds of a command run to completion. @throws Error with its stderr when it fails. */
export function timeProcess(command: string, args: readonly string[], cwd: string): { ms: number; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, [...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${(result.stderr || result.error?.message || '').trim()}`,
    );
  }
  return { ms, stdout: result.stdout };
}

/** The median of `runs` timings of the same command. */
export function medianOfRuns(runs: number, run: () => number): { median: number; runs: number[] } {
  const times = Array.from({ length: runs }, run);
  return { median: median(times), runs: times };
}

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly kubectl: string;
  /** 1-minute load average when the run started: other work on the machine makes every figure slower. */
  readonly loadAverage: number;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function kubectlVersion(): string {
  const result = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (result.status !== 0) return 'not installed';
  return result.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(':')[1]?.trim())
    .join(', kustomize ');
}

export function machine(): Machine {
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    kubectl: kubectlVersion(),
    loadAverage: loadavg()[0]!,
  };
}
