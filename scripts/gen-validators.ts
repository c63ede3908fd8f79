/**
 * Generates imports/validators/: strict JSON-schema validators for every kind we emit, compiled ahead
 * of time with ajv's standalone code generation, so validation at run time never compiles a schema
 * and never needs the (1 MB+) schema sources.
 *
 *   npm run gen:validators                         # read the pinned upstream CRD URLs
 *   npm run gen:validators -- --mirror ../shared   # read the offline CRD mirror instead (same bytes)
 *   npm run gen:validators -- --check              # fail if imports/validators/ is out of date
 *
 * The core kinds are validated against the Kubernetes definitions captured from each pinned
 * kube-apiserver into imports/kubernetes/ (`npm run import -- --kubernetes <minor>`): one set of
 * validators per captured minor, exported as `<minor>/<apiVersion>/<Kind>`. The CRD kinds do not
 * depend on the cluster's version and are exported once, as `<apiVersion>/<Kind>`.
 *
 * Strictness follows `kubeconform -strict`: every structural object schema that declares
 * `properties` and neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields` rejects
 * unknown fields, at every level. On top of that apiVersion/kind are fixed, metadata is the real
 * ObjectMeta (CRDs only declare `type: object` for it) with a DNS name, and quantities must parse.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import Ajv, { _, stringify, type KeywordCxt } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { transformSync } from 'esbuild';
import { parseAllDocuments } from 'yaml';
import { CRD_SOURCES, readCrdSource, type CrdSource } from '../lib/core/crd-sources';
import { CORE_KINDS, type CapturedSchemas, capturedSchemas, definitionOfKind } from './k8s-schemas';

/**
 * Kubernetes quantity grammar (k8s.io/apimachinery/pkg/api/resource), as controller-gen writes it
 * into CRDs. The n/u suffixes are accepted by the parser though missing from the documented grammar.
 */
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** Service names must also start with a letter (the apiserver checks DNS-1035 for them). */
const DNS1035_LABEL = '^[a-z]([-a-z0-9]*[a-z0-9])?$';

/** metadata.name rule per kind; everything else is a DNS-1123 subdomain. */
const NAME_RULES: Readonly<Record<string, { readonly pattern: string; readonly maxLength: number }>> = {
  'v1/Namespace': { pattern: DNS1123_LABEL, maxLength: 63 },
  'v1/Service': { pattern: DNS1035_LABEL, maxLength: 63 },
};
const DEFAULT_NAME_RULE = { pattern: DNS1123_SUBDOMAIN, maxLength: 253 };

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const ROOT_ID = 'k8s';
const OUT_DIR = 'imports/validators';
/**
 * Smallest repeated sub-schema (JSON length) worth a shared function: a call costs about as much
 * code as a small inline check. Measured output: 100 is as small as 60; 200 is 6% and 300 9% larger.
 */
const MIN_SHARED_SIZE = 100;

/** A JSON schema node while we rewrite it (loosely typed: the inputs are foreign JSON). */
type Schema = { [keyword: string]: unknown };
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface KindEntry {
  /** The Kubernetes minor of a core kind's schema; undefined for CRDs. */
  readonly minor?: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** Where the schema came from (definition name or CRD source id), for the header. */
  readonly source: string;
  readonly schema: Schema;
}

interface Input {
  readonly label: string;
  readonly sha256: string;
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Annotation keywords and extensions that carry no validation we implement. */
const DROPPED = new Set([
  'description',
  'default',
  'example',
  'title',
  'externalDocs',
  // Formats are ignored, as kubeconform does for the Kubernetes ones (int32, int64, byte, ...).
  'format',
]);

/** Validation keywords copied as they are (they mean the same in OpenAPI v3 and JSON Schema draft 7). */
const COPIED = new Set([
  'type',
  'enum',
  'required',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'multipleOf',
  'minProperties',
  'maxProperties',
  'const',
  '$ref',
]);

class Normalizer {
  /** Patterns that JavaScript cannot compile (Go RE2 syntax); dropped and listed in the header. */
  readonly droppedPatterns = new Set<string>();

