/**
 * The fields that differ between two versions of one object, as dotted paths a reviewer can read:
 * `spec.template.spec.containers[name=backend].image: "a:1" → "a:2"`. Lists are matched by what
 * identifies their entries (containers by name, HTTP paths by path, policy rules by their peers), so
 * inserting one entry reports one addition rather than a change to every entry after it.
 */
import { isDeepStrictEqual } from 'node:util';
import { isPlain } from '../../lib/core/plain';
import { isQuantity, parseQuantity } from '../../lib/core/quantity';

export interface FieldChange {
  readonly path: string;
  /** Undefined when the field is new. */
  readonly from: unknown;
  /** Undefined when the field was removed. */
  readonly to: unknown;
}

/** Decides whether two leaf values are the same; by default, strict equality. */
export type SameValue = (from: unknown, to: unknown) => boolean;

export interface DiffFieldsOptions {
  /** @default strict equality (and equal quantities: `1` and `1000m` are the same CPU) */
  readonly same?: SameValue;
  /**
   * How each side's list-entry identities are compared (an entry named after the environment is the
   * same entry on both sides). @default - as they are
   */
  readonly identity?: { readonly from: (entry: unknown) => unknown; readonly to: (entry: unknown) => unknown };
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `a.b`, or `a["app.kubernetes.io/name"]` for keys that are not plain identifiers (labels, annotations). */
export function joinKey(path: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * What identifies an entry of a list, tried in order: containers, ports, env and volumes by name,
 * HTTP paths by path, NetworkPolicy and AuthorizationPolicy rules by their peers (`from` or `to`).
 * Peers identify a rule only when a rule was added or removed: in lists of the same length, a rule
 * whose range changed reads better as one changed field than as a removed and an added rule. Not
 * Ingress rules by host: across environments the host is what differs.
 */
const IDENTITIES: readonly {
  readonly label: string;
  readonly of: (item: Record<string, unknown>) => string | undefined;
  /** Match by this identity even when both lists are as long. */
  readonly always: boolean;
}[] = [
  { label: 'name', of: (item) => (typeof item.name === 'string' ? item.name : undefined), always: true },
  { label: 'path', of: (item) => (typeof item.path === 'string' ? item.path : undefined), always: true },
  { label: 'from', of: (item) => (Array.isArray(item.from) ? JSON.stringify(item.from) : undefined), always: false },
  { label: 'to', of: (item) => (Array.isArray(item.to) ? JSON.stringify(item.to) : undefined), always: false },
];

/** The labels (`name=backend`) of a list's entries under one identity, or undefined when they are not unique. */
function labelsOf(
  list: readonly unknown[],
  identity: (typeof IDENTITIES)[number],
  view: (entry: unknown) => unknown,
): string[] | undefined {
  const found = list.map((item) => {
    const seen = view(item);
    return isPlain(seen) ? identity.of(seen) : undefined;
  });
  if (found.some((label) => label === undefined)) return undefined;
  if (new Set(found).size !== found.length) return undefined;
  return found.map((label) => `${identity.label}=${label}`);
}

function diffArrays(path: string, from: readonly unknown[], to: readonly unknown[], options: DiffFieldsOptions, out: FieldChange[]): void {
  for (const identity of IDENTITIES) {
    if (!identity.always && from.length === to.length) continue;
    // Both sides must be identified the same way (an empty list takes the other side's).
    const fromLabels = from.length === 0 ? [] : labelsOf(from, identity, options.identity?.from ?? ((entry) => entry));
    const toLabels = to.length === 0 ? [] : labelsOf(to, identity, options.identity?.to ?? ((entry) => entry));
    if (fromLabels === undefined || toLabels === undefined || (from.length === 0 && to.length === 0)) continue;
    if (fromLabels.length === 0 && toLabels.length === 0) continue;
    const order = [...toLabels, ...fromLabels.filter((label) => !toLabels.includes(label))];
    for (const label of order) {
      diffValue(`${path}[${label}]`, from[fromLabels.indexOf(label)], to[toLabels.indexOf(label)], options, out);
    }
    return;
  }
  for (let i = 0; i < Math.max(from.length, to.length); i++) diffValue(`${path}[${i}]`, from[i], to[i], options, out);
}

/** Two quantities with a unit that are the same amount (`1` CPU and `1000m`, `1Gi` and `1024Mi`). */
function sameQuantity(from: unknown, to: unknown): boolean {
  const asText = (value: unknown) => (typeof value === 'number' ? String(value) : value);
  const a = asText(from);
  const b = asText(to);
  return typeof a === 'string' && typeof b === 'string' && isQuantity(a) && isQuantity(b) && parseQuantity(a) === parseQuantity(b);
}

function diffValue(path: string, from: unknown, to: unknown, options: DiffFieldsOptions, out: FieldChange[]): void {
  if (isDeepStrictEqual(from, to)) return;
  if (isPlain(from) && isPlain(to)) {
    const keys = [...Object.keys(from), ...Object.keys(to).filter((key) => !(key in from))];
    for (const key of keys) diffValue(joinKey(path, key), from[key], to[key], options, out);
    return;
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    diffArrays(path, from, to, options, out);
    return;
  }
  if (from !== undefined && to !== undefined && (sameQuantity(from, to) || options.same?.(from, to))) return;
  out.push({ path: path || '(root)', from, to });
}

/** Every leaf that differs, in the order the fields appear (the old object's order, then new fields). */
export function diffFields(from: unknown, to: unknown, options: DiffFieldsOptions = {}): FieldChange[] {
  const out: FieldChange[] = [];
  diffValue('', from, to, options, out);
  return out;
}
