/**
 * Runs one checker binary and returns what it printed; a checker that cannot start, or does not finish
 * within its time limit, is an error. At most one checker per CPU runs at once (they all start
 * together, while the API server boots). Output is read through a schema: a field the tool stopped
 * printing is a failure, never an empty list.
 */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { z } from 'zod';
import { toolPath } from '../tools';

/** How long one checker run may take, in seconds (VERIFY_CHECKER_TIMEOUT overrides it). */
export const CHECKER_TIMEOUT_SECONDS = Number(process.env.VERIFY_CHECKER_TIMEOUT ?? 600);

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
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
        timeout: CHECKER_TIMEOUT_SECONDS * 1000,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        const failed = error as { code?: unknown; killed?: boolean; signal?: unknown } | null;
        if (failed?.killed || (failed && typeof failed.code !== 'number')) {
          const why = failed.killed ? `did not finish within ${CHECKER_TIMEOUT_SECONDS}s (VERIFY_CHECKER_TIMEOUT)` : error!.message;
          reject(new Error(`${name} ${args.slice(0, 6).join(' ')}${args.length > 6 ? ' ...' : ''}: ${why}`));
          return;
        }
        const code = failed?.code;
        resolve({ status: typeof code === 'number' ? code : 0, stdout, stderr });
      },
    );
  });
}

/** What a tool printed, cut to what a report line can hold. */
export function excerpt(text: string, length = 600): string {
  const trimmed = text.trim();
  return trimmed.length > length ? `${trimmed.slice(0, length)}...` : trimmed;
}

/**
 * Parses a checker's JSON output against the shape we read, or fails with what it printed: a missing
 * field is never read as "nothing found".
 */
export function parseOutput<S extends z.ZodType>(name: string, output: ToolOutput, schema: S): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(output.stdout);
  } catch {
    throw new Error(
      `${name} exited ${output.status} without JSON output: ${excerpt(output.stderr || output.stdout) || '(nothing printed)'}`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(top)' : '(top)';
    throw new Error(
      `${name} printed JSON of another shape than verify reads (${where}: ${issue?.message ?? 'invalid'}); was the tool upgraded? ${excerpt(output.stdout, 300)}`,
    );
  }
  return parsed.data;
}

/** The problem with an exit status the tool does not document for what it reported, if any. */
export function unexpectedStatus(name: string, output: ToolOutput, expected: number, meaning: string): string[] {
  if (output.status === expected) return [];
  return [`${name} exited ${output.status}, expected ${expected} (${meaning})${output.stderr.trim() ? `: ${excerpt(output.stderr)}` : ''}`];
}

/** Error output from a tool that prints none when it runs cleanly. */
export function unexpectedStderr(name: string, output: ToolOutput, harmless: readonly RegExp[] = []): string[] {
  const lines = output.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !harmless.some((pattern) => pattern.test(line)));
  return lines.length === 0 ? [] : [`${name} wrote to its error output: ${excerpt(lines.join(' | '))}`];
}