  /**
   * Rewrites an OpenAPI (v2 definition or v3 CRD) schema node into draft-7 JSON Schema.
   * `structural` is false inside allOf/anyOf/oneOf/not: those branches only add constraints to the
   * fields declared outside them, so closing them would reject valid objects.
   */
  normalize(node: unknown, structural: boolean): Json {
    if (!isObject(node)) return node as Json;
    const out: { [k: string]: Json } = {};
    const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
    const intOrString = node['x-kubernetes-int-or-string'] === true;
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED.has(key) || key.startsWith('x-kubernetes-')) continue;
      if (key === 'pattern') {
        const pattern = this.pattern(value as string);
        if (pattern !== undefined) out.pattern = pattern;
      } else if (COPIED.has(key)) {
        out[key] = value as Json;
      } else if (key === 'properties') {
        const props: { [k: string]: Json } = {};
        for (const [name, sub] of Object.entries(value as Schema)) props[name] = this.normalize(sub, structural);
        out.properties = props;
      } else if (key === 'items' || key === 'additionalProperties') {
        out[key] = this.normalize(value, structural);
      } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
        out[key] = (value as unknown[]).map((sub) => this.normalize(sub, false));
      } else if (key === 'not') {
        out.not = this.normalize(value, false);
      } else if (key === 'nullable') {
        // Handled below, once `type` is known.
      } else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
        // OpenAPI v3.0 uses a boolean modifier of minimum/maximum; draft 7 wants the bound itself.
        const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
        if (value === true && typeof node[bound] === 'number') out[key] = node[bound] as number;
        else if (typeof value === 'number') out[key] = value;
      } else {
        throw new Error(`unhandled schema keyword "${key}" in ${JSON.stringify(node).slice(0, 200)}`);
      }
    }
    foldExclusiveGroups(out);
    typeTrimmedResourceRequirements(out);
    if (out.exclusiveMinimum !== undefined) delete out.minimum;
    if (out.exclusiveMaximum !== undefined) delete out.maximum;
    if (intOrString) {
      // controller-gen writes anyOf [integer, string] next to the flag; a type list says the same
      // with one check and one clear error.
      if (
        Array.isArray(out.anyOf) &&
        out.anyOf.length === 2 &&
        out.anyOf.every((b) => isObject(b) && Object.keys(b).length === 1 && (b.type === 'integer' || b.type === 'string'))
      ) {
        delete out.anyOf;
      }
      out.type = ['integer', 'string'];
      // Quantity fields: use one canonical grammar so that messages can name it and the regex is
      // compiled once.
      if (typeof out.pattern === 'string' && out.pattern.includes('[KMGTPE]i')) out.pattern = QUANTITY_PATTERN;
    }
    if (node.nullable === true && out.type !== undefined) out.type = [...(Array.isArray(out.type) ? out.type : [out.type]), 'null'];
    if (structural && isObject(out.properties) && out.additionalProperties === undefined && !preserveUnknown) {
      out.allowedFields = Object.keys(out.properties).sort();
    } else if (out.additionalProperties === false) {
      out.allowedFields = isObject(out.properties) ? Object.keys(out.properties).sort() : [];
      delete out.additionalProperties;
    }
    return out;
  }

  private pattern(p: string): string | undefined {
    const candidate = caseInsensitive(p) ?? p;
    try {
      new RegExp(candidate, 'u');
      return candidate;
    } catch {
      this.droppedPatterns.add(p);
      return undefined;
    }
  }
}

const QUANTITY_REF = '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * Argo Rollouts trims the embedded pod spec's `resources.limits`/`requests` to
 * `x-kubernetes-preserve-unknown-fields`, so its CRD accepts any value there; the ReplicaSet the
 * controller creates from it is then rejected by the apiserver long after the sync looked green.
 * A ResourceRequirements-shaped object (claims/limits/requests) gets its maps of quantities back.
 */
function typeTrimmedResourceRequirements(out: { [k: string]: Json }): void {
  const props = out.properties;
  if (!isObject(props) || !Object.keys(props).every((k) => ['claims', 'limits', 'requests'].includes(k))) return;
  for (const key of ['limits', 'requests']) {
    const sub = props[key];
    if (isObject(sub) && Object.keys(sub).length === 0) {
      (props as { [k: string]: Json })[key] = { type: 'object', additionalProperties: { $ref: QUANTITY_REF } };
    }
  }
}

