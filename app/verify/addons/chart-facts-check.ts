/**
 * lib/addons/chart-facts.ts against the rendered chart. The facts stay hand-written because synth and
 * the unit tests need them without the chart mirror (the catalog sets values by them, the Argo CD
 * project allows the cluster kinds, the GitOps objects ignore the drifting fields); here each one that
 * a render can show is compared with what the chart, rendered as it will run, says, so a wrong fact
 * fails verify:
 *
 * - `appVersion`: the mirror chart's Chart.yaml `appVersion` (an exact source; a substitute source
 *   tree carries a placeholder);
 * - `clusterKinds`: every cluster-scoped kind the install renders is listed (else the Argo CD project
 *   refuses it), and every listed kind is rendered by some install of the chart (chartFactsUnproven);
 * - `pods` of kind `job`: one per Job rendered with our values (a Job the facts miss gets no
 *   injection switch, and would never complete behind a sidecar), minus those `enabledBy` turns off;
 * - `injectionOff` / `injectionOffBuiltIn`: in a namespace that injects, no rendered Job carries a
 *   classic istio-proxy sidecar after the real injector ran (inject.ts);
 * - `drifting`: every kind a drifting field names is rendered by the install.
 *
 * What no render can show stays the fact's word alone: the supported Kubernetes range and the Gateway
 * API release (the projects' documents), `restrictedBy` and `level` (proven by admission: a pod short of
 * the namespace's level is refused there), and where the facts were read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_FACTS } from '../../../lib/addons/chart-facts';
import { type Manifest, manifestId } from '../../../lib/core/manifest';
import type { Finding } from '../findings';
import type { AddonInstall } from './installs';

const FACTS_FILE = 'lib/addons/chart-facts.ts';

const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
const kindKey = (k: { readonly group: string; readonly kind: string }) => `${k.group}/${k.kind}`;
const stripV = (version: string) => version.replace(/^v/, '');

function valueAt(values: unknown, path: readonly string[]): unknown {
  let node = values;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

interface PodSpecLike {
  readonly containers?: readonly { readonly name?: string }[];
  readonly initContainers?: readonly { readonly name?: string; readonly restartPolicy?: string }[];
}

/** A Job's pod with Istio's proxy as a classic container: the Job never completes. */
function hasClassicSidecar(job: Manifest): boolean {
  const pod = valueAt(job, ['spec', 'template', 'spec']) as PodSpecLike | undefined;
  return (pod?.containers ?? []).some((c) => c.name === 'istio-proxy');
}

/**
 * The chart's facts that its render with our values contradicts, as failing findings. `clusterScoped`
 * tells a cluster-scoped object by its apiVersion/kind; `injects`: the namespace injects sidecars.
 */
export function checkChartFacts(
  environment: string,
  install: AddonInstall,
  chartDir: string | undefined,
  objects: readonly Manifest[],
  clusterScoped: (object: Manifest) => boolean,
  injects: boolean,
): Finding[] {
  const facts = CHART_FACTS[install.chart];
  const at = { environment, tool: 'verify' as const, rule: 'addon-chart-fact', severity: 'error' as const, file: FACTS_FILE };
  // A chart without facts cannot come from the catalog (synth refuses it: charts/addons-catalog.ts withChartFacts).
  if (facts === undefined) return [];
  const findings: Finding[] = [];
  const fact = (message: string, object = install.object) =>
    findings.push({ ...at, object, message: `CHART_FACTS['${facts.chart}'] ${message}` });
  if (chartDir !== undefined) {
    const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion?: unknown };
    const appVersion = String(chart.appVersion ?? '');
    if (stripV(appVersion) !== stripV(facts.appVersion))
      fact(
        `appVersion is ${facts.appVersion}, but the chart's Chart.yaml says ${appVersion || 'nothing'} (${install.chart} ${install.version})`,
      );
  }
  const listed = new Set(facts.clusterKinds.map(kindKey));
  const unlisted = new Map<string, string>();
  for (const object of objects) {
    if (!clusterScoped(object)) continue;
    const key = kindKey({ group: group(object.apiVersion), kind: object.kind });
    if (!listed.has(key) && !unlisted.has(key)) unlisted.set(key, manifestId(object));
  }
  for (const [key, object] of unlisted)
    fact(
      `clusterKinds lacks ${key}, which the chart renders with our values (${object}): the Argo CD project of add-ons would refuse it`,
      object,
    );
  const jobs = objects.filter((o) => o.kind === 'Job');
  const jobFacts = facts.pods.filter(
    (p) => p.kind === 'job' && !(p.enabledBy !== undefined && valueAt(install.values, p.enabledBy) === false),
  );
  if (jobs.length !== jobFacts.length)
    fact(
      `pods list ${jobFacts.length} Job(s) (${jobFacts.map((p) => p.name).join(', ') || 'none'}), but the chart renders ${jobs.length} with our values (${jobs.map(manifestId).join(', ') || 'none'})`,
    );
  if (injects)
    for (const job of jobs.filter(hasClassicSidecar))
      fact(
        `has no injectionOff that keeps Istio's sidecar out of ${manifestId(job)}: the injector gave it istio-proxy as a classic container, so the Job never completes`,
        manifestId(job),
      );
  const kinds = new Set(objects.map((o) => kindKey({ group: group(o.apiVersion), kind: o.kind })));
  for (const field of facts.drifting)
    if (!kinds.has(kindKey(field)))
      fact(`drifting names ${kindKey(field)} (${field.jqPath}), but the chart renders no such object with our values`);
  return findings;
}

