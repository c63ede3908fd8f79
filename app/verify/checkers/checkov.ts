/**
 * checkov's Kubernetes checks, offline: no platform calls (BC_SKIP_MAPPING), no package scan, no
 * download of external checks or guidelines. Rollouts are given as the Deployments they stand for
 * (workspace.ts), so their pod templates are checked too.
 */
import type { Finding } from '../findings';
import type { Workspace } from '../workspace';
import { objectIdOf } from '../workspace';
import { parseJson, runTool } from './exec';
import type { Checker } from './types';

interface FailedCheck {
  readonly check_id: string;
  readonly check_name: string;
  /** `Kind.namespace.name` */
  readonly resource: string;
}

interface CheckovReport {
  readonly check_type?: string;
  readonly results?: { readonly failed_checks?: readonly FailedCheck[] };
}

export const CHECKOV_OFFLINE_ENV = { BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false', LOG_LEVEL: 'WARNING' } as const;

/** Finds the object of `Kind.namespace.name`, where a name may itself hold dots. */
function resolveResource(workspace: Workspace, resource: string): { object: string; file?: string } {
  const [kind = '', ...rest] = resource.split('.');
  for (let split = 1; split < rest.length; split++) {
    const namespace = rest.slice(0, split).join('.');
    const name = rest.slice(split).join('.');
    const found = workspace.find(kind, namespace, name) ?? (namespace === 'default' ? workspace.find(kind, undefined, name) : undefined);
    if (found) return objectIdOf(workspace, kind, found.object.metadata.namespace, name);
  }
  return objectIdOf(workspace, kind, undefined, rest.join('.'));
}

export const checkov: Checker = {
  tool: 'checkov',
  version: (pinned) => pinned.checkov,
  async run({ workspace }) {
    const output = await runTool(
      'checkov',
      ['--framework', 'kubernetes', '--file', workspace.projectedFile, '--output', 'json', '--quiet', '--compact', '--skip-download'],
      { cwd: workspace.dir, env: CHECKOV_OFFLINE_ENV },
    );
    const parsed = parseJson<CheckovReport | CheckovReport[]>('checkov', output);
    const reports = Array.isArray(parsed) ? parsed : [parsed];
    return reports.flatMap((report) =>
      (report.results?.failed_checks ?? []).map(
        (check): Finding => ({
          environment: workspace.environment,
          tool: 'checkov',
          rule: check.check_id,
          severity: 'error',
          ...resolveResource(workspace, check.resource),
          message: check.check_name,
        }),
      ),
    );
  },
};
