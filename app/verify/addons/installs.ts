/**
 * The Helm installs an environment's GitOps objects ask for, read from dist/<env>/ exactly as the
 * GitOps tool reads them: every Flux HelmRelease (helm.toolkit.fluxcd.io) and every Argo CD
 * Application whose source is a Helm chart (a `chart` in a Helm repository, or an `oci://` chart with
 * a `helm` section). Each becomes the chart, version, release name, namespace, values and CRD policy
 * that `helm template` is given, plus the labels of the namespace the install lands in (the emitted
 * Namespace object, or Argo CD's managedNamespaceMetadata with CreateNamespace=true).
 *
 * What the GitOps tool would read but verify cannot (values from ConfigMaps or Secrets, post-renderers,
 * charts from an OCIRepository) is reported as a problem of the install, never ignored.
 */
import { parse } from 'yaml';
import type { SourcedManifest } from '../manifests';

export type GitOpsTool = 'flux' | 'argocd';

export interface AddonInstall {
  /**
   * `chart`: a Helm chart. `manifests`: a folder of another project's git repository at a tag (a
   * Flux Kustomization of a tagged GitRepository, an Argo CD Application's git source), read from
   * the CRD mirror's `<repository>-<tag>/` folder.
   */
  readonly type: 'chart' | 'manifests';
  /** The HelmRelease, Kustomization or Application: `Kind/namespace/name`. */
  readonly object: string;
  /** Its file under dist/<env>/. */
  readonly file: string;
  readonly tool: GitOpsTool;
  readonly chart: string;
  readonly version: string;
  /** Where the chart is fetched from (HelmRepository name or URL), for the report. */
  readonly repository: string;
  /** `manifests`: the commit and/or tag the source is pinned to, the most precise first. */
  readonly revisions?: readonly string[];
  readonly releaseName: string;
  readonly namespace: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** Whether the tool installs the chart's `crds/` (Flux install.crds not Skip; Argo CD skipCrds not true). */
  readonly includeCrds: boolean;
  /**
   * The labels the install's namespace gets from the GitOps objects: the emitted Namespace's, Argo
   * CD's managedNamespaceMetadata; undefined when nothing we emit creates it.
   */
  readonly namespaceLabels: Readonly<Record<string, string>> | undefined;
  /** What the GitOps tool would apply that verify cannot reproduce. Each one is a failing finding. */
  readonly problems: readonly string[];
  /**
   * The tool applies with client-side apply, which keeps the whole object in the
   * kubectl.kubernetes.io/last-applied-configuration annotation (Argo CD without ServerSideApply=true).
   */
  readonly clientSideApply: boolean;
}

type Json = Record<string, unknown>;

const record = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function id(object: Json): string {
  const metadata = record(object.metadata);
  return `${String(object.kind)}/${text(metadata.namespace) ? `${String(metadata.namespace)}/` : ''}${String(metadata.name)}`;
}

/** The labels of every emitted Namespace, by name. */
function emittedNamespaces(objects: readonly SourcedManifest[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const { object } of objects) {
    if (object.apiVersion === 'v1' && object.kind === 'Namespace') out.set(object.metadata.name, { ...(object.metadata.labels ?? {}) });
  }
  return out;
}

/** Sets `value` at a dotted Helm `--set` path (no list indexes: reported as a problem). */
function setPath(values: Json, path: string, value: unknown): boolean {
  if (/[[\]\\]/.test(path)) return false;
  const keys = path.split('.');
  let node = values;
  for (const key of keys.slice(0, -1)) {
    const next = record(node[key]);
    node[key] = next;
    node = next;
  }
  node[keys[keys.length - 1]!] = value;
  return true;
}

