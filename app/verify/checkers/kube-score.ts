/**
 * kube-score over the environment's objects (Rollouts given as the Deployments they stand for, see
 * workspace.ts), for the targeted Kubernetes version. Its `kube-score/ignore` annotations are
 * switched off: the only way to excuse a finding is a waiver in the environment file.
 */
import type { Finding } from '../findings';
import { objectIdOf } from '../workspace';
import { parseJson, runTool } from './exec';
import type { Checker } from './types';

interface ScoredObject {
  readonly type_meta: { readonly kind: string; readonly apiVersion: string };
  readonly object_meta: { readonly name: string; readonly namespace?: string };
  readonly checks: readonly {
    readonly check: { readonly id: string; readonly name: string };
    readonly grade: number;
    readonly skipped: boolean;
    readonly comments: readonly { readonly path: string; readonly summary: string; readonly description: string }[] | null;
  }[];
}

/** kube-score grades: 1 critical, 5 warning, 7 almost OK, 10 OK. */
const GRADE_OK = 10;
const GRADE_CRITICAL = 1;

export const kubeScore: Checker = {
  tool: 'kube-score',
  version: (pinned) => pinned.kubeScore,
  async run({ workspace, kubernetesVersion }) {
    const minor = kubernetesVersion.split('.').slice(0, 2).join('.');
    const output = await runTool('kube-score', [
      'score',
      '--kubernetes-version',
      `v${minor}`,
      '--disable-ignore-checks-annotations',
      '--disable-optional-checks-annotations',
      '--output-format',
      'json',
      workspace.projectedFile,
    ]);
    const scored = parseJson<ScoredObject[] | null>('kube-score', output) ?? [];
    const findings: Finding[] = [];
    for (const object of scored) {
      const where = objectIdOf(workspace, object.type_meta.kind, object.object_meta.namespace, object.object_meta.name);
      for (const check of object.checks) {
        if (check.skipped || check.grade >= GRADE_OK) continue;
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
    return findings;
  },
};
