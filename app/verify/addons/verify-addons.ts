/**
 * Every add-on of every environment as it will run: the chart each HelmRelease or Application pins,
 * rendered from the offline mirror with Helm 4 as the GitOps tool would (installs.ts, render.ts),
 * sidecars injected by istioctl where the namespace injects (inject.ts), then proven on the API server
 * verify already runs for the environment's own objects:
 *
 * 1. the namespaces get the labels the environment gives them (its Namespace objects, or Argo CD's
 *    managedNamespaceMetadata); a namespace nothing creates is a finding (the install would fail);
 * 2. the charts' CRDs are created for real and Established, as Flux (install.crds) and Argo CD do
 *    before the objects that use them;
 * 3. every other rendered object is server-side applied with dryRun=All in its namespace (Pod Security
 *    as the namespace's labels say, strict field validation); rejections and warnings are findings;
 * 4. kubeconform (schemas of the server's built-in kinds and the charts' CRDs) and pluto: findings;
 *    kube-score and checkov: upstream's choices, counted in a section of their own, not failing.
 *
 * Findings that fail: a pin with no source in the mirror (unless chart-source-waivers.ts waives it),
 * what verify cannot reproduce of an install, a render that fails, any rejection, any warning but one
 * class: Pod Security's `warn: restricted` on a pod in a namespace whose enforced level is lower and
 * whose add-on states why (lib/addons/addon.ts `reason`); those are listed as declared, not failing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterAddons } from '../../../charts/addons-catalog';
import { type Environment, Tier } from '../../../environments/schema';
import { CHART_FACTS } from '../../../lib/addons/chart-facts';
import { type Manifest, manifestId } from '../../../lib/core/manifest';
import { dryRunApply } from '../admission';
import type { ApiServer } from '../apiserver';
import { CHECKERS } from '../checkers';
import type { Checker } from '../checkers/types';
import { assessRun, failedRun } from '../coverage';
import { type Crd, customKinds, installCrds, pinnedCrds } from '../crds';
import type { Finding } from '../findings';
import type { KubeClient } from '../kube-client';
import { toError, statusMessage } from '../kube-client';
import { readEnvironmentOutput, type EnvironmentOutput, type SourcedManifest } from '../manifests';
import { serverOpenApi, writeKubeconformSchemas } from '../schemas';
import { pinnedVersions, ROOT } from '../tools';
import { createWorkspace } from '../workspace';
import { type Waiver, unusedWaiverMessage, waiverObject } from '../../../lib/core/waivers';
import { attributeFindings, oursMessage, waiveOurs } from './attribution';
import { chartFactsUnproven, checkChartFacts, clusterKindKey } from './chart-facts-check';
import { CHART_SOURCE_WAIVERS } from './chart-source-waivers';
import { injectorConfig, injectSidecars, injectsSidecars } from './inject';
import { addonInstalls, type AddonInstall } from './installs';
import { chartSource, type ChartSource, type MirrorChart, mirrorCharts } from './mirror';
import { parseRendered, type RenderedObject, renderChart } from './render';
import { exceptOurs } from './value-exceptions';
import { ADDON_VALUE_WAIVERS } from './value-waivers';

/** Checkers whose findings on add-on objects fail verify, and those reported but not failing. */
const FAILING_CHECKERS = ['kubeconform', 'pluto'] as const;
const COUNTED_CHECKERS = ['kube-score', 'checkov'] as const;

export interface AddonVerdict {
  readonly environment: string;
  /** Release name (= the add-on's name). */
  readonly addon: string;
  /** The HelmRelease or Application. */
  readonly installedBy: string;
  readonly chart: string;
  readonly version: string;
  readonly namespace: string;
  /** exact / substitute / waived / missing, and the mirror folder rendered. */
  readonly source: string;
  readonly objects: number;
  readonly crds: number;
  /** Objects that make pods (Deployment, DaemonSet, StatefulSet, Job, CronJob, Pod). */
  readonly pods: number;
  /** Of those, admitted with no finding. */
  readonly podsAdmitted: number;
  /** Objects with a sidecar injected. */
  readonly injected: number;
  /** Failing findings. */
  readonly findings: readonly Finding[];
  /** Findings reported but not failing: kube-score, checkov, Pod Security warnings the namespace declares. */
  readonly counted: readonly Finding[];
  /**
   * kube-score's and checkov's findings by whose choice they are (attribution.ts): upstream's (the
   * chart's defaults have them too: counted), ours (caused by a value we set: failing) and ours but
   * waived (value-waivers.ts: counted). Undefined when the checkers did not run or the chart was not
   * rendered with both.
   */
  readonly attribution?: { readonly upstream: number; readonly ours: number; readonly oursWaived: number };
  /** The chart-source waiver that applied, if any. */
  readonly waiver?: string;
}

export interface AddonsReport {
  readonly mirror: string;
  readonly helm: string;
  readonly addons: readonly AddonVerdict[];
  /** Findings of no one add-on (an unused chart-source waiver, a checker that failed). */
  readonly findings: readonly Finding[];
  /** Renders read from the cache / run (each install twice: with our values and with the chart's defaults). */
  readonly renders: { readonly cached: number; readonly run: number };
  readonly seconds: number;
  /** Indexes of ADDON_VALUE_WAIVERS that excused a finding. @default - none */
  readonly valueWaiversUsed?: readonly number[];
  /** The cluster-scoped kinds (`group/Kind`) each chart's installs rendered. @default - none */
  readonly chartKinds?: Readonly<Record<string, readonly string[]>>;
}

