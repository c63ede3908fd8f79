/**
 * Chaos Mesh's scheduled drills:
 * - chaos/drill-fires: no drill can be disabled by an empty selection. A Schedule with
 *   `concurrencyPolicy: Forbid` (Chaos Mesh's default when the field is absent) spawns no run while an
 *   earlier one is unfinished (controllers/schedule/cron/controller.go, v2.8.3). A one-shot chaos
 *   (PodChaos pod-kill or container-kill) whose selector matched nothing gets no records and never
 *   counts as finished (controllers/common/records/controller.go returns before writing any;
 *   controllers/utils/controller/finished.go: no records is not finished), and the history limit never
 *   collects an unfinished run: the Schedule stops for good the first time its pods are absent (workers
 *   scaled to zero, no replica Ready). A chaos with no `duration` never finishes either. Such a
 *   Schedule must allow concurrent runs.
 * - chaos/daemon-scope: Chaos Mesh's chaos-daemon runs privileged with the host's PID namespace and the
 *   container runtime's socket on every node its DaemonSet selects, user projects' and databases' nodes
 *   included. A pod kill needs only the controller (controllers/chaosimpl/podchaos/podkill/impl.go
 *   deletes the pod, v2.8.3): where every chaos is a pod kill, the chart's values must give the daemon a
 *   nodeSelector (chaosDaemon.nodeSelector) that keeps it off the nodes.
 */
import type { Violation } from '../types';
import { helmInstalls } from './addons';
import { asObj, asString, show, violation, type Model, type RuleFamily } from './model';

export const CHAOS_DRILL_FIRES = 'chaos/drill-fires';
export const CHAOS_DAEMON_SCOPE = 'chaos/daemon-scope';

/** Chaos Mesh's one-shot actions per chaos kind (api/v1alpha1/*_types.go `+chaos-mesh:oneshot`, v2.8.3) that select pods. */
const ONE_SHOT_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  PodChaos: ['pod-kill', 'container-kill'],
};

function checkSchedules(model: Model, out: Violation[]): void {
  for (const entry of model.ofKind('chaos-mesh.org/Schedule')) {
    const spec = asObj(entry.obj.spec) ?? {};
    const type = asString(spec.type) ?? '';
    if (type === 'Workflow') continue;
    const policy = asString(spec.concurrencyPolicy) ?? 'Forbid';
    if (policy !== 'Forbid') continue;
    const field = type.charAt(0).toLowerCase() + type.slice(1);
    const chaos = asObj(spec[field]) ?? {};
    const action = asString(chaos.action) ?? '';
    const oneShot = ONE_SHOT_ACTIONS[type]?.includes(action) ?? false;
    if (!oneShot && asString(chaos.duration) !== undefined) continue;
    const why = oneShot
      ? `a ${type} ${show(action)} run whose selector matches no pod gets no records and never finishes`
      : `a ${type} without a duration never finishes`;
    out.push(
      violation(
        CHAOS_DRILL_FIRES,
        entry,
        'spec.concurrencyPolicy',
        `concurrencyPolicy is ${spec.concurrencyPolicy === undefined ? 'Forbid (the default)' : 'Forbid'}, and ${why}: no run is spawned after it, so the drill stops for good; set concurrencyPolicy: Allow`,
      ),
    );
  }
}

/** The chaos actions of the set (Schedules' and standalone chaos objects'), as `Kind/action`. */
function chaosActions(model: Model): string[] {
  const actions: string[] = [];
  for (const entry of model.entries.filter((e) => e.gk.startsWith('chaos-mesh.org/'))) {
    const spec = asObj(entry.obj.spec) ?? {};
    if (entry.kind === 'Schedule') {
      const type = asString(spec.type) ?? '';
      const chaos = asObj(spec[type.charAt(0).toLowerCase() + type.slice(1)]) ?? {};
      actions.push(`${type}/${asString(chaos.action) ?? ''}`);
    } else {
      actions.push(`${entry.kind}/${asString(spec.action) ?? ''}`);
    }
  }
  return actions;
}

function checkDaemonScope(model: Model, out: Violation[]): void {
  const installs = helmInstalls(model).filter((i) => i.chart === 'chaos-mesh');
  if (installs.length === 0) return;
  const actions = chaosActions(model);
  if (actions.some((a) => a !== 'PodChaos/pod-kill')) return;
  for (const install of installs) {
    const selector = asObj(asObj(install.values.chaosDaemon)?.nodeSelector);
    if (selector !== undefined && Object.keys(selector).length > 0) continue;
    out.push(
      violation(
        CHAOS_DAEMON_SCOPE,
        install.entry,
        `${install.valuesPath}.chaosDaemon.nodeSelector`,
        `runs the privileged chaos-daemon (host PID, the container runtime's socket) on every node, but ${actions.length === 0 ? 'no chaos here needs it' : 'every chaos here is a pod kill, which the controller does alone'}: give chaosDaemon a nodeSelector that no node (or only the drilled nodes) carries`,
      ),
    );
  }
}

export const chaosRules: RuleFamily = {
  ids: [CHAOS_DRILL_FIRES, CHAOS_DAEMON_SCOPE],
  check(model, _ctx, out) {
    checkSchedules(model, out);
    checkDaemonScope(model, out);
  },
};
