/**
 * istioctl analyze on the environment's files, offline (--use-kube=false), every namespace. Messages
 * at level Warning and Error are findings; Info messages are not printed (--output-threshold).
 */
import { join } from 'node:path';
import type { Finding } from '../findings';
import { objectIdOf } from '../workspace';
import { parseJson, runTool } from './exec';
import type { Checker } from './types';

interface AnalysisMessage {
  readonly code: string;
  readonly level: string;
  readonly message: string;
  /** `Kind namespace/name` or `Kind name`. */
  readonly origin: string;
  readonly reference?: string;
}

export function parseOrigin(origin: string): { kind: string; namespace?: string; name: string } {
  const [kind = '', ref = ''] = origin.split(' ');
  const slash = ref.indexOf('/');
  return slash < 0 ? { kind, name: ref } : { kind, namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

export const istioctl: Checker = {
  tool: 'istioctl',
  version: (pinned) => pinned.istioctl,
  async run({ workspace }) {
    const files = workspace.output.files.map((file) => join(workspace.filesDir, file));
    if (files.length === 0) return [];
    const output = await runTool('istioctl', [
      'analyze',
      '--use-kube=false',
      '--all-namespaces',
      '--output',
      'json',
      '--output-threshold',
      'Warning',
      ...files,
    ]);
    const messages = parseJson<AnalysisMessage[]>('istioctl', output);
    return messages.map((m): Finding => {
      const origin = parseOrigin(m.origin);
      return {
        environment: workspace.environment,
        tool: 'istioctl',
        rule: m.code,
        severity: m.level === 'Error' ? 'error' : 'warning',
        ...objectIdOf(workspace, origin.kind, origin.namespace, origin.name),
        message: m.message,
      };
    });
  },
};