/** The API server's limit on all annotations of an object together (apimachinery TotalAnnotationSizeLimitB). */
const LAST_APPLIED_LIMIT = 262_144;
const POD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController']);
const isCrd = (object: Manifest) => object.apiVersion === 'apiextensions.k8s.io/v1' && object.kind === 'CustomResourceDefinition';
const isPodSecurityWarning = (message: string) => /would violate PodSecurity/.test(message);

export interface Prepared {
  readonly install: AddonInstall;
  readonly source: ChartSource;
  objects: RenderedObject[];
  /**
   * The same chart rendered with its default values only (attribution.ts): undefined for an install
   * with no values of ours (a folder of manifests) or whose chart was not rendered.
   */
  defaults?: RenderedObject[];
  /** kube-score's and checkov's findings on the defaults render. */
  readonly upstream: Finding[];
  readonly findings: Finding[];
  readonly counted: Finding[];
  injected: number;
}

/** `group/version` and `group/version/Kind` of what the server serves, and of the given CRDs. */
function apiVersionsOf(served: Iterable<string>, crds: readonly Manifest[]): string[] {
  const out = new Set<string>();
  for (const key of served) {
    out.add(key);
    out.add(key.slice(0, key.lastIndexOf('/')));
  }
  for (const crd of crds) {
    const spec = (crd.spec ?? {}) as { group?: string; names?: { kind?: string }; versions?: { name?: string; served?: boolean }[] };
    for (const version of spec.versions ?? []) {
      if (version.served === false) continue;
      out.add(`${spec.group}/${version.name}`);
      out.add(`${spec.group}/${version.name}/${spec.names?.kind}`);
    }
  }
  return [...out].sort();
}

async function applyNamespace(client: KubeClient, name: string, labels: Readonly<Record<string, string>>): Promise<void> {
  const object = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
  // The same field manager as admission.ts: applying this environment's labels removes another's.
  const res = await client.apply(`/api/v1/namespaces/${encodeURIComponent(name)}`, object, {
    dryRun: false,
    fieldManager: 'verify-namespaces',
  });
  if (res.status !== 200 && res.status !== 201) throw toError(res, `creating namespace ${name}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface AppliedCrd {
  readonly hash: string;
  readonly findings: readonly Finding[];
}

/** Per API server: the CRDs this run applied, by name (content hash and what the server said). */
const appliedCrds = new WeakMap<KubeClient, Map<string, AppliedCrd>>();

/** Creates the charts' CRDs for real (as the GitOps tool does) and waits until each is Established. */
async function installChartCrds(
  client: KubeClient,
  environment: string,
  crds: readonly { readonly object: Manifest; readonly file: string }[],
): Promise<{ installed: Set<string>; findings: Finding[] }> {
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const findings: Finding[] = [];
  const installed = new Set<string>();
  const byName = new Map(crds.map((crd) => [crd.object.metadata.name, crd]));
  const applied = appliedCrds.get(client) ?? new Map<string, AppliedCrd>();
  appliedCrds.set(client, applied);
  await Promise.all(
    [...byName.values()].map(async ({ object, file }) => {
      const at = { environment, tool: 'apiserver' as const, object: manifestId(object), file };
      const hash = createHash('sha256').update(JSON.stringify(object)).digest('hex');
      const before = applied.get(object.metadata.name);
      // The same CRD as the last one this run applied under that name: the server holds it already.
      if (before?.hash === hash) {
        findings.push(...before.findings.map((f) => ({ ...f, ...at })));
        return;
      }
      const res = await client.apply(`${base}/${object.metadata.name}`, object, { dryRun: false, fieldManager: 'verify-addons' });
      const found: Finding[] = res.warnings.map((message) => ({ ...at, rule: 'warning', severity: 'warning', message }));
      if (res.status === 200 || res.status === 201) installed.add(object.metadata.name);
      else found.push({ ...at, rule: 'rejected', severity: 'error', message: statusMessage(res) });
      applied.set(object.metadata.name, { hash: res.status === 200 || res.status === 201 ? hash : '', findings: found });
      findings.push(...found);
    }),
  );
  const deadline = Date.now() + 60_000;
  for (const name of installed) {
    for (;;) {
      const current = (await client.get(`${base}/${name}`)) as { status?: { conditions?: { type: string; status: string }[] } };
      if ((current.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} (${byName.get(name)?.file}) not Established after 60s`);
      await sleep(100);
    }
  }
  if (installed.size === 0) return { installed, findings };
  // Established is not yet discovered: wait until discovery lists every served version of each kind.
  const wanted = [...installed].flatMap((name) => {
    const spec = (byName.get(name)!.object.spec ?? {}) as {
      group?: string;
      names?: { kind?: string };
      versions?: { name?: string; served?: boolean }[];
    };
    return (spec.versions ?? []).filter((v) => v.served !== false).map((v) => `${spec.group}/${v.name}/${spec.names?.kind}`);
  });
  for (;;) {
    client.resetDiscovery();
    const served = await client.served();
    const missing = wanted.filter((id) => !served.has(id));
    if (missing.length === 0) break;
    if (Date.now() > deadline) throw new Error(`CRDs Established but not in discovery after 60s: ${missing.join(', ')}`);
    await sleep(200);
  }
  return { installed, findings };
}

/**
 * Another project's manifests at a tag, from the CRD mirror's `<repository>-<tag>/` folder (every YAML
 * file in it, as SOURCES.md of the mirror lists them); a failing finding when the mirror has no such folder.
 */
