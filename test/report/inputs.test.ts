/** The files the report reads: a file that is not the report it names is refused, never read as a pass. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVerifyJson } from '../../app/report/inputs';
import { verifyFixture } from './fixtures';

describe('the verify report the page reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-inputs-'));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it("reads verify's JSON with its own verdict and totals", () => {
    const report = readVerifyJson(write('verify.json', verifyFixture(['dev'])));
    expect(report.passed).toBe(false);
    expect(report.totals).toMatchObject({ environments: 1, objects: 120, rejected: 1, findings: 1, waived: 1 });
  });

  it('fails a file that is not a verify report, naming what is missing', () => {
    const plan = write('plan.json', JSON.stringify([{ environment: 'prod', pools: [] }]));
    expect(() => readVerifyJson(plan)).toThrow(
      `--verify ${plan}: not a report of npm run verify -- --output json (passed is not true or false; environments is not a list; totals is missing; stale is not a list)`,
    );
    const broken = write('broken.json', '{"passed": true,');
    expect(() => readVerifyJson(broken)).toThrow(`--verify ${broken}: `);
  });
});
