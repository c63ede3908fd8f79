/** Timing helpers: whole processes timed from outside, medians, and what machine the figures are from. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds of CPU (user and system) that this process's finished children have used, if known. */
function childrenCpuMs(): number | null {
  try {
    // /proc/self/stat fields 16 and 17 (cutime, cstime), in clock ticks of 10 ms; after the command name.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

export interface Timed {
  /** Wall-clock milliseconds. */
  readonly ms: number;
  /** CPU milliseconds (user and system) of the process and its children; null where unknown. */
  readonly cpuMs: number | null;
  readonly stdout: string;
}

/** A command run to completion, timed. @throws Error with its stderr when it fails. */
export function timeProcess(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Timed {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, [...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 2 ** 20, env: env ?? process.env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = childrenCpuMs();
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${(result.stderr || result.error?.message || '').trim()}`,
    );
  }
  return { ms, cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore, stdout: result.stdout };
}

/** A figure over several runs: the median wall time, the median CPU time, and every run's wall time. */
export interface Series {
  readonly median: number;
  readonly cpuMedian: number | null;
  readonly runs: readonly number[];
}

export function series(timings: readonly Pick<Timed, 'ms' | 'cpuMs'>[]): Series {
  const cpu = timings.map((t) => t.cpuMs);
  return {
    median: median(timings.map((t) => t.ms)),
    cpuMedian: cpu.every((c): c is number => c !== null) ? median(cpu) : null,
    runs: timings.map((t) => t.ms),
  };
}

/**
 * Runs every step once per round, `rounds` times, round-robin: on a shared machine, load that comes
 * and goes then weighs on every figure alike, and their ratios stay fair.
 */
export function interleaved<K extends string>(
  rounds: number,
  steps: Record<K, () => Pick<Timed, 'ms' | 'cpuMs'>>,
  onRound: (round: number) => void,
): Record<K, Series> {
  const keys = Object.keys(steps) as K[];
  const timings = Object.fromEntries(keys.map((key) => [key, [] as Pick<Timed, 'ms' | 'cpuMs'>[]])) as Record<
    K,
    Pick<Timed, 'ms' | 'cpuMs'>[]
  >;
  for (let round = 0; round < rounds; round++) {
    onRound(round);
    for (const key of keys) timings[key].push(steps[key]());
  }
  return Object.fromEntries(keys.map((key) => [key, series(timings[key])])) as Record<K, Series>;
}

/** Several timings summed into one (commands that together make one figure). */
export function sum(timings: readonly Timed[]): Pick<Timed, 'ms' | 'cpuMs'> {
  const cpu = timings.map((t) => t.cpuMs);
  return {
    ms: timings.reduce((n, t) => n + t.ms, 0),
    cpuMs: cpu.every((c): c is number => c !== null) ? cpu.reduce((n, c) => n + c, 0) : null,
  };
}

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly kubectl: string;
  /** 1-minute load average when the run started and when it ended: other work makes every figure slower. */
  readonly loadAverage: number;
  loadAverageAtEnd?: number;
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
