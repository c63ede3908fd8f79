/**
 * The entry of a command run by tsx (`npm run verify`, `simulate`, `report`): its exit code is what
 * `main` returns; an error prints as `<name>: error: <line>` per line of its message (an environment's
 * errors one per issue), then the usage line, and exits 2 (the command itself could not run).
 */
import { EnvironmentError, EnvironmentErrors } from '../environments';

export function runScript(name: string, usage: string, main: (argv: readonly string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const lines =
        error instanceof EnvironmentError || error instanceof EnvironmentErrors
          ? String(error.message).split('\n')
          : [error instanceof Error ? error.message : String(error)];
      for (const line of lines) console.error(`${name}: error: ${line}`);
      console.error(usage.split('\n')[0]);
      process.exitCode = 2;
    },
  );
}
