import { runCli } from './lib/cli';

runCli(process.argv);
