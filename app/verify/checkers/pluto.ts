/**
 * pluto: API versions deprecated or removed in the targeted Kubernetes version, and in the pinned
 * Istio and cert-manager releases (its other components).
 *
 * pluto lists only objects whose API version is deprecated, and skips a file it cannot parse with a
 * log line at -v=2 (pkg/finder/finder.go, v5.22.7): on its own it cannot show what it read. So every
 * `apiVersion/kind` of the output that pluto's own list does not hold is added to its list
 * (`--additional-versions`) as deprecated in a component of verify's (`verify-coverage`) that nothing
 * else uses: pluto then names every such object it parsed, and those names are its coverage, never
 * findings. Its own entries cannot be overridden (it refuses duplicates), so its judgement stands.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { CHARTS } from '../../../lib/addons/chart-versions';
import type { Manifest } from '../../../lib/core/manifest';
import type { Finding } from '../findings';
import { objectIdOf } from '../workspace';
import { type ToolOutput, parseOutput, runTool, unexpectedStatus, unexpectedStderr } from './exec';
import type { Checker } from './types';

const Api = z.object({
  version: z.string(),
  kind: z.string(),
  'deprecated-in': z.string(),
  'removed-in': z.string(),
  'replacement-api': z.string(),
  component: z.string(),
});
const Item = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  filePath: z.string(),
  api: Api,
  deprecated: z.boolean(),
  removed: z.boolean(),
  replacementAvailable: z.boolean(),
});
/** `items` is left out when empty (omitempty); `target-versions` is always there. */
const Report = z.object({ items: z.array(Item).optional(), 'target-versions': z.record(z.string(), z.string()) });
const VersionList = z.object({ 'deprecated-versions': z.array(Api.extend({ 'replacement-available-in': z.string().optional() })) });

/** The component verify's coverage entries belong to. */
export const COVERAGE_COMPONENT = 'verify-coverage';

const v = (version: string) => (version.startsWith('v') ? version : `v${version}`);

export function plutoTargets(kubernetesVersion: string): string {
  return [`k8s=${v(kubernetesVersion)}`, `istio=${v(CHARTS.istiod.version)}`, `cert-manager=${v(CHARTS.certManager.version)}`].join(',');
}

let builtIn: Promise<ReadonlySet<string>> | undefined;

/** `apiVersion/kind` of every entry in pluto's own list (`pluto list-versions`). */
function plutoVersions(): Promise<ReadonlySet<string>> {
  builtIn ??= runTool('pluto', ['list-versions', '--output', 'json']).then((output: ToolOutput) => {
    const problems = [...unexpectedStatus('pluto list-versions', output, 0, 'the list printed'), ...unexpectedStderr('pluto', output)];
    if (problems.length > 0) throw new Error(problems.join('; '));
    const list = parseOutput('pluto list-versions', output, VersionList);
    return new Set(list['deprecated-versions'].map((entry) => `${entry.version}/${entry.kind}`));
  });
  return builtIn;
}

const typeOf = (object: Pick<Manifest, 'apiVersion' | 'kind'>) => `${object.apiVersion}/${object.kind}`;

const CANARY_NAMESPACE = 'verify-canary-pluto';

/** pluto's exit status for what it listed (GetReturnCode in pkg/api/output.go, v5.22.7). */
function expectedStatus(items: readonly z.infer<typeof Item>[]): number {
  if (items.some((item) => !item.replacementAvailable)) return 4;
  if (items.some((item) => item.removed)) return 3;
  if (items.some((item) => item.deprecated)) return 2;
  return 0;
}

export const pluto: Checker = {
  tool: 'pluto',
  version: (pinned) => pinned.pluto,
  // policy/v1beta1 PodDisruptionBudget: removed in Kubernetes 1.25.
  canary: {
    breaks: 'an API version Kubernetes removed (policy/v1beta1 PodDisruptionBudget)',
    rule: 'removed',
    object: `PodDisruptionBudget/${CANARY_NAMESPACE}/removed-api`,
    objects: [
      {
        apiVersion: 'policy/v1beta1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'removed-api', namespace: CANARY_NAMESPACE },
        spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'removed-api' } } },
      },
    ],
  },
  async run({ workspace, kubernetesVersion, canary }) {
    const known = await plutoVersions();
    const objects = [...workspace.output.objects.map((o) => o.object), ...canary];
    const marked = [...new Set(objects.map(typeOf).filter((type) => !known.has(type)))].sort();
    const coverageFile = join(workspace.dir, 'pluto-coverage.yaml');
    writeFileSync(
      coverageFile,
      stringify({
        'target-versions': { [COVERAGE_COMPONENT]: 'v1.0.0' },
        'deprecated-versions': marked.map((type) => ({
          version: type.slice(0, type.lastIndexOf('/')),
          kind: type.slice(type.lastIndexOf('/') + 1),
          'deprecated-in': 'v0.0.1',
          'removed-in': '',
          'replacement-api': '',
          'replacement-available-in': 'v0.0.1',
          component: COVERAGE_COMPONENT,
        })),
      }),
    );
    workspace.writeFile(join('files', '_verify-canary', 'pluto.yaml'), canary);
    const output = await runTool(
      'pluto',
      [
        'detect-files',
        '--directory',
        '.',
        '--output',
        'json',
        '--additional-versions',
        coverageFile,
        '--target-versions',
        plutoTargets(kubernetesVersion),
      ],
      { cwd: workspace.filesDir },
    );
    const items = parseOutput('pluto', output, Report).items ?? [];
    const idOf = (item: z.infer<typeof Item>) =>
      objectIdOf(workspace, item.api.kind, item.namespace && item.namespace !== 'UNKNOWN' ? item.namespace : undefined, item.name);
    const findings = items
      .filter((item) => item.api.component !== COVERAGE_COMPONENT && (item.deprecated || item.removed))
      .map((item): Finding => {
        const where = idOf(item);
        return {
          environment: workspace.environment,
          tool: 'pluto',
          rule: item.removed ? 'removed' : 'deprecated',
          severity: 'error',
          ...where,
          file: where.file ?? item.filePath.replace(/^\.\//, ''),
          message: `${item.api.version} ${item.api.kind} (${item.api.component}) ${item.removed ? `removed in ${item.api['removed-in']}` : `deprecated in ${item.api['deprecated-in']}`}; use ${item.api['replacement-api'] || 'no replacement'}`,
        };
      });
    const given = objects.filter((object) => !known.has(typeOf(object)) || canary.includes(object));
    return {
      findings,
      given: given.map((o) => objectIdOf(workspace, o.kind, o.metadata.namespace, o.metadata.name).object),
      reported: items.map((item) => idOf(item).object),
      problems: [...unexpectedStatus('pluto', output, expectedStatus(items), 'what it listed'), ...unexpectedStderr('pluto', output)],
    };
  },
};
