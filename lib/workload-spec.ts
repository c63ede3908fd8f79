import { PROGRESS_DEADLINE_SECONDS } from './defaults';

/** Old ReplicaSets kept for `rollout undo`. */
export const REVISION_HISTORY_LIMIT = 5;

/**
 * What a Deployment and an Argo Rollout of a service share: the pods they select, the revisions they
 * keep and how long a release may make no progress. One definition, so a Rollout never drifts from
 * the Deployment it replaces.
 */
export function workloadSpecBase(selector: Readonly<Record<string, string>>) {
  return {
    selector: { matchLabels: { ...selector } },
    revisionHistoryLimit: REVISION_HISTORY_LIMIT,
    progressDeadlineSeconds: PROGRESS_DEADLINE_SECONDS,
  };
}
