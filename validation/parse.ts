/**
 * Reads multi-document manifest YAML (what is written to dist/) back into objects, failing with
 * `file:line:col: reason` on anything a cluster would reject or read differently than we meant.
 */
import {
  isMap,
  isScalar,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
  type ParseOptions,
  type DocumentOptions,
  type SchemaOptions,
} from 'yaml';
import type { Manifest } from '../lib/core/manifest';

/** One problem in a manifest file, with its 1-based position. */
export interface ParseProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly reason: string;
}

/** Thrown by parseManifests; the message has one `file:line:col: reason` line per problem. */
export class ManifestParseError extends Error {
  readonly problems: readonly ParseProblem[];

  constructor(problems: readonly ParseProblem[]) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.reason}`).join('\n'));
    this.name = 'ManifestParseError';
    this.problems = problems;
  }
}

/**
 * YAML 1.1, as cdk8s writes it and as kubectl/the apiserver (sigs.k8s.io/yaml, go-yaml v2) read
 * it, so `yes` is a boolean and `0755` an octal number. go-yaml v2 keeps timestamps and base-60
 * numbers (`22:22`) as strings, so those two 1.1 types are left out.
 */
const OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  uniqueKeys: true,
  prettyErrors: false,
  customTags: (tags) =>
    tags.filter((t) => {
      const tag = typeof t === 'object' && t !== null && 'tag' in t ? t : undefined;
      return tag === undefined || (tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.format !== 'TIME');
    }),
};

/**
 * Parses every document of `text`; empty (null) documents, such as after a trailing `---`, are
 * skipped. Throws ManifestParseError naming `file`, line and column for malformed YAML, duplicate
 * keys, documents that are not mappings and objects without apiVersion, kind or metadata.name.
 */
export interface ParseManifestOptions {
  /** When given, an object whose apiVersion/kind it rejects fails at the line of its kind. */
  readonly isKnownKind?: (apiVersion: string, kind: string) => boolean;
}

export function parseManifests(text: string, file: string, options: ParseManifestOptions = {}): Manifest[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { ...OPTIONS, lineCounter });
  const problems: ParseProblem[] = [];
  const at = (offset: number, reason: string): void => {
    const { line, col } = lineCounter.linePos(offset);
    problems.push({ file, line, col, reason });
  };
  const manifests: Manifest[] = [];
  for (const doc of docs) {
    const yamlProblems = [...doc.errors, ...doc.warnings];
    for (const e of yamlProblems) at(e.pos[0], describeYamlError(doc, e.code, e.message, e.pos[0], text));
    // A separator with nothing after it parses as a null document; kubectl skips those too.
    if (yamlProblems.length > 0 || doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    const obj = checkObject(doc, at, options);
    if (obj !== undefined) manifests.push(obj);
  }
  if (problems.length > 0) throw new ManifestParseError(problems);
  return manifests;
}

function describeYamlError(doc: Document, code: string, message: string, offset: number, text: string): string {
  if (code === 'DUPLICATE_KEY') {
    const key = keyAt(doc, offset) ?? /^\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:#\n]+?)\s*:/.exec(text.slice(offset))?.[1];
    return key !== undefined ? `duplicate key "${key.replace(/^["']|["']$/g, '')}"` : 'duplicate key';
  }
  return message;
}

/** The scalar key of the mapping entry that starts at `offset`, if any. */
function keyAt(doc: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function checkObject(doc: Document, at: (offset: number, reason: string) => void, options: ParseManifestOptions): Manifest | undefined {
  const root = doc.contents as Node;
  const start = root.range?.[0] ?? 0;
  if (!isMap(root)) {
    const what = isScalar(root) ? `the scalar ${JSON.stringify(root.toJSON())}` : 'a sequence';
    at(start, `document is ${what}, not a Kubernetes object (a mapping with apiVersion, kind and metadata)`);
    return undefined;
  }
  let ok = true;
  for (const field of ['apiVersion', 'kind'] as const) {
    const node = root.get(field, true);
    if (node === undefined) {
      at(start, `object has no ${field}`);
      ok = false;
    } else if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
      at(node.range?.[0] ?? start, `${field} must be a non-empty string`);
      ok = false;
    }
  }
  const metadata = root.get('metadata', true);
  if (metadata === undefined) {
    at(start, 'object has no metadata (metadata.name is required)');
    ok = false;
  } else if (!isMap(metadata)) {
    at((metadata as Node).range?.[0] ?? start, 'metadata must be a mapping with a name');
    ok = false;
  } else {
    const name = metadata.get('name', true);
    if (name === undefined) {
      at(metadata.range?.[0] ?? start, 'metadata has no name');
      ok = false;
    } else if (!isScalar(name) || typeof name.value !== 'string' || name.value === '') {
      at(name.range?.[0] ?? start, 'metadata.name must be a non-empty string');
      ok = false;
    }
  }
  if (!ok) return undefined;
  const object = doc.toJS() as Manifest;
  if (options.isKnownKind !== undefined && !options.isKnownKind(object.apiVersion, object.kind)) {
    at(
      (root.get('kind', true) as Node).range?.[0] ?? start,
      `unknown kind ${object.kind} (apiVersion ${object.apiVersion}): no schema to check it against`,
    );
    return undefined;
  }
  return object;
}
