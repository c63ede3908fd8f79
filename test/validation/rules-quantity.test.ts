/** Kubernetes quantity parsing used by pod/resources. */
import { describe, expect, it } from 'vitest';
import { compareQuantities, parseExactQuantity as parseQuantity } from '../../lib/core/quantity';

/** Value as a JS number, for readable expectations. */
const value = (q: unknown): number | undefined => {
  const parsed = parseQuantity(q);
  return parsed && Number(parsed.num) / Number(parsed.den);
};

describe('parseQuantity', () => {
  it.each([
    ['100m', 0.1],
    ['0.1', 0.1],
    [0.5, 0.5],
    [2, 2],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['1Ki', 1024],
    ['1Mi', 1024 ** 2],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['1Ti', 1024 ** 4],
    ['1k', 1000],
    ['1M', 1e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1E', 1e18],
    ['1e3', 1000],
    ['1E3', 1000],
    ['5e-3', 0.005],
    ['250u', 0.00025],
    ['+1', 1],
    ['-1', -1],
  ])('%s = %d', (input, expected) => {
    expect(value(input)).toBeCloseTo(expected, 12);
  });

  it.each(['', '1K', '1MB', '1gi', 'Mi', '1.2.3', '1e', 'abc', '1 Gi', null, {}, Number.NaN, '1e999'])('rejects %s', (input) => {
    expect(parseQuantity(input)).toBeUndefined();
  });

  it('compares exactly across notations', () => {
    const cmp = (a: string | number, b: string | number): number => compareQuantities(parseQuantity(a)!, parseQuantity(b)!);
    expect(cmp('100m', '0.1')).toBe(0);
    expect(cmp('1Gi', '1024Mi')).toBe(0);
    expect(cmp('1Gi', '1G')).toBe(1);
    expect(cmp('999m', 1)).toBe(-1);
    expect(cmp('1e3', '1k')).toBe(0);
    expect(cmp('0.3', '300m')).toBe(0); // 0.1 + 0.2 style float error must not leak in
  });
});
