/**
 * JSON schemas for kubeconform, made with kubeconform's own converter (scripts/openapi2jsonschema.py
 * of the pinned kubeconform, run by the tools venv through tools/python/openapi2jsonschema_json.py,
 * which feeds it JSON instead of YAML: a minute faster, byte-for-byte the same schemas):
 * - built-in kinds from the running API server's OpenAPI (/openapi/v2: that exact version's
 *   schemas), each definition dereferenced and handed to the converter in the CRD shape it reads;
 * - custom kinds from the pinned CRDs themselves.
 * The converter makes them strict (`additionalProperties: false` wherever properties are listed,
 * at the root too) and turns int-or-string into string|integer.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Crd } from './crds';
import type { KubeClient } from './kube-client';
import { ROOT, TOOLS_DIR } from './tools';

const DRIVER = join(ROOT, 'tools', 'python', 'openapi2jsonschema_json.py');

const run = promisify(execFile);

type Schema = Record<string, unknown>;

interface OpenApiV2 {
  readonly definitions: Record<string, Schema>;
}

interface Gvk {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** kubeconform's `{{ .Group }}` for an apiVersion: the group, or the version itself for the core group. */
function templateGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : apiVersion;
}

/** The schema location template matching the files written here (one flat folder). */
export function schemaLocation(dir: string): string {
  return join(dir, '{{ .Group }}_{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json');
}

/** The OpenAPI v2 document the server serves (built-in kinds, and CRDs once installed). */
export async function serverOpenApi(client: KubeClient): Promise<OpenApiV2> {
  return (await client.get('/openapi/v2')) as OpenApiV2;
}

/**
 * A definition with every `$ref` replaced by what it names. A reference back into a definition
 * being expanded (only recursive types such as JSONSchemaProps have one) becomes `{}`: anything.
 */
export function dereference(definitions: Record<string, Schema>, schema: unknown, stack: readonly string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((item) => dereference(definitions, item, stack));
  if (schema === null || typeof schema !== 'object') return schema;
  const object = schema as Schema;
  const ref = object.$ref;
  if (typeof ref === 'string') {
    const name = ref.replace(/^#\/definitions\//, '');
    const target = definitions[name];
    if (target === undefined) throw new Error(`OpenAPI: unresolved $ref ${ref}`);
    if (stack.includes(name)) return {};
    const { $ref: _ref, ...rest } = object;
    return { ...(dereference(definitions, target, [...stack, name]) as Schema), ...rest };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(object)) out[key] = dereference(definitions, value, stack);
  return out;
}

/** Quantities are strings or numbers in YAML (the server accepts `cpu: 1`); the v2 document says string. */
function quantityAsStringOrNumber(definitions: Record<string, Schema>): Record<string, Schema> {
  const name = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
  const quantity = definitions[name];
  if (quantity === undefined) return definitions;
  const { type: _type, ...rest } = quantity;
  return { ...definitions, [name]: { ...rest, oneOf: [{ type: 'string' }, { type: 'number' }] } };
}

/** Each requested built-in kind as the CRD-shaped document openapi2jsonschema converts. */
export function builtInSchemaDocuments(
  openapi: OpenApiV2,
  apiVersionKinds: ReadonlySet<string>,
): { documents: Schema[]; missing: string[] } {
  const definitions = quantityAsStringOrNumber(openapi.definitions);
  const documents: Schema[] = [];
  const found = new Set<string>();
  for (const [name, definition] of Object.entries(definitions)) {
    const gvks = (definition['x-kubernetes-group-version-kind'] ?? []) as Gvk[];
    for (const gvk of gvks) {
      const apiVersion = gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
      const id = `${apiVersion}/${gvk.kind}`;
      if (!apiVersionKinds.has(id) || found.has(id)) continue;
      found.add(id);
      documents.push({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${gvk.kind}.${templateGroup(apiVersion)}`, annotations: { 'verify/openapi-definition': name } },
        spec: {
          group: templateGroup(apiVersion),
          names: { kind: gvk.kind },
          versions: [{ name: gvk.version, schema: { openAPIV3Schema: dereference(definitions, definition) } }],
        },
      });
    }
  }
  return { documents, missing: [...apiVersionKinds].filter((id) => !found.has(id)).sort() };
}

/**
 * Writes the schemas of the requested built-in kinds (from `openapi`) and of the CRDs into `dir`.
 * Built-in kinds the server does not serve get no schema: kubeconform then reports them as missing.
 */
export async function writeKubeconformSchemas(
  dir: string,
  openapi: OpenApiV2,
  builtInKinds: ReadonlySet<string>,
  crds: readonly Crd[],
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const { documents } = builtInSchemaDocuments(openapi, builtInKinds);
  const inputs = join(dir, '..', `${dir.split('/').pop()}-inputs`);
  mkdirSync(inputs, { recursive: true });
  const builtIn = join(inputs, 'built-in.json');
  const custom = join(inputs, 'crds.json');
  writeFileSync(builtIn, JSON.stringify(documents));
  writeFileSync(custom, JSON.stringify(crds.map((crd) => crd.document)));
  const options = {
    cwd: dir,
    env: { ...process.env, FILENAME_FORMAT: '{fullgroup}_{kind}_{version}', DENY_ROOT_ADDITIONAL_PROPERTIES: '1' },
    maxBuffer: 64 * 1024 * 1024,
  };
  await Promise.all(
    [builtIn, custom].map((file) =>
      run(join(TOOLS_DIR, 'venv', 'bin', 'python'), [DRIVER, join(TOOLS_DIR, 'share', 'kubeconform'), file], options),
    ),
  );
  return schemaLocation(dir);
}
