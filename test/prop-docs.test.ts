/**
 * Every prop of every construct under lib/ is documented (scripts/prop-docs.ts): a description, and for
 * an optional prop its `@default`, the way cdk8s-plus documents its props.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDocumented, propDocs } from '../scripts/prop-docs';

const ROOT = join(__dirname, '..');

function planted(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'prop-docs-'));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'thing.ts'), source);
  return dir;
}

describe('construct props documentation', () => {
  it('finds the props of the construct library, and every one is documented', () => {
    const docs = propDocs(ROOT);
    // The autoscaler's props, including those it inherits from AutoscalingBehavior, are among them.
    expect(docs.filter((doc) => doc.interface === 'AutoscalerProps').map((doc) => doc.member)).toContain('maxReplicas');
    expect(docs.filter((doc) => doc.interface === 'AutoscalingBehavior').map((doc) => doc.member)).toContain('cpuPercent');
    expect(docs.length).toBeGreaterThan(300);
    const undocumented = docs.filter((doc) => !isDocumented(doc)).map((doc) => `${doc.file}:${doc.line} ${doc.interface}.${doc.member}`);
    expect(undocumented).toEqual([]);
  });

  it('fails a prop without a description, and an optional prop without @default', () => {
    const dir = planted(
      [
        '/** Props it inherits are props too. */',
        'export interface Base {',
        '  /** @default 1 */',
        '  readonly inherited?: number;',
        '}',
        'export interface ThingProps extends Base {',
        '  readonly bare: string;',
        '  /** Described, but no default. */',
        '  readonly noDefault?: number;',
        '  /** Described. @default 3 */',
        '  readonly good?: number;',
        '  /** Required and described. */',
        '  readonly required: string;',
        '}',
        'export interface NotAProp { readonly ignored: string }',
        '',
      ].join('\n'),
    );
    try {
      const docs = propDocs(dir);
      const bad = docs.filter((doc) => !isDocumented(doc)).map((doc) => `${doc.interface}.${doc.member}`);
      expect(bad).toEqual(['Base.inherited', 'ThingProps.bare', 'ThingProps.noDefault']);
      expect(docs.map((doc) => doc.member)).not.toContain('ignored');
      expect(docs.find((doc) => doc.member === 'bare')).toMatchObject({ file: 'lib/thing.ts', line: 7, described: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