/**
 * The CRD mirror's folder of a repository at a revision: `<name>-<revision>/`, or the folder its
 * SOURCES.md names for that commit or tag (`- owner/name @ <commit> tag <tag>: ... in <folder>/`).
 */
export function manifestsFolder(crdMirror: string, repositoryUrl: string, revisions: readonly string[]): string | undefined {
  const name =
    repositoryUrl
      .replace(/\.git$/, '')
      .split('/')
      .pop() ?? '';
  const direct = revisions.map((r) => `${name}-${r}`).find((folder) => existsSync(join(crdMirror, folder)));
  if (direct) return direct;
  const slug = repositoryUrl.replace(/^https?:\/\/github\.com\//, '').replace(/\.git$/, '');
  const sources = join(crdMirror, 'SOURCES.md');
  if (!existsSync(sources)) return undefined;
  for (const line of readFileSync(sources, 'utf8').split('\n')) {
    const match = /^- (\S+) @ ([0-9a-f]{40})(?: tag (\S+?))?:.* in ([\w.-]+)\/(?:\s|$)/.exec(line);
    if (!match || match[1] !== slug) continue;
    if (revisions.some((r) => r === match[2] || r === match[3]) && existsSync(join(crdMirror, match[4]!))) return match[4];
  }
  return undefined;
}

function readManifests(environment: string, install: AddonInstall, crdMirror: string | undefined): Prepared {
  const url = install.repository.split(' ')[0] ?? '';
  const found = crdMirror === undefined ? undefined : manifestsFolder(crdMirror, url, install.revisions ?? [install.version]);
  const folder = found ?? `${install.chart}-${install.version}`;
  const dir = crdMirror === undefined || found === undefined ? undefined : join(crdMirror, found);
  const base = { install, counted: [], upstream: [], injected: 0 };
  if (dir === undefined || !existsSync(dir)) {
    const finding: Finding = {
      environment,
      tool: 'verify',
      rule: 'addon-manifests-source',
      severity: 'error',
      object: install.object,
      file: install.file,
      message: `${install.repository} at ${(install.revisions ?? [install.version]).join(' / ')}: ${crdMirror === undefined ? 'no CRD mirror is read (--crd-mirror)' : `the CRD mirror has no folder ${folder} and its SOURCES.md names none for it`}, so what it installs cannot be checked`,
    };
    return { ...base, source: { status: 'missing', available: [] }, objects: [], findings: [finding] };
  }
  const objects = readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) =>
      parseRendered(readFileSync(join(dir, file), 'utf8')).map((o): RenderedObject => ({ ...o, source: `${folder}/${file}` })),
    );
  return { ...base, source: { status: 'manifests', folder }, objects, findings: [] };
}

function sourceLabel(source: ChartSource): string {
  switch (source.status) {
    case 'manifests':
      return `CRD mirror ${source.folder}`;
    case 'exact':
      return `mirror ${source.chart.folder}`;
    case 'substitute':
      return `substitute ${source.chart.folder} (waived)`;
    case 'waived':
      return 'not rendered (waived)';
    case 'missing':
      return 'not rendered: NO SOURCE';
  }
}

/**
 * Renders every install of one environment (two passes when the charts' own CRDs add API versions).
 * An install whose chart has no source in the mirror, or that verify cannot read, gets a failing finding.
 */
