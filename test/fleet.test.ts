/**
 * The fleet driven from the hub: the ApplicationSet's cluster generator is evaluated here against the
 * cluster secrets the hub bundle writes (their labels), its template rendered per selected cluster as
 * the ApplicationSet controller would (Go templates over `name` and `metadata.labels`), and RollingSync's
 * steps evaluated against the generated Applications' labels (every expression must hold; In matches
 * any value; an Application no step selects is never synced: Argo CD's Progressive-Syncs.md).
 */
import { describe, expect, it } from 'vitest';
import { EnvironmentError, selectEnvironments } from '../environments';
import { checkFleet, clusterFacts, fleetInput, loadFleet, previewName } from '../environments/fleet';
import { previewEnvironment } from '../environments/preview';
import { clusterLabels } from '../charts/fleet-chart';
import type { Manifest } from '../lib/core/manifest';
import { nonEmpty, objects, rendered, renderOverlay, validateOverlay } from './helpers';

interface Requirement {
  readonly key: string;
  readonly operator: string;
  readonly values: readonly string[];
}
interface Selector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly Requirement[];
}
interface AppSet extends Manifest {
  readonly spec: {
    readonly generators: readonly { readonly clusters?: { readonly selector: Selector } }[];
    readonly strategy?: {
      readonly type: string;
      readonly rollingSync?: { readonly steps: readonly { matchExpressions: Requirement[] }[] };
    };
    readonly syncPolicy?: { readonly applicationsSync?: string; readonly preserveResourcesOnDeletion?: boolean };
    readonly template: {
      readonly metadata: {
        readonly name: string;
        readonly labels: Readonly<Record<string, string>>;
        readonly finalizers?: readonly string[];
      };
      readonly spec: { readonly source: { readonly path: string }; readonly destination: Readonly<Record<string, string>> };
    };
  };
}
interface ClusterSecret extends Manifest {
  readonly spec: {
    readonly target: { readonly template: { readonly metadata: { labels: Record<string, string> }; data: Record<string, string> } };
  };
}

/** A Kubernetes label selector (matchLabels and the In/NotIn/Exists operators), as the generator applies it. */
function selects(selector: Selector, labels: Readonly<Record<string, string>>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((r) => {
    const value = labels[r.key];
    if (r.operator === 'In') return value !== undefined && r.values.includes(value);
    if (r.operator === 'NotIn') return value === undefined || !r.values.includes(value);
    if (r.operator === 'Exists') return value !== undefined;
    throw new Error(`operator ${r.operator} is not evaluated here`);
  });
  return byLabels && byExpressions;
}

/** A cluster secret's parameters as the cluster generator gives them. */
interface ClusterParams {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Renders the Go templates this repository writes ({{ .name }}, {{ index .metadata.labels "k" }}); anything else fails. */
function renderTemplate(text: string, params: ClusterParams): string {
  return text.replace(/\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
    if (expression === '.name') return params.name;
    const label = /^index \.metadata\.labels "([^"]+)"$/.exec(expression);
    if (label) {
      const value = params.labels[label[1]!];
      // missingkey=error: a label the cluster does not carry fails the generation.
      if (value === undefined) throw new Error(`cluster ${params.name} has no label ${label[1]}`);
      return value;
    }
    throw new Error(`unexpected template expression {{ ${expression} }}`);
  });
}

/** The Applications the ApplicationSet generates from these cluster secrets: name, labels, path. */
function generate(appSet: AppSet, clusters: readonly ClusterParams[]) {
  const selector = appSet.spec.generators[0]!.clusters!.selector;
  const { metadata, spec } = appSet.spec.template;
  return clusters
    .filter((c) => selects(selector, c.labels))
    .map((c) => ({
      cluster: c.name,
      name: renderTemplate(metadata.name, c),
      labels: Object.fromEntries(Object.entries(metadata.labels).map(([k, v]) => [k, renderTemplate(v, c)])),
      path: renderTemplate(spec.source.path, c),
    }));
}

/** Each generated Application's rolling step (its index), or the problem: in no step, in several. */
function stepsOf(appSet: AppSet, apps: ReturnType<typeof generate>): Map<string, number> {
  const steps = appSet.spec.strategy?.rollingSync?.steps ?? [];
  const result = new Map<string, number>();
  for (const app of apps) {
    const matching = steps.flatMap((step, index) => (selects({ matchExpressions: step.matchExpressions }, app.labels) ? [index] : []));
    if (matching.length !== 1) throw new Error(`Application ${app.name} is in ${matching.length} rolling steps`);
    result.set(app.cluster, matching[0]!);
  }
  return result;
}

