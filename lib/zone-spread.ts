/**
 * How a zone spread constraint (AVL-01) counts a zone's nodes. By default (`nodeTaintsPolicy: Ignore`) a
 * cordoned or unreachable node still makes its zone a domain of the constraint: while a zone is drained
 * or lost, its pods are gone but the zone still counts with none, so with `DoNotSchedule` and maxSkew 1
 * no replacement may go to the other zones beyond one more than the empty one, and the drain stops at
 * the first PodDisruptionBudget. `Honor` leaves out the nodes whose taints the pod does not tolerate
 * (a cordoned node carries `node.kubernetes.io/unschedulable:NoSchedule`), so the zones that are left
 * share the pods. Found by `npm run simulate` (a zone drained through the Eviction API); the field is
 * GA since Kubernetes 1.33 (NodeInclusionPolicyInPodTopologySpread, pkg/features/kube_features.go).
 */
export const ZONE_SPREAD_NODE_POLICY = { nodeTaintsPolicy: 'Honor' } as const;
