/**
 * Guards the generated CRD bindings in imports/: a regeneration that drops a kind we declared in
 * lib/core/crd-sources.ts (upstream rename, wrong filter, one group file overwriting another) fails
 * here instead of at the first chart that needs it. Reads only files of this repository.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHART_FACTS, gatewayApiMinor } from '../lib/addons/chart-facts';
import { CHARTS, GATEWAY_API_CRDS } from '../lib/addons/chart-versions';
import { CRD_SOURCES } from '../lib/core/crd-sources';

const ROOT = path.resolve(__dirname, '..');
const IMPORTS_DIR = path.join(ROOT, 'imports');

interface GeneratedClass {
  readonly GVK: { readonly apiVersion: string; readonly kind: string };
}

/** Exported construct classes (those with a static GVK) of every generated module, by export name. */
async function loadGeneratedClasses(): Promise<Map<string, GeneratedClass>> {
  const classes = new Map<string, GeneratedClass>();
  const modules = readdirSync(IMPORTS_DIR)
    .filter((n) => n.endsWith('.ts'))
    .sort();
  for (const name of modules) {
    const mod = (await import(path.join(IMPORTS_DIR, name))) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(mod)) {
      const candidate = value as Partial<GeneratedClass> | null;
      if (typeof value === 'function' && candidate?.GVK) classes.set(exportName, candidate as GeneratedClass);
    }
  }
  return classes;
}

describe('generated CRD bindings (imports/)', () => {
  let classes: Map<string, GeneratedClass>;
  // Importing every binding takes seconds on a busy machine.
  beforeAll(async () => {
    classes = await loadGeneratedClasses();
  }, 60_000);

  const kinds = CRD_SOURCES.flatMap((src) => src.kinds.map((kind) => ({ id: src.id, kind })));
  it.each(kinds)('$id: exports a $kind construct', ({ kind }) => {
    // The unsuffixed class is cdk8s's binding for the CRD's first listed version; cdk8s writes
    // acronyms in the name as words (HTTPRoute is HttpRoute).
    const unsuffixed = [...classes].filter(([name, cls]) => cls.GVK.kind === kind && !/V\d+(Alpha\d+|Beta\d+)?$/.test(name));
    expect(
      unsuffixed.map(([name]) => name),
      `no exported class for ${kind} in imports/`,
    ).toHaveLength(1);
    expect(unsuffixed[0]![0].toLowerCase()).toBe(kind.toLowerCase());
  });
});

describe('CRD sources', () => {
  it('pins every URL to a full commit SHA on raw.githubusercontent.com', () => {
    for (const src of CRD_SOURCES) {
      expect(src.url).toMatch(new RegExp(`^https://raw\\.githubusercontent\\.com/${src.project}/[0-9a-f]{40}/`));
    }
  });

  it('has unique ids', () => {
    const ids = CRD_SOURCES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists the same URLs in cdk8s.yaml `imports:`', () => {
    const config = parse(readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')) as { imports?: string[] };
    const expected = [...new Set(CRD_SOURCES.map((s) => s.url))];
    expect(config.imports).toEqual(expected);
  });

  it('generates the Gateway API bindings from the release the CRDs are installed at, which the Gateway controller is built on', () => {
    const gatewayApi = CRD_SOURCES.filter((s) => s.project === 'kubernetes-sigs/gateway-api');
    expect(gatewayApi.length).toBeGreaterThan(0);
    for (const src of gatewayApi) expect(src.release, src.id).toBe(GATEWAY_API_CRDS.tag);
    const controller = CHART_FACTS[CHARTS.nginxGatewayFabric.chart]?.gatewayApi;
    expect(controller?.version).toBe('v1.5.1');
    expect(gatewayApiMinor(GATEWAY_API_CRDS.tag)).toBe(gatewayApiMinor(controller!.version));
  });
});
