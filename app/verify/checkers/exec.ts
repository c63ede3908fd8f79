/**
 * Runs one checker binary and returns what it printed; a checker that cannot start is an error. At
 * most one checker per CPU runs at once (they all start together, while the API server boots).
 */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { toolPath } from '../tools';

const SLOTS = Math.max(2, availableParallelism());
let busy = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (busy >= SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  else busy++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else busy--;
  }
}

export interface ToolOutput {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runTool(
  name: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: Readonly<Record<string, string>> } = {},
): Promise<ToolOutput> {
  return slot(() => execTool(name, args, options));
}

function execTool(
  name: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: Readonly<Record<string, string>> },
): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      toolPath(name),
      [...args],
      { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        if (error && typeof code !== 'number') {
          reject(new Error(`${name} ${args.join(' ')}: ${error.message}`));
          return;
        }
        resolve({ status: typeof code === 'number' ? code : 0, stdout, stderr });
      },
    );
  });
}

/** Parses a checker's JSON output, or fails with what it printed. */
export function parseJson<T>(name: string, output: ToolOutput): T {
  try {
    return JSON.parse(output.stdout) as T;
  } catch {
    throw new Error(`${name} exited ${output.status} without JSON output:\n${(output.stderr || output.stdout).trim().slice(0, 2000)}`);
  }
}
