/**
 * checkov's Kubernetes checks, offline: no platform calls (BC_SKIP_MAPPING), no package scan, no
 * download of external checks or guidelines. Rollouts are given as the Deployments they stand for
 * (workspace.ts), so their pod templates are checked too. Its summary counts the resources it parsed
 * and the files it could not: every object given must be counted, with no parsing error. It counts
 * the pod template of a Deployment, DaemonSet, Job, ReplicaSet or StatefulSet as a Pod resource of its
 * own (`Pod.<namespace>.<parent>.<labels>`; checkov/kubernetes/graph_builder/local_graph.py,
 * _extract_nested_resources_recursive, 3.3.30), which is reported as its parent.
 */
import { z } from 'zod';
import type { Manifest } from '../../../lib/core/manifest';
import type { Finding } from '../findings';
import type { Workspace } from '../workspace';
import { objectIdOf } from '../workspace';
import { excerpt, parseOutput, runTool, unexpectedStatus, unexpectedStderr } from './exec';
import type { Checker } from './types';

const Check = z.object({
  check_id: z.string(),
  check_name: z.string(),
  /** `Kind.namespace.name` */
  resource: z.string(),
});
const Summary = z.object({
  passed: z.number(),
  failed: z.number(),
  skipped: z.number(),
  parsing_errors: z.number(),
  resource_count: z.number(),
  checkov_version: z.string(),
});
const Report = z.object({
  check_type: z.literal('kubernetes'),
  results: z.object({
    passed_checks: z.array(Check),
    failed_checks: z.array(Check),
    skipped_checks: z.array(Check),
    parsing_errors: z.array(z.string()),
  }),
  summary: Summary,
});
/** One report per framework; only the kubernetes framework runs. A summary alone means it scanned nothing. */
const Output = z.union([Report, z.array(Report).length(1)]);