export async function renderInstalls(
  environment: string,
  installs: readonly AddonInstall[],
  charts: readonly MirrorChart[],
  served: readonly string[],
  kubeVersion: string,
  counts: { cached: number; run: number },
  crdMirror?: string,
): Promise<Prepared[]> {
  const helmVersion = pinnedVersions().helm;
  const prepared: Prepared[] = installs.map((install): Prepared => {
    if (install.type === 'manifests') return readManifests(environment, install, crdMirror);
    const source = chartSource(charts, install.chart, install.version);
    const at = { environment, tool: 'verify' as const, object: install.object, file: install.file };
    const findings: Finding[] = install.problems.map((message) => ({
      ...at,
      rule: 'addon-install-unreadable',
      severity: 'error',
      message,
    }));
    if (source.status === 'missing') {
      findings.push({
        ...at,
        rule: 'addon-chart-source',
        severity: 'error',
        message: `chart ${install.chart} ${install.version} has no source in the chart mirror (${source.available.length > 0 ? `it holds ${source.available.join(', ')}` : 'no version of it'}): pin a version whose source can be read, or waive it in app/verify/addons/chart-source-waivers.ts with the reason`,
      });
    }
    return { install, source, objects: [], findings, counted: [], upstream: [], injected: 0 };
  });
  const renderAll = async (apiVersions: readonly string[]) => {
    for (const item of prepared) {
      if (item.source.status !== 'exact' && item.source.status !== 'substitute') continue;
      const { install, source } = item;
      const released = source.status === 'substitute' ? [source.waiver.substitute!.values] : [];
      const request = {
        chartDir: source.chart.dir,
        releaseName: install.releaseName,
        namespace: install.namespace,
        kubeVersion,
        apiVersions,
        includeCrds: install.includeCrds,
        helmVersion,
      };
      try {
        const result = await renderChart({ ...request, values: [...released, install.values] });
        counts[result.cached ? 'cached' : 'run']++;
        item.objects = result.objects;
      } catch (error) {
        item.objects = [];
        item.findings.push({
          environment,
          tool: 'verify',
          rule: 'addon-render',
          severity: 'error',
          object: install.object,
          file: install.file,
          message: error instanceof Error ? error.message : String(error),
        });
      }
      // The chart with its defaults, to tell upstream's findings from those our values cause (attribution.ts).
      try {
        const defaults = await renderChart({ ...request, values: released });
        counts[defaults.cached ? 'cached' : 'run']++;
        item.defaults = defaults.objects;
      } catch (error) {
        item.defaults = undefined;
        item.findings.push({
          environment,
          tool: 'verify',
          rule: 'addon-render-defaults',
          severity: 'error',
          object: install.object,
          file: install.file,
          message: `with the chart's default values (to tell upstream's kube-score and checkov findings from ours): ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
  };
  const first = apiVersionsOf(served, []);
  await renderAll(first);
  // The cluster serves the charts' CRDs by the time each chart is installed (dependency order):
  // render again when they add API versions a template may ask .Capabilities about.
  const withCrds = apiVersionsOf(
    served,
    prepared.flatMap((p) => p.objects.map((o) => o.object).filter(isCrd)),
  );
  if (withCrds.length !== first.length) {
    for (const item of prepared)
      item.findings.splice(
        0,
        item.findings.length,
        ...item.findings.filter((f) => f.rule !== 'addon-render' && f.rule !== 'addon-render-defaults'),
      );
    await renderAll(withCrds);
  }
  return prepared;
}

/** Injects sidecars into the installs whose namespace injects, with the environment's own istiod. */
async function injectEnvironment(environment: string, prepared: readonly Prepared[]): Promise<void> {
  const all = prepared.flatMap((p) => p.objects);
  for (const item of prepared) {
    if (!injectsSidecars(item.install.namespaceLabels) || item.objects.length === 0) continue;
    const revision = item.install.namespaceLabels?.['istio.io/rev'] ?? '';
    const config = injectorConfig(all, revision);
    const at = { environment, tool: 'verify' as const, object: item.install.object, file: item.install.file };
    if (config === undefined) {
      item.findings.push({
        ...at,
        rule: 'addon-injector-missing',
        severity: 'error',
        message: `namespace ${item.install.namespace} injects Istio sidecars, but no rendered istiod in this environment has the injector ConfigMaps (istio-sidecar-injector${revision ? `-${revision}` : ''}, istio${revision ? `-${revision}` : ''}): its pods cannot be checked as they will run`,
      });
      continue;
    }
    try {
      const before = item.objects.map((o) => JSON.stringify(o.object));
      item.objects = await injectSidecars(item.objects, config);
      item.injected = item.objects.filter((o, index) => JSON.stringify(o.object) !== before[index]).length;
      // The namespace injects whatever the values: the defaults render gets the same sidecars.
      if (item.defaults !== undefined) item.defaults = await injectSidecars(item.defaults, config);
    } catch (error) {
      item.findings.push({
        ...at,
        rule: 'addon-inject',
        severity: 'error',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** Which namespaces declare a Pod Security level below restricted, and why (lib/addons/addon.ts). */
function declaredLevels(environment: Environment): Map<string, string> {
  const out = new Map<string, string>();
  for (const addon of clusterAddons(environment)) {
    if (addon.namespace.reason !== undefined) out.set(addon.namespace.name, addon.namespace.reason);
  }
  return out;
}

interface EnvironmentRun {
  readonly environment: Environment;
  readonly prepared: readonly Prepared[];
  /** Final objects as admitted, per release, for the checkers. */
  readonly admitted: Map<string, Manifest[]>;
  /** The defaults renders, injected and namespaced alike (not admitted), per release. */
  readonly defaults: Map<string, Manifest[]>;
}

async function admitEnvironment(
  server: ApiServer,
  environment: Environment,
  prepared: readonly Prepared[],
  crdMirror: string | undefined,
): Promise<{ admitted: Map<string, Manifest[]>; defaults: Map<string, Manifest[]> }> {
  const client = server.client;
  const name = environment.name;
  // 1. namespaces
  const labelled = new Map<string, Readonly<Record<string, string>>>();
  for (const { install } of prepared) if (install.namespaceLabels) labelled.set(install.namespace, install.namespaceLabels);
  for (const [namespace, labels] of labelled) await applyNamespace(client, namespace, labels);
  const existing = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', ...labelled.keys()]);
  for (const item of prepared) {
    if (existing.has(item.install.namespace)) continue;
    item.findings.push({
      environment: name,
      tool: 'verify',
      rule: 'addon-namespace-missing',
      severity: 'error',
      object: item.install.object,
      file: item.install.file,
      message: `namespace ${item.install.namespace} is neither emitted nor created by the install (Argo CD CreateNamespace with managedNamespaceMetadata): the install would fail; checked as restricted`,
    });
    await applyNamespace(client, item.install.namespace, {
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    existing.add(item.install.namespace);
  }
  // 2. CRDs, for real
  const fileOf = (item: Prepared, object: RenderedObject) => `${item.install.releaseName}: ${object.source || '?'}`;
  const crds = prepared.flatMap((item) =>
    item.objects.filter((o) => isCrd(o.object)).map((o) => ({ item, object: o.object, file: fileOf(item, o) })),
  );
  const crdResult = await installChartCrds(client, name, crds);
  for (const finding of crdResult.findings) crds.find((c) => c.file === finding.file)?.item.findings.push(finding);
  // Kinds no chart defines (Gateway API's, installed from its own release by a GitOps object): the
  // project's pinned CRD sources, as for the environment's own objects.
  const rest = prepared.flatMap((item) =>
    item.objects.filter((o) => !isCrd(o.object)).map((o): SourcedManifest => ({ file: '', bundle: 'addons', object: o.object, text: '' })),
  );
  const { crds: pinned } = await pinnedCrds(await customKinds(client, rest), crdMirror);
  if (pinned.length > 0) {
    await installCrds(client, pinned);
    // Not the charts' CRDs of those names any more.
    for (const crd of pinned) appliedCrds.get(client)?.delete(crd.name);
  }
  // 3. everything else, dry-run, in its namespace
  const served = await client.served();
  const admitted = new Map<string, Manifest[]>();
  const defaults = new Map<string, Manifest[]>();
  const declared = declaredLevels(environment);
  for (const item of prepared) {
    const inNamespace = (o: Manifest): Manifest => {
      const namespaced = served.get(`${o.apiVersion}/${o.kind}`)?.namespaced ?? true;
      return namespaced && o.metadata.namespace === undefined
        ? { ...o, metadata: { ...o.metadata, namespace: item.install.namespace } }
        : o;
    };
    const objects: SourcedManifest[] = item.objects.map((o) => ({
      file: fileOf(item, o),
      bundle: 'addons',
      object: inNamespace(o.object),
      text: o.text,
    }));
    if (item.defaults !== undefined)
      defaults.set(
        item.install.releaseName,
        item.defaults.map((o) => inNamespace(o.object)),
      );
    admitted.set(
      item.install.releaseName,
      objects.map((o) => o.object),
    );
    // Client-side apply keeps the whole object in an annotation, which the API server caps at 262144 bytes.
    for (const o of item.install.clientSideApply ? objects : []) {
      const bytes = Buffer.byteLength(JSON.stringify(o.object));
      if (bytes <= LAST_APPLIED_LIMIT) continue;
      item.findings.push({
        environment: name,
        tool: 'verify',
        rule: 'addon-client-side-apply-too-large',
        severity: 'error',
        object: manifestId(o.object),
        file: o.file,
        message: `${bytes} bytes as JSON: client-side apply's kubectl.kubernetes.io/last-applied-configuration annotation holds at most ${LAST_APPLIED_LIMIT}, so ${item.install.object} cannot apply it; sync with ServerSideApply=true`,
      });
    }
    const others = objects.filter((o) => !isCrd(o.object));
    const result = await dryRunApply(client, name, others, server.gitVersion);
    const labels = item.install.namespaceLabels ?? {};
    for (const finding of result.findings) {
      const reason = declared.get(item.install.namespace);
      const enforce = labels['pod-security.kubernetes.io/enforce'];
      if (finding.rule === 'warning' && isPodSecurityWarning(finding.message) && enforce !== 'restricted' && reason !== undefined) {
        item.counted.push({
          ...finding,
          rule: 'pod-security-declared',
          message: `${finding.message} (namespace ${item.install.namespace} enforces ${enforce}: ${reason})`,
        });
      } else item.findings.push(finding);
    }
  }
  return { admitted, defaults };
}

/** One rendering of one add-on, shared by every environment that renders it byte for byte alike. */
interface Variant {
  readonly release: string;
  /** The render with the chart's default values (attribution.ts): only kube-score and checkov check it. */
  readonly defaults: boolean;
  readonly objects: readonly Manifest[];
  readonly holders: { readonly environment: string; readonly item: Prepared }[];
}

const CHECK_CACHE = join(ROOT, '.cache', 'verify', 'addon-checks');

/**
 * kubeconform, pluto (failing) and kube-score, checkov (counted) over the rendered add-ons. Each
 * distinct rendering of an add-on is checked once, whichever environments share it: the renderings
 * are packed into layers (each rendering into the first layer where none of its objects' kind,
 * namespace and name is taken) and each layer is one run of each checker, with its canary. A run that proved itself (canary caught, coverage complete,
 * no problem) is kept in .cache/verify/addon-checks/ under a hash of the tool, its version and every
 * byte it was given, so a warm verify reads it back; a run with any doubt is never kept.
 */
async function checkEnvironments(
  server: ApiServer,
  runs: readonly EnvironmentRun[],
  work: string,
  kubernetesVersion: string,
): Promise<Finding[]> {
  const general: Finding[] = [];
  const variants = new Map<string, Variant>();
  for (const run of runs) {
    for (const item of run.prepared) {
      for (const defaults of [false, true]) {
        const objects = (defaults ? run.defaults : run.admitted).get(item.install.releaseName) ?? [];
        if (objects.length === 0) continue;
        // By content: the same manifests installed under another name (each environment's Gateway API
        // Kustomization) are one rendering.
        const key = createHash('sha256')
          .update(JSON.stringify([defaults, objects]))
          .digest('hex');
        const variant = variants.get(key) ?? { release: item.install.releaseName, defaults, objects, holders: [] };
        variant.holders.push({ environment: run.environment.name, item });
        variants.set(key, variant);
      }
    }
  }
  // A layer never holds two objects of one kind, namespace and name (nor two files of one name): the
  // checkers name objects so, and checkov counts such twins once. Defaults renders have layers of their own.
  const layers: { readonly variants: Variant[]; readonly ids: Set<string>; readonly defaults: boolean }[] = [];
  for (const variant of variants.values()) {
    const ids = [`file/${variant.release}`, ...variant.objects.map(manifestId)];
    let layer = layers.find((l) => l.defaults === variant.defaults && !ids.some((id) => l.ids.has(id)));
    if (layer === undefined) {
      layer = { variants: [], ids: new Set(), defaults: variant.defaults };
      layers.push(layer);
    }
    layer.variants.push(variant);
    for (const id of ids) layer.ids.add(id);
  }
  const crdObjects = new Map<string, Manifest>();
  for (const variant of variants.values())
    for (const o of variant.defaults ? [] : variant.objects) if (isCrd(o)) crdObjects.set(o.metadata.name, o);
  const crds: Crd[] = [...crdObjects.values()].map((document) => {
    const spec = (document.spec ?? {}) as { group?: string; names?: { kind?: string } };
    return {
      group: spec.group ?? '',
      kind: spec.names?.kind ?? '',
      name: document.metadata.name,
      source: { id: 'addon-charts', project: 'add-on charts', release: 'rendered', url: '', mirrorFile: '', kinds: [] },
      document: document as unknown as Record<string, unknown>,
    } as Crd;
  });
  const schemaKey = createHash('sha256')
    .update(JSON.stringify([server.gitVersion, [...crdObjects.values()]]))
    .digest('hex');
  let schemas: Promise<string> | undefined;
  const schemaLocation = (): Promise<string> => {
    schemas ??= (async () => {
      const served = await server.client.served();
      const builtIn = new Set<string>();
      for (const variant of variants.values())
        for (const o of variant.defaults ? [] : variant.objects) {
          const id = `${o.apiVersion}/${o.kind}`;
          if (served.has(id) && !crds.some((crd) => o.apiVersion.startsWith(`${crd.group}/`) && crd.kind === o.kind)) builtIn.add(id);
        }
      return writeKubeconformSchemas(join(work, 'addon-schemas'), await serverOpenApi(server.client), builtIn, crds);
    })();
    return schemas;
  };
  const checkers = [...FAILING_CHECKERS, ...COUNTED_CHECKERS].map((tool) => {
    const checker = CHECKERS.find((c) => c.tool === tool);
    if (checker === undefined) throw new Error(`verify has no ${tool} checker`);
    return checker;
  });
  await Promise.all(
    layers.map(async ({ variants: layer, defaults }, index) => {
      const label = `add-ons ${defaults ? 'defaults ' : ''}${index + 1}`;
      const environments = [...new Set(layer.flatMap((v) => v.holders.map((h) => h.environment)))].join(', ');
      // All objects for kubeconform and pluto. kube-score and checkov get no CRDs (neither checks one,
      // and checkov skips, without a word, a file over CHECKOV_MAX_FILE_SIZE, 5 MB, which the CRDs pass)
      // and no object holding `{{` (istiod's injection template: checkov takes the whole file for an
      // unrendered Helm template and reads none of it). Both are ConfigMaps or CRDs, which they do not check.
      const sets = new Map(
        (defaults ? (['workloads'] as const) : (['all', 'workloads'] as const)).map((set) => {
          const root = join(work, `addon-output-${set}`);
          const dir = join(root, label);
          mkdirSync(dir, { recursive: true });
          const texts: string[] = [];
          for (const variant of layer) {
            const given = set === 'all' ? variant.objects : variant.objects.filter((o) => !isCrd(o) && !JSON.stringify(o).includes('{{'));
            const text = given.map((o) => `---\n${JSON.stringify(withoutNulls(o))}\n`).join('');
            writeFileSync(join(dir, `${variant.release}.yaml`), text);
            texts.push(variant.release, text);
          }
          const hash = createHash('sha256').update(JSON.stringify(texts)).digest('hex');
          return [set, { root, hash }] as const;
        }),
      );
      const byFile = new Map(layer.map((v) => [`${v.release}.yaml`, v]));
      await Promise.all(
        checkers.map(async (checker: Checker) => {
          // The defaults renders serve only to attribute kube-score's and checkov's findings.
          if (defaults && !(COUNTED_CHECKERS as readonly string[]).includes(checker.tool)) return;
          const counted = (COUNTED_CHECKERS as readonly string[]).includes(checker.tool);
          const set = sets.get(counted ? 'workloads' : 'all')!;
          const key = createHash('sha256')
            .update(
              JSON.stringify([
                checker.tool,
                checker.version(pinnedVersions()),
                kubernetesVersion,
                set.hash,
                checker.tool === 'kubeconform' ? schemaKey : '',
              ]),
            )
            .digest('hex');
          const cached = join(CHECK_CACHE, `${key}.json`);
          let findings: readonly Finding[];
          if (existsSync(cached)) {
            findings = JSON.parse(readFileSync(cached, 'utf8')) as Finding[];
          } else {
            try {
              const workspace = createWorkspace(
                join(work, `addon-workspaces-${counted ? 'workloads' : 'all'}`),
                readEnvironmentOutput(set.root, label),
              );
              const result = await checker.run({
                workspace,
                kubernetesVersion,
                schemaLocation: checker.tool === 'kubeconform' ? await schemaLocation() : '',
                canary: checker.canary.objects,
              });
              const assessed = assessRun(label, checker, result);
              general.push(
                ...assessed.failures.map((f) => ({ ...f, environment: environments, message: `${label} (${environments}): ${f.message}` })),
              );
              findings = assessed.findings;
              if (assessed.failures.length === 0) {
                mkdirSync(CHECK_CACHE, { recursive: true });
                writeFileSync(`${cached}.${process.pid}.tmp`, JSON.stringify(findings));
                renameSync(`${cached}.${process.pid}.tmp`, cached);
              }
            } catch (error) {
              general.push({ ...failedRun(label, checker, error), environment: environments });
              return;
            }
          }
          for (const finding of findings) {
            const variant = finding.file ? byFile.get(finding.file) : undefined;
            if (variant === undefined) {
              general.push({ ...finding, environment: environments, message: `${label} (${environments}): ${finding.message}` });
              continue;
            }
            for (const holder of variant.holders)
              (defaults ? holder.item.upstream : counted ? holder.item.counted : holder.item.findings).push({
                ...finding,
                environment: holder.environment,
              });
          }
        }),
      );
    }),
  );
  return general;
}

/**
 * The object without null-valued fields: a chart's `annotations:` with nothing under it renders as
 * null, which the API server reads as absent (and `kubectl apply` drops), but a JSON schema refuses.
 */
export function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNulls) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  ) as T;
}

