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
 */
import type { Violation } from '../types';
import { asObj, asString, show, violation, type Model, type RuleFamily } from './model';

export const CHAOS_DRILL_FIRES = 'chaos/drill-fires';

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

export const chaosRules: RuleFamily = {
  ids: [CHAOS_DRILL_FIRES],
  check(model, _ctx, out) {
    checkSchedules(model, out);
  },
};