/**
 * Cluster kinds a chart creates that the mirror's source of it cannot render, each with the reason: an
 * entry no longer needed (the kind is rendered) is reported, so it goes when a better source arrives.
 */
export const UNRENDERED_CLUSTER_KINDS: readonly { readonly chart: string; readonly kind: string; readonly reason: string }[] = [
  {
    chart: 'external-secrets',
    kind: 'apiextensions.k8s.io/CustomResourceDefinition',
    reason:
      "the mirror holds the chart's source tree (helm-chart-2.8.0 deploy/charts/external-secrets), whose templates/crds/ is filled from deploy/crds/ only when the chart is packaged (its templates/crds/README.md); the released chart installs the CRDs with installCRDs: true",
  },
];

/**
 * Cluster kinds a chart's facts list that no install of the chart rendered, over every environment
 * verified (`rendered`: chart -> the cluster-scoped kinds its installs rendered), but those
 * UNRENDERED_CLUSTER_KINDS explains; an entry of it that a render now proves is reported too.
 */
export function chartFactsUnproven(
  rendered: ReadonlyMap<string, ReadonlySet<string>>,
  unrendered: typeof UNRENDERED_CLUSTER_KINDS = UNRENDERED_CLUSTER_KINDS,
): Finding[] {
  const explained = (chart: string, key: string) => unrendered.some((u) => u.chart === chart && u.kind === key);
  const stale = unrendered
    .filter((u) => rendered.get(u.chart)?.has(u.kind))
    .map(
      (u): Finding => ({
        environment: '*',
        tool: 'verify',
        rule: 'waiver-unused',
        severity: 'warning',
        object: `chart/${u.chart}`,
        file: 'app/verify/addons/chart-facts-check.ts',
        message: `UNRENDERED_CLUSTER_KINDS: ${u.chart} renders ${u.kind} now (remove the entry)`,
      }),
    );
  return [
    ...stale,
    ...[...rendered].flatMap(([chart, kinds]) =>
      (CHART_FACTS[chart]?.clusterKinds ?? [])
        .filter((k) => !kinds.has(kindKey(k)) && !explained(chart, kindKey(k)))
        .map(
          (k): Finding => ({
            environment: '*',
            tool: 'verify',
            rule: 'addon-chart-fact',
            severity: 'error',
            object: `chart/${chart}`,
            file: FACTS_FILE,
            message: `CHART_FACTS['${chart}'] clusterKinds lists ${kindKey(k)}, but no install of ${chart} in any verified environment renders one: remove it`,
          }),
        ),
    ),
  ];
}

/** `group/Kind` of an object, as clusterKinds lists it. */
export function clusterKindKey(object: Manifest): string {
  return kindKey({ group: group(object.apiVersion), kind: object.kind });
}