const took = (from: number, to = Date.now()) => `${((to - from) / 1000).toFixed(1)}s`;

function pods(objects: readonly Manifest[]): Manifest[] {
  return objects.filter((o) => POD_KINDS.has(o.kind));
}

/**
 * Renders, injects and admits the add-ons of `environments` on `server` (after their own objects
 * were verified: the charts' CRDs replace the pinned ones on this server).
 */
export async function verifyAddons(
  server: ApiServer,
  environments: readonly { readonly environment: Environment; readonly output: EnvironmentOutput }[],
  options: {
    readonly mirror: string;
    readonly work: string;
    readonly kubernetesVersion: string;
    readonly log?: (line: string) => void;
    readonly checkers?: boolean;
    /** The CRD mirror verify reads (--crd-mirror); undefined: the pinned URLs. */
    readonly crdMirror?: string;
  },
): Promise<AddonsReport> {
  const start = Date.now();
  const log = options.log ?? (() => {});
  const charts = mirrorCharts(options.mirror);
  const counts = { cached: 0, run: 0 };
  const kubeVersion = `v${options.kubernetesVersion}`;
  const served = [...(await server.client.served()).keys()];
  const runs: EnvironmentRun[] = [];
  const chartKinds = new Map<string, Set<string>>();
  for (const { environment, output } of environments) {
    const began = Date.now();
    const prepared = await renderInstalls(
      environment.name,
      addonInstalls(output.objects),
      charts,
      served,
      kubeVersion,
      counts,
      options.crdMirror,
    );
    const rendered = Date.now();
    await injectEnvironment(environment.name, prepared);
    const { admitted, defaults } = await admitEnvironment(server, environment, prepared, options.crdMirror);
    runs.push({ environment, prepared, admitted, defaults });
    // What lib/addons/chart-facts.ts says of each chart, against its render (chart-facts-check.ts).
    const servedKinds = await server.client.served();
    const clusterScoped = (o: Manifest) => servedKinds.get(`${o.apiVersion}/${o.kind}`)?.namespaced === false;
    for (const item of prepared) {
      if (item.source.status !== 'exact' && item.source.status !== 'substitute') continue;
      const objects = admitted.get(item.install.releaseName) ?? [];
      if (objects.length === 0) continue;
      const kinds = chartKinds.get(item.install.chart) ?? new Set<string>();
      for (const o of objects) if (clusterScoped(o)) kinds.add(clusterKindKey(o));
      chartKinds.set(item.install.chart, kinds);
      item.findings.push(
        ...checkChartFacts(
          environment.name,
          item.install,
          item.source.status === 'exact' ? item.source.chart.dir : undefined,
          objects,
          clusterScoped,
          injectsSidecars(item.install.namespaceLabels),
        ),
      );
    }
    const objects = prepared.reduce((sum, p) => sum + p.objects.length, 0);
    log(
      `${environment.name}: ${prepared.length} add-ons, ${objects} objects rendered in ${took(began, rendered)}, injected and admitted in ${took(rendered)}`,
    );
  }
  const checking = Date.now();
  const general = options.checkers === false ? [] : await checkEnvironments(server, runs, options.work, options.kubernetesVersion);
  log(`add-ons: kubeconform, pluto, kube-score, checkov in ${took(checking)}`);
  const attributions = new Map<Prepared, NonNullable<AddonVerdict['attribution']>>();
  const valueWaiversUsed = new Set<number>();
  for (const { environment, prepared, admitted, defaults } of options.checkers === false ? [] : runs) {
    for (const item of prepared) {
      if (item.defaults === undefined) continue;
      const checked = (f: Finding) => (COUNTED_CHECKERS as readonly string[]).includes(f.tool);
      const { upstream, ours } = attributeFindings(item.counted.filter(checked), item.upstream);
      const oursAll = admitted.get(item.install.releaseName) ?? [];
      const defaultsAll = defaults.get(item.install.releaseName) ?? [];
      const { open: unexcused, excused } = exceptOurs(ours, (finding) => ({
        ours: oursAll.find((o) => manifestId(o) === finding.object),
        defaults: defaultsAll.find((o) => manifestId(o) === finding.object),
        oursAll,
        defaultsAll,
        production: environment.tier === Tier.PRODUCTION,
        appVersion: CHART_FACTS[item.install.chart]?.appVersion,
      }));
      const { open, waived, used } = waiveOurs(unexcused, ADDON_VALUE_WAIVERS);
      for (const index of used) valueWaiversUsed.add(index);
      item.counted.splice(
        0,
        item.counted.length,
        ...item.counted.filter((f) => !checked(f)),
        ...upstream,
        ...[...excused, ...waived].map(({ finding, reason }) => ({
          ...finding,
          message: `${finding.message} (caused by our values; excused: ${reason})`,
        })),
      );
      item.findings.push(...open.map((f) => ({ ...f, message: oursMessage(f, item.install.chart) })));
      attributions.set(item, { upstream: upstream.length, ours: open.length, oursWaived: excused.length + waived.length });
    }
  }
  const addons: AddonVerdict[] = runs.flatMap(({ environment, prepared, admitted }) =>
    prepared.map((item): AddonVerdict => {
      const attribution = attributions.get(item);
      const objects = admitted.get(item.install.releaseName) ?? [];
      const podObjects = pods(objects);
      const refused = new Set(item.findings.filter((f) => f.tool === 'apiserver').map((f) => f.object));
      return {
        environment: environment.name,
        addon: item.install.releaseName,
        installedBy: item.install.object,
        chart: item.install.chart,
        version: item.install.version,
        namespace: item.install.namespace,
        source: sourceLabel(item.source),
        objects: objects.length,
        crds: objects.filter(isCrd).length,
        pods: podObjects.length,
        podsAdmitted: podObjects.filter((o) => !refused.has(manifestId(o))).length,
        injected: item.injected,
        findings: item.findings,
        counted: item.counted,
        ...(attribution ? { attribution } : {}),
        ...(item.source.status === 'waived' || item.source.status === 'substitute' ? { waiver: item.source.waiver.reason } : {}),
      };
    }),
  );
  return {
    mirror: options.mirror,
    helm: pinnedVersions().helm,
    addons,
    findings: general,
    renders: counts,
    seconds: (Date.now() - start) / 1000,
    valueWaiversUsed: [...valueWaiversUsed].sort((a, b) => a - b),
    chartKinds: Object.fromEntries([...chartKinds].map(([chart, kinds]) => [chart, [...kinds].sort()])),
  };
}

