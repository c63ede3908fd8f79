import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestParseError, parseManifests } from '../../validation/parse';

const FILE = 'dist/prod/workloads.k8s.yaml';

/** The error parseManifests throws for `text` (fails the test when it does not throw). */
function parseError(text: string): ManifestParseError {
  try {
    parseManifests(text, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestParseError);
    return e as ManifestParseError;
  }
  throw new Error('parseManifests did not throw');
}

const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  A: "1"\n';

describe('parseManifests', () => {
  it('parses every document of a multi-document file, in order', () => {
    const text = `${CONFIG_MAP}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n`;
    expect(parseManifests(text, FILE)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { A: '1' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
    ]);
  });

  it('skips empty documents (leading and trailing separators)', () => {
    expect(parseManifests(`---\n${CONFIG_MAP}---\n`, FILE)).toHaveLength(1);
    expect(parseManifests('', FILE)).toEqual([]);
  });

  it('reads YAML 1.1 scalars as the apiserver does: yes is a boolean, dates and 22:22 stay strings', () => {
    const [cm] = parseManifests(`${CONFIG_MAP}  B: yes\n  C: 2024-01-01\n  D: 22:22\n  E: 0755\n`, FILE);
    expect(cm!.data).toEqual({ A: '1', B: true, C: '2024-01-01', D: '22:22', E: 493 });
  });

  it('parses the schema fixtures', () => {
    const file = path.join(__dirname, '..', 'fixtures', 'schema', 'core.k8s.yaml');
    expect(parseManifests(readFileSync(file, 'utf8'), file).length).toBeGreaterThan(10);
  });
});

describe('parseManifests: errors name file, line and column', () => {
  it('fails on a duplicate key, naming it', () => {
    const text = [
      'apiVersion: apps/v1', //           1
      'kind: Deployment', //              2
      'metadata:', //                     3
      '  name: backend', //               4
      'spec:', //                         5
      '  template:', //                   6
      '    spec:', //                     7
      '      containers:', //             8
      '        - name: backend', //       9
      '          image: a:1', //          10
      '          ports: []', //           11
      '          image: b:2', //          12
      '',
    ].join('\n');
    const e = parseError(text);
    expect(e.message).toBe(`${FILE}:12:11: duplicate key "image"`);
    expect(e.problems).toEqual([{ file: FILE, line: 12, col: 11, reason: 'duplicate key "image"' }]);
  });

  it('fails on a duplicate key in a later document, counting lines from the file start', () => {
    const e = parseError(`${CONFIG_MAP}---\napiVersion: v1\nkind: Secret\nkind: Secret\nmetadata:\n  name: s\n`);
    expect(e.message).toBe(`${FILE}:10:1: duplicate key "kind"`);
  });

  it('fails on malformed YAML (unclosed flow sequence)', () => {
    const e = parseError('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels: [a, b\ndata: {}\n');
    expect(e.message).toMatch(new RegExp(`^${FILE}:\\d+:\\d+: .*Flow sequence`));
    expect(e.problems[0]!.line).toBeGreaterThanOrEqual(5);
  });

  it('fails on malformed YAML (a mapping indented under a scalar)', () => {
    const e = parseError('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n   namespace: web\n');
    expect(e.problems[0]).toEqual({ file: FILE, line: 4, col: 9, reason: 'Nested mappings are not allowed in compact mappings' });
  });

  it('fails on an unterminated quoted string (reported where the input ends)', () => {
    const e = parseError('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "app\n');
    expect(e.message).toBe(`${FILE}:5:1: Missing closing "quote`);
  });

  it('fails on an unknown tag', () => {
    expect(parseError('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: !vault app\n').message).toBe(
      `${FILE}:4:9: Unresolved tag: !vault`,
    );
  });

  it('fails on a document that is not a mapping', () => {
    expect(parseError(`${CONFIG_MAP}---\n- a\n- b\n`).message).toBe(
      `${FILE}:8:1: document is a sequence, not a Kubernetes object (a mapping with apiVersion, kind and metadata)`,
    );
    expect(parseError('just text\n').message).toBe(
      `${FILE}:1:1: document is the scalar "just text", not a Kubernetes object (a mapping with apiVersion, kind and metadata)`,
    );
  });

  it('fails on a missing apiVersion or kind', () => {
    expect(parseError('kind: ConfigMap\nmetadata:\n  name: app\n').message).toBe(`${FILE}:1:1: object has no apiVersion`);
    expect(parseError('apiVersion: v1\nmetadata:\n  name: app\n').message).toBe(`${FILE}:1:1: object has no kind`);
  });

  it('fails on a missing or empty metadata.name, pointing at metadata', () => {
    expect(parseError('apiVersion: v1\nkind: ConfigMap\n').message).toBe(`${FILE}:1:1: object has no metadata (metadata.name is required)`);
    expect(parseError('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: web\n').message).toBe(`${FILE}:4:3: metadata has no name`);
    expect(parseError('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ""\n').message).toBe(
      `${FILE}:4:9: metadata.name must be a non-empty string`,
    );
    expect(parseError('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 42\n').message).toBe(
      `${FILE}:4:9: metadata.name must be a non-empty string`,
    );
  });

  it('reports every problem in the file, one line each', () => {
    const e = parseError(`kind: A\nmetadata:\n  name: a\n---\n${CONFIG_MAP}---\napiVersion: v1\nkind: B\nmetadata: {}\n`);
    expect(e.message.split('\n')).toEqual([`${FILE}:1:1: object has no apiVersion`, `${FILE}:14:11: metadata has no name`]);
  });
});
