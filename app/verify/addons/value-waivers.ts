/**
 * kube-score and checkov findings on an add-on that a value we set causes (attribution.ts), waived
 * for one object with the reason: `{ kind, namespace, name, rule: '<tool>/<check id>', reason }`,
 * matched by the same matcher as every other waiver (lib/core/waivers.ts), in every environment. A
 * waiver that matches no finding of any verified environment is reported (a failure in CI) when every
 * environment was verified.
 */
import type { Waiver } from '../../../lib/core/waivers';

/**
 * kube-score checks a Deployment's PodDisruptionBudget and host anti-affinity only from two replicas
 * up (score/disruptionbudget/disruptionbudget.go and score/apps/apps.go in kube-score v1.20.0), so the second controller replica we
 * run in production (charts/addons-catalog.ts controllerReplicas) is what makes these findings.
 */
const SECOND_REPLICA = 'our second production replica brings the check in (kube-score skips it below 2 replicas)';
const NO_ANTI_AFFINITY = `${SECOND_REPLICA}: the two replicas may share a node; no anti-affinity is set yet (open in issue 18's note)`;
const NO_PDB_VALUE = `${SECOND_REPLICA}: the chart at its pinned version has no PodDisruptionBudget value, and none is emitted beside it yet (open in issue 18's note)`;

const controller = (namespace: string, name: string, rule: string, reason: string): Waiver => ({
  kind: 'Deployment',
  namespace,
  name,
  rule,
  reason,
});

export const ADDON_VALUE_WAIVERS: readonly Waiver[] = [
  ...[
    ['cert-manager', 'cert-manager'],
    ['cert-manager', 'cert-manager-webhook'],
    ['external-secrets', 'external-secrets'],
    ['cnpg-system', 'cloudnative-pg'],
    ['redis-operator', 'redis-operator'],
    ['nginx-gateway', 'nginx-gateway-fabric'],
  ].map(([namespace, name]) => controller(namespace!, name!, 'kube-score/deployment-has-host-podantiaffinity', NO_ANTI_AFFINITY)),
  ...[
    ['cnpg-system', 'cloudnative-pg'],
    ['redis-operator', 'redis-operator'],
    ['nginx-gateway', 'nginx-gateway-fabric'],
  ].map(([namespace, name]) => controller(namespace!, name!, 'kube-score/deployment-has-poddisruptionbudget', NO_PDB_VALUE)),
  // charts/addons-catalog.ts sets redisOperator.imagePullPolicy IfNotPresent: the tag is the chart's pinned appVersion.
  ...['kube-score/container-image-pull-policy', 'checkov/CKV_K8S_15'].map((rule) =>
    controller(
      'redis-operator',
      'redis-operator',
      rule,
      'imagePullPolicy IfNotPresent is set on purpose: the image tag is the pinned chart appVersion, so pulling it on every start buys nothing',
    ),
  ),
  // serviceMonitor.enabled adds a metrics Service that selects the pods; kube-score asks probes and two
  // replicas of every pod a Service targets, though this one is Prometheus's scrape target only.
  controller(
    'external-secrets',
    'external-secrets',
    'kube-score/pod-probes',
    'the only Service selecting it is the metrics Service serviceMonitor.enabled adds (a scrape target, not traffic); the readiness probe the chart offers (readinessProbe.enabled) is not turned on yet',
  ),
  // Chaos Mesh runs where drills run (staging); its chart defaults to 3 controller replicas.
  controller(
    'chaos-mesh',
    'chaos-controller-manager',
    'kube-score/deployment-replicas',
    "one controller replica outside production by the catalog's choice (charts/addons-catalog.ts controllerReplicas), where the chart defaults to 3; Chaos Mesh runs only where drills run (staging), not in production",
  ),
  // Outside production the controller runs one replica (charts/addons-catalog.ts controllerReplicas).
  controller(
    'external-secrets',
    'external-secrets',
    'kube-score/deployment-replicas',
    'one replica outside production, by choice; the only Service selecting it is the metrics Service serviceMonitor.enabled adds (a scrape target, not traffic)',
  ),
  ...['kube-score/pod-probes', 'kube-score/deployment-replicas'].map((rule) =>
    controller(
      'external-secrets',
      'external-secrets-cert-controller',
      rule,
      'the only Service selecting it is the metrics Service serviceMonitor.enabled adds (a scrape target, not traffic): one replica with no liveness probe, as upstream ships it',
    ),
  ),
];