/**
 * Chart-source waivers that matched no install of the verified environments; only meaningful when
 * every registered environment was verified.
 */
export function unusedChartSourceWaivers(addons: readonly AddonVerdict[]): Finding[] {
  return CHART_SOURCE_WAIVERS.filter((w) => !addons.some((a) => a.chart === w.chart && a.version === w.version)).map(
    (w): Finding => ({
      environment: '*',
      tool: 'verify',
      rule: 'waiver-unused',
      severity: 'warning',
      object: `chart/${w.chart}`,
      file: 'app/verify/addons/chart-source-waivers.ts',
      message: `chart-source waiver for ${w.chart} ${w.version} matches no add-on install (remove it)`,
    }),
  );
}

/**
 * The add-ons of `environments` when a chart mirror is given; without one, a failing finding (the
 * add-ons are never skipped silently).
 */
export async function verifyAddonsIfMirrored(
  server: ApiServer,
  environments: readonly { readonly environment: Environment; readonly output: EnvironmentOutput }[],
  options: Omit<Parameters<typeof verifyAddons>[2], 'mirror'> & { readonly mirror: string | undefined },
): Promise<AddonsReport> {
  if (options.mirror !== undefined) return verifyAddons(server, environments, { ...options, mirror: options.mirror });
  return {
    mirror: 'none',
    helm: pinnedVersions().helm,
    addons: [],
    findings: [
      {
        environment: environments.map((e) => e.environment.name).join(', '),
        tool: 'verify',
        rule: 'addon-chart-mirror',
        severity: 'error',
        object: 'chart-mirror',
        message:
          'no chart mirror (../shared/charts beside the checkout does not exist and --chart-mirror was not given): no add-on chart can be rendered and checked',
      },
    ],
    renders: { cached: 0, run: 0 },
    seconds: 0,
    valueWaiversUsed: [],
  };
}

