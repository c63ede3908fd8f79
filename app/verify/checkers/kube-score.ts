/**
 * kube-score over the environment's objects (Rollouts given as the Deployments they stand for, see
 * workspace.ts), for the targeted Kubernetes version. Its `kube-score/ignore` annotations are
 * switched off: the only way to excuse a finding is a waiver. kube-score reads only the kinds its
 * parser decodes (parser/parse.go, decodeItem, v1.20.0) and scores every object of those kinds, so it
 * is given exactly those, and must list each of them in its scorecard.
 */
import { z } from 'zod';
import type { Manifest } from '../../../lib/core/manifest';
import type { Finding } from '../findings';
import { objectIdOf } from '../workspace';
import { parseOutput, runTool, unexpectedStatus, unexpectedStderr } from './exec';
import type { Checker } from './types';

const Scored = z.object({
  type_meta: z.object({ kind: z.string(), apiVersion: z.string() }),
  object_meta: z.object({ name: z.string(), namespace: z.string().optional() }),
  checks: z.array(
    z.object({
      check: z.object({ id: z.string(), name: z.string() }),
      grade: z.number(),
      skipped: z.boolean(),
      comments: z.array(z.object({ path: z.string(), summary: z.string(), description: z.string() })).nullable(),
    }),
  ),
});
/** kube-score prints `null` for an empty scorecard: it was given nothing it reads, which is itself a failure (coverage). */
const Scorecard = z.array(Scored).nullable();

/** The `apiVersion/Kind`s kube-score 1.20's parser decodes; any other object it skips without a word. */
export const KUBE_SCORE_KINDS: ReadonlySet<string> = new Set([
  'v1/Pod',
  'v1/Service',
  'batch/v1/Job',
  'batch/v1/CronJob',
  'batch/v1beta1/CronJob',
  'apps/v1/Deployment',
  'apps/v1beta1/Deployment',
  'apps/v1beta2/Deployment',
  'extensions/v1beta1/Deployment',
  'apps/v1/StatefulSet',
  'apps/v1beta1/StatefulSet',
  'apps/v1beta2/StatefulSet',
  'apps/v1/DaemonSet',
  'apps/v1beta2/DaemonSet',
  'extensions/v1beta1/DaemonSet',
  'networking.k8s.io/v1/NetworkPolicy',
  'policy/v1/PodDisruptionBudget',
  'policy/v1beta1/PodDisruptionBudget',
  'extensions/v1beta1/Ingress',
  'networking.k8s.io/v1beta1/Ingress',
  'networking.k8s.io/v1/Ingress',
  'autoscaling/v1/HorizontalPodAutoscaler',
  'autoscaling/v2beta1/HorizontalPodAutoscaler',
  'autoscaling/v2beta2/HorizontalPodAutoscaler',
  'autoscaling/v2/HorizontalPodAutoscaler',
]);

export const scoredByKubeScore = (object: Manifest) => KUBE_SCORE_KINDS.has(`${object.apiVersion}/${object.kind}`);

/** kube-score grades: 1 critical, 5 warning, 7 almost OK, 10 OK. */
const GRADE_OK = 10;
const GRADE_CRITICAL = 1;

const CANARY_NAMESPACE = 'verify-canary-kube-score';
const canaryLabels = { 'app.kubernetes.io/name': 'no-limits' };

export const kubeScore: Checker = {
  tool: 'kube-score',
  version: (pinned) => pinned.kubeScore,
  // A container without requests or limits: kube-score's container-resources, graded critical.
  canary: {
    breaks: 'a container with no resource requests or limits',
    rule: 'container-resources',
    object: `Deployment/${CANARY_NAMESPACE}/no-limits`,
    objects: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'no-limits', namespace: CANARY_NAMESPACE, labels: canaryLabels },
        spec: {
          replicas: 2,
          selector: { matchLabels: canaryLabels },
          template: {
            metadata: { labels: canaryLabels },
            spec: { containers: [{ name: 'app', image: 'registry.example.com/canary:1.0.0' }] },
          },
        },
      },
    ],
  },
  async run({ workspace, kubernetesVersion, canary }) {
    const minor = kubernetesVersion.split('.').slice(0, 2).join('.');
    const objects = workspace.projected.filter(scoredByKubeScore);
    const canaryObjects = canary.filter(scoredByKubeScore);
    const file = workspace.writeFile('kube-score.yaml', [...objects, ...canaryObjects]);
    const output = await runTool('kube-score', [
      'score',
      '--kubernetes-version',
      `v${minor}`,
      '--disable-ignore-checks-annotations',
      '--disable-optional-checks-annotations',
      '--output-format',
      'json',
      file,
    ]);
    const scored = parseOutput('kube-score', output, Scorecard) ?? [];
    const idOf = (kind: string, namespace: string | undefined, name: string) => objectIdOf(workspace, kind, namespace, name).object;
    const findings: Finding[] = [];
    let critical = false;
    for (const object of scored) {
      const where = objectIdOf(workspace, object.type_meta.kind, object.object_meta.namespace, object.object_meta.name);
      for (const check of object.checks) {
        if (check.skipped || check.grade >= GRADE_OK) continue;
        if (check.grade <= GRADE_CRITICAL) critical = true;
        const comments = (check.comments ?? []).map((c) =>
          [c.path, c.summary, c.description].filter((part) => part !== undefined && part !== '').join(': '),
        );
        findings.push({
          environment: workspace.environment,
          tool: 'kube-score',
          rule: check.check.id,
          severity: check.grade <= GRADE_CRITICAL ? 'error' : 'warning',
          ...where,
          message: `${check.check.name}: ${comments.join('; ') || `grade ${check.grade}`}`,
        });
      }
    }
    return {
      findings,
      given: [...objects, ...canaryObjects].map((o) => idOf(o.kind, o.metadata.namespace, o.metadata.name)),
      reported: scored.map((o) => idOf(o.type_meta.kind, o.object_meta.namespace, o.object_meta.name)),
      problems: [
        ...unexpectedStatus('kube-score', output, critical ? 1 : 0, critical ? 'it graded a check critical' : 'nothing critical'),
        ...unexpectedStderr('kube-score', output),
      ],
    };
  },
};
