/**
 * kubeconform -strict over every object (one file each, its document exactly as in dist/), against
 * the schemas of the targeted version and the pinned CRDs only: nothing is downloaded, and a kind
 * without a schema is an error (no -ignore-missing-schemas).
 */
import { manifestId } from '../../../lib/core/manifest';
import type { Finding } from '../findings';
import { parseJson, runTool } from './exec';
import type { Checker } from './types';

interface KubeconformResult {
  readonly filename: string;
  readonly kind: string;
  readonly name: string;
  readonly version: string;
  readonly status: string;
  readonly msg: string;
  readonly validationErrors?: readonly { readonly path: string; readonly msg: string }[];
}

/** `statusInvalid` → `invalid`. */
function ruleOf(status: string): string {
  return status.replace(/^status/, '').replace(/^./, (c) => c.toLowerCase());
}

export const kubeconform: Checker = {
  tool: 'kubeconform',
  version: (pinned) => pinned.kubeconform,
  async run({ workspace, kubernetesVersion, schemaLocation }) {
    const files = [...workspace.objectFiles.keys()];
    if (files.length === 0) return [];
    const output = await runTool('kubeconform', [
      '-strict',
      '-output',
      'json',
      '-kubernetes-version',
      kubernetesVersion,
      '-schema-location',
      schemaLocation,
      '-n',
      '4',
      ...files,
    ]);
    const { resources = [] } = parseJson<{ resources?: KubeconformResult[] }>('kubeconform', output);
    return resources
      .filter((r) => r.status !== 'statusValid' && r.status !== 'statusSkipped' && r.status !== 'statusEmpty')
      .map((r): Finding => {
        const source = workspace.objectFiles.get(r.filename);
        const details = (r.validationErrors ?? []).map((e) => `${e.path || '/'}: ${e.msg}`);
        return {
          environment: workspace.environment,
          tool: 'kubeconform',
          rule: ruleOf(r.status),
          severity: 'error',
          object: source ? manifestId(source.object) : `${r.kind}/${r.name}`,
          file: source?.file,
          message: details.length > 0 ? details.join('; ') : r.msg,
        };
      });
  },
};