/** One report of several (one per Kubernetes minor); unused chart-source waivers when every environment was verified. */
export function mergeAddonsReports(reports: readonly AddonsReport[], everyEnvironment: boolean): AddonsReport {
  const addons = reports.flatMap((r) => r.addons);
  const valueWaiversUsed = [...new Set(reports.flatMap((r) => r.valueWaiversUsed ?? []))].sort((a, b) => a - b);
  const chartKinds = new Map<string, Set<string>>();
  for (const report of reports)
    for (const [chart, kinds] of Object.entries(report.chartKinds ?? {}))
      chartKinds.set(chart, new Set([...(chartKinds.get(chart) ?? []), ...kinds]));
  return {
    mirror: [...new Set(reports.map((r) => r.mirror))].join(', ') || 'none',
    helm: pinnedVersions().helm,
    addons,
    findings: [
      ...reports.flatMap((r) => r.findings),
      ...(everyEnvironment
        ? [...unusedChartSourceWaivers(addons), ...unusedValueWaivers(valueWaiversUsed), ...chartFactsUnproven(chartKinds)]
        : []),
    ],
    renders: { cached: reports.reduce((n, r) => n + r.renders.cached, 0), run: reports.reduce((n, r) => n + r.renders.run, 0) },
    seconds: reports.reduce((n, r) => n + r.seconds, 0),
    valueWaiversUsed,
    chartKinds: Object.fromEntries([...chartKinds].map(([chart, kinds]) => [chart, [...kinds].sort()])),
  };
}

/** Waivers of ADDON_VALUE_WAIVERS that excused no finding; only meaningful when every registered environment was verified. */
export function unusedValueWaivers(used: readonly number[], waivers: readonly Waiver[] = ADDON_VALUE_WAIVERS): Finding[] {
  return waivers.flatMap((waiver, index): Finding[] =>
    used.includes(index)
      ? []
      : [
          {
            environment: '*',
            tool: 'verify',
            rule: 'waiver-unused',
            severity: 'warning',
            object: waiverObject(waiver),
            file: 'app/verify/addons/value-waivers.ts',
            message: unusedWaiverMessage({ waiver, index }),
          },
        ],
  );
}
