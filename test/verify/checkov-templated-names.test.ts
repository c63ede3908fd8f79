/**
 * checkov drops a document whose `name` fields hold template braces before counting it (its parser's
 * name check), which is every ApplicationSet of the hub. verify counts what checkov will count; this
 * proves the rule against the real checkov, with the hub's own ApplicationSet.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CHECKOV_OFFLINE_ENV, droppedByCheckov } from '../../app/verify/checkers/checkov';
import { toolPath } from '../../app/verify/tools';
import { loadFleet } from '../../environments/fleet';
import { selectEnvironments } from '../../environments';
import { objects, rendered } from '../helpers';
import { explainSkip, readyTools, TOOLS_READY } from './tools-ready';

describe.runIf(TOOLS_READY)('checkov and templated names', () => {
  explainSkip('checkov-templated-names.test.ts');
  const dir = mkdtempSync(join(tmpdir(), 'checkov-templated-'));
  beforeAll(() => readyTools());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts a ConfigMap and drops the hub’s ApplicationSet, exactly as droppedByCheckov says', () => {
    const { hub } = loadFleet(selectEnvironments());
    const appSets = objects(rendered(hub.name), 'ApplicationSet');
    expect(appSets.length).toBeGreaterThan(0);
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'default' }, data: { a: 'b' } };
    const docs = [configMap, ...appSets];
    writeFileSync(join(dir, 'objects.yaml'), docs.map((d) => stringify(d)).join('---\n'));
    const run = spawnSync(toolPath('checkov'), ['-d', dir, '--framework', 'kubernetes', '--output', 'json', '--quiet', '--skip-download'], {
      encoding: 'utf8',
      env: { ...process.env, ...CHECKOV_OFFLINE_ENV },
    });
    const report = JSON.parse(run.stdout) as { summary: { resource_count: number } } | { summary: { resource_count: number } }[];
    const summary = Array.isArray(report) ? report[0]!.summary : report.summary;
    expect(docs.filter((d) => droppedByCheckov(d))).toEqual(appSets);
    expect(summary.resource_count).toBe(docs.length - appSets.length);
  });
});
