/**
 * One Argo CD project per stage (issue 24 #6) and Argo CD's commit verification (issue 24 #4): the
 * root, Gateway API's CRDs, the add-ons and the apps each belong to a project that allows only the
 * sources, namespaces and kinds that stage writes, computed from what it emits; the projects that sync
 * this repository verify its commits against the model's signing keys.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { environmentNames, loadEnvironment } from '../environments';
import staging from '../environments/staging';
import { EdgeImplementation } from '../environments/schema';
import { validationContext } from '../app/synthesize';
import { GATEWAY_API_CRDS } from '../lib/addons/chart-versions';
import { kindsOf, sortedKinds } from '../lib/gitops/argocd-project';
import { usesArgoCd } from '../lib/gitops/tools';
import type { Manifest } from '../lib/core/manifest';
import { groupOf } from '../lib/core/plain';
import { runRules } from '../validation/rules/all';
import { PROJECT_SCOPE } from '../validation/rules/argocd-projects';
import { SOURCE_PINNED } from '../validation/rules/gitops-sources';
import { environment, rendered } from './helpers';

interface Kind {
  group: string;
  kind: string;
}
type Project = Manifest & {
  spec: {
    sourceRepos: string[];
    destinations: { server?: string; name?: string; namespace: string }[];
    clusterResourceWhitelist?: Kind[];
    clusterResourceBlacklist?: Kind[];
    namespaceResourceWhitelist?: Kind[];
    namespaceResourceBlacklist?: Kind[];
    sourceIntegrity?: { git: { policies: { repos: { url: string }[]; gpg: { mode: string; keys: string[] } }[] } };
  };
};
type Application = Manifest & {
  spec: {
    project: string;
    source: { repoURL: string; targetRevision: string; chart?: string; path?: string };
    destination: { namespace: string };
  };
};

const withArgoCd = environmentNames().filter((name) => usesArgoCd(environment(name).gitops.tool));

it('some environment uses Argo CD', () => expect(withArgoCd.length).toBeGreaterThan(0));

const EVERY_KIND = [{ group: '*', kind: '*' }];

describe.each(withArgoCd)('%s', (name) => {
  const env = rendered(name);
  const model = environment(name);
  const argocdFile = env.files.find((f) => f.name === 'argocd/argocd-sync.yaml')!;
  const folder = argocdFile.objects;
  const projects = folder.filter((o): o is Project => o.kind === 'AppProject');
  const applications = folder.filter((o): o is Application => o.kind === 'Application');
  const project = (stage: string) => projects.find((p) => p.metadata.name === `${name}-${stage}`)!;
  const appObjects = env.objects.filter((o) => env.files.some((f) => !f.name.includes('/') && f.objects.includes(o)));
  const namespaces = (p: Project) => p.spec.destinations.map((d) => d.namespace).sort();

  it('has one project per stage, and each Application is in the project of its stage', () => {
    expect(projects.map((p) => p.metadata.name).sort()).toEqual(
      [
        `${name}-addons`,
        `${name}-apps`,
        `${name}-gitops`,
        ...(model.ingress.implementation === EdgeImplementation.GATEWAY ? [`${name}-crds`] : []),
      ].sort(),
    );
    for (const app of applications) {
      const stage =
        app.metadata.name === `${name}-gitops`
          ? 'gitops'
          : app.metadata.name === `${name}-apps`
            ? 'apps'
            : app.spec.source.chart || app.spec.source.repoURL.startsWith('oci://')
              ? 'addons'
              : 'crds';
      expect(app.spec.project, app.metadata.name).toBe(`${name}-${stage}`);
    }
  });

  it("lets the root deploy into Argo CD's namespace alone, exactly the kinds of its folder, no cluster-scoped kind", () => {
    const root = project('gitops');
    expect(namespaces(root)).toEqual(['argocd']);
    expect(root.spec.namespaceResourceWhitelist).toEqual(kindsOf(folder).namespaced);
    expect(root.spec.clusterResourceWhitelist).toBeUndefined();
    expect(root.spec.clusterResourceBlacklist).toEqual(EVERY_KIND);
    expect(root.spec.sourceRepos).toEqual([model.gitops.repository]);
  });

  it('lets the apps deploy exactly into the namespaces and kinds of the apps folder', () => {
    const apps = project('apps');
    const kinds = kindsOf(appObjects);
    expect(kinds.cluster.length + kinds.namespaced.length).toBeGreaterThan(0);
    expect(apps.spec.clusterResourceWhitelist).toEqual(kinds.cluster);
    expect(apps.spec.namespaceResourceWhitelist).toEqual(kinds.namespaced);
    expect(namespaces(apps)).toEqual(
      [...new Set([model.namespace, ...appObjects.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : []))])].sort(),
    );
    expect(namespaces(apps)).not.toContain('argocd');
    expect(namespaces(apps)).not.toContain('kube-system');
    const names = (apps.spec.clusterResourceWhitelist ?? []).map((k) => k.kind);
    for (const forbidden of ['ClusterRole', 'ClusterRoleBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'])
      expect(names).not.toContain(forbidden);
  });

  it("lets the add-ons deploy only into their own namespaces, with their charts' cluster-scoped kinds", () => {
    const addons = project('addons');
    const addonApps = applications.filter((a) => a.spec.project === `${name}-addons`);
    expect(namespaces(addons)).toEqual([...new Set(addonApps.map((a) => a.spec.destination.namespace))].sort());
    expect(namespaces(addons)).not.toContain('argocd');
    expect(addons.spec.sourceRepos).not.toContain(model.gitops.repository);
  });

  it("lets Gateway API's CRDs create their cluster-scoped kinds and no namespaced kind", () => {
    if (model.ingress.implementation !== EdgeImplementation.GATEWAY) return expect(project('crds')).toBeUndefined();
    const crds = project('crds');
    expect(crds.spec.clusterResourceWhitelist).toEqual(sortedKinds(GATEWAY_API_CRDS.kinds));
    expect(crds.spec.namespaceResourceBlacklist).toEqual(EVERY_KIND);
    expect(crds.spec.sourceRepos).toEqual([GATEWAY_API_CRDS.repository]);
  });

  it("verifies this repository's HEAD commit against the model's signing keys wherever it is synced", () => {
    expect(model.gitops.verifyCommits).toBe(true);
    expect(model.gitops.signingKeys.length).toBeGreaterThan(0);
    for (const p of [project('gitops'), project('apps')]) {
      expect(p.spec.sourceIntegrity, p.metadata.name).toEqual({
        git: {
          policies: [{ repos: [{ url: model.gitops.repository }], gpg: { mode: 'head', keys: [...model.gitops.signingKeys].sort() } }],
        },
      });
    }
  });

  it('passes gitops/project-scope and gitops/source-pinned', () => {
    const found = runRules(env.objects, validationContext(model)).filter((v) => v.rule === PROJECT_SCOPE || v.rule === SOURCE_PINNED);
    expect(found).toEqual([]);
  });
});

describe('gitops/project-scope and gitops/source-pinned on the output as it was', () => {
  const findings = (objects: readonly Manifest[]) =>
    runRules(objects, validationContext(environment('staging')))
      .filter((v) => v.rule === PROJECT_SCOPE || v.rule === SOURCE_PINNED)
      .map((v) => `${v.rule} ${v.object} ${v.path}`);

  /** staging's projects merged into one, every Application in it, nothing verified: the output before issue 24 #6. */
  function oneProject(): Manifest[] {
    const objects = structuredClone(rendered('staging').objects) as (Project | Application)[];
    const projects = objects.filter((o): o is Project => o.kind === 'AppProject' && o.metadata.name.startsWith('staging-'));
    const merged: Project = {
      ...structuredClone(projects[0]!),
      metadata: { ...projects[0]!.metadata, name: 'staging' },
      spec: {
        sourceRepos: projects.flatMap((p) => p.spec.sourceRepos),
        destinations: projects.flatMap((p) => p.spec.destinations),
        clusterResourceWhitelist: projects.flatMap((p) => p.spec.clusterResourceWhitelist ?? []),
      },
    };
    for (const o of objects)
      if (o.kind === 'Application' && o.metadata.namespace === 'argocd' && !o.metadata.name.startsWith('fleet-'))
        (o as Application).spec.project = 'staging';
    return [...objects.filter((o) => !projects.includes(o as Project)), merged];
  }

  it('fails one project for the root, the add-ons and the apps', () => {
    const found = findings(oneProject());
    expect(found).toContain('gitops/project-scope AppProject/argocd/staging spec.destinations');
    expect(found).toContain('gitops/project-scope AppProject/argocd/staging spec.clusterResourceWhitelist');
    expect(found).toContain('gitops/project-scope AppProject/argocd/staging spec.namespaceResourceWhitelist');
    expect(found).toContain('gitops/source-pinned Application/argocd/staging-apps spec.source.targetRevision');
  });

  it('fails an Application whose project does not list its destination, or is not emitted', () => {
    const objects = structuredClone(rendered('staging').objects) as Application[];
    objects.find((o) => o.kind === 'Application' && o.metadata.name === 'staging-apps')!.spec.destination.namespace = 'kube-system';
    objects.find((o) => o.kind === 'Application' && o.metadata.name === 'keda')!.spec.project = 'default';
    expect(findings(objects)).toEqual([
      'gitops/project-scope Application/argocd/keda spec.project',
      'gitops/project-scope Application/argocd/staging-apps spec.destination',
    ]);
  });

  it('fails a project that verifies another repository, or with mode none', () => {
    const objects = structuredClone(rendered('staging').objects) as Project[];
    const apps = objects.find((o) => o.kind === 'AppProject' && o.metadata.name === 'staging-apps')!;
    apps.spec.sourceIntegrity!.git.policies[0]!.repos = [{ url: 'https://github.com/example/other' }];
    const root = objects.find((o) => o.kind === 'AppProject' && o.metadata.name === 'staging-gitops')!;
    root.spec.sourceIntegrity!.git.policies[0]!.gpg.mode = 'none';
    expect(findings(objects)).toEqual([
      'gitops/source-pinned Application/argocd/staging-gitops spec.source.targetRevision',
      'gitops/source-pinned Application/argocd/staging-apps spec.source.targetRevision',
    ]);
  });
});