/**
 * The fields of Istio's "at most one of" idiom,
 * `oneOf: [{not: {anyOf: [{required: [a]}, {required: [b]}]}}, {required: [a]}, {required: [b]}]`,
 * or undefined for any other schema.
 */
function exclusiveGroup(oneOf: unknown): string[] | undefined {
  if (!Array.isArray(oneOf) || oneOf.length < 2) return undefined;
  const [none, ...each] = oneOf as unknown[];
  const single = (b: unknown): string | undefined =>
    isObject(b) && Object.keys(b).length === 1 && Array.isArray(b.required) && b.required.length === 1 ? String(b.required[0]) : undefined;
  const fields = each.map(single);
  if (fields.some((f) => f === undefined)) return undefined;
  if (!isObject(none) || Object.keys(none).length !== 1 || !isObject(none.not)) return undefined;
  const inner = none.not;
  if (Object.keys(inner).length !== 1 || !Array.isArray(inner.anyOf)) return undefined;
  const negated = inner.anyOf.map(single);
  if (negated.length !== fields.length || negated.some((f, i) => f !== fields[i])) return undefined;
  return fields as string[];
}

/**
 * Rewrites that idiom (alone, or several under allOf) as `exclusiveFields: [[a, b], ...]`: one
 * counting check instead of 2n+1 schema branches, and an error that names the fields.
 */
function foldExclusiveGroups(out: { [k: string]: Json }): void {
  const groups: string[][] = [];
  const one = exclusiveGroup(out.oneOf);
  if (one !== undefined) {
    groups.push(one);
    delete out.oneOf;
  }
  if (Array.isArray(out.allOf)) {
    const each = out.allOf.map((b) => (isObject(b) && Object.keys(b).length === 1 ? exclusiveGroup(b.oneOf) : undefined));
    if (each.every((g) => g !== undefined)) {
      groups.push(...(each as string[][]));
      delete out.allOf;
    }
  }
  if (groups.length > 0) out.exclusiveFields = groups;
}

/**
 * Go's leading `(?i)` flag has no JavaScript equivalent inside a pattern string, so spell each
 * letter as a class: `^(?i)(abort|warn)?$` becomes `^([aA][bB]...)`. Only patterns without
 * character classes or escapes are translated; others stay as they are (and are dropped if invalid).
 */
function caseInsensitive(p: string): string | undefined {
  const m = /^(\^?)\(\?i\)(.*)$/s.exec(p);
  if (m === null || /[[\\]/.test(m[2]!)) return undefined;
  return m[1] + m[2]!.replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/** All `#/definitions/X` names a schema refers to. */
function refsOf(node: Json, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) refsOf(n, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') into.add(v.replace(/^#\/definitions\//, ''));
      else refsOf(v, into);
    }
  }
}

function metadataSchema(apiVersionKind: string): Json {
  const rule = NAME_RULES[apiVersionKind] ?? DEFAULT_NAME_RULE;
  // The sibling keywords are checked together with the $ref (ajv applies both), so ObjectMeta stays
  // one shared function while the name rule differs per kind.
  return {
    $ref: `#/definitions/${OBJECT_META}`,
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: rule.maxLength, pattern: rule.pattern },
      namespace: { type: 'string', minLength: 1, maxLength: 63, pattern: DNS1123_LABEL },
    },
  };
}

/** Wraps a kind's normalized schema: fixed apiVersion/kind, strict metadata, required identity. */
function rootSchema(apiVersion: string, kind: string, normalized: Json): Json {
  if (!isObject(normalized) || !isObject(normalized.properties)) throw new Error(`${apiVersion}/${kind}: schema has no properties`);
  const properties: { [k: string]: Json } = {
    ...(normalized.properties as { [k: string]: Json }),
    apiVersion: { const: apiVersion },
    kind: { const: kind },
    metadata: metadataSchema(`${apiVersion}/${kind}`),
  };
  const required = [...new Set(['apiVersion', 'kind', 'metadata', ...((normalized.required as string[] | undefined) ?? [])])];
  return {
    type: 'object',
    required,
    properties,
    allowedFields: Object.keys(properties).sort(),
  };
}

