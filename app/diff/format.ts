/** A diff as a reviewer reads it: one line per added or removed object, changed fields indented. */
import { isQuantity, parseQuantity } from '../../lib/core/quantity';
import type { FieldChange } from './fields';
import { isEmpty, type ObjectDiff } from './objects';

/** Longest value shown whole; a longer one is shown around the part that changed, never without it. */
const MAX_VALUE = 160;
/** Characters kept on each side of a change inside a long value. */
const CONTEXT = 40;

export function showValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  return JSON.stringify(value);
}

/**
 * Two long strings shown around where they differ: the common start and end are elided, the part that
 * changed is always shown in full on both sides.
 */
function showLongChange(from: string, to: string): [string, string] {
  let start = 0;
  while (start < from.length && start < to.length && from[start] === to[start]) start++;
  let end = 0;
  while (end < from.length - start && end < to.length - start && from[from.length - 1 - end] === to[to.length - 1 - end]) end++;
  const cut = (text: string): string => {
    const head = Math.max(0, start - CONTEXT);
    const tail = Math.min(text.length, text.length - end + CONTEXT);
    return `${head > 0 ? '…' : ''}${JSON.stringify(text.slice(head, tail))}${tail < text.length ? '…' : ''}`;
  };
  return [cut(from), cut(to)];
}

/** `"1Gi" → "2Gi" (+1Gi)`: quantities keep their units, with the change in the same unit when it has one. */
function quantityDelta(from: unknown, to: unknown): string {
  if (typeof from !== 'string' || typeof to !== 'string' || !isQuantity(from) || !isQuantity(to)) return '';
  const unit = /[A-Za-z]+$/.exec(to)?.[0] ?? '';
  const scale: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  const factor = unit === '' ? 1 : scale[unit];
  if (factor === undefined) return '';
  const delta = (parseQuantity(to) - parseQuantity(from)) / factor;
  const rounded = Math.round(delta * 1000) / 1000;
  return rounded === 0 ? '' : ` (${rounded > 0 ? '+' : ''}${rounded}${unit})`;
}

function changeLine(change: FieldChange): string {
  const { from, to } = change;
  if (typeof from === 'string' && typeof to === 'string' && (from.length > MAX_VALUE || to.length > MAX_VALUE)) {
    const [a, b] = showLongChange(from, to);
    return `    ${change.path}: ${a} → ${b}`;
  }
  return `    ${change.path}: ${showValue(from)} → ${showValue(to)}${quantityDelta(from, to)}`;
}

export function summary(diff: ObjectDiff): string {
  if (isEmpty(diff)) return `${diff.title}: no changes (${diff.unchanged} objects)`;
  return `${diff.title}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`;
}

export function formatDiff(diff: ObjectDiff): string {
  return [
    summary(diff),
    ...diff.added.map((key) => `+ ${key}`),
    ...diff.removed.map((key) => `- ${key}`),
    ...diff.changed.flatMap((object) => [`~ ${object.key}`, ...object.changes.map(changeLine)]),
  ].join('\n');
}
