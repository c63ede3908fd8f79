/**
 * Readiness of custom resources that kstatus (Flux's generic health check) cannot judge. An Argo
 * Rollout reports its state in `status.phase`, not in a Ready condition.
 */
import type { KustomizationSpecHealthCheckExprs } from '../../imports/kustomize.toolkit.fluxcd.io';

/**
 * A Rollout is ready when Healthy, and also when Paused: a canary between steps or a blue-green
 * waiting for promotion is a release gate Argo Rollouts holds on purpose (prod promotes by hand), not
 * a failed sync. Degraded (aborted, analysis failed) fails the Kustomization.
 */
export const ROLLOUT_HEALTH: KustomizationSpecHealthCheckExprs = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  inProgress: "status.phase == 'Progressing'",
  failed: "status.phase == 'Degraded'",
  current: "status.phase in ['Healthy', 'Paused']",
};
