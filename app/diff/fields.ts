/**
 * The fields that differ between two versions of one object, as dotted paths a reviewer can read:
 * `spec.template.spec.containers[name=backend].image: "a:1" → "a:2"`. Lists of named entries are matched
 * by name (HTTP paths by path); other lists by position.
 */
import { isDeepStrictEqual } from 'node:util';
import { isPlain } from '../../lib/core/plain';

export interface FieldChange {
  readonly path: string;
  /** Undefined when the field is new. */
  readonly from: unknown;
  /** Undefined when the field was removed. */
  readonly to: unknown;
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `a.b`, or `a["app.kubernetes.io/name"]` for keys that are not plain identifiers (labels, annotations). */
export function joinKey(path: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Fields that identify an entry of a list: containers, ports, env and volumes by name, HTTP paths by
 * path. Not Ingress rules by host: across environments the host is what differs, and a changed host
 * reads better as one changed field than as a removed and an added rule.
 */
const IDENTITIES = ['name', 'path'] as const;

/**
 * Lists of identified things are matched by identity, so inserting one entry reports one addition
 * rather than a change to every entry after it. Returns the labels (`name=backend`) or undefined.
 */
function names(list: readonly unknown[]): string[] | undefined {
  for (const field of IDENTITIES) {
    const found = list.map((item) => (isPlain(item) && typeof item[field] === 'string' ? `${field}=${item[field]}` : undefined));
    if (found.some((name) => name === undefined)) continue;
    if (new Set(found).size === found.length) return found as string[];
  }
  return undefined;
}

function diffArrays(path: string, from: readonly unknown[], to: readonly unknown[], out: FieldChange[]): void {
  const fromNames = names(from);
  const toNames = names(to);
  // Both sides must be identified by the same field (an empty list takes the other side's).
  const field = (labels: string[] | undefined) => labels?.[0]?.split('=')[0];
  const sameField = field(fromNames) === undefined || field(toNames) === undefined || field(fromNames) === field(toNames);
  if (fromNames && toNames && sameField && (from.length > 0 || to.length > 0)) {
    const order = [...toNames, ...fromNames.filter((name) => !toNames.includes(name))];
    for (const name of order) {
      diffValue(`${path}[${name}]`, from[fromNames.indexOf(name)], to[toNames.indexOf(name)], out);
    }
    return;
  }
  for (let i = 0; i < Math.max(from.length, to.length); i++) diffValue(`${path}[${i}]`, from[i], to[i], out);
}

function diffValue(path: string, from: unknown, to: unknown, out: FieldChange[]): void {
  if (isDeepStrictEqual(from, to)) return;
  if (isPlain(from) && isPlain(to)) {
    const keys = [...Object.keys(from), ...Object.keys(to).filter((key) => !(key in from))];
    for (const key of keys) diffValue(joinKey(path, key), from[key], to[key], out);
    return;
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    diffArrays(path, from, to, out);
    return;
  }
  out.push({ path: path || '(root)', from, to });
}

/** Every leaf that differs, in the order the fields appear (the old object's order, then new fields). */
export function diffFields(from: unknown, to: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  diffValue('', from, to, out);
  return out;
}
