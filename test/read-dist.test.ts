/** Every file the tool reads back (the committed dist/) fails on malformed YAML or an unknown kind with the file and line. */
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readDistEnvironment } from '../app/diff/read-dist';

const dist = join(__dirname, '..', 'dist');
let copy: string;
afterEach(() => rmSync(copy, { recursive: true, force: true }));

function withFile(name: string, text: string): string {
  copy = mkdtempSync(join(tmpdir(), 'dist-'));
  cpSync(join(dist, 'dev'), join(copy, 'dev'), { recursive: true });
  writeFileSync(join(copy, 'dev', name), text);
  return copy;
}

describe('reading dist/ back', () => {
  it('reads every object of an environment, sub-folders included', () => {
    copy = mkdtempSync(join(tmpdir(), 'dist-'));
    cpSync(join(dist, 'dev'), join(copy, 'dev'), { recursive: true });
    const objects = readDistEnvironment(copy, 'dev');
    expect(objects.some((o) => o.object.kind === 'Deployment')).toBe(true);
  });

  it('fails on an unknown kind with the file, line and column', () => {
    const dir = withFile('extra.yaml', '---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    expect(() => readDistEnvironment(dir, 'dev')).toThrow(/dev\/extra\.yaml:3:7: unknown kind Widget \(apiVersion example\.com\/v1\)/);
  });

  it('fails on a duplicate key with the file and line', () => {
    const original = readFileSync(join(dist, 'dev', 'namespace.yaml'), 'utf8');
    const dir = withFile('namespace.yaml', original.replace('kind: Namespace', 'kind: Namespace\nkind: Namespace'));
    expect(() => readDistEnvironment(dir, 'dev')).toThrow(/dev\/namespace\.yaml:\d+:\d+: duplicate key "kind"/);
  });

  it('fails on malformed YAML with the file and line', () => {
    const dir = withFile('broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x\n');
    expect(() => readDistEnvironment(dir, 'dev')).toThrow(/dev\/broken\.yaml:\d+:\d+: /);
  });
});
