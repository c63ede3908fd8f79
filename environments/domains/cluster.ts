/** The Kubernetes cluster the environment runs in: its version, node labels and taints, API server and network. */
import { z } from 'zod';
import { cidr, port, quantity, strict } from './common';

export const cluster = strict({
  /**
   * The Kubernetes minor the cluster runs, e.g. 1.35: the API the output is validated against, the
   * Pod Security profile version, and what every add-on must support.
   */
  kubernetesVersion: z.string().regex(/^1\.\d{1,2}$/, 'must be a Kubernetes minor such as 1.35'),
  /** Node label whose value is the node pool name (GKE: cloud.google.com/gke-nodepool). */
  nodePoolLabel: z.string().min(1),
  /** Requests of the DaemonSets and system pods on every node (logging, CNI, kube-proxy, mesh CNI). */
  daemonSetOverhead: strict({ cpu: quantity, memory: quantity }),
  /** Taint that spot nodes carry, as key=value:Effect. */
  spotTaint: z.string().regex(/^[A-Za-z0-9./-]+=[A-Za-z0-9._-]*:(NoSchedule|PreferNoSchedule|NoExecute)$/, 'must be key=value:Effect'),
  /**
   * Where pods reach the Kubernetes API after the `kubernetes` Service's address translation (GKE: the
   * control plane's endpoint, on 443): operators' instance managers call it from the data namespace.
   */
  apiServer: strict({ cidrs: z.array(cidr).min(1), port }),
  /**
   * How the cluster's network is built, which decides the addresses its pods' egress to Google's services
   * is allowed to (lib/gke-network.ts): the dataplane that enforces NetworkPolicy (`dataplane-v2`, or
   * `calico` network policy), and the Private Google Access domain its private DNS zone for
   * googleapis.com answers with (`private`: private.googleapis.com, `restricted`: restricted.googleapis.com).
   */
  network: strict({
    dataplane: z.enum(['dataplane-v2', 'calico'], { error: () => 'must be one of: dataplane-v2, calico' }),
    googleApis: z.enum(['private', 'restricted'], { error: () => 'must be one of: private, restricted' }),
  }),
});
