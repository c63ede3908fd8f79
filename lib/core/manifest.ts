/**
 * One Kubernetes object as plain data: what the charts render, what is written to dist/ and what the
 * validator, the plan, the diff and the GitOps objects read back.
 */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** `Kind/namespace/name`, or `Kind/name` for a cluster-scoped object: how findings and diffs name an object. */
export function manifestId(obj: Pick<Manifest, 'kind' | 'metadata'>): string {
  const namespace = obj.metadata?.namespace;
  const name = String(obj.metadata?.name ?? '');
  return namespace ? `${String(obj.kind)}/${namespace}/${name}` : `${String(obj.kind)}/${name}`;
}
