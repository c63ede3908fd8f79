/**
 * Admission by a real API server: each namespace the output emits is created with the generator's
 * labels, every other namespace its objects land in is created with Pod Security `enforce` and
 * `warn` at `restricted`, then every object is server-side applied with dryRun=All and strict field
 * validation. The server runs its whole admission chain (schema and CEL rules of built-in types and
 * CRDs, Pod Security, immutable fields) and stores nothing. Every response's warnings are kept; a
 * warning counts as a failure (kubectl's --warnings-as-errors).
 */
import type { Manifest } from '../../lib/core/manifest';
import { manifestId } from '../../lib/core/manifest';
import type { Finding } from './findings';
import { type KubeClient, statusMessage, toError } from './kube-client';
import { groupOf, type SourcedManifest } from './manifests';
import { mapLimit } from '../map-limit';

/** Namespaces every cluster has; never created or relabelled. */
const BUILT_IN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** The labels a namespace the output only targets gets: Pod Security restricted, enforced and warned. */
export const RESTRICTED_LABELS: Readonly<Record<string, string>> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};

export interface AdmissionResult {
  readonly accepted: number;
  /** Rejections and warnings, as findings of the `apiserver` tool. */
  readonly findings: readonly Finding[];
  /** Namespaces created with the generator's labels, and the ones created as restricted. */
  readonly namespaces: { readonly emitted: readonly string[]; readonly targeted: readonly string[] };
}

export async function applyNamespace(client: KubeClient, name: string, labels: Readonly<Record<string, string>>): Promise<void> {
  const object = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
  // One field manager for every environment: applying the next environment's labels removes the
  // previous one's, so each environment sees exactly its own namespace labels.
  const res = await client.apply(`/api/v1/namespaces/${encodeURIComponent(name)}`, object, {
    dryRun: false,
    fieldManager: 'verify-namespaces',
  });
  if (res.status !== 200 && res.status !== 201) throw toError(res, `creating namespace ${name}`);
}

/** Creates the namespaces the environment emits (its labels) and the ones it only targets (restricted). */
export async function prepareNamespaces(
  client: KubeClient,
  environment: string,
  objects: readonly SourcedManifest[],
): Promise<{ emitted: string[]; targeted: string[]; findings: Finding[] }> {
  const served = await client.served();
  const emitted = new Map<string, SourcedManifest>();
  for (const item of objects)
    if (item.object.apiVersion === 'v1' && item.object.kind === 'Namespace') emitted.set(item.object.metadata.name, item);
  const targeted = new Set<string>();
  for (const { object } of objects) {
    const namespace = object.metadata?.namespace;
    const namespaced = served.get(`${object.apiVersion}/${object.kind}`)?.namespaced ?? true;
    if (namespace && namespaced && !emitted.has(namespace) && !BUILT_IN_NAMESPACES.has(namespace)) targeted.add(namespace);
  }
  const findings: Finding[] = [];
  for (const [name, item] of emitted) {
    const labels = item.object.metadata.labels ?? {};
    const missing = Object.keys(RESTRICTED_LABELS).filter((label) => labels[label] === undefined);
    if (missing.length > 0) {
      findings.push({
        environment,
        tool: 'verify',
        rule: 'namespace-pod-security',
        severity: 'error',
        object: manifestId(item.object),
        file: item.file,
        message: `namespace ${name} sets no ${missing.join(' and ')} label: Pod Security would ${missing.some((l) => l.endsWith('/warn')) ? 'say nothing about Deployments and other controllers' : 'enforce nothing'} here`,
      });
    }
    await applyNamespace(client, name, labels);
  }
  for (const name of targeted) await applyNamespace(client, name, RESTRICTED_LABELS);
  return { emitted: [...emitted.keys()].sort(), targeted: [...targeted].sort(), findings };
}

/** Why the server has no URL for an object: an API version it no longer serves, or a kind nobody defined. */
async function notServedMessage(client: KubeClient, object: Manifest, gitVersion: string): Promise<string> {
  const group = groupOf(object.apiVersion);
  const servedVersions = [...(await client.served()).keys()]
    .filter((key) => key.endsWith(`/${object.kind}`) && groupOf(key.slice(0, key.lastIndexOf('/'))) === group)
    .map((key) => key.slice(0, key.lastIndexOf('/')));
  return servedVersions.length > 0
    ? `Kubernetes ${gitVersion} does not serve ${object.apiVersion} ${object.kind} (it serves ${servedVersions.join(', ')})`
    : `Kubernetes ${gitVersion} does not serve ${object.apiVersion} ${object.kind}, and no CRD in the pinned sources (lib/core/crd-sources.ts) defines it`;
}

/** Server-side dry-run apply of every object; rejections and warnings become `apiserver` findings. */
export async function dryRunApply(
  client: KubeClient,
  environment: string,
  objects: readonly SourcedManifest[],
  gitVersion: string,
): Promise<{ accepted: number; findings: Finding[] }> {
  const outcomes = await mapLimit(objects, 8, async ({ object, file }): Promise<Finding[]> => {
    const id = manifestId(object);
    const base = { environment, tool: 'apiserver' as const, object: id, file };
    const path = await client.objectPath(object.apiVersion, object.kind, object.metadata?.name ?? '', object.metadata?.namespace);
    if (path === undefined) {
      return [{ ...base, rule: 'not-served', severity: 'error', message: await notServedMessage(client, object, gitVersion) }];
    }
    const res = await client.apply(path, object, { dryRun: true });
    const warnings = res.warnings.map((message): Finding => ({ ...base, rule: 'warning', severity: 'warning', message }));
    if (res.status === 200 || res.status === 201) return warnings;
    return [{ ...base, rule: 'rejected', severity: 'error', message: statusMessage(res) }, ...warnings];
  });
  return {
    accepted: outcomes.filter((findings) => !findings.some((f) => f.rule !== 'warning')).length,
    findings: outcomes.flat(),
  };
}
