/**
 * The cluster's network as the environment states it (`cluster.network`, lib/gke-network.ts):
 * - net/google-egress: egress to Google's services names the addresses this cluster's network uses.
 *   The metadata server (workload identity's tokens) is 169.254.169.254:80 under GKE Dataplane V2 and
 *   169.254.169.252:988 under Calico network policy, which sees it after the node's redirect; Cloud
 *   Storage and the other APIs are 199.36.153.8/30 behind private.googleapis.com and 199.36.153.4/30
 *   behind restricted.googleapis.com. A policy allowing the other dataplane's or domain's address lets
 *   nothing through (backups and token requests time out), and a policy naming any of them where the
 *   environment states no network cannot be checked: both fail.
 */
import { DATAPLANES, GOOGLE_APIS, GOOGLE_APIS_ACCESS, METADATA_SERVER } from '../../lib/gke-network';
import type { Violation } from '../types';
import { GK, asArray, asObj, asString, violation, type RuleFamily } from './model';

export const GOOGLE_EGRESS = 'net/google-egress';

export const gkeNetworkRules: RuleFamily = {
  ids: [GOOGLE_EGRESS],
  check(model, ctx, out: Violation[]) {
    const network = ctx.network;
    for (const entry of model.ofKind(GK.NetworkPolicy)) {
      asArray(asObj(entry.obj.spec)?.egress).forEach((raw, i) => {
        const rule = asObj(raw) ?? {};
        const ports = asArray(rule.ports).map((p) => asObj(p)?.port);
        asArray(rule.to).forEach((peer, j) => {
          const cidr = asString(asObj(asObj(peer)?.ipBlock)?.cidr);
          if (cidr === undefined) return;
          const path = `spec.egress[${i}].to[${j}].ipBlock.cidr`;
          const metadata = DATAPLANES.find((d) => METADATA_SERVER[d].cidr === cidr);
          const apis = GOOGLE_APIS_ACCESS.find((a) => GOOGLE_APIS[a].cidr === cidr);
          if (metadata === undefined && apis === undefined) return;
          if (network === undefined) {
            out.push(
              violation(
                GOOGLE_EGRESS,
                entry,
                path,
                `allows ${cidr}, an address of GKE's network, but the environment states no cluster.network: which dataplane and Private Google Access domain the cluster has cannot be checked`,
              ),
            );
            return;
          }
          if (metadata !== undefined) {
            const want = METADATA_SERVER[network.dataplane];
            if (metadata !== network.dataplane || !ports.every((p) => p === want.port)) {
              out.push(
                violation(
                  GOOGLE_EGRESS,
                  entry,
                  path,
                  `allows the metadata server as ${cidr} port ${ports.join(', ') || 'any'}, but under ${network.dataplane} policy sees it as ${want.cidr} port ${want.port}: workload identity's token requests would be dropped`,
                ),
              );
            }
          }
          if (apis !== undefined && apis !== network.googleApis) {
            const want = GOOGLE_APIS[network.googleApis];
            out.push(
              violation(
                GOOGLE_EGRESS,
                entry,
                path,
                `allows ${cidr} (${GOOGLE_APIS[apis].domain}), but the cluster's DNS zone answers googleapis.com with ${want.domain} (${want.cidr}): calls to Google's APIs would be dropped`,
              ),
            );
          }
        });
      });
    }
  },
};
