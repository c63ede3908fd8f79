/**
 * pluto: API versions deprecated or removed in the targeted Kubernetes version, and in the pinned
 * Istio and cert-manager releases (its other components).
 */
import { join } from 'node:path';
import { CHARTS } from '../../../lib/addons/chart-versions';
import type { Finding } from '../findings';
import { objectIdOf } from '../workspace';
import { parseJson, runTool } from './exec';
import type { Checker } from './types';

interface PlutoItem {
  readonly name: string;
  readonly namespace?: string;
  readonly filePath: string;
  readonly api: {
    readonly version: string;
    readonly kind: string;
    readonly 'deprecated-in': string;
    readonly 'removed-in': string;
    readonly 'replacement-api': string;
    readonly component: string;
  };
  readonly deprecated: boolean;
  readonly removed: boolean;
}

const v = (version: string) => (version.startsWith('v') ? version : `v${version}`);

export function plutoTargets(kubernetesVersion: string): string {
  return [`k8s=${v(kubernetesVersion)}`, `istio=${v(CHARTS.istiod.version)}`, `cert-manager=${v(CHARTS.certManager.version)}`].join(',');
}

export const pluto: Checker = {
  tool: 'pluto',
  version: (pinned) => pinned.pluto,
  async run({ workspace, kubernetesVersion }) {
    const output = await runTool(
      'pluto',
      ['detect-files', '--directory', '.', '--output', 'json', '--target-versions', plutoTargets(kubernetesVersion)],
      {
        cwd: workspace.filesDir,
      },
    );
    const { items = [] } = parseJson<{ items?: PlutoItem[] }>('pluto', output);
    return items
      .filter((item) => item.deprecated || item.removed)
      .map((item): Finding => {
        const where = objectIdOf(workspace, item.api.kind, item.namespace || undefined, item.name);
        const file = where.file ?? item.filePath.replace(`${join(workspace.filesDir)}/`, '');
        return {
          environment: workspace.environment,
          tool: 'pluto',
          rule: item.removed ? 'removed' : 'deprecated',
          severity: 'error',
          ...where,
          file,
          message: `${item.api.version} ${item.api.kind} (${item.api.component}) ${item.removed ? `removed in ${item.api['removed-in']}` : `deprecated in ${item.api['deprecated-in']}`}; use ${item.api['replacement-api'] || 'no replacement'}`,
        };
      });
  },
};