const registered = selectEnvironments();
const { fleet, hub, members } = loadFleet(registered);
const hubOutput = rendered(hub.name);
const appSet = objects<AppSet>(hubOutput, 'ApplicationSet').find((a) => a.metadata.name === fleet.name)!;
const clusters: ClusterParams[] = objects<ClusterSecret>(hubOutput, 'ExternalSecret')
  .filter((s) => s.spec.target.template?.metadata?.labels?.['argocd.argoproj.io/secret-type'] === 'cluster')
  .map((s) => ({ name: s.spec.target.template.data.name!, labels: s.spec.target.template.metadata.labels }));

describe('the fleet', () => {
  it('is every environment deployed from the hub’s repository, and no other', () => {
    expect(members.length).toBeGreaterThan(1);
    for (const env of registered) {
      // The previews' template is deployed per pull request, never as a cluster of its own.
      const same =
        env.name !== fleet.previews.environment &&
        env.gitops.repository === hub.gitops.repository &&
        env.gitops.branch === hub.gitops.branch &&
        env.partOf === hub.partOf;
      expect(
        members.some((m) => m.name === env.name),
        env.name,
      ).toBe(same);
    }
    // secops is a second platform with its own repository: never driven by this hub.
    expect(registered.some((env) => !members.includes(env))).toBe(true);
  });

  it('has one cluster secret per member, labelled with the model’s facts', () => {
    expect(clusters.map((c) => c.name).sort()).toEqual(members.map((m) => m.name).sort());
    for (const member of nonEmpty(members, 'fleet members')) {
      expect(clusters.find((c) => c.name === member.name)!.labels).toMatchObject(clusterLabels(fleet, member));
    }
  });

  it('generates one Application per member, from the member’s folder of the hub bundle', () => {
    const apps = generate(appSet, clusters);
    expect(apps.map((a) => a.cluster).sort()).toEqual(members.map((m) => m.name).sort());
    for (const app of nonEmpty(apps, 'generated Applications')) {
      // The path is a kustomize root the hub's output writes (an Application on a missing path syncs nothing).
      expect(app.path).toBe(`dist/${hub.name}/fleet/${app.cluster}`);
      const folder = app.path.slice(`dist/${hub.name}/`.length);
      expect(hubOutput.files.map((f) => f.name)).toContain(`${folder}/kustomization.yaml`);
    }
    expect(new Set(apps.map((a) => a.name)).size).toBe(apps.length);
    // No generated name is the name of an Application the hub's output already has.
    const existing = objects(hubOutput, 'Application').map((a) => a.metadata.name);
    for (const app of apps) expect(existing).not.toContain(app.name);
  });

  it('selects no cluster outside the fleet, even one labelled like a member', () => {
    const outsiders = registered.filter((env) => !members.includes(env));
    expect(outsiders.length).toBeGreaterThan(0);
    for (const env of outsiders) {
      // A cluster secret of another platform registered on the same Argo CD, labelled by its own model.
      expect(generate(appSet, [{ name: env.name, labels: clusterLabels(fleet, env) }])).toEqual([]);
    }
  });

  it('fails on a wrong cluster selector', () => {
    const wrong = structuredClone(appSet) as AppSet & { spec: { generators: { clusters: { selector: Selector } }[] } };
    // A selector on a label key the cluster secrets do not carry (the domain misspelt).
    wrong.spec.generators[0]!.clusters.selector = { matchLabels: { 'fleet.example.org/fleet': fleet.name } };
    expect(generate(wrong, clusters).length).toBeLessThan(members.length);
  });

  it('rolls out in the fleet’s order: staging first, then the DR primary, then the others', () => {
    const steps = stepsOf(appSet, generate(appSet, clusters));
    expect(appSet.spec.strategy?.type).toBe('RollingSync');
    expect(appSet.spec.strategy?.rollingSync?.steps).toHaveLength(fleet.rollout.length);
    for (const member of nonEmpty(members, 'fleet members')) {
      const facts = clusterFacts(member);
      const step = steps.get(member.name)!;
      if (facts.tier !== 'production') expect(step, member.name).toBe(0);
      else if (facts.role === 'primary') expect(step, member.name).toBe(1);
      else expect(step, member.name).toBe(2);
    }
    const primaries = members.filter((m) => m.region?.role === 'primary');
    expect(primaries.length).toBeGreaterThan(0);
  });

  it('fails on a missing rollout step', () => {
    const missing = structuredClone(appSet) as AppSet & { spec: { strategy: { rollingSync: { steps: unknown[] } } } };
    missing.spec.strategy.rollingSync.steps.splice(1, 1);
    expect(() => stepsOf(missing, generate(missing, clusters))).toThrow(/is in 0 rolling steps/);
  });

  it('deletes a cluster’s Application and its objects when the cluster leaves the fleet', () => {
    expect(appSet.spec.syncPolicy?.applicationsSync).toBe('create-delete');
    expect(appSet.spec.syncPolicy?.preserveResourcesOnDeletion).toBe(false);
    expect(appSet.spec.template.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io/foreground']);
  });

  it('aims each member’s Applications at the member, with the cluster’s own waves', () => {
    for (const member of nonEmpty(members, 'fleet members')) {
      const apps = objects<Manifest & { spec: { destination: Record<string, string> } }>(hubOutput, 'Application').filter(
        (a) => a.metadata.labels?.[`${fleet.labelDomain}/environment`] === member.name,
      );
      expect(apps.length, member.name).toBeGreaterThan(1);
      for (const app of apps) expect(app.spec.destination.name, app.metadata.name).toBe(member.name);
      const appsApp = apps.find((a) => a.metadata.name === `${fleet.name}-${member.name}-apps`)!;
      const waves = apps.map((a) => Number(a.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0));
      expect(Number(appsApp.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toBe(Math.max(...waves));
    }
  });
});

describe('the fleet model refuses', () => {
  const refuses = (change: (input: ReturnType<typeof fleetInput>) => void, message: RegExp) => {
    const input = fleetInput();
    change(input);
    let error: unknown;
    try {
      checkFleet(input, registered);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(String((error as Error).message)).toMatch(/environments\/fleet\.ts/);
    expect(String((error as Error).message)).toMatch(message);
  };

  it('a member in no step (a missing rollout step)', () =>
    refuses((f) => f.rollout.splice(1, 1), /rollout = \[\]: must put cluster prod-us-west .* in exactly one step, it is in none/));
  it('a member in two steps', () =>
    refuses((f) => f.rollout.push({ name: 'again', match: { tier: ['staging'] } }), /cluster staging .* it is in several/));
  it('a step that selects nothing', () =>
    refuses((f) => f.rollout.push({ name: 'mars', match: { region: ['mars-north1'] } }), /rollout\.3\.match .* selects no cluster/));
  it('a hub that is not an environment', () => refuses((f) => (f.hub = 'nowhere'), /hub = "nowhere": must name an environment: dev, /));
  it('a hub that does not run Argo CD', () =>
    refuses((f) => (f.hub = 'prod'), /hub = "prod": must be an environment whose gitops.tool is argocd/));
  it('a step on a label the model does not set', () =>
    refuses((f) => ((f.rollout[0]!.match as Record<string, string[]>).zone = ['a']), /rollout\.0\.match/));
  it('previews from a production environment', () =>
    refuses((f) => (f.previews.environment = 'prod'), /previews\.environment = "prod": must be a development-tier environment/));
  it('previews on a production cluster', () =>
    refuses((f) => (f.previews.cluster = 'prod-eu'), /previews\.cluster = "prod-eu": must not be a production cluster/));
  it('a bad maxUpdate', () => refuses((f) => (f.rollout[2]!.maxUpdate = '150%'), /rollout\.2\.maxUpdate = "150%": must be a percentage/));
});

interface PullRequestAppSet extends Manifest {
  readonly spec: {
    readonly generators: readonly { readonly pullRequest?: { github: { owner: string; repo: string; labels: string[] } } }[];
    readonly syncPolicy?: { readonly applicationsSync?: string; readonly preserveResourcesOnDeletion?: boolean };
    readonly template: {
      readonly metadata: { readonly name: string; readonly finalizers?: readonly string[] };
      readonly spec: {
        readonly project: string;
        readonly source: { readonly path: string; readonly targetRevision: string };
        readonly destination: Readonly<Record<string, string>>;
        readonly syncPolicy?: { readonly syncOptions?: readonly string[] };
      };
    };
  };
}

/** The pull-request generator's parameters of one open pull request, rendered into the template's Go templates. */
function renderPullRequest(text: string, number: number): string {
  return text.replace(/\{\{\s*\.number\s*\}\}/g, String(number));
}

/**
 * Whether closing the pull request removes its preview: the ApplicationSet deletes an Application its
 * generator no longer yields (applicationsSync create-delete or sync, resources not preserved), the
 * Application's finalizer deletes its objects, and its namespaces are among those objects (Argo CD never
 * deletes a namespace it created with CreateNamespace=true).
 */
function removedOnClose(appSet: PullRequestAppSet, previewObjects: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const sync = appSet.spec.syncPolicy?.applicationsSync;
  if (sync === 'create-only' || sync === 'create-update') problems.push(`applicationsSync ${sync} never deletes an Application`);
  if (appSet.spec.syncPolicy?.preserveResourcesOnDeletion !== false) problems.push('preserveResourcesOnDeletion is not false');
  if (!appSet.spec.template.metadata.finalizers?.some((f) => f.startsWith('resources-finalizer.argocd.argoproj.io')))
    problems.push('the Application has no resources finalizer: deleting it leaves its objects');
  if (appSet.spec.template.spec.syncPolicy?.syncOptions?.includes('CreateNamespace=true'))
    problems.push('CreateNamespace=true: Argo CD would leave the namespace behind');
  const declared = new Set(previewObjects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  for (const ns of new Set(previewObjects.flatMap((o) => (o.metadata.namespace === undefined ? [] : [o.metadata.namespace])))) {
    if (!declared.has(ns)) problems.push(`namespace ${ns} is used but not part of the preview: it would outlive it`);
  }
  return problems;
}

describe('previews per pull request', () => {
  const previews = objects<PullRequestAppSet>(hubOutput, 'ApplicationSet').find((a) => a.spec.generators[0]?.pullRequest !== undefined)!;
  /** What a preview's Application syncs: the apps at the root of dist/pr-<n> (not its own flux/ entry point). */
  const pr = (n: number) => {
    const env = renderOverlay(previewEnvironment(previewName(n)));
    return { model: env.model, objects: env.files.filter((f) => !f.name.includes('/')).flatMap((f) => f.objects) };
  };
  const pr7 = pr(7);

  it('generates one Application per labelled pull request of this repository, from its preview branch, into its own namespace', () => {
    expect(previews.spec.generators[0]!.pullRequest!.github).toEqual({
      owner: 'example',
      repo: 'platform-manifests',
      labels: [fleet.previews.label],
    });
    const { metadata, spec } = previews.spec.template;
    expect(renderPullRequest(metadata.name, 7)).toBe('pr-7');
    expect(renderPullRequest(spec.source.path, 7)).toBe('dist/pr-7');
    expect(renderPullRequest(spec.source.targetRevision, 7)).toBe('previews/pr-7');
    expect(renderPullRequest(spec.destination.namespace!, 7)).toBe(pr7.model.namespace);
    expect(spec.destination.name).toBe(fleet.previews.cluster);
  });

  it('removes a preview when its pull request closes', () => {
    expect(removedOnClose(previews, pr7.objects)).toEqual([]);
  });

  it('fails on a preview that would not be deleted', () => {
    const kept = structuredClone(previews) as PullRequestAppSet & { spec: { syncPolicy: { applicationsSync: string } } };
    kept.spec.syncPolicy.applicationsSync = 'create-update';
    expect(removedOnClose(kept, pr7.objects)).toContain('applicationsSync create-update never deletes an Application');
    const noFinalizer = structuredClone(previews) as PullRequestAppSet & { spec: { template: { metadata: { finalizers: string[] } } } };
    noFinalizer.spec.template.metadata.finalizers = [];
    expect(removedOnClose(noFinalizer, pr7.objects).join()).toMatch(/no resources finalizer/);
    const shared = [...pr7.objects, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'data' } } as Manifest];
    expect(removedOnClose(previews, shared)).toContain('namespace data is used but not part of the preview: it would outlive it');
  });

  it('gives two pull requests’ previews no object, namespace or host in common', () => {
    const pr8 = pr(8);
    const id = (o: Manifest) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const first = new Set(pr7.objects.map(id));
    expect(pr7.objects.length).toBeGreaterThan(10);
    expect(pr8.objects.map(id).filter((i) => first.has(i))).toEqual([]);
    expect(pr7.model.ingress.host).not.toBe(pr8.model.ingress.host);
  });

  it('is allowed by the previews’ project exactly where a preview deploys', () => {
    const project = objects<Manifest & { spec: { destinations: { name: string; namespace: string }[] } }>(hubOutput, 'AppProject').find(
      (p) => p.metadata.name === previews.spec.template.spec.project,
    )!;
    const allowed = (ns: string) =>
      project.spec.destinations.some(
        (d) => d.name === fleet.previews.cluster && new RegExp(`^${d.namespace.replace('*', '[0-9]+')}$`).test(ns),
      );
    const namespaces = new Set(pr7.objects.flatMap((o) => (o.metadata.namespace === undefined ? [] : [o.metadata.namespace])));
    expect(namespaces.size).toBeGreaterThan(1);
    for (const ns of namespaces) expect(allowed(ns), ns).toBe(true);
    expect(allowed('platform')).toBe(false);
  });

  it('validates like every environment', () => {
    const report = validateOverlay(previewEnvironment(previewName(7)));
    expect(report.violations.filter((v) => v.severity === 'error')).toEqual([]);
  });
});
