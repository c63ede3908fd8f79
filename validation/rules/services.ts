/**
 * - ref/service-selector: a Service's selector matches the pod template of at least one workload in
 *   its namespace; otherwise it has no endpoints and every request fails.
 * - ref/service-target-port: every targetPort (number or name; defaults to port) is a container port
 *   of each workload the Service selects.
 * Services without a selector (manual Endpoints) and ExternalName Services are skipped.
 */
import type { Violation } from '../types';
import { GK, asArray, asObj, asStringMap, isObj, show, showLabels, violation, type RuleFamily } from './model';
import { podPorts, resolveTargetPort, showPorts } from './ports';

export const SERVICE_SELECTOR = 'ref/service-selector';
export const SERVICE_TARGET_PORT = 'ref/service-target-port';

export const serviceRules: RuleFamily = {
  ids: [SERVICE_SELECTOR, SERVICE_TARGET_PORT],
  check(model, _ctx, out: Violation[]) {
    for (const entry of model.ofKind(GK.Service)) {
      const spec = asObj(entry.obj.spec) ?? {};
      if (spec.type === 'ExternalName') continue;
      const selector = asStringMap(spec.selector);
      if (Object.keys(selector).length === 0) continue;
      const workloads = model.workloadsMatchingMap(entry.namespace, selector);
      if (workloads.length === 0) {
        out.push(
          violation(
            SERVICE_SELECTOR,
            entry,
            'spec.selector',
            `selector ${showLabels(selector)} matches no workload's pod template labels in namespace ${entry.namespace}`,
          ),
        );
        continue;
      }
      asArray(spec.ports).forEach((p, i) => {
        if (!isObj(p)) return;
        const target = p.targetPort ?? p.port;
        for (const w of workloads) {
          const ports = podPorts(w.pod);
          if (resolveTargetPort(ports, target)) continue;
          out.push(
            violation(
              SERVICE_TARGET_PORT,
              entry,
              `spec.ports[${i}].targetPort`,
              `targetPort ${show(target)} is not a container port of ${w.entry.id} (declared: ${showPorts(ports)})`,
            ),
          );
        }
      });
    }
  },
};
