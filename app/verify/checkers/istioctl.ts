/**
 * istioctl analyze on the environment's files, offline (--use-kube=false), every namespace. Messages
 * at level Warning and Error are findings; Info messages are not printed (--output-threshold).
 *
 * istioctl lists only what it found, and with JSON output it exits 0 even when a file could not be
 * parsed: it only writes "Error(s) adding files" to its error output (istioctl/pkg/analyze/analyze.go,
 * release-1.31). So its run is trusted only with an exit status of 0, nothing on its error output, and
 * its canary (a file in the same invocation) caught.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Finding } from '../findings';
import { objectIdOf } from '../workspace';
import { parseOutput, runTool, unexpectedStatus, unexpectedStderr } from './exec';
import type { Checker } from './types';

const Messages = z.array(
  z.object({
    code: z.string(),
    level: z.enum(['Error', 'Warning', 'Info']),
    message: z.string(),
    /** `Kind namespace/name` or `Kind name`. */
    origin: z.string(),
    reference: z.string().optional(),
  }),
);

export function parseOrigin(origin: string): { kind: string; namespace?: string; name: string } {
  const [kind = '', ref = ''] = origin.split(' ');
  const slash = ref.indexOf('/');
  return slash < 0 ? { kind, name: ref } : { kind, namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

const CANARY_NAMESPACE = 'verify-canary-istioctl';

export const istioctl: Checker = {
  tool: 'istioctl',
  version: (pinned) => pinned.istioctl,
  // A VirtualService bound to a Gateway that does not exist: IST0101 ReferencedResourceNotFound.
  canary: {
    breaks: 'a VirtualService bound to a Gateway that does not exist',
    rule: 'IST0101',
    object: `VirtualService/${CANARY_NAMESPACE}/missing-gateway`,
    objects: [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'missing-gateway', namespace: CANARY_NAMESPACE },
        spec: {
          hosts: ['canary.example.com'],
          gateways: ['no-such-gateway'],
          http: [{ route: [{ destination: { host: 'canary.example.com' } }] }],
        },
      },
    ],
  },
  async run({ workspace, canary }) {
    const files = workspace.output.files.map((file) => join(workspace.filesDir, file));
    const canaryFile = workspace.writeFile('istioctl-canary.yaml', canary);
    const output = await runTool('istioctl', [
      'analyze',
      '--use-kube=false',
      '--all-namespaces',
      '--output',
      'json',
      '--output-threshold',
      'Warning',
      ...files,
      canaryFile,
    ]);
    const messages = parseOutput('istioctl', output, Messages);
    const findings = messages.map((m): Finding => {
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
    return {
      findings,
      given: [...workspace.output.objects.map((o) => o.object), ...canary].map(
        (o) => objectIdOf(workspace, o.kind, o.metadata.namespace, o.metadata.name).object,
      ),
      problems: [...unexpectedStatus('istioctl', output, 0, 'JSON output'), ...unexpectedStderr('istioctl', output)],
    };
  },
};
