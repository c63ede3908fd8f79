/**
 * The layers are enforced by a tool (dependency-cruiser, .dependency-cruiser.cjs; `npm run layers` runs
 * in `npm test`): the repository passes, and a planted wrong-way import fails naming the rule.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

function cruise(cwd: string, folders: readonly string[]): Violation[] {
  let out: string;
  try {
    out = execFileSync(DEPCRUISE, [...folders, '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    // depcruise exits non-zero when it finds violations; its report is still on stdout.
    out = (error as { stdout: string }).stdout;
  }
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

/** A folder with the repository's tsconfig and the given files. */
function planted(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  cpSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe('layers', () => {
  it('hold in the repository', () => {
    expect(cruise(ROOT, ['lib', 'validation', 'environments', 'charts', 'app', 'scripts', 'bench'])).toEqual([]);
  }, 120_000);

  it.each([
    ['lib/thing.ts', "import { x } from '../app/plan';\nexport const y = x;\n", 'lib-is-a-library'],
    ['lib/constructs/thing.ts', "import { x } from '../../validation/rules/model';\nexport const y = x;\n", 'lib-is-a-library'],
    ['validation/thing.ts', "import { x } from '../charts/plan';\nexport const y = x;\n", 'the-validator-reads-output'],
    ['environments/rules.ts', "import { x } from '../validation/types';\nexport const y = x;\n", 'the-model-reads-only-the-kernel'],
    ['charts/thing.ts', "import { x } from '../app/plan';\nexport const y = x;\n", 'charts-below-the-pipeline'],
    ['environments/thing.ts', "import { x } from '../charts/plan';\nexport const y = x;\n", 'the-model-is-data'],
    [
      'environments/other.ts',
      "import { x } from '../lib/constructs/platform-service';\nexport const y = x;\n",
      'the-model-reads-only-the-kernel',
    ],
    ['lib/names.ts', "import { x } from './constructs/platform-service';\nexport const y = x;\n", 'the-kernel-depends-on-nothing'],
    ['app/thing.ts', "import { x } from '../scripts/import';\nexport const y = x;\n", 'app-never-imports-scripts'],
    ['app/other.ts', "import { x } from '../test/helpers';\nexport const y = x;\n", 'nothing-imports-tests'],
  ])(
    'a planted import in %s fails: %s',
    (file, text, rule) => {
      const target = /from '([^']+)'/.exec(text)![1]!;
      const targetFile = join(file, '..', `${target}.ts`);
      const dir = planted({ [file]: text, [targetFile]: 'export const x = 1;\n' });
      try {
        expect(cruise(dir, [file.split('/')[0]!]).map((v) => v.rule.name)).toEqual([rule]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