type SchemaNode = { [keyword: string]: Json };

/**
 * Rebuilds a schema node with `f` applied to each direct sub-schema. `inBranch` is true below
 * allOf/anyOf/oneOf/not.
 */
function mapSubschemas(node: SchemaNode, inBranch: boolean, f: (sub: Json, inBranch: boolean) => Json): SchemaNode {
  const out: SchemaNode = { ...node };
  if (isObject(node.properties)) {
    out.properties = Object.fromEntries(Object.entries(node.properties as SchemaNode).map(([k, v]) => [k, f(v, inBranch)]));
  }
  if (isObject(node.items)) out.items = f(node.items, inBranch);
  if (isObject(node.additionalProperties)) out.additionalProperties = f(node.additionalProperties, inBranch);
  for (const c of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(node[c])) out[c] = (node[c] as Json[]).map((b) => f(b, true));
  }
  if (isObject(node.not)) out.not = f(node.not, true);
  return out;
}

/**
 * Hoists sub-schemas that occur more than once (the pod spec inside Rollout and AnalysisTemplate,
 * the provider blocks shared by SecretStore and ClusterSecretStore, ...) into shared definitions,
 * so each is compiled into one function instead of once per occurrence. Nothing is hoisted out of
 * anyOf/oneOf branches: validation/schema.ts recognises branch errors by their schemaPath, which
 * only holds within one function.
 */
function shareRepeatedSubschemas(definitions: Map<string, Json>): void {
  const keyOf = new Map<object, string>();
  const sizeOf = new Map<object, number>();
  const counts = new Map<string, number>();
  const hash = (node: Json): string => {
    if (node === null || typeof node !== 'object') return JSON.stringify(node);
    const cached = keyOf.get(node);
    if (cached !== undefined) return cached;
    const shallow = Array.isArray(node) ? node.map((n) => hash(n)) : Object.fromEntries(Object.entries(node).map(([k, v]) => [k, hash(v)]));
    const key = sha256(JSON.stringify(shallow)).slice(0, 16);
    keyOf.set(node, key);
    return key;
  };
  const size = (node: SchemaNode): number => {
    let n = sizeOf.get(node);
    if (n === undefined) {
      n = JSON.stringify(node).length;
      sizeOf.set(node, n);
    }
    return n;
  };
  const count = (node: Json, inBranch: boolean): Json => {
    if (!isObject(node)) return node;
    if (!inBranch) counts.set(hash(node), (counts.get(hash(node)) ?? 0) + 1);
    mapSubschemas(node as SchemaNode, inBranch, count);
    return node;
  };
  for (const def of definitions.values()) count(def, false);

  const worthSharing = (node: SchemaNode): boolean =>
    (isObject(node.properties) && (counts.get(hash(node)) ?? 0) >= 2 && size(node) >= MIN_SHARED_SIZE) ||
    // ajv's errors for these point into the schema (params.allowedValues = schema.enum), which keeps
    // the whole enclosing schema in the generated code; as their own small functions they keep only
    // themselves.
    node.enum !== undefined ||
    Array.isArray(node.type);
  const shared = new Map<string, Json>();
  const rewrite = (node: Json, inBranch: boolean, isDefinitionBody = false): Json => {
    if (!isObject(node)) return node;
    const schema = node as SchemaNode;
    if (!isDefinitionBody && !inBranch && worthSharing(schema)) {
      const name = `shared.${hash(schema)}`;
      if (!shared.has(name)) {
        shared.set(name, null); // reserve the name before recursing (identical nodes reuse it)
        shared.set(name, rewrite(schema, false, true));
      }
      return { $ref: `#/definitions/${name}` };
    }
    if (inBranch && typeof schema.$ref === 'string') {
      throw new Error(`$ref inside anyOf/oneOf/not (${schema.$ref}): its errors could not be told apart`);
    }
    return mapSubschemas(schema, inBranch, (sub, b) => rewrite(sub, b));
  };
  for (const [name, def] of definitions) definitions.set(name, rewrite(def, false, true));
  for (const [name, def] of shared) definitions.set(name, def);
}

