/**
 * Where a GKE cluster's pods reach Google's services, which NetworkPolicies must name by address
 * (they cannot name hosts). Both depend on how the cluster is built, so the environment states it
 * (`cluster.network`) and the egress is derived from it:
 * - the metadata server that hands out workload identity's tokens: pods call 169.254.169.254:80. With
 *   GKE Dataplane V2 (eBPF, Cilium) policy sees that address; with Calico network policy the node's
 *   iptables have redirected it to the GKE metadata server on 169.254.169.252:988 before policy
 *   applies (GKE "Workload Identity Federation for GKE": network policy restrictions);
 * - the Google APIs (Cloud Storage for the PostgreSQL archive): with Private Google Access and a
 *   private DNS zone answering *.googleapis.com with private.googleapis.com, 199.36.153.8/30; with
 *   restricted.googleapis.com (VPC Service Controls), 199.36.153.4/30. Without such a zone the APIs
 *   resolve to public addresses no policy here can list, so a zone is required.
 */

/** How the cluster enforces NetworkPolicy. */
export type Dataplane = 'dataplane-v2' | 'calico';
/** Which Private Google Access domain the cluster's DNS zone for googleapis.com points at. */
export type GoogleApisAccess = 'private' | 'restricted';

export const DATAPLANES: readonly Dataplane[] = ['dataplane-v2', 'calico'];
export const GOOGLE_APIS_ACCESS: readonly GoogleApisAccess[] = ['private', 'restricted'];

/** The metadata server as NetworkPolicy sees it on each dataplane. */
export const METADATA_SERVER: Readonly<Record<Dataplane, { readonly cidr: string; readonly port: number }>> = {
  'dataplane-v2': { cidr: '169.254.169.254/32', port: 80 },
  calico: { cidr: '169.254.169.252/32', port: 988 },
};

/** The address range of each Private Google Access domain (on 443). */
export const GOOGLE_APIS: Readonly<Record<GoogleApisAccess, { readonly domain: string; readonly cidr: string }>> = {
  private: { domain: 'private.googleapis.com', cidr: '199.36.153.8/30' },
  restricted: { domain: 'restricted.googleapis.com', cidr: '199.36.153.4/30' },
};
