/**
 * - ref/autoscaler-target: each HPA scaleTargetRef (apiVersion/kind/name) and each KEDA ScaledObject
 *   scaleTargetRef (kind defaults to Deployment) names an object in the set.
 * - ref/single-autoscaler: no workload is driven by two autoscalers (HPA+HPA, HPA+ScaledObject);
 *   they would fight over the replica count.
 * - autoscale/no-pinned-replicas: an autoscaled workload omits spec.replicas, otherwise every GitOps
 *   sync resets the autoscaler's decision.
 */
import type { Violation } from '../types';
import { show, violation, asObj, type Autoscaler, type Model, type RuleFamily } from './model';

export const AUTOSCALER_TARGET = 'ref/autoscaler-target';
export const SINGLE_AUTOSCALER = 'ref/single-autoscaler';
export const NO_PINNED_REPLICAS = 'autoscale/no-pinned-replicas';

export const autoscalingRules: RuleFamily = {
  ids: [AUTOSCALER_TARGET, SINGLE_AUTOSCALER, NO_PINNED_REPLICAS],
  check(model, _ctx, out: Violation[]) {
    const firstByTarget = new Map<string, Autoscaler>();
    for (const a of model.autoscalers) {
      const target = model.get(a.targetGk, a.entry.namespace, a.targetName);
      if (!target) {
        out.push(
          violation(
            AUTOSCALER_TARGET,
            a.entry,
            'spec.scaleTargetRef',
            `scaleTargetRef ${describeTarget(a)} does not exist in namespace ${a.entry.namespace}`,
          ),
        );
        continue;
      }
      if (a.type === 'hpa' && target.obj.apiVersion !== a.targetApiVersion) {
        out.push(
          violation(
            AUTOSCALER_TARGET,
            a.entry,
            'spec.scaleTargetRef.apiVersion',
            `scaleTargetRef apiVersion ${show(a.targetApiVersion)} does not match ${target.id} (apiVersion ${show(target.obj.apiVersion)})`,
          ),
        );
      }
      const first = firstByTarget.get(target.id);
      if (first) {
        out.push(
          violation(
            SINGLE_AUTOSCALER,
            a.entry,
            'spec.scaleTargetRef',
            `${target.id} is already scaled by ${first.entry.id} (a workload must have exactly one autoscaler)`,
          ),
        );
        continue;
      }
      firstByTarget.set(target.id, a);
      checkPinned(model, a, out);
    }
  },
};

function checkPinned(model: Model, a: Autoscaler, out: Violation[]): void {
  const target = model.get(a.targetGk, a.entry.namespace, a.targetName);
  const replicas = asObj(target?.obj.spec)?.replicas;
  if (!target || replicas === undefined) return;
  out.push(
    violation(
      NO_PINNED_REPLICAS,
      target,
      'spec.replicas',
      `spec.replicas is ${show(replicas)} but ${a.entry.id} owns the replica count (omit spec.replicas on autoscaled workloads)`,
    ),
  );
}

function describeTarget(a: Autoscaler): string {
  const kind = a.targetGk.slice(a.targetGk.indexOf('/') + 1);
  return `${a.targetApiVersion || '(no apiVersion)'} ${kind || '(no kind)'}/${a.targetName || '(no name)'}`;
}
