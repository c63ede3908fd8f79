/**
 * The fast YAML emitter (app/yaml.ts) against what it replaces, `yaml`'s stringify with the same
 * options: byte for byte, over every environment's objects and a large set of generated values that
 * YAML 1.1 makes hard (strings it would read as something else, indicators, quotes, multi-line and
 * long strings, unicode, empty collections, nesting). `yaml` is pinned to an exact version; an
 * upgrade that changes its output fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderEnvironments } from '../app/synthesize';
import { referenceYaml, resetYamlCache, toYaml } from '../app/yaml';
import { nonEmpty } from './helpers';

interface Mismatch {
  readonly value: string;
  readonly fast: string;
  readonly reference: string;
}

/** Every value whose fast text differs from the reference (none expected), the first few shown. */
function mismatches(values: Iterable<unknown>): Mismatch[] {
  const found: Mismatch[] = [];
  for (const value of values) {
    const reference = referenceYaml(value);
    const fast = toYaml(value);
    if (fast !== reference && found.length < 5) found.push({ value: JSON.stringify(value), fast, reference });
  }
  return found;
}

/** Strings YAML 1.1 would misread, indicators, quotes, spaces, line breaks, unicode. */
const TRICKY: readonly string[] = [
  ...['y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF'],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '~', ''],
  ...['0', '1', '-1', '+1', '42', '-0', '0123', '0o17', '0x1F', '0b101', '1_000', '1__0', '0.5', '.5', '5.', '1e3', '1E-3', '+1.5e+10'],
  ...['.inf', '-.inf', '+.inf', '.Inf', '.INF', '.nan', '.NaN', '.NAN', 'inf', 'nan', 'Infinity', 'NaN'],
  ...['12:30', '1:20:30', '190:20:30.15', '-1:00', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2002-1-1'],
  ...[
    '<<',
    '<< ',
    '=',
    '-',
    '--',
    '---',
    '--- x',
    '...',
    '... x',
    '?',
    '? x',
    '-x',
    '- x',
    '-1x',
    '%',
    '%YAML',
    '@x',
    '`x',
    '!x',
    '&x',
    '*x',
  ],
  ...[
    '|',
    '|x',
    '>',
    '>x',
    '#',
    '#x',
    'a#b',
    'a #b',
    'a: b',
    'a:b',
    'a:',
    ':a',
    'a :',
    'http://x:80/y',
    'image:1.2.3',
    'a,b',
    '[a]',
    '{a}',
    'a]',
    'a}',
  ],
  ...[' a', 'a ', ' ', '  ', '\t', 'a\t', '\ta', "it's", 'say "hi"', `both ' and "`, "'", '"', "''", '""', '\\', 'a\\nb'],
  ...['a\nb', 'a\n', 'a\n\n', '\na', '\n', '\n\n', 'a\n\nb', 'a \nb', 'a\n b', 'a\n  b\nc', '  a\nb', 'a\nb\n ', 'a\r\nb', 'a\rb'],
  ...[
    'line one\nline two\n',
    'expr: sum(rate(x[5m])) > 0\nfor: 5m\n',
    '---\na: b',
    'a\n---\nb',
    'a\n...\n',
    'a\n%x',
    '#!/bin/sh\nexec "$@"\n',
  ],
  ...[
    'é',
    'naïve',
    '日本語',
    '😀',
    'a→b',
    '\u00a0',
    'a\u00a0b',
    '\u0085',
    '\u2028',
    '\u2029',
    '\ufeffx',
    '\u0000',
    '\u0007',
    '\u001b[0m',
    '\x7f',
    '\ud800',
  ],
  ...[
    'x'.repeat(100),
    `${'word '.repeat(40)}end`,
    'x'.repeat(1025),
    `${'a '.repeat(600)}b`,
    `${'long line '.repeat(20)}\n${'next '.repeat(30)}`,
  ],
  ...['$' + '{VAR}', '$(VAR)', '{{ .Values.x }}', '*.example.com', '10.0.0.0/8', '/api', '/var/run/secrets/app', 'app.kubernetes.io/name'],
  ...['100m', '1Gi', '0.5Gi', '1e3Mi', '070', '08', '09', '+', '+x', '.', '..', '.a', 'a.', 'ー'],
];

const NUMBERS: readonly number[] = [0, 1, -1, -0, 42, 3.14, -2.5, 0.1, 1e21, 1e-7, 123456789012, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2];
const OTHER_NUMBERS: readonly number[] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** A small deterministic generator, so that a failure names a reproducible value. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  ...['a', 'b', 'x', 'e', 'E', '0', '1', '7', '9', '_', '.', '-', '+', ':', ' ', '  ', '\t', '#', "'", '"', '\n', '\n\n', '?'],
  ...[',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`', '~', '/', '\\', '<<', '---', '...', 'on', 'no', 'y'],
  ...['null', 'true', '.inf', '.nan', '0x', '0b', '2001-12-14', '12:30', 'é', '😀', '\u0000', '\u00a0', '\u2028', 'inf', 'key'],
];