describe('gitops.signingKeys', () => {
  it('is required where Argo CD syncs with verifyCommits on', () => {
    expect(() => loadEnvironment({ name: 'unsigned', extends: staging, gitops: { signingKeys: [] } })).toThrow(
      /gitops\.signingKeys.*must name at least one GPG key id: Argo CD \(gitops\.tool argocd\)/s,
    );
  });

  it('refuses a key id that is not 16 or 40 upper-case hex digits', () => {
    expect(() => loadEnvironment({ name: 'bad-key', extends: staging, gitops: { signingKeys: ['not-a-key'] } })).toThrow(
      /must be a GPG key id/,
    );
    expect(loadEnvironment({ name: 'flux-only', extends: staging, gitops: { tool: 'flux', signingKeys: [] } }).gitops.signingKeys).toEqual(
      [],
    );
  });
});

describe("Gateway API's kinds", () => {
  const mirror = join(process.cwd(), '..', 'shared', 'crds', `gateway-api-${GATEWAY_API_CRDS.tag}`);
  it.runIf(existsSync(mirror))("are the kinds of the mirror's copy of its folder, every one cluster-scoped", () => {
    const documents = readdirSync(mirror)
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseAllDocuments(readFileSync(join(mirror, f), 'utf8')).map((d) => d.toJS() as Manifest | null))
      .filter((d): d is Manifest => d !== null);
    expect(documents.every((d) => d.metadata.namespace === undefined)).toBe(true);
    expect(sortedKinds(GATEWAY_API_CRDS.kinds)).toEqual(
      sortedKinds(documents.map((d) => ({ group: groupOf(d.apiVersion), kind: d.kind }))),
    );
  });
});