function fluxInstall(item: SourcedManifest, namespaces: Map<string, Record<string, string>>): AddonInstall {
  const object = item.object as unknown as Json;
  const metadata = record(object.metadata);
  const spec = record(object.spec);
  const chartSpec = record(record(spec.chart).spec);
  const problems: string[] = [];
  if (spec.chartRef !== undefined) problems.push('spec.chartRef (a chart from an OCIRepository or HelmChart) is not read by verify');
  if (Array.isArray(spec.valuesFrom) && spec.valuesFrom.length > 0)
    problems.push('spec.valuesFrom: values from ConfigMaps or Secrets are not in dist/, so the chart cannot be rendered as installed');
  if (Array.isArray(spec.postRenderers) && spec.postRenderers.length > 0) problems.push('spec.postRenderers are not applied by verify');
  const chart = text(chartSpec.chart) ?? '';
  const version = text(chartSpec.version) ?? '';
  if (chart === '') problems.push('spec.chart.spec.chart is empty');
  if (version === '' || /[*^~><=|x ]/.test(version)) problems.push(`spec.chart.spec.version "${version}" is not one exact version`);
  const namespace = text(spec.targetNamespace) ?? text(metadata.namespace) ?? 'default';
  // helm-controller's default release name is [<targetNamespace>-]<name>.
  const releaseName =
    text(spec.releaseName) ??
    (text(spec.targetNamespace) ? `${String(spec.targetNamespace)}-${String(metadata.name)}` : String(metadata.name));
  const crds = text(record(spec.install).crds) ?? 'Create';
  const sourceRef = record(chartSpec.sourceRef);
  return {
    type: 'chart',
    object: id(object),
    file: item.file,
    tool: 'flux',
    chart,
    version,
    repository: `${text(sourceRef.kind) ?? 'HelmRepository'}/${text(sourceRef.name) ?? '?'}`,
    releaseName,
    namespace,
    values: record(spec.values),
    includeCrds: crds !== 'Skip',
    namespaceLabels: namespaces.get(namespace),
    problems,
    // helm-controller applies through Helm, which keeps no last-applied annotation.
    clientSideApply: false,
  };
}

function helmSources(spec: Json): Json[] {
  const sources = Array.isArray(spec.sources) ? spec.sources.map(record) : spec.source !== undefined ? [record(spec.source)] : [];
  return sources.filter(
    (source) => source.chart !== undefined || (String(source.repoURL ?? '').startsWith('oci://') && source.helm !== undefined),
  );
}

function argoInstalls(item: SourcedManifest, namespaces: Map<string, Record<string, string>>): AddonInstall[] {
  const object = item.object as unknown as Json;
  const metadata = record(object.metadata);
  const spec = record(object.spec);
  const sync = record(spec.syncPolicy);
  const options = Array.isArray(sync.syncOptions) ? sync.syncOptions.map(String) : [];
  const namespace = text(record(spec.destination).namespace) ?? 'default';
  const managed = options.includes('CreateNamespace=true') ? record(record(sync.managedNamespaceMetadata).labels) : undefined;
  // Argo CD applies managedNamespaceMetadata beside whatever else applies the Namespace: both sets hold.
  const emitted = namespaces.get(namespace);
  const namespaceLabels =
    emitted === undefined && managed === undefined ? undefined : { ...(managed as Record<string, string> | undefined), ...emitted };
  return helmSources(spec).map((source): AddonInstall => {
    const helm = record(source.helm);
    const problems: string[] = [];
    const repoUrl = String(source.repoURL ?? '');
    const chart = text(source.chart) ?? repoUrl.slice(repoUrl.lastIndexOf('/') + 1);
    const version = text(source.targetRevision) ?? '';
    if (version === '' || /[*^~><=|x ]/.test(version)) problems.push(`targetRevision "${version}" is not one exact version`);
    // Argo CD: valuesObject, when set, takes precedence over the values string; parameters override both.
    let values: Json = {};
    if (helm.valuesObject !== undefined) values = structuredClone(record(helm.valuesObject));
    else if (typeof helm.values === 'string' && helm.values.trim() !== '') values = record(parse(helm.values));
    if (Array.isArray(helm.valueFiles) && helm.valueFiles.length > 0) problems.push('helm.valueFiles are not read by verify');
    for (const parameter of Array.isArray(helm.parameters) ? helm.parameters.map(record) : []) {
      if (!setPath(values, String(parameter.name), parameter.value))
        problems.push(`helm.parameters "${String(parameter.name)}": list indexes are not read by verify`);
    }
    return {
      type: 'chart',
      object: id(object),
      file: item.file,
      tool: 'argocd',
      chart,
      version,
      repository: repoUrl,
      releaseName: text(helm.releaseName) ?? String(metadata.name),
      namespace,
      values,
      includeCrds: helm.skipCrds !== true,
      namespaceLabels,
      problems,
      clientSideApply: !options.includes('ServerSideApply=true'),
    };
  });
}

function argoSyncOptions(object: Json): string[] {
  const sync = record(record(object.spec).syncPolicy);
  return Array.isArray(sync.syncOptions) ? sync.syncOptions.map(String) : [];
}

