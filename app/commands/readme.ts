import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { regenerateReadme } from '../readme';

interface ReadmeOptions {
  check?: boolean;
  file: string;
}

export function registerReadme(program: Command): void {
  program
    .command('readme')
    .description('regenerate the README sections that show command output and pinned versions (between <!-- generated:... --> markers)')
    .option('--check', 'change nothing; exit 1 when a section is stale')
    .option('--file <file>', 'the Markdown file', 'README.md')
    .action((options: ReadmeOptions) => {
      const current = readFileSync(options.file, 'utf8');
      const fresh = regenerateReadme(current);
      if (fresh === current) {
        console.log(`${options.file}: generated sections are current`);
        return;
      }
      if (options.check) {
        console.error(`error: ${options.file}: generated sections are stale; run npm run readme`);
        process.exitCode = 1;
        return;
      }
      writeFileSync(options.file, fresh);
      console.log(`${options.file}: regenerated`);
    });
}
