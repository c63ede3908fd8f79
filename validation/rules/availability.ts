/**
 * Production-only availability rules (ctx.production):
 * - pod/spread: replicated workloads spread over zones AND hosts, through topologySpreadConstraints
 *   or pod anti-affinity whose label selector actually selects the workload's own pods (a selector
 *   that matches nothing spreads nothing).
 * - hpa/min-replicas: HPAs keep at least 2 replicas, so one eviction never takes a service down.
 *   KEDA ScaledObjects are exempt: queue workers may legitimately scale to zero.
 */
import type { Violation } from '../types';
import { GK, REPLICATED_KINDS, asArray, asObj, isObj, selectorMatches, show, violation, type PodRef, type RuleFamily } from './model';

export const SPREAD = 'pod/spread';
export const HPA_MIN_REPLICAS = 'hpa/min-replicas';

export const SPREAD_KEYS = ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'] as const;
const MIN_HPA_REPLICAS = 2;

export const availabilityRules: RuleFamily = {
  ids: [SPREAD, HPA_MIN_REPLICAS],
  check(model, ctx, out: Violation[]) {
    if (!ctx.production) return;
    for (const pod of model.pods) {
      if (!REPLICATED_KINDS.has(pod.entry.gk)) continue;
      const covered = spreadKeys(pod);
      const missing = SPREAD_KEYS.filter((k) => !covered.has(k));
      if (missing.length === 0) continue;
      out.push(
        violation(
          SPREAD,
          pod.entry,
          `${pod.path}.topologySpreadConstraints`,
          `production pods must spread across ${SPREAD_KEYS.join(' and ')}; missing ${missing.join(', ')} (add topologySpreadConstraints or podAntiAffinity on that topologyKey whose labelSelector selects ${show(pod.labels)})`,
        ),
      );
    }
    for (const entry of model.ofKind(GK.HPA)) {
      const min = asObj(entry.obj.spec)?.minReplicas;
      const effective = typeof min === 'number' ? min : 1;
      if (effective >= MIN_HPA_REPLICAS) continue;
      out.push(
        violation(
          HPA_MIN_REPLICAS,
          entry,
          'spec.minReplicas',
          `minReplicas is ${min === undefined ? 'unset (default 1)' : show(min)} (production HPAs need minReplicas >= ${MIN_HPA_REPLICAS})`,
        ),
      );
    }
  },
};

/** Topology keys the pod is spread over by a constraint or an anti-affinity term selecting itself. */
function spreadKeys(pod: PodRef): Set<string> {
  const keys = new Set<string>();
  for (const c of asArray(pod.spec.topologySpreadConstraints)) {
    if (isObj(c) && typeof c.topologyKey === 'string' && selectorMatches(c.labelSelector, pod.labels)) keys.add(c.topologyKey);
  }
  const anti = asObj(asObj(pod.spec.affinity)?.podAntiAffinity);
  const terms = [
    ...asArray(anti?.requiredDuringSchedulingIgnoredDuringExecution),
    ...asArray(anti?.preferredDuringSchedulingIgnoredDuringExecution).map((p) => asObj(p)?.podAffinityTerm),
  ];
  for (const t of terms) {
    if (!isObj(t) || typeof t.topologyKey !== 'string') continue;
    if (!selectorMatches(t.labelSelector, pod.labels)) continue;
    // A term aimed at other namespaces does not spread this workload's own pods.
    const namespaces = asArray(t.namespaces);
    if (t.namespaceSelector === undefined && namespaces.length > 0 && !namespaces.includes(pod.entry.namespace)) continue;
    keys.add(t.topologyKey);
  }
  return keys;
}