function randomString(next: () => number): string {
  const length = Math.floor(next() * 5);
  let text = '';
  for (let i = 0; i < length; i++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

function randomValue(next: () => number, depth: number): unknown {
  const roll = next();
  if (depth > 0 && roll < 0.25) {
    const size = Math.floor(next() * 4);
    return Object.fromEntries(Array.from({ length: size }, () => [randomString(next), randomValue(next, depth - 1)]));
  }
  if (depth > 0 && roll < 0.45) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth - 1));
  if (roll < 0.8) return next() < 0.3 ? TRICKY[Math.floor(next() * TRICKY.length)] : randomString(next);
  if (roll < 0.9) return NUMBERS[Math.floor(next() * NUMBERS.length)];
  if (roll < 0.95) return next() < 0.5;
  return null;
}

/** `value` as a map value, a key, a sequence item and inside sequences of maps, at several depths. */
function placements(value: unknown): unknown[] {
  const shapes: unknown[] = [];
  let nested: unknown = value;
  for (let depth = 0; depth < 4; depth++) {
    shapes.push({ v: nested }, { list: [nested, 'after'] }, { items: [{ name: 'x', value: nested }, { value: nested }] });
    nested = { level: { deeper: nested } };
  }
  shapes.push({ a: [[value, [value]], [[value]]] }, { a: [[{ b: value }]] });
  if (typeof value === 'string') {
    shapes.push({ [value]: 'v' }, { a: { [value]: { b: 1 } } }, { a: [{ [value]: value }] }, { [value]: [] }, { [value]: {} });
  }
  return shapes;
}

describe('toYaml matches yaml.stringify byte for byte', () => {
  it('on every object of every environment', () => {
    resetYamlCache();
    const objects = renderEnvironments().flatMap((env) => env.objects);
    expect(objects.length).toBeGreaterThan(400);
    expect(mismatches(objects)).toEqual([]);
    // The committed files are today's emission too: the emitter has not drifted from them.
    const prod = renderEnvironments({ environments: ['prod'] })[0]!;
    for (const file of nonEmpty(prod.files, 'prod: rendered files')) {
      expect(file.text).toBe(readFileSync(join(__dirname, '..', 'dist', 'prod', file.name), 'utf8'));
    }
  });

  it('on strings YAML 1.1 would misread, and every other tricky string, wherever they appear', () => {
    resetYamlCache();
    expect(mismatches(TRICKY.flatMap(placements))).toEqual([]);
    // The same again from the cache, which must not depend on where a string first appeared.
    expect(mismatches(TRICKY.flatMap(placements))).toEqual([]);
  });

  it('on numbers, booleans, null and empty collections', () => {
    const scalars: unknown[] = [...NUMBERS, ...OTHER_NUMBERS, true, false, null, {}, [], [[]], [{}], { a: {} }, { a: [] }];
    expect(mismatches(scalars.flatMap(placements))).toEqual([]);
    expect(mismatches([{}, { a: undefined }, { a: undefined, b: 1 }, { a: { b: undefined } }, { a: [{ b: undefined }] }])).toEqual([]);
  });

  it('on what it hands to yaml whole: top-level scalars and sequences, Dates, Maps, Sets, holes, undefined items', () => {
    const odd: unknown[] = ['text', 'on', 42, null, true, ['a', { b: 1 }], [], 'a\nb'];
    odd.push({ at: new Date(0) }, { m: new Map([['k', 'v']]) }, { s: new Set([1]) }, { a: [1, undefined, 2] });
    // biome-ignore lint/suspicious/noSparseArray: a hole is what this checks
    odd.push({ a: [1, , 3] }, { n: 10n }, { j: { toJSON: () => 'x' } }, Object.assign(Object.create(null), { a: 1 }));
    odd.push({ k: 'x'.repeat(1100) }, { ['x'.repeat(1100)]: 1 }, { [`${'a '.repeat(600)}`]: 1 });
    expect(mismatches(odd)).toEqual([]);
  });

  it('on 8,000 random documents', () => {
    resetYamlCache();
    const next = random(20240601);
    const documents = Array.from({ length: 8_000 }, () => {
      const value = randomValue(next, 4);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : { value };
    });
    expect(mismatches(documents)).toEqual([]);
  });
});
