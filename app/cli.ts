/**
 * The command line. Each command lives in lib/commands/ and registers itself here. Errors a user
 * can act on are printed as their message alone, never as a stack trace, and exit non-zero.
 */
import { Command } from 'commander';
import { EnvironmentError, EnvironmentErrors } from '../environments/load';
import { registerDiff } from './commands/diff';
import { registerExplain } from './commands/explain';
import { registerGraph } from './commands/graph';
import { registerList } from './commands/list';
import { registerPlan } from './commands/plan';
import { registerReadme } from './commands/readme';
import { registerSynth } from './commands/synth';
import { registerValidate } from './commands/validate';

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
    const message = error instanceof Error ? error.message : String(error);
    // Model errors are one issue per line; each line is its own error.
    const lines = error instanceof EnvironmentError || error instanceof EnvironmentErrors ? message.split('\n') : [message];
    for (const line of lines) console.error(`error: ${line}`);
    process.exitCode = 1;
  }
}
