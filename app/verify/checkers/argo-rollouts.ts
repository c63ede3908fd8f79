/**
 * `kubectl-argo-rollouts lint` for every Rollout, in a file with the Services, VirtualService and
 * DestinationRule it names (what lint cross-checks: the Services exist and the VirtualService routes
 * and DestinationRule subsets it will manage are there). One run per Rollout: exit 0 is clean, exit 1
 * with a message is a finding, anything else means lint did not judge it.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Manifest, manifestId } from '../../../lib/core/manifest';
import type { Finding } from '../findings';
import type { SourcedManifest } from '../manifests';
import { excerpt, runTool } from './exec';
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

const CANARY_NAMESPACE = 'verify-canary-kubectl-argo-rollouts';
const canaryLabels = { 'app.kubernetes.io/name': 'same-services' };
const canaryObjects: Manifest[] = [
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'same-services', namespace: CANARY_NAMESPACE },
    spec: {
      replicas: 2,
      selector: { matchLabels: canaryLabels },
      template: { metadata: { labels: canaryLabels }, spec: { containers: [{ name: 'app', image: 'registry.example.com/canary:1.0.0' }] } },
      strategy: { blueGreen: { activeService: 'same-services', previewService: 'same-services' } },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'same-services', namespace: CANARY_NAMESPACE },
    spec: { selector: canaryLabels, ports: [{ name: 'http', port: 80 }] },
  },
];

const isRollout = (object: Manifest) => object.kind === 'Rollout' && String(object.apiVersion).startsWith('argoproj.io/');

export const argoRollouts: Checker = {
  tool: 'kubectl-argo-rollouts',
  version: (pinned) => pinned.argoRollouts,
  // A blue-green Rollout whose preview Service is its active Service.
  canary: {
    breaks: 'a blue-green Rollout whose preview Service is its active Service',
    rule: 'lint',
    object: `Rollout/${CANARY_NAMESPACE}/same-services`,
    objects: canaryObjects,
  },
  async run({ workspace, canary }) {
    const objects: readonly SourcedManifest[] = [
      ...workspace.output.objects,
      ...canary.map((object) => ({ file: 'canary', bundle: '', object, text: `---\n${JSON.stringify(object)}\n` })),
    ];
    const rollouts = objects.filter((o) => isRollout(o.object));
    const dir = join(workspace.dir, 'rollouts');
    mkdirSync(dir, { recursive: true });
    const problems: string[] = [];
    const results = await Promise.all(
      rollouts.map(async (rollout, index): Promise<Finding[] | undefined> => {
        const namespace = rollout.object.metadata.namespace;
        const wanted = new Set(rolloutReferences(rollout));
        const referenced = objects.filter(
          (o) => o.object.metadata?.namespace === namespace && wanted.has(`${o.object.kind}/${o.object.metadata.name}`),
        );
        const file = join(dir, `${index}-${rollout.object.metadata.name}.yaml`);
        writeFileSync(file, [rollout, ...referenced].map((o) => (o.text.startsWith('---') ? o.text : `---\n${o.text}`)).join(''));
        const output = await runTool('kubectl-argo-rollouts', ['lint', '--filename', file]);
        if (output.status === 0) return [];
        const text = `${output.stderr}${output.stdout}`.trim().replace(/^Error: /, '');
        if (output.status !== 1 || text === '') {
          problems.push(
            `kubectl-argo-rollouts lint of ${manifestId(rollout.object)} exited ${output.status}, expected 0 (clean) or 1 with a message${text ? `: ${excerpt(text)}` : ''}`,
          );
          return undefined;
        }
        const found = new Set([...referenced].map((o) => `${o.object.kind}/${o.object.metadata.name}`));
        const missing = [...wanted].filter((ref) => !found.has(ref));
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
    const linted = rollouts.map((o) => manifestId(o.object));
    return {
      findings: results.flatMap((r) => r ?? []),
      given: linted,
      reported: linted.filter((_, index) => results[index] !== undefined),
      problems,
    };
  },
};