interface Loaded {
  readonly kinds: KindEntry[];
  readonly definitions: Map<string, Json>;
  readonly inputs: Input[];
  readonly droppedPatterns: string[];
  /** Kubernetes minor → the release its core schemas were captured from, e.g. 1.35 → 1.35.4. */
  readonly kubernetes: ReadonlyMap<string, string>;
}

/**
 * Definition names of one captured version. The newest version keeps the upstream names (the CRD
 * kinds share its ObjectMeta and Quantity); older ones get a `k8s-<minor>.` prefix.
 */
function definitionName(name: string, minor: string, newest: string): string {
  return minor === newest ? name : `k8s-${minor}.${name}`;
}

/** `node` with every `#/definitions/X` renamed by `rename`. */
function renameRefs(node: Json, rename: (name: string) => string): Json {
  if (Array.isArray(node)) return node.map((n) => renameRefs(n, rename));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' ? `#/definitions/${rename(v.replace(/^#\/definitions\//, ''))}` : renameRefs(v, rename),
    ]),
  );
}

interface CapturedDefinitions {
  readonly captured: CapturedSchemas;
  readonly definitions: Record<string, Schema>;
}

async function readCaptured(): Promise<{ text: string; parsed: CapturedDefinitions }[]> {
  const captured = capturedSchemas();
  if (captured.length === 0) {
    throw new Error('imports/kubernetes/ holds no captured definitions: run npm run import -- --kubernetes <minor> (after npm run tools)');
  }
  return Promise.all(
    captured.map(async (c) => {
      const text = await readFile(c.file, 'utf8');
      const doc = JSON.parse(text) as { kubernetesVersion?: string; definitions?: Record<string, Schema> };
      if (doc.kubernetesVersion !== c.version || doc.definitions === undefined) {
        throw new Error(`${c.file}: expected kubernetesVersion ${c.version} and definitions (recapture it)`);
      }
      return { text, parsed: { captured: c, definitions: doc.definitions } };
    }),
  );
}

/** The version we emit: the served storage version, else the newest served one. */
function pickVersion(crd: Schema, id: string): Schema {
  const versions = ((crd.spec as Schema).versions as Schema[]).filter((v) => v.served === true);
  const chosen = versions.find((v) => v.storage === true) ?? versions[versions.length - 1];
  if (chosen === undefined) throw new Error(`${id}: no served version`);
  return chosen;
}

