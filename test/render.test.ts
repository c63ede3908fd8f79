/** The YAML the tool writes reads back, as kubectl reads it (YAML 1.1), to exactly what was meant. */
import { describe, expect, it } from 'vitest';
import { toYaml } from '../app/render';
import { parseManifests } from '../validation/parse';

describe('toYaml', () => {
  it('quotes strings that YAML 1.1 would read as booleans, numbers or times', () => {
    const values = ['yes', 'no', 'on', 'off', 'y', 'n', '0755', '1e3', '1_000', '12:30', '~', 'null', '2020-01-01'];
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'values' },
      data: Object.fromEntries(values.map((v, i) => [`k${i}`, v])),
    };
    const [back] = parseManifests(toYaml(object), 'values.yaml');
    expect(back).toEqual(object);
  });

  it('writes block style without folding long lines', () => {
    const long = 'x'.repeat(300);
    expect(toYaml({ a: [long] })).toBe(`a:\n  - ${long}\n`);
  });
});
