/**
 * net/scrape-from: the Istio agent's status port (15020: the merged metrics Prometheus scrapes, and the
 * proxy's health) has no authentication and no mesh authorization in front of it; the NetworkPolicy is
 * its only guard. An ingress rule that opens it must name the pods that scrape (a podSelector with
 * labels), never every pod of a namespace or of the cluster.
 */
import { ISTIO_STATUS_PORT } from '../../lib/istio-metrics';
import type { Violation } from '../types';
import { asArray, asObj, GK, type RuleFamily, violation } from './model';

export const SCRAPE_FROM = 'net/scrape-from';

function opensPort(ports: readonly unknown[], port: number): boolean {
  // A rule without ports opens every port.
  if (ports.length === 0) return true;
  return ports.some((p) => {
    const o = asObj(p) ?? {};
    return o.port === undefined || o.port === port || o.port === String(port);
  });
}

function namesPods(peer: unknown): boolean {
  const selector = asObj(asObj(peer)?.podSelector);
  if (selector === undefined) return false;
  const labels = asObj(selector.matchLabels) ?? {};
  return Object.keys(labels).length > 0 || asArray(selector.matchExpressions).length > 0;
}

export const scrapePeerRules: RuleFamily = {
  ids: [SCRAPE_FROM],
  check(model, _ctx, out: Violation[]) {
    for (const policy of model.ofKind(GK.NetworkPolicy)) {
      asArray(asObj(policy.obj.spec)?.ingress).forEach((rule, i) => {
        const o = asObj(rule) ?? {};
        if (!opensPort(asArray(o.ports), ISTIO_STATUS_PORT)) return;
        const from = asArray(o.from);
        // Rules that name only IP blocks are left to other rules; `from` absent admits everyone.
        const broad =
          from.length === 0 ? [-1] : from.flatMap((peer, j) => (asObj(peer)?.ipBlock === undefined && !namesPods(peer) ? [j] : []));
        for (const j of broad) {
          out.push(
            violation(
              SCRAPE_FROM,
              policy,
              j < 0 ? `spec.ingress[${i}]` : `spec.ingress[${i}].from[${j}]`,
              `admits ${j < 0 ? 'every source' : 'every pod of the namespaces it selects'} to port ${ISTIO_STATUS_PORT} (the Istio agent's unauthenticated status and metrics port, guarded by nothing but this policy): name the Prometheus pods with a podSelector`,
            ),
          );
        }
      });
    }
  },
};