async function load(mirror: string | undefined): Promise<Loaded> {
  const normalizer = new Normalizer();
  const inputs: Input[] = [];
  const kinds: KindEntry[] = [];

  const captured = await readCaptured();
  const newest = captured[captured.length - 1]!.parsed.captured.minor;
  /** Captured definitions by their (possibly prefixed) name in the generated module. */
  const k8sDefs = new Map<string, { readonly def: Schema; readonly rename: (name: string) => string }>();
  for (const { text, parsed } of captured) {
    const { minor, version, file } = parsed.captured;
    inputs.push({ label: `${path.relative(process.cwd(), file)} (Kubernetes ${version})`, sha256: sha256(text) });
    const rename = (name: string): string => definitionName(name, minor, newest);
    for (const [name, def] of Object.entries(parsed.definitions)) k8sDefs.set(rename(name), { def, rename });
    for (const [apiVersion, kind] of CORE_KINDS) {
      const name = definitionOfKind(parsed.definitions, apiVersion, kind);
      if (name === undefined) throw new Error(`${file}: no definition for ${apiVersion}/${kind} (recapture it)`);
      kinds.push({ minor, apiVersion, kind, source: `Kubernetes ${version} ${name}`, schema: parsed.definitions[name]! });
    }
  }

  for (const src of CRD_SOURCES) {
    const text = await readCrdSource(src, mirror === undefined ? undefined : path.join(mirror, 'crds'));
    // Istio's one file serves two sources.
    if (!inputs.some((i) => i.label === src.url)) inputs.push({ label: src.url, sha256: sha256(text) });
    kinds.push(...crdKinds(src, text));
  }

  const definitions = new Map<string, Json>();
  const roots: Json[] = [];
  for (const k of kinds) {
    let normalized = normalizer.normalize(k.schema, true);
    if (k.minor !== undefined) normalized = renameRefs(normalized, (name) => definitionName(name, k.minor!, newest));
    const root = rootSchema(k.apiVersion, k.kind, normalized);
    definitions.set(rootName(k), root);
    roots.push(root);
  }
  // Pull in exactly the Kubernetes definitions reachable from the kinds (and ObjectMeta for CRDs).
  const pending = new Set<string>([OBJECT_META]);
  for (const r of roots) refsOf(r, pending);
  for (const name of pending) {
    if (definitions.has(name)) continue;
    const captured = k8sDefs.get(name);
    if (captured === undefined) throw new Error(`unresolved $ref ${name}`);
    const normalized = specialDefinition(name) ?? renameRefs(normalizer.normalize(captured.def, true), captured.rename);
    definitions.set(name, normalized);
    refsOf(normalized, pending); // a Set iterates over entries added during iteration
  }
  shareRepeatedSubschemas(definitions);
  const kubernetes = new Map(captured.map(({ parsed: { captured: c } }) => [c.minor, c.version]));
  return { kinds, definitions, inputs, droppedPatterns: [...normalizer.droppedPatterns].sort(), kubernetes };
}

/** Definitions whose upstream schema is looser than what the apiserver accepts. */
function specialDefinition(prefixed: string): Json | undefined {
  const name = prefixed.replace(/^k8s-\d+\.\d+\./, '');
  switch (name) {
    case 'io.k8s.apimachinery.pkg.util.intstr.IntOrString':
      return { type: ['integer', 'string'] };
    case 'io.k8s.apimachinery.pkg.api.resource.Quantity':
      // A JSON number is parsed as a quantity too; a string must follow the grammar.
      return { type: ['string', 'number'], pattern: QUANTITY_PATTERN };
    default:
      return undefined;
  }
}

