/**
 * ref/workload-selector — a controller's spec.selector must select its own pod template, or the API
 * rejects it (apps/v1) or, worse for Rollouts, the controller adopts nothing and never becomes ready.
 */
import type { Violation } from '../types';
import { GK, asObj, selectorMatches, show, violation, type RuleFamily } from './model';

export const WORKLOAD_SELECTOR = 'ref/workload-selector';

const SELECTOR_REQUIRED = new Set<string>([GK.Deployment, GK.StatefulSet, GK.DaemonSet, GK.ReplicaSet, GK.Rollout]);

export const workloadRules: RuleFamily = {
  ids: [WORKLOAD_SELECTOR],
  check(model, _ctx, out: Violation[]) {
    for (const w of model.workloads) {
      const required = SELECTOR_REQUIRED.has(w.entry.gk);
      // Jobs get a generated selector unless they opt into a manual one.
      if (!required && w.entry.gk !== GK.Job) continue;
      const selector = asObj(asObj(w.entry.obj.spec)?.selector);
      if (!selector) {
        if (required)
          out.push(
            violation(WORKLOAD_SELECTOR, w.entry, 'spec.selector', 'spec.selector is missing (must select the pod template labels)'),
          );
        continue;
      }
      if (selector.matchLabels === undefined && selector.matchExpressions === undefined) {
        out.push(
          violation(
            WORKLOAD_SELECTOR,
            w.entry,
            'spec.selector',
            'spec.selector is empty (it would select every pod in the namespace; select the pod template labels)',
          ),
        );
        continue;
      }
      if (selectorMatches(selector, w.pod.labels)) continue;
      out.push(
        violation(
          WORKLOAD_SELECTOR,
          w.entry,
          'spec.selector',
          `selector ${show(selector)} does not match the pod template labels ${show(w.pod.labels)}`,
        ),
      );
    }
  },
};
