/**
 * meta/recommended-labels — the app.kubernetes.io labels on every namespaced workload-ish object and
 * on its pod template, so dashboards, cost reports and `kubectl -l` queries can group everything an
 * application owns. version and component are optional.
 */
import type { Violation } from '../types';
import { asStringMap, violation, type Entry, type RuleFamily } from './model';

export const RECOMMENDED_LABELS = 'meta/recommended-labels';

export const REQUIRED_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
] as const;

/** Kinds an application owns; cluster plumbing (Namespaces, CRDs, RBAC) is out of scope. */
const LABELLED_KINDS = new Set([
  'Pod',
  'PodTemplate',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Rollout',
  'Service',
  'ServiceAccount',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'HorizontalPodAutoscaler',
  'ScaledObject',
  'ScaledJob',
  'PodDisruptionBudget',
  'Ingress',
  'NetworkPolicy',
  'VirtualService',
  'DestinationRule',
  'AnalysisTemplate',
]);

export const labelRules: RuleFamily = {
  ids: [RECOMMENDED_LABELS],
  check(model, _ctx, out: Violation[]) {
    for (const entry of model.entries) {
      if (LABELLED_KINDS.has(entry.kind)) checkLabels(entry, asStringMap(entry.obj.metadata.labels), 'metadata.labels', out);
    }
    for (const pod of model.pods) {
      // A Pod's template is the Pod itself, already checked above.
      if (pod.metaPath !== 'metadata') checkLabels(pod.entry, pod.labels, `${pod.metaPath}.labels`, out);
    }
  },
};

function checkLabels(entry: Entry, labels: Readonly<Record<string, string>>, path: string, out: Violation[]): void {
  const missing = REQUIRED_LABELS.filter((k) => !labels[k]);
  if (missing.length === 0) return;
  out.push(violation(RECOMMENDED_LABELS, entry, path, `missing ${missing.join(', ')} (required: ${REQUIRED_LABELS.join(', ')})`));
}