function crdKinds(src: CrdSource, text: string): KindEntry[] {
  const found: KindEntry[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${src.id}: ${doc.errors[0]!.message}`);
    const crd = doc.toJS() as Schema | null;
    if (!isObject(crd) || crd.kind !== 'CustomResourceDefinition') continue;
    const spec = crd.spec as Schema;
    const kind = (spec.names as Schema).kind as string;
    if (!src.kinds.includes(kind)) continue;
    const version = pickVersion(crd, src.id);
    const schema = (version.schema as Schema | undefined)?.openAPIV3Schema as Schema | undefined;
    if (schema === undefined) throw new Error(`${src.id}: ${kind} ${String(version.name)} has no openAPIV3Schema`);
    found.push({ apiVersion: `${String(spec.group)}/${String(version.name)}`, kind, source: `CRD ${src.id}`, schema });
  }
  const missing = src.kinds.filter((k) => !found.some((f) => f.kind === k));
  if (missing.length > 0) throw new Error(`${src.id}: kinds not found: ${missing.join(', ')}`);
  return found;
}

function rootName(k: KindEntry): string {
  return `kind.${k.minor === undefined ? '' : `k8s-${k.minor}.`}${k.apiVersion.replace('/', '.')}.${k.kind}`;
}

/** The export of a kind: `1.35/apps/v1/Deployment` for core kinds, `keda.sh/v1alpha1/ScaledObject` for CRDs. */
function exportKey(k: KindEntry): string {
  return `${k.minor === undefined ? '' : `${k.minor}/`}${k.apiVersion}/${k.kind}`;
}

/**
 * `allowedFields: [...]` replaces `additionalProperties: false`: same check, but the error carries
 * the allowed names, so a message can say what would have been accepted without shipping schemas.
 */
function addAllowedFieldsKeyword(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'allowedFields',
    type: 'object',
    schemaType: 'array',
    error: {
      message: 'unknown field',
      params: ({ params }) => _`{field: ${params.field}, allowed: ${params.allowed}}`,
    },
    code(cxt: KeywordCxt) {
      const { gen, data, schema } = cxt;
      const fields = schema as string[];
      const set = Object.fromEntries(fields.map((f) => [f, 1]));
      // One constant per distinct field set, shared by all functions that use it.
      const allowed = gen.scopeValue('obj', { key: `fields:${fields.join(',')}`, ref: set, code: stringify(set) });
      gen.forIn('key', data, (key) => {
        const known =
          fields.length <= 8
            ? fields.reduce((acc, f, i) => (i === 0 ? _`${key} === ${f}` : _`${acc} || ${key} === ${f}`), _`false`)
            : _`Object.prototype.hasOwnProperty.call(${allowed}, ${key})`;
        gen.if(_`!(${known})`, () => {
          cxt.setParams({ field: key, allowed });
          cxt.error();
        });
      });
    },
  });
}

/** `exclusiveFields: [[a, b, c], ...]`: at most one field of each group may be set. */
function addExclusiveFieldsKeyword(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'exclusiveFields',
    type: 'object',
    schemaType: 'array',
    error: {
      message: 'mutually exclusive fields',
      params: ({ params }) => _`{fields: ${params.fields}, present: ${params.present}}`,
    },
    code(cxt: KeywordCxt) {
      const { gen, data, schema } = cxt;
      for (const group of schema as string[][]) {
        const present = gen.const(
          'present',
          _`[${group.map((f) => _`${data}[${f}] !== undefined ? ${f} : ""`).reduce((a, b) => _`${a}, ${b}`)}].filter(Boolean)`,
        );
        gen.if(_`${present}.length > 1`, () => {
          cxt.setParams({ fields: stringify(group), present });
          cxt.error();
        });
      }
    },
  });
}

function compile(loaded: Loaded): string {
  const ajv = new Ajv({
    code: { source: true, optimize: true },
    allErrors: true, // report every problem of an object at once
    inlineRefs: false, // every definition is one shared function, never copied into its callers
    messages: false, // validation/schema.ts writes the messages
    strict: true, // an unknown keyword or a type mismatch in our rewritten schemas fails generation
    allowUnionTypes: true, // int-or-string, nullable
  });
  addAllowedFieldsKeyword(ajv);
  addExclusiveFieldsKeyword(ajv);
  const definitions = Object.fromEntries([...loaded.definitions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  ajv.addSchema({ $id: ROOT_ID, definitions });
  const exportsMap = Object.fromEntries(loaded.kinds.map((k) => [exportKey(k), `${ROOT_ID}#/definitions/${rootName(k)}`]));
  return standaloneCode(ajv, exportsMap);
}

/**
 * Drops `schemaPath` from the error objects (a fifth of the code), except inside anyOf/oneOf
 * branches: validation/schema.ts uses it there to fold a failed combinator's branch errors into
 * one message. The count check guards against ajv changing how it writes error objects.
 */
function stripSchemaPaths(code: string): string {
  const all = code.match(/schemaPath:/g)?.length ?? 0;
  let seen = 0;
  const out = code.replace(/,?schemaPath:"((?:[^"\\]|\\.)*)"/g, (match, p: string) => {
    seen++;
    return /\/(anyOf|oneOf)\//.test(p) ? match : '';
  });
  if (seen !== all) throw new Error(`stripSchemaPaths: matched ${seen} of ${all} schemaPath properties`);
  return out;
}

/** esbuild drops the schema constants ajv emits but no longer uses, and strips whitespace. */
function shrink(code: string): string {
  return transformSync(code, {
    loader: 'js',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    treeShaking: true,
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: true,
    legalComments: 'none',
  }).code;
}