export const CHECKOV_OFFLINE_ENV = { BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false', LOG_LEVEL: 'WARNING' } as const;

/** The kinds whose pod template checkov splits off as a Pod (SUPPORTED_POD_CONTAINERS_TYPES, kubernetes_utils.py). */
const POD_PARENTS = new Set(['Deployment', 'DeploymentConfig', 'DaemonSet', 'Job', 'ReplicaSet', 'ReplicationController', 'StatefulSet']);

/** Whether checkov counts a nested Pod for this object (is_invalid_k8_pod_definition, kubernetes_utils.py). */
/**
 * Whether checkov drops the object before counting it: its parser refuses a document in which any
 * `name` field holds "#", "{" or "}" (checkov 3.3 kubernetes/parser/validatior.py, name_disallowed_chars),
 * which is every ApplicationSet, whose template names its Applications with Go templates. checkov has
 * no check for those kinds; the API server and kubeconform still check them.
 */
export function droppedByCheckov(value: unknown, key?: string): boolean {
  if (key === 'name' && typeof value === 'string') return /[#{}]/.test(value);
  if (Array.isArray(value)) return value.some((item) => droppedByCheckov(item));
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => droppedByCheckov(v, k));
  return false;
}

export function hasNestedPod(object: Manifest): boolean {
  if (!POD_PARENTS.has(object.kind)) return false;
  const template = (object.spec as { template?: { metadata?: unknown; spec?: unknown } } | undefined)?.template;
  const metadata = template?.metadata as { name?: unknown; labels?: unknown } | undefined;
  const spec = template?.spec;
  return (
    typeof metadata === 'object' &&
    metadata !== null &&
    (metadata.name !== undefined || metadata.labels !== undefined) &&
    typeof spec === 'object' &&
    spec !== null
  );
}

/** Finds the object of `Kind.namespace.name`, where a name may itself hold dots; a nested Pod resolves to its parent. */
function resolveResource(workspace: Workspace, resource: string, parents: readonly Manifest[]): { object: string; file?: string } {
  const [kind = '', ...rest] = resource.split('.');
  if (kind === 'Pod') {
    // The nested Pod is named by its template's own name when it has one, else `<parent>.<labels>`.
    const parent = parents.find((p) => {
      const own = (p.spec as { template?: { metadata?: { name?: unknown } } }).template?.metadata?.name;
      return typeof own === 'string'
        ? resource === `Pod.${p.metadata.namespace}.${own}`
        : resource.startsWith(`Pod.${p.metadata.namespace}.${p.metadata.name}.`);
    });
    if (parent) return objectIdOf(workspace, parent.kind, parent.metadata.namespace, parent.metadata.name);
  }
  for (let split = 1; split < rest.length; split++) {
    const namespace = rest.slice(0, split).join('.');
    const name = rest.slice(split).join('.');
    const found = workspace.find(kind, namespace, name) ?? (namespace === 'default' ? workspace.find(kind, undefined, name) : undefined);
    if (found) return objectIdOf(workspace, kind, found.object.metadata.namespace, name);
  }
  const [namespace, ...name] = rest;
  return rest.length > 1 ? objectIdOf(workspace, kind, namespace, name.join('.')) : objectIdOf(workspace, kind, undefined, rest.join('.'));
}

const CANARY_NAMESPACE = 'verify-canary-checkov';
const canaryLabels = { 'app.kubernetes.io/name': 'privileged' };

export const checkov: Checker = {
  tool: 'checkov',
  version: (pinned) => pinned.checkov,
  // A privileged container: CKV_K8S_16.
  canary: {
    breaks: 'a privileged container',
    rule: 'CKV_K8S_16',
    object: `Deployment/${CANARY_NAMESPACE}/privileged`,
    objects: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'privileged', namespace: CANARY_NAMESPACE, labels: canaryLabels },
        spec: {
          selector: { matchLabels: canaryLabels },
          template: {
            metadata: { labels: canaryLabels },
            spec: { containers: [{ name: 'app', image: 'registry.example.com/canary:1.0.0', securityContext: { privileged: true } }] },
          },
        },
      },
    ],
  },
  async run({ workspace, canary }) {
    const canaryFile = workspace.writeFile('checkov-canary.yaml', canary);
    const output = await runTool(
      'checkov',
      [
        '--framework',
        'kubernetes',
        '--file',
        workspace.projectedFile,
        '--file',
        canaryFile,
        '--output',
        'json',
        '--compact',
        '--skip-download',
      ],
      { cwd: workspace.dir, env: CHECKOV_OFFLINE_ENV },
    );
    const parsed = parseOutput('checkov', output, Output);
    const report = Array.isArray(parsed) ? parsed[0]! : parsed;
    const objects = [...workspace.projected, ...canary];
    const parents = objects.filter(hasNestedPod);
    const given = objects.map((o) => objectIdOf(workspace, o.kind, o.metadata.namespace, o.metadata.name).object);
    const dropped = objects.filter((o) => droppedByCheckov(o));
    const counted = objects.length - dropped.length + parents.filter((o) => !droppedByCheckov(o)).length;
    const { summary, results } = report;
    const findings = results.failed_checks.map(
      (check): Finding => ({
        environment: workspace.environment,
        tool: 'checkov',
        rule: check.check_id,
        severity: 'error',
        ...resolveResource(workspace, check.resource, parents),
        message: check.check_name,
      }),
    );
    const problems = [
      ...unexpectedStatus(
        'checkov',
        output,
        findings.length > 0 ? 1 : 0,
        findings.length > 0 ? 'it reported failed checks' : 'every check passed',
      ),
      ...unexpectedStderr('checkov', output),
      ...(summary.parsing_errors > 0 || results.parsing_errors.length > 0
        ? [`checkov could not parse ${summary.parsing_errors} file(s): ${excerpt(results.parsing_errors.join(', '))}`]
        : []),
      ...(summary.resource_count === counted
        ? []
        : [
            `checkov counted ${summary.resource_count} resources, but it was given ${objects.length} objects, ${parents.length} of them with a pod template it counts apart, ${dropped.length} with a templated name it drops (${counted})`,
          ]),
    ];
    const reported = [...results.passed_checks, ...results.failed_checks, ...results.skipped_checks].map(
      (check) => resolveResource(workspace, check.resource, parents).object,
    );
    return { findings, given, reported: [...new Set(reported)], problems, reportsOnlyChecked: true };
  },
};