/** This repository's own output (dist/<env>/...), which verify checks as the environment's objects. */
const OWN_OUTPUT = /^(\.\/)?dist\//;

/** `kubernetes-sigs/gateway-api` → `gateway-api`. */
const repositoryName = (url: string) =>
  url
    .replace(/\.git$/, '')
    .replace(/\/+$/, '')
    .split('/')
    .pop() ?? url;

function manifests(
  item: SourcedManifest,
  url: string,
  tag: string,
  path: string,
  namespace: string,
  revisions: readonly string[] = [tag],
): AddonInstall {
  const object = item.object as unknown as Json;
  const name = repositoryName(url);
  return {
    type: 'manifests',
    object: id(object),
    file: item.file,
    tool: item.object.apiVersion.startsWith('argoproj.io/') ? 'argocd' : 'flux',
    chart: name,
    version: revisions[revisions.length - 1] ?? tag,
    revisions,
    repository: `${url} ${path}`,
    releaseName: String(record(object.metadata).name),
    namespace,
    values: {},
    includeCrds: true,
    namespaceLabels: undefined,
    problems: [],
    clientSideApply: item.object.apiVersion.startsWith('argoproj.io/') && !argoSyncOptions(object).includes('ServerSideApply=true'),
  };
}

/** Flux Kustomizations of a GitRepository pinned to a tag, and Argo CD git sources outside this repository's output. */
function manifestInstalls(objects: readonly SourcedManifest[]): AddonInstall[] {
  const repositories = new Map<string, Json>();
  for (const { object } of objects) {
    if (object.apiVersion.startsWith('source.toolkit.fluxcd.io/') && object.kind === 'GitRepository') {
      repositories.set(`${object.metadata.namespace ?? ''}/${object.metadata.name}`, object as unknown as Json);
    }
  }
  const out: AddonInstall[] = [];
  for (const item of objects) {
    const object = item.object as unknown as Json;
    const spec = record(object.spec);
    if (item.object.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') && item.object.kind === 'Kustomization') {
      const ref = record(spec.sourceRef);
      const path = text(spec.path) ?? './';
      if (OWN_OUTPUT.test(path) || text(ref.kind) !== 'GitRepository') continue;
      const repository = repositories.get(`${text(ref.namespace) ?? item.object.metadata.namespace ?? ''}/${String(ref.name)}`);
      const ref2 = record(record(repository?.spec).ref);
      // source-controller's precedence: commit, then name, semver, tag, branch.
      const revisions = [text(ref2.commit), text(ref2.tag)].filter((r): r is string => r !== undefined);
      const url = text(record(repository?.spec).url) ?? String(ref.name);
      const install = manifests(
        item,
        url,
        revisions[0] ?? text(ref2.branch) ?? '',
        path,
        text(spec.targetNamespace) ?? 'default',
        revisions,
      );
      out.push(
        repository === undefined || revisions.length === 0
          ? { ...install, problems: [`GitRepository ${String(ref.name)} is not in the output or not pinned to a commit or tag`] }
          : install,
      );
    }
    if (item.object.apiVersion.startsWith('argoproj.io/') && item.object.kind === 'Application') {
      const sources = Array.isArray(spec.sources) ? spec.sources.map(record) : spec.source !== undefined ? [record(spec.source)] : [];
      for (const source of sources) {
        const path = text(source.path);
        if (source.chart !== undefined || source.helm !== undefined || path === undefined || OWN_OUTPUT.test(path)) continue;
        out.push(
          manifests(
            item,
            String(source.repoURL ?? ''),
            text(source.targetRevision) ?? '',
            path,
            text(record(spec.destination).namespace) ?? 'default',
          ),
        );
      }
    }
  }
  return out;
}

/** Every install of another project's software the environment's output asks for, in the order its files list them. */
export function addonInstalls(objects: readonly SourcedManifest[]): AddonInstall[] {
  const namespaces = emittedNamespaces(objects);
  const installs: AddonInstall[] = [...manifestInstalls(objects)];
  for (const item of objects) {
    const group = String(item.object.apiVersion).split('/')[0];
    if (group === 'helm.toolkit.fluxcd.io' && item.object.kind === 'HelmRelease') installs.push(fluxInstall(item, namespaces));
    if (group === 'argoproj.io' && item.object.kind === 'Application') installs.push(...argoInstalls(item, namespaces));
  }
  return installs;
}
