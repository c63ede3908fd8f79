/** docs/reference.md is the schema's own field reference: generated from environments/schema.ts, never stale. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSchema, referenceMarkdown, schemaFiles } from '../app/docs/reference';

const ROOT = join(__dirname, '..');

describe('docs/reference.md', () => {
  it('is what the schema generates now (npm run docs)', () => {
    expect(
      readFileSync(join(ROOT, 'docs', 'reference.md'), 'utf8') === referenceMarkdown(),
      'docs/reference.md is stale: run npm run docs',
    ).toBe(true);
  });

  it('documents every field of every section the schema declares, with its comment and default', () => {
    const { sections } = readSchema();
    const web = sections.find((s) => s.name === 'webService')!;
    expect(web.fields.find((f) => f.name === 'protocol')).toMatchObject({
      required: false,
      default: '`Protocol.HTTP`',
      doc: expect.stringContaining('gRPC'),
    });
    expect(web.includes).toEqual(['serviceCommon']);
    const job = sections.find((s) => s.name === 'jobService')!;
    expect(job.fields.map((f) => f.name)).toEqual(
      expect.arrayContaining(['schedule', 'timeZone', 'concurrencyPolicy', 'deadlineSeconds', 'startingDeadlineSeconds', 'history']),
    );
    expect(sections.find((s) => s.name === 'service')!.variants).toEqual({
      key: 'kind',
      names: ['webService', 'workerService', 'jobService'],
    });
    // A default taken from lib/defaults.ts is shown as its value.
    const autoscaling = sections.find((s) => s.name === 'autoscaling')!;
    expect(autoscaling.fields.find((f) => f.name === 'cpuPercent')!.default).toBe('`70`');
  });

  it('goes stale when the schema gains a field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reference-'));
    try {
      // The schema is environments/schema.ts and the domains it composes: grow the one that declares slo.
      const files = schemaFiles();
      const at = files.findIndex((f) => readFileSync(f, 'utf8').includes('export const slo = strict({'));
      expect(at).toBeGreaterThanOrEqual(0);
      const schema = readFileSync(files[at]!, 'utf8').replace(
        'export const slo = strict({',
        'export const slo = strict({\n  /** Seconds of error budget. */\n  budgetSeconds: z.number().int().min(1).optional(),',
      );
      const file = join(dir, 'monitoring.ts');
      writeFileSync(file, schema);
      const grown = referenceMarkdown(readSchema(files.map((f, i) => (i === at ? file : f))));
      expect(grown).not.toBe(referenceMarkdown());
      expect(grown).toContain('| `budgetSeconds` | integer, min 1 | no |  | Seconds of error budget. |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
