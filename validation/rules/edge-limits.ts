/**
 * What the edge promises to clients and the cloud:
 * - edge/rate-limit: a RateLimitPolicy admits no more than the limit it states (`platform/requests-per-minute`,
 *   written from the environment's `ingress.rateLimitPerMinute`). NGINX's limit_req admits up to `rate`
 *   plus the undelayed part of `burst` in a minute (lib/rate-limit.ts), so `rate: 100r/m, burst: 100,
 *   nodelay` lets 200 through. A policy stating no limit, or a rate NGINX would not parse, cannot be
 *   shown to keep it: it fails.
 * - edge/load-balancer-class: the edge's load balancer is chosen, not defaulted. An NginxProxy (whose
 *   Service is a LoadBalancer unless it says otherwise) and a LoadBalancer Service name their
 *   `loadBalancerClass` (or carry GKE's `cloud.google.com/l4-rbs: enabled`); without either GKE builds a
 *   target-pool-based external passthrough Network Load Balancer, which it no longer recommends (GKE
 *   "LoadBalancer Service parameters": from 1.33.1-gke.1779000 `networking.gke.io/l4-regional-external`).
 */
import { STATED_LIMIT_ANNOTATION, mostPerMinute } from '../../lib/rate-limit';
import type { Violation } from '../types';
import { GK, asArray, asObj, asString, show, violation, type Model, type RuleFamily } from './model';

const asNumberish = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export const EDGE_RATE_LIMIT = 'edge/rate-limit';
export const EDGE_LOAD_BALANCER_CLASS = 'edge/load-balancer-class';

/** GKE's annotation for a backend service-based external passthrough Network Load Balancer. */
const GKE_RBS_ANNOTATION = 'cloud.google.com/l4-rbs';

function checkRateLimits(model: Model, out: Violation[]): void {
  for (const entry of model.ofKind('gateway.nginx.org/RateLimitPolicy')) {
    const stated = Number(asObj(asObj(entry.obj.metadata)?.annotations)?.[STATED_LIMIT_ANNOTATION]);
    if (!Number.isFinite(stated) || stated < 1) {
      out.push(
        violation(
          EDGE_RATE_LIMIT,
          entry,
          `metadata.annotations["${STATED_LIMIT_ANNOTATION}"]`,
          'states no limit in requests a minute: what its rules let through cannot be checked against one',
        ),
      );
      continue;
    }
    asArray(asObj(asObj(asObj(entry.obj.spec)?.rateLimit)?.local)?.rules).forEach((raw, i) => {
      const rule = asObj(raw) ?? {};
      const rate = asString(rule.rate) ?? '';
      const most = mostPerMinute({
        rate,
        burst: asNumberish(rule.burst),
        noDelay: rule.noDelay === true,
        delay: asNumberish(rule.delay),
      });
      const path = `spec.rateLimit.local.rules[${i}]`;
      if (most === undefined) {
        out.push(violation(EDGE_RATE_LIMIT, entry, `${path}.rate`, `rate ${show(rate)} is not NGINX's <n>r/s or <n>r/m`));
      } else if (most > stated) {
        out.push(
          violation(
            EDGE_RATE_LIMIT,
            entry,
            path,
            `rate ${rate} with burst ${rule.burst ?? 0}${rule.noDelay === true ? ' (nodelay)' : ''} admits up to ${most} requests a minute, more than the ${stated} it states: keep rate plus the undelayed burst within ${stated}`,
          ),
        );
      }
    });
  }
}

function checkLoadBalancerClass(model: Model, out: Violation[]): void {
  for (const entry of model.ofKind('gateway.nginx.org/NginxProxy')) {
    const service = asObj(asObj(asObj(entry.obj.spec)?.kubernetes)?.service) ?? {};
    if ((asString(service.type) ?? 'LoadBalancer') !== 'LoadBalancer' || asString(service.loadBalancerClass) !== undefined) continue;
    out.push(
      violation(
        EDGE_LOAD_BALANCER_CLASS,
        entry,
        'spec.kubernetes.service.loadBalancerClass',
        "the Gateway's LoadBalancer Service names no loadBalancerClass: the cloud builds its default (on GKE a target-pool-based Network Load Balancer); set the class the environment states",
      ),
    );
  }
  for (const entry of model.ofKind(GK.Service)) {
    const spec = asObj(entry.obj.spec) ?? {};
    if (asString(spec.type) !== 'LoadBalancer' || asString(spec.loadBalancerClass) !== undefined) continue;
    if (asObj(asObj(entry.obj.metadata)?.annotations)?.[GKE_RBS_ANNOTATION] === 'enabled') continue;
    out.push(
      violation(
        EDGE_LOAD_BALANCER_CLASS,
        entry,
        'spec.loadBalancerClass',
        `a LoadBalancer Service with neither a loadBalancerClass nor ${GKE_RBS_ANNOTATION}: "enabled": the cloud builds its default (on GKE a target-pool-based Network Load Balancer)`,
      ),
    );
  }
}

export const edgeLimitRules: RuleFamily = {
  ids: [EDGE_RATE_LIMIT, EDGE_LOAD_BALANCER_CLASS],
  check(model, _ctx, out) {
    checkRateLimits(model, out);
    checkLoadBalancerClass(model, out);
  },
};
