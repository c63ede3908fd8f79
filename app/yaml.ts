/**
 * YAML emission, byte for byte what `yaml`'s `stringify(value, YAML_OPTIONS)` writes, several times
 * faster. The `yaml` package builds a node tree for every value and dispatches every scalar through
 * its tag machinery; for the plain JSON that charts render (maps, sequences, strings, numbers,
 * booleans, null) the output is a simple function of the value, so this writes it directly:
 *
 * - maps and sequences in block style, two spaces per level, sequences indented under their key,
 *   empty ones as `{}` and `[]`, keys with an undefined value left out;
 * - numbers, booleans and null as `yaml` writes them;
 * - strings of printable ASCII on one line as `yaml` writes them: plain when YAML 1.1 cannot read
 *   them as anything else and no indicator needs quotes, otherwise quoted (`"on"`, `"0123"`,
 *   `"12:30"`, `'say "hi"'`), with the resolvers of `yaml`'s own 1.1 schema deciding;
 * - simple multi-line strings as literal blocks (`|`, `|-`);
 * - every other string (unicode, control characters, tabs, leading or trailing blank space around
 *   line breaks...) by `yaml` itself: once per distinct string and indentation, in a one-key
 *   document at the same indentation, from which its text is cut out.
 *
 * Anything else (a top-level scalar or sequence, Dates, Maps, class instances, undefined in a
 * sequence, a key over 1024 characters) goes to `yaml` whole. test/yaml.test.ts compares the two
 * over every environment's objects and a large set of generated values; `yaml` is pinned to an
 * exact version so that an upgrade has to pass it.
 */
import { Document, stringify, type ToStringOptions } from 'yaml';

/**
 * As kubectl and reviewers like it: block style, no line folding, no aliases. Written as YAML 1.1,
 * which is what kubectl and the API server read (go-yaml): strings such as `on`, `yes`, `12:30` or
 * `1_000` are quoted, or they would arrive as booleans and numbers.
 */
export const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' } as const satisfies ToStringOptions & {
  aliasDuplicateObjects: boolean;
  version: '1.1';
};

/** What `yaml` writes for `value`: the reference this module must match. */
export function referenceYaml(value: unknown): string {
  return stringify(value, YAML_OPTIONS);
}

/** Thrown inside the fast path when the value is not plain JSON it handles; caught by toYaml. */
const FALLBACK = Symbol('fallback');

/**
 * `yaml`'s plainString refuses these (an indicator first, `: `, ` #`, a trailing space or colon...):
 * the same expression as in yaml/dist/stringify/stringifyString.js.
 */
const NEEDS_QUOTES = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
/** Lines of printable ASCII, starting with neither a space nor a line break, ending in neither a space nor two line breaks. */
const SIMPLE_LINES = /^[\x21-\x7e][\x20-\x7e\n]*(?:[\x21-\x7e]\n?)$/;
/** `---` or `...` first: a document marker, which a top-level key must not start with unquoted. */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)/;
const MERGE_KEY = '<<';

/**
 * The resolvers of YAML 1.1's implicit types other than strings (null, booleans, integers, floats,
 * sexagesimals, timestamps, the merge key): a plain scalar any of them matches would not read back
 * as a string. Taken from `yaml`'s own 1.1 schema, so they are the ones it quotes.
 */
const IMPLICIT_TYPES: readonly RegExp[] = new Document(null, { version: '1.1' }).schema.tags.flatMap((tag) =>
  tag.default && tag.tag !== 'tag:yaml.org,2002:str' && 'test' in tag && tag.test instanceof RegExp ? [tag.test] : [],
);

/**
 * One line of printable ASCII (no line break, no control character) as `yaml` writes it, as a value
 * or as a key below the top level: plain when nothing would misread it, `<<` as it is (YAML 1.1's
 * merge key), otherwise quoted: in single quotes when it holds a double quote and no single one, in
 * double quotes (JSON's escapes of `"` and `\`) otherwise.
 */
function printableLine(value: string): string {
  if (value === MERGE_KEY) return value;
  if (!NEEDS_QUOTES.test(value) && !IMPLICIT_TYPES.some((test) => test.test(value))) return value;
  return value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
}

const PAD = ['', '  '];
/** `depth` levels of indentation (two spaces each). */
function pad(depth: number): string {
  while (PAD.length <= depth) PAD.push(`${PAD[PAD.length - 1]}  `);
  return PAD[depth]!;
}

/**
 * A value of several simple lines (SIMPLE_LINES) as `yaml` writes it, a literal block: `|-` without a
 * final line break, `|` with one, each line indented `depth` levels except empty ones.
 */
