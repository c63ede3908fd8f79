/** `npm run docs [-- --check]`: writes docs/reference.md from environments/schema.ts, or fails when it is stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceMarkdown } from '../app/docs/reference';

const file = join(__dirname, '..', 'docs', 'reference.md');
const now = referenceMarkdown();
if (process.argv.includes('--check')) {
  const before = readFileSync(file, 'utf8');
  if (before !== now) {
    console.error('docs/reference.md is stale: run npm run docs');
    process.exitCode = 1;
  }
} else {
  writeFileSync(file, now);
  console.log(`docs/reference.md: ${now.split('\n').length} lines`);
}
