/**
 * The API calls the simulation makes beyond verify's client: lists, merge patches, the scale
 * subresource and the Eviction API.
 */
import type { KubeClient } from '../verify/kube-client';
import { statusMessage, toError } from '../verify/kube-client';

export interface PodView {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly nodeName: string | undefined;
  readonly phase: string;
  /** The Ready condition is True: what the disruption controller counts as healthy. */
  readonly ready: boolean;
  readonly deleting: boolean;
  /** The owner's kind (ReplicaSet, StatefulSet, DaemonSet, Job) or ''. */
  readonly ownerKind: string;
  readonly ownerName: string;
  /** The scheduler's message when it could not place the pod. */
  readonly unschedulable: string | undefined;
  readonly spec: Record<string, unknown>;
}

interface RawPod {
  metadata: {
    namespace: string;
    name: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  spec: Record<string, unknown> & { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export function podView(raw: RawPod): PodView {
  const owner = raw.metadata.ownerReferences?.find((o) => o.controller) ?? raw.metadata.ownerReferences?.[0];
  const scheduled = raw.status?.conditions?.find((c) => c.type === 'PodScheduled');
  return {
    namespace: raw.metadata.namespace,
    name: raw.metadata.name,
    labels: raw.metadata.labels ?? {},
    nodeName: raw.spec.nodeName,
    phase: raw.status?.phase ?? 'Pending',
    ready: raw.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    deleting: raw.metadata.deletionTimestamp !== undefined,
    ownerKind: owner?.kind ?? '',
    ownerName: owner?.name ?? '',
    unschedulable:
      scheduled?.status === 'False' && scheduled.reason === 'Unschedulable' ? (scheduled.message ?? 'Unschedulable') : undefined,
    spec: raw.spec,
  };
}

export async function listPods(client: KubeClient): Promise<PodView[]> {
  const list = (await client.get('/api/v1/pods?limit=5000')) as { items: RawPod[] };
  return list.items.map(podView);
}

export async function listItems<T = Record<string, unknown>>(client: KubeClient, path: string): Promise<T[]> {
  return ((await client.get(path)) as { items: T[] }).items;
}

export async function mergePatch(client: KubeClient, path: string, patch: unknown): Promise<void> {
  const res = await client.request('PATCH', path, patch, 'application/merge-patch+json');
  if (res.status !== 200) throw toError(res, `PATCH ${path}`);
}

export async function create(client: KubeClient, path: string, object: unknown): Promise<void> {
  const res = await client.request('POST', path, object);
  if (res.status !== 201 && res.status !== 200) throw toError(res, `POST ${path}`);
}

/** Sets replicas through the scale subresource of a workload (`<object path>/scale`). */
export async function scale(client: KubeClient, objectPath: string, replicas: number): Promise<void> {
  await mergePatch(client, `${objectPath}/scale`, { spec: { replicas } });
}

export type EvictionResult =
  | { readonly outcome: 'evicted' }
  | { readonly outcome: 'gone' }
  | { readonly outcome: 'refused'; readonly message: string; readonly status: number };

/** POST an Eviction (policy/v1): 201 evicted, 429 refused by a PDB, 404 already gone. */
export async function evict(client: KubeClient, namespace: string, name: string): Promise<EvictionResult> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/eviction`;
  const res = await client.request('POST', path, {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name, namespace },
  });
  if (res.status === 201 || res.status === 200) return { outcome: 'evicted' };
  if (res.status === 404) return { outcome: 'gone' };
  const causes = ((res.body as { details?: { causes?: { message?: string }[] } } | undefined)?.details?.causes ?? [])
    .map((c) => c.message)
    .filter((m): m is string => typeof m === 'string');
  return { outcome: 'refused', message: [statusMessage(res), ...causes].join(' '), status: res.status };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
