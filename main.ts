import { runCli } from './app/cli';

void runCli(process.argv);
