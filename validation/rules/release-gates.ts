/**
 * Release gates that can see nothing must not pass:
 * - delivery/needs-data: a Prometheus measurement of an AnalysisTemplate succeeds only on data: its
 *   successCondition requires a result (`len(result) > 0`) that is a number (`!isNaN(result[0])`) and
 *   offers no escape (`||`) that passes on an empty result. Argo Rollouts evaluates the condition on the
 *   query's result as it is; `len(result) == 0 || ...` passes every measurement of an idle service.
 * - delivery/preview-traffic: a blue-green Rollout's pre-promotion analysis runs a Job (traffic or a
 *   smoke test against the preview): nothing else sends the preview requests, so a gate of metrics
 *   alone judges an empty preview.
 */
import type { Violation } from '../types';
import { GK, asArray, asObj, asString, isObj, show, violation, type Entry, type RuleFamily } from './model';

export const NEEDS_DATA = 'delivery/needs-data';
export const PREVIEW_TRAFFIC = 'delivery/preview-traffic';

const REQUIRES_RESULT = /len\(result\)\s*(>\s*0|>=\s*1)\s*&&/;
const REQUIRES_NUMBER = /!\s*isNaN\(result\[0\]\)\s*&&/;

function checkTemplate(entry: Entry, out: Violation[]): void {
  asArray(asObj(entry.obj.spec)?.metrics).forEach((metric, i) => {
    if (!isObj(metric) || asObj(asObj(metric.provider)?.prometheus) === undefined) return;
    const condition = asString(metric.successCondition);
    const path = `spec.metrics[${i}].successCondition`;
    if (condition === undefined) {
      out.push(violation(NEEDS_DATA, entry, path, `metric ${show(metric.name)} has no successCondition: any result, or none, would do`));
    } else if (condition.includes('||') || !REQUIRES_RESULT.test(condition) || !REQUIRES_NUMBER.test(condition)) {
      out.push(
        violation(
          NEEDS_DATA,
          entry,
          path,
          `metric ${show(metric.name)} can succeed without data (${show(condition)}): require it, e.g. len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.99, and no || escape`,
        ),
      );
    }
  });
}

function templatesOf(analysis: unknown): string[] {
  return asArray(asObj(analysis)?.templates)
    .map((t) => asString(asObj(t)?.templateName))
    .filter((name): name is string => name !== undefined);
}

function runsJob(template: Entry | undefined): boolean {
  return asArray(asObj(template?.obj.spec)?.metrics).some((m) => asObj(asObj(asObj(m)?.provider)?.job) !== undefined);
}

export const releaseGateRules: RuleFamily = {
  ids: [NEEDS_DATA, PREVIEW_TRAFFIC],
  check(model, _ctx, out) {
    for (const entry of [...model.ofKind(GK.AnalysisTemplate), ...model.ofKind(GK.ClusterAnalysisTemplate)]) checkTemplate(entry, out);
    for (const rollout of model.ofKind(GK.Rollout)) {
      const blueGreen = asObj(asObj(asObj(rollout.obj.spec)?.strategy)?.blueGreen);
      if (blueGreen === undefined) continue;
      const names = templatesOf(blueGreen.prePromotionAnalysis);
      const templates = names.map(
        (name) => model.get(GK.AnalysisTemplate, rollout.namespace, name) ?? model.get(GK.ClusterAnalysisTemplate, '', name),
      );
      if (!templates.some(runsJob)) {
        out.push(
          violation(
            PREVIEW_TRAFFIC,
            rollout,
            'spec.strategy.blueGreen.prePromotionAnalysis',
            `no pre-promotion analysis sends the preview traffic (templates: ${names.join(', ') || 'none'}): nothing else does, so its metrics would judge an idle preview; add a Job metric (smoke or load test) against the preview Service`,
          ),
        );
      }
    }
  },
};
