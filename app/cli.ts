/**
 * The command line. Each command lives in app/commands/ and registers itself here. Errors a user can
 * act on (`UserError`: a bad environment, flag, name or file) are printed as their message alone and
 * exit 1; anything else is a bug, printed with its stack at the TypeScript source, and exits 1 too.
 */
import { Command, CommanderError } from 'commander';
import { EnvironmentError, EnvironmentErrors } from '../environments/load';
import { UserError } from '../lib/core/user-error';
import { registerDiff } from './commands/diff';
import { registerExplain } from './commands/explain';
import { registerGraph } from './commands/graph';
import { registerList } from './commands/list';
import { registerPlan } from './commands/plan';
import { registerReadme } from './commands/readme';
import { registerSynth } from './commands/synth';
import { registerValidate } from './commands/validate';
import { sourceMappedStack } from './source-mapped-stack';

const COMMANDS: readonly ((program: Command) => void)[] = [
  registerSynth,
  registerValidate,
  registerList,
  registerPlan,
  registerDiff,
  registerGraph,
  registerExplain,
  registerReadme,
];

export function createProgram(): Command {
  const program = new Command('platform').description('Typed Kubernetes manifests for the platform').showHelpAfterError();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await createProgram().parseAsync([...argv]);
  } catch (error) {
    process.exitCode = 1;
    if (!isUserError(error)) {
      const stack = error instanceof Error ? sourceMappedStack(error) : String(error);
      console.error(`internal error (a bug, not a problem with your input):\n${stack}`);
      return;
    }
    // Model errors are one issue per line; each line is its own error.
    const lines = error instanceof EnvironmentError || error instanceof EnvironmentErrors ? error.message.split('\n') : [error.message];
    for (const line of lines) console.error(`error: ${line}`);
  }
}

/**
 * An error whose message is all the user needs: one the code raised about their input, or a file the
 * system could not read or write (a missing `--environment-file`, an `--out` without permission).
 */
function isUserError(error: unknown): error is Error {
  if (error instanceof UserError || error instanceof CommanderError) return true;
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}
