/** Registry of every rule family, in report order. */
import type { Manifest } from '../../lib/core/manifest';
import type { ValidationContext, Violation } from '../types';
import { addonRules } from './addons';
import { alertSourceRules } from './alert-sources';
import { apiLifecycleRules } from './api-lifecycle';
import { gatewayRules } from './gateway';
import { autoscalingRules } from './autoscaling';
import { chaosRules } from './chaos';
import { dataClientRules } from './data-clients';
import { dataLayerRules } from './data-layer';
import { edgeRouteRules } from './edge-routes';
import { rateLimitKeyRules } from './rate-limit-keys';
import { edgeLimitRules } from './edge-limits';
import { availabilityRules } from './availability';
import { gkeNetworkRules } from './gke-network';
import { imageRules } from './images';
import { inClusterPeerRules } from './in-cluster-peers';
import { ingressRules } from './ingress';
import { istioRules } from './istio';
import { istioValidationRules } from './istio-webhook';
import { labelRules } from './labels';
import { Model, type RuleFamily } from './model';
import { pdbRules } from './pdb';
import { platformWiringRules } from './platform-wiring';
import { probesRules } from './probes';
import { releaseGateRules } from './release-gates';
import { resourcesRules } from './resources';
import { rolloutRules } from './rollouts';
import { secretRefRules } from './secret-refs';
import { fluxIdentityRules } from './flux-identity';
import { gitopsSourceRules } from './gitops-sources';
import { argoCdProjectRules } from './argocd-projects';
import { workloadIdentityRules } from './workload-identity';
import { secretStoreScopeRules } from './secret-store-scope';
import { meshEgressRules } from './mesh-egress';
import { redisReleaseRules } from './redis-release';
import { sandboxRules } from './sandbox';
import { scrapePeerRules } from './scrape-peers';
import { publicMetricsRules } from './public-metrics';
import { defaultDenyRules } from './default-deny';
import { secretRules } from './secrets';
import { securityRules } from './security';
import { serviceAccountRules } from './service-account';
import { serviceRules } from './services';
import { workloadRules } from './workloads';

export const RULE_FAMILIES: readonly RuleFamily[] = [
  resourcesRules,
  probesRules,
  securityRules,
  serviceAccountRules,
  imageRules,
  labelRules,
  pdbRules,
  availabilityRules,
  secretRules,
  serviceRules,
  workloadRules,
  autoscalingRules,
  ingressRules,
  istioRules,
  istioValidationRules,
  rolloutRules,
  secretRefRules,
  releaseGateRules,
  platformWiringRules,
  addonRules,
  gatewayRules,
  apiLifecycleRules,
  dataLayerRules,
  chaosRules,
  edgeRouteRules,
  rateLimitKeyRules,
  edgeLimitRules,
  inClusterPeerRules,
  gkeNetworkRules,
  alertSourceRules,
  sandboxRules,
  scrapePeerRules,
  publicMetricsRules,
  defaultDenyRules,
  fluxIdentityRules,
  gitopsSourceRules,
  argoCdProjectRules,
  workloadIdentityRules,
  secretStoreScopeRules,
  meshEgressRules,
  redisReleaseRules,
  dataClientRules,
];

/** Every rule id the policy and reference rules can emit. */
export const RULE_IDS: readonly string[] = RULE_FAMILIES.flatMap((f) => f.ids);

/** Runs the policy and cross-object rules (no schema checks, no waivers). */
export function runRules(objects: readonly Manifest[], ctx: ValidationContext): Violation[] {
  const model = new Model(objects);
  const out: Violation[] = [];
  for (const family of RULE_FAMILIES) family.check(model, ctx, out);
  return out;
}
