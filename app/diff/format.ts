/** A diff as a reviewer reads it: one line per added or removed object, changed fields indented. */
import type { FieldChange } from './fields';
import { isEmpty, type ObjectDiff } from './objects';

const MAX_VALUE = 160;

export function showValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 3)}...` : text;
}

function changeLine(change: FieldChange): string {
  return `    ${change.path}: ${showValue(change.from)} → ${showValue(change.to)}`;
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
