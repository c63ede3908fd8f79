import { runCli } from './lib/cli';

void runCli(process.argv);
