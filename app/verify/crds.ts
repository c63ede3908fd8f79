/**
 * The CustomResourceDefinitions the output uses, from the project's pinned CRD sources
 * (lib/core/crd-sources.ts: commit-pinned URLs, or the same files in the offline mirror that
 * `npm run import -- --mirror` reads), installed into the API server and waited on until Established.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CRD_SOURCES, type CrdSource, readCrdSource } from '../../lib/core/crd-sources';
import type { KubeClient } from './kube-client';
import { toError } from './kube-client';
import { groupOf, type SourcedManifest } from './manifests';
import { ROOT } from './tools';

export interface Crd {
  readonly group: string;
  readonly kind: string;
  /** metadata.name, `<plural>.<group>`. */
  readonly name: string;
  /** The source it came from, for the report. */
  readonly source: CrdSource;
  readonly document: Record<string, unknown>;
}

/** `--crd-mirror`, else ../shared/crds beside the checkout when it exists, else the pinned URLs. */
export function defaultCrdMirror(): string | undefined {
  const mirror = join(ROOT, '..', 'shared', 'crds');
  return existsSync(mirror) ? mirror : undefined;
}

interface CrdDocument {
  kind?: string;
  metadata?: { name?: string };
  spec?: { group?: string; names?: { kind?: string } };
}

/**
 * The CRDs for every `group/kind` in `wanted`, read once per source file. A kind with no pinned
 * source is returned in `unknown` (the API server will then refuse its objects as not served).
 */
export async function pinnedCrds(wanted: ReadonlySet<string>, mirrorDir: string | undefined): Promise<{ crds: Crd[]; unknown: string[] }> {
  const files = new Map<string, Promise<string>>();
  const crds: Crd[] = [];
  const unknown: string[] = [];
  for (const groupKind of [...wanted].sort()) {
    const [group, kind] = [groupKind.slice(0, groupKind.lastIndexOf('/')), groupKind.slice(groupKind.lastIndexOf('/') + 1)];
    let found: Crd | undefined;
    for (const source of CRD_SOURCES.filter((s) => s.kinds.includes(kind))) {
      const key = mirrorDir ? source.mirrorFile : source.url;
      if (!files.has(key)) files.set(key, readCrdSource(source, mirrorDir));
      const text = await files.get(key)!;
      for (const doc of parseAllDocuments(text)) {
        const crd = doc.toJS() as CrdDocument | null;
        if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.names?.kind !== kind || crd.spec.group !== group) continue;
        found = { group, kind, name: crd.metadata?.name ?? '', source, document: crd as Record<string, unknown> };
      }
      if (found) break;
    }
    if (found) crds.push(found);
    else unknown.push(groupKind);
  }
  return { crds, unknown };
}

/**
 * `group/kind` of every object whose apiVersion/kind the server does not serve before CRDs are
 * installed. A built-in kind at a version the server no longer serves lands here too; no pinned CRD
 * defines it, so it stays unserved and admission reports it.
 */
export async function customKinds(client: KubeClient, objects: readonly SourcedManifest[]): Promise<Set<string>> {
  const served = await client.served();
  const wanted = new Set<string>();
  for (const { object } of objects) {
    if (served.has(`${object.apiVersion}/${object.kind}`)) continue;
    const group = groupOf(String(object.apiVersion));
    wanted.add(`${group}/${object.kind}`);
  }
  return wanted;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the CRDs (server-side apply) and waits until every one is Established. */
export async function installCrds(client: KubeClient, crds: readonly Crd[], timeoutSeconds = 60): Promise<void> {
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  await Promise.all(
    crds.map(async (crd) => {
      const res = await client.apply(`${base}/${crd.name}`, crd.document, { dryRun: false });
      if (res.status !== 200 && res.status !== 201) throw toError(res, `installing CRD ${crd.name} (${crd.source.id})`);
    }),
  );
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (const crd of crds) {
    for (;;) {
      const current = (await client.get(`${base}/${crd.name}`)) as {
        status?: { conditions?: { type: string; status: string; message?: string }[] };
      };
      const conditions = current.status?.conditions ?? [];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) {
        throw new Error(`CRD ${crd.name} not Established after ${timeoutSeconds}s: ${JSON.stringify(conditions)}`);
      }
      await sleep(100);
    }
  }
  client.resetDiscovery();
}
