/**
 * Where an in-cluster URL points: `http://prometheus-operated.monitoring.svc.cluster.local:9090`
 * names the `monitoring` namespace and port 9090. Network policies allow traffic by namespace and
 * port, so they derive both from the same URL the workloads are configured with.
 */
export interface ClusterAddress {
  readonly namespace: string;
  readonly port: number;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** The namespace and port of a cluster Service URL, or undefined for a URL outside the cluster. */
export function clusterAddress(url: string): ClusterAddress | undefined {
  const parsed = new URL(url);
  const match = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(parsed.hostname);
  if (!match) return undefined;
  const port = parsed.port === '' ? DEFAULT_PORTS[parsed.protocol] : Number(parsed.port);
  return port === undefined ? undefined : { namespace: match[1]!, port };
}
