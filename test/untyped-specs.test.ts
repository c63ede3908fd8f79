/**
 * Every custom-resource spec a construct writes is typed by the generated bindings in imports/
 * (scripts/untyped-specs.ts), and `BindingJson` (lib/binding-json.ts) refuses what the CRD refuses.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from '../imports/postgresql.cnpg.io';
import type { BindingJson } from '../lib/binding-json';
import { specUses } from '../scripts/untyped-specs';

const ROOT = join(__dirname, '..');

describe('custom-resource specs', () => {
  it('every ApiObject spec under lib/ is typed by a binding', () => {
    const uses = specUses(ROOT);
    // The CloudNativePG Cluster, the Gateway and the KEDA ScaledObject are among them.
    expect(uses.map((use) => use.kind)).toEqual(expect.arrayContaining(['Cluster', 'Gateway', 'ScaledObject']));
    expect(uses.filter((use) => !use.typed).map((use) => `${use.file}:${use.line} ${use.kind}`)).toEqual([]);
  });

  it('counts a spec written as a bare literal as untyped, and one that satisfies a type or comes from toJson_ as typed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'untyped-specs-'));
    mkdirSync(join(dir, 'lib'));
    writeFileSync(
      join(dir, 'lib', 'thing.ts'),
      [
        "new ApiObject(this, 'A', { ...Cluster.GVK, metadata: {}, spec: { instances: 3 } });",
        "new ApiObject(this, 'B', { ...Cluster.GVK, metadata: {}, spec: { instances: 3 } satisfies BindingJson<ClusterSpec> });",
        'const spec = toJson_PoolerSpec({ cluster: { name: "a" } });',
        "new ApiObject(this, 'C', { ...Pooler.GVK, metadata: {}, spec });",
        "new ApiObject(this, 'D', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: {} });",
        '',
      ].join('\n'),
    );
    try {
      expect(specUses(dir)).toEqual([
        { file: 'lib/thing.ts', line: 1, kind: 'Cluster', typed: false },
        { file: 'lib/thing.ts', line: 2, kind: 'Cluster', typed: true },
        { file: 'lib/thing.ts', line: 4, kind: 'Pooler', typed: true },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('BindingJson takes the CRD JSON and refuses a misspelled field, a value outside an enum and a binding-only name', () => {
    // `tsc -b` (npm test) fails when an @ts-expect-error below stops being an error.
    const spec = {
      instances: 3,
      primaryUpdateStrategy: 'unsupervised',
      enablePDB: true,
      resources: { requests: { cpu: '1', memory: '1Gi' } },
      plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true }],
    } satisfies BindingJson<ClusterSpec>;
    // @ts-expect-error: not a field of the Cluster spec
    const misspelled = { instance: 3 } satisfies BindingJson<ClusterSpec>;
    // @ts-expect-error: primaryUpdateStrategy is 'unsupervised' or 'supervised'
    const outsideEnum = { primaryUpdateStrategy: 'sometimes' } satisfies BindingJson<ClusterSpec>;
    // @ts-expect-error: the CRD calls it enablePDB; enablePdb is the binding's name
    const bindingName = { enablePdb: true } satisfies BindingJson<ClusterSpec>;
    expect([spec.enablePDB, misspelled.instance, outsideEnum.primaryUpdateStrategy, bindingName.enablePdb]).toEqual([
      true,
      3,
      'sometimes',
      true,
    ]);
  });
});
