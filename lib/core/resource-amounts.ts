/**
 * CPU, memory and ephemeral storage as exact integers (millicores, bytes, bytes), so that the sums
 * the namespace quota and the capacity plan make are exact. One type for both: a quota that counted
 * differently from the plan would refuse pods the plan said fit.
 */
import { isPlain } from './plain';
import { parseQuantity } from './quantity';

export interface ResourceAmounts {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly ephemeralBytes: number;
}

export const ZERO_AMOUNTS: ResourceAmounts = { cpuMillis: 0, memoryBytes: 0, ephemeralBytes: 0 };

/** A resource set as the environment writes it (`cpu`, `memory`, `ephemeralStorage` quantities). */
export function amountsOf(set: { readonly cpu: string; readonly memory: string; readonly ephemeralStorage: string }): ResourceAmounts {
  return {
    cpuMillis: Math.round(parseQuantity(set.cpu) * 1000),
    memoryBytes: Math.round(parseQuantity(set.memory)),
    ephemeralBytes: Math.round(parseQuantity(set.ephemeralStorage)),
  };
}

/** A quantity field of a Kubernetes resource list, or 0 when absent (an unset request is a request of zero). */
function listQuantity(list: unknown, key: string): number {
  const value = isPlain(list) ? list[key] : undefined;
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? parseQuantity(value) : 0;
}

/** A Kubernetes resource list as emitted (`cpu`, `memory`, `ephemeral-storage`). */
export function amountsOfResourceList(list: unknown): ResourceAmounts {
  return {
    cpuMillis: listQuantity(list, 'cpu') * 1000,
    memoryBytes: listQuantity(list, 'memory'),
    ephemeralBytes: listQuantity(list, 'ephemeral-storage'),
  };
}

function combine(a: ResourceAmounts, b: ResourceAmounts, pick: (x: number, y: number) => number): ResourceAmounts {
  return {
    cpuMillis: pick(a.cpuMillis, b.cpuMillis),
    memoryBytes: pick(a.memoryBytes, b.memoryBytes),
    ephemeralBytes: pick(a.ephemeralBytes, b.ephemeralBytes),
  };
}

export function addAmounts(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  return combine(a, b, (x, y) => x + y);
}

export function maxAmounts(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  return combine(a, b, Math.max);
}

export function minAmounts(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  return combine(a, b, Math.min);
}

export function scaleAmounts(a: ResourceAmounts, factor: number): ResourceAmounts {
  return { cpuMillis: a.cpuMillis * factor, memoryBytes: a.memoryBytes * factor, ephemeralBytes: a.ephemeralBytes * factor };
}