function literalBlock(value: string, depth: number): string {
  const indent = pad(depth);
  const clip = value.endsWith('\n');
  const body = clip ? value.slice(0, -1) : value;
  return `|${clip ? '' : '-'}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}

/** The text of `value` as a map value (or sequence item) whose node is indented `depth` levels. */
function delegatedValue(value: unknown, depth: number): string {
  // depth nested one-key maps put the innermost value at depth levels: `a:\n  a:\n    a: <value>\n`.
  let wrapped: unknown = value;
  let prefix = '';
  for (let level = depth - 1; level >= 0; level--) {
    wrapped = { a: wrapped };
    prefix = level === depth - 1 ? `${pad(level)}a:` : `${pad(level)}a:\n${prefix}`;
  }
  const out = stringify(wrapped, YAML_OPTIONS);
  if (!out.startsWith(`${prefix} `) || !out.endsWith('\n')) throw FALLBACK;
  return out.slice(prefix.length + 1, -1);
}

/** The text of `key` as an implicit key in a map whose pairs are indented `depth` levels (depth >= 1). */
function delegatedKey(key: string, depth: number): string {
  let wrapped: unknown = { [key]: 0 };
  let prefix = '';
  for (let level = depth - 2; level >= 0; level--) {
    wrapped = { a: wrapped };
    prefix = `${pad(level)}a:\n${prefix}`;
  }
  const out = stringify(wrapped, YAML_OPTIONS);
  const head = prefix + pad(depth - 1);
  if (!out.startsWith(head) || !out.endsWith(': 0\n')) throw FALLBACK;
  const text = out.slice(head.length, -': 0\n'.length);
  if (text.includes('\n') || text.startsWith('? ')) throw FALLBACK;
  return text;
}

/** Distinct strings and their text; a value's text depends on its depth only when it spans lines. */
const MAX_CACHED = 200_000;
let singleLine = new Map<string, string>();
let keys = new Map<string, string>();
let topKeys = new Map<string, string>();
let multiLine = new Map<string, string>();

function remember(cache: Map<string, string>, key: string, text: string): string {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, text);
  return text;
}

function stringValue(value: string, depth: number): string {
  const known = singleLine.get(value);
  if (known !== undefined) return known;
  if (PRINTABLE_ASCII.test(value)) return remember(singleLine, value, printableLine(value));
  if (value === '') return '""';
  const id = `${depth}\0${value}`;
  const block = multiLine.get(id);
  if (block !== undefined) return block;
  return remember(multiLine, id, SIMPLE_LINES.test(value) ? literalBlock(value, depth) : delegatedValue(value, depth));
}

function keyText(key: string, depth: number): string {
  // A document marker first in a top-level key is quoted, deeper it is not: keep the two apart.
  const cache = depth === 1 ? topKeys : keys;
  const known = cache.get(key);
  if (known !== undefined) return known;
  let text: string;
  if (!PRINTABLE_ASCII.test(key)) text = delegatedKey(key, depth);
  else if (depth === 1 && DOCUMENT_MARKER.test(key)) text = key.includes('"') && !key.includes("'") ? `'${key}'` : JSON.stringify(key);
  else text = printableLine(key);
  // A key longer than 1024 characters is written as an explicit key (`? key`): left to yaml.
  if (text.length > 1024) throw FALLBACK;
  return remember(cache, key, text);
}

function scalar(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return stringValue(value, depth);
    case 'number':
      if (!Number.isFinite(value)) throw FALLBACK;
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      throw FALLBACK;
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * A map's pairs, the first without indentation (it follows `- ` or starts the document), the others
 * on their own lines at `depth` levels; '' when it has none.
 */
function blockMap(map: Record<string, unknown>, depth: number): string {
  const indent = pad(depth);
  const inner = depth + 1;
  let out = '';
  for (const key in map) {
    if (!Object.hasOwn(map, key)) continue;
    const value = map[key];
    if (value === undefined) continue;
    const head = `${out === '' ? '' : `\n${indent}`}${keyText(key, inner)}:`;
    const text = scalar(value, inner);
    if (text !== undefined) out += `${head} ${text}`;
    else {
      const block = collection(value as object, inner);
      out += block === '' ? `${head} ${Array.isArray(value) ? '[]' : '{}'}` : `${head}\n${pad(inner)}${block}`;
    }
  }
  return out;
}

/** A sequence's items, `- ` each, the first without indentation, the others at `depth` levels. */
function blockSeq(seq: readonly unknown[], depth: number): string {
  const indent = pad(depth);
  const inner = depth + 1;
  let out = '';
  for (let i = 0; i < seq.length; i++) {
    if (!(i in seq)) throw FALLBACK;
    const value = seq[i];
    let text = scalar(value, inner);
    if (text === undefined) {
      const block = collection(value as object, inner);
      text = block === '' ? (Array.isArray(value) ? '[]' : '{}') : block;
    }
    out += i === 0 ? `- ${text}` : `\n${indent}- ${text}`;
  }
  return out;
}

function collection(value: object, depth: number): string {
  if (Array.isArray(value)) return blockSeq(value, depth);
  if (isPlainObject(value)) return blockMap(value, depth);
  throw FALLBACK;
}

/**
 * `value` as one YAML document, exactly as `referenceYaml` writes it (see the module comment).
 */
export function toYaml(value: unknown): string {
  if (value === null || typeof value !== 'object' || !isPlainObject(value)) return referenceYaml(value);
  try {
    const body = blockMap(value, 0);
    return body === '' ? '{}\n' : `${body}\n`;
  } catch (error) {
    if (error === FALLBACK) return referenceYaml(value);
    throw error;
  }
}

/** Forgets the strings seen so far (for measurements that must start cold). */
export function resetYamlCache(): void {
  singleLine = new Map();
  keys = new Map();
  topKeys = new Map();
  multiLine = new Map();
}