function header(loaded: Loaded): string {
  const lines = [
    'GENERATED by scripts/gen-validators.ts (`npm run gen:validators [-- --mirror ../shared]`). DO NOT EDIT.',
    'Strict (kubeconform -strict) JSON-schema validators, precompiled with ajv standalone code generation.',
    '',
    `Kubernetes core schemas: ${[...loaded.kubernetes.values()].join(', ')} (captured from kube-apiserver into imports/kubernetes/).`,
    '',
    'Inputs (sha256 of the bytes read):',
    ...loaded.inputs.flatMap((i) => [`  ${i.label}`, `    sha256 ${i.sha256}`]),
    '',
    'Kinds:',
    ...loaded.kinds.map((k) => `  ${exportKey(k).padEnd(48)} ${k.source}`),
  ];
  if (loaded.droppedPatterns.length > 0) {
    lines.push('', 'Patterns JavaScript cannot compile (not checked):', ...loaded.droppedPatterns.map((p) => `  ${p}`));
  }
  return `/*\n${lines.map((l) => (l === '' ? ' *' : ` * ${l}`)).join('\n')}\n */\n`;
}

const DTS = `// GENERATED by scripts/gen-validators.ts. DO NOT EDIT.
/** One ajv error (\`messages: false\`; validation/schema.ts writes the messages). */
export interface SchemaError {
  readonly instancePath: string;
  /** Kept only inside anyOf/oneOf branches. */
  readonly schemaPath?: string;
  readonly keyword: string;
  readonly params: { readonly [name: string]: unknown };
}

export interface ValidateFunction {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

/**
 * Validators of the Kubernetes core kinds keyed by \`<minor>/<apiVersion>/<Kind>\` (one set per
 * captured minor, see ./kubernetes), e.g. \`1.35/apps/v1/Deployment\`; of the CRD kinds by
 * \`<apiVersion>/<Kind>\`, e.g. \`keda.sh/v1alpha1/ScaledObject\`.
 */
declare const validators: { readonly [apiVersionKind: string]: ValidateFunction | undefined };
export = validators;
`;

const KUBERNETES_DTS = `// GENERATED by scripts/gen-validators.ts. DO NOT EDIT.
/** Kubernetes minor → the release its core schemas were captured from (imports/kubernetes/), e.g. 1.35 → 1.35.4. */
export declare const kubernetesVersions: { readonly [minor: string]: string };
`;

function kubernetesModule(versions: ReadonlyMap<string, string>): string {
  return `// GENERATED by scripts/gen-validators.ts. DO NOT EDIT.\n'use strict';\nexports.kubernetesVersions = ${JSON.stringify(Object.fromEntries(versions))};\n`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const mirrorAt = args.indexOf('--mirror');
  const mirror = mirrorAt >= 0 ? args[mirrorAt + 1] : undefined;
  if (mirrorAt >= 0 && mirror === undefined) throw new Error('--mirror needs a directory (e.g. ../shared)');
  const check = args.includes('--check');

  const loaded = await load(mirror);
  const raw = compile(loaded);
  const code = `${header(loaded)}${shrink(stripSchemaPaths(raw))}`;
  const files: Record<string, string> = {
    'index.js': code,
    'index.d.ts': DTS,
    'kubernetes.js': kubernetesModule(loaded.kubernetes),
    'kubernetes.d.ts': KUBERNETES_DTS,
  };

  if (check) {
    const stale: string[] = [];
    for (const [name, content] of Object.entries(files)) {
      const current = await readFile(path.join(OUT_DIR, name), 'utf8').catch(() => '');
      if (current !== content) stale.push(path.join(OUT_DIR, name));
    }
    if (stale.length > 0) {
      console.error(`out of date (run npm run gen:validators): ${stale.join(', ')}`);
      process.exitCode = 1;
    } else {
      console.log(`${OUT_DIR} is up to date`);
    }
    return;
  }
  await mkdir(OUT_DIR, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(OUT_DIR, name), content);
  console.log(
    `${OUT_DIR}/index.js: ${loaded.kinds.length} kinds, ${loaded.definitions.size} definitions, ` +
      `${code.length} bytes (ajv output before esbuild: ${raw.length} bytes)`,
  );
  if (loaded.droppedPatterns.length > 0) console.warn(`patterns not checked (not valid in JavaScript): ${loaded.droppedPatterns.length}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  if (!process.argv.includes('--mirror')) console.error('offline? read the mirror instead: npm run gen:validators -- --mirror ../shared');
  process.exitCode = 1;
});
