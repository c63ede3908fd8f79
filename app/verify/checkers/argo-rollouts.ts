/**
 * `kubectl-argo-rollouts lint` for every Rollout, in a file with the Services, VirtualService and
 * DestinationRule it names (what lint cross-checks: the Services exist and the VirtualService routes
 * and DestinationRule subsets it will manage are there).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { manifestId } from '../../../lib/core/manifest';
import type { Finding } from '../findings';
import type { SourcedManifest } from '../manifests';
import { runTool } from './exec';
import type { Checker } from './types';

interface RolloutStrategy {
  readonly blueGreen?: { readonly activeService?: string; readonly previewService?: string };
  readonly canary?: {
    readonly canaryService?: string;
    readonly stableService?: string;
    readonly trafficRouting?: {
      readonly istio?: {
        readonly virtualService?: { readonly name?: string };
        readonly virtualServices?: readonly { readonly name?: string }[];
        readonly destinationRule?: { readonly name?: string };
      };
    };
  };
}

/** `Kind/name` of everything a Rollout names (its namespace's objects), e.g. `Service/backend`. */
export function rolloutReferences(rollout: SourcedManifest): string[] {
  const strategy = ((rollout.object.spec as { strategy?: RolloutStrategy } | undefined)?.strategy ?? {}) as RolloutStrategy;
  const refs: string[] = [];
  const add = (kind: string, name: string | undefined) => name && refs.push(`${kind}/${name.split('.')[0]}`);
  add('Service', strategy.blueGreen?.activeService);
  add('Service', strategy.blueGreen?.previewService);
  add('Service', strategy.canary?.canaryService);
  add('Service', strategy.canary?.stableService);
  const istio = strategy.canary?.trafficRouting?.istio;
  add('VirtualService', istio?.virtualService?.name);
  for (const vs of istio?.virtualServices ?? []) add('VirtualService', vs.name);
  add('DestinationRule', istio?.destinationRule?.name);
  return refs;
}

export const argoRollouts: Checker = {
  tool: 'kubectl-argo-rollouts',
  version: (pinned) => pinned.argoRollouts,
  async run({ workspace }) {
    const objects = workspace.output.objects;
    const rollouts = objects.filter((o) => o.object.kind === 'Rollout' && String(o.object.apiVersion).startsWith('argoproj.io/'));
    const dir = join(workspace.dir, 'rollouts');
    mkdirSync(dir, { recursive: true });
    const results = await Promise.all(
      rollouts.map(async (rollout, index): Promise<Finding[]> => {
        const namespace = rollout.object.metadata.namespace;
        const wanted = new Set(rolloutReferences(rollout));
        const referenced = objects.filter(
          (o) => o.object.metadata?.namespace === namespace && wanted.has(`${o.object.kind}/${o.object.metadata.name}`),
        );
        const file = join(dir, `${index}-${rollout.object.metadata.name}.yaml`);
        writeFileSync(file, [rollout, ...referenced].map((o) => (o.text.startsWith('---') ? o.text : `---\n${o.text}`)).join(''));
        const output = await runTool('kubectl-argo-rollouts', ['lint', '--filename', file]);
        if (output.status === 0) return [];
        const found = new Set([...referenced].map((o) => `${o.object.kind}/${o.object.metadata.name}`));
        const missing = [...wanted].filter((ref) => !found.has(ref));
        const text = `${output.stderr}${output.stdout}`.trim().replace(/^Error: /, '');
        return [
          {
            environment: workspace.environment,
            tool: 'kubectl-argo-rollouts',
            rule: 'lint',
            severity: 'error',
            object: manifestId(rollout.object),
            file: rollout.file,
            message: missing.length > 0 ? `${text} (not in the output: ${missing.join(', ')})` : text,
          },
        ];
      }),
    );
    return results.flat();
  },
};
