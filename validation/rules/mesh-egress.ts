/**
 * mesh/registered-egress: a NetworkPolicy names addresses, never hosts, so an egress rule to a public
 * range (Google's API range, a SaaS provider's, or any address) lets a pod reach every host behind it.
 * In a namespace whose pods carry Istio's sidecar, the sidecar can narrow that to the hosts the
 * namespace registers (ServiceEntry), but only when its outbound policy is REGISTRY_ONLY: Istio's
 * default is ALLOW_ANY, which passes traffic to any unknown destination through (Istio Sidecar
 * reference, outboundTrafficPolicy; meshConfig.outboundTrafficPolicy). So a NetworkPolicy with egress
 * to a public range, in an injected namespace, needs a namespace-wide Sidecar (no workloadSelector)
 * with outboundTrafficPolicy.mode REGISTRY_ONLY there.
 */
import type { Violation } from '../types';
import { asArray, asObj, asString, asStringMap, GK, type RuleFamily, show, violation } from './model';

export const REGISTERED_EGRESS = 'mesh/registered-egress';

const SIDECAR = 'networking.istio.io/Sidecar';

/** Ranges that are not the internet: private (RFC 1918), carrier-grade NAT, link-local (the metadata server), loopback. */
const NOT_PUBLIC: readonly [number, number][] = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['127.0.0.0', 8],
].map(([ip, bits]) => [toNumber(ip as string), bits as number]);

function toNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** Whether an IPv4 CIDR reaches any public address (IPv6 ranges count as public). */
export function reachesPublic(cidr: string): boolean {
  const [ip, bitsText] = cidr.split('/');
  if (ip === undefined || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return true;
  const bits = Number(bitsText ?? 32);
  const start = toNumber(ip);
  return !NOT_PUBLIC.some(([net, netBits]) => {
    if (bits < netBits) return false;
    const size = 2 ** (32 - netBits);
    return start >= net && start < net + size;
  });
}

export const meshEgressRules: RuleFamily = {
  ids: [REGISTERED_EGRESS],
  check(model, _ctx, out: Violation[]) {
    const injected = (namespace: string) =>
      asStringMap(asObj(model.get(GK.Namespace, '', namespace)?.obj.metadata)?.labels)['istio-injection'] === 'enabled';
    const registryOnly = (namespace: string) =>
      model
        .ofKind(SIDECAR)
        .some(
          (s) =>
            s.namespace === namespace &&
            asObj(asObj(s.obj.spec)?.workloadSelector) === undefined &&
            asString(asObj(asObj(s.obj.spec)?.outboundTrafficPolicy)?.mode) === 'REGISTRY_ONLY',
        );
    for (const entry of model.ofKind(GK.NetworkPolicy)) {
      if (!injected(entry.namespace) || registryOnly(entry.namespace)) continue;
      asArray(asObj(entry.obj.spec)?.egress).forEach((rule, i) => {
        asArray(asObj(rule)?.to).forEach((peer, j) => {
          const cidr = asString(asObj(asObj(peer)?.ipBlock)?.cidr);
          if (cidr === undefined || !reachesPublic(cidr)) return;
          out.push(
            violation(
              REGISTERED_EGRESS,
              entry,
              `spec.egress[${i}].to[${j}].ipBlock.cidr`,
              `lets pods of ${entry.namespace} reach ${show(cidr)}, every host there, and no Sidecar of ${entry.namespace} sets outboundTrafficPolicy.mode REGISTRY_ONLY: their sidecars pass any host through (Istio's default ALLOW_ANY); register the hosts they call (ServiceEntry) and set REGISTRY_ONLY namespace-wide`,
            ),
          );
        });
      });
    }
  },
};
