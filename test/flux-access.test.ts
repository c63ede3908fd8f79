/**
 * Every Flux stage applies as its own ServiceAccount (issue 24 #5): kustomize-controller and
 * helm-controller impersonate `.spec.serviceAccountName` in the object's namespace; without it they
 * apply as their own account, which `flux install` binds to cluster-admin.
 */
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { pluralOf, writtenResources } from '../lib/gitops/stage-access';
import { usesFlux } from '../lib/gitops/tools';
import { manifestId, type Manifest } from '../lib/core/manifest';
import { validationContext } from '../app/synthesize';
import { projectExceptions } from '../app/verify/exceptions';
import { runRules } from '../validation/rules/all';
import { STAGE_IDENTITY } from '../validation/rules/flux-identity';
import { environment, objects, rendered } from './helpers';

type WithAccount = Manifest & { spec: { serviceAccountName?: string; path?: string } };
type ClusterRole = Manifest & { rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[] };
type Binding = Manifest & { roleRef: { name: string }; subjects: { kind: string; name: string; namespace: string }[] };

const withFlux = environmentNames().filter((name) => usesFlux(environment(name).gitops.tool));

it('some environment uses Flux', () => expect(withFlux.length).toBeGreaterThan(0));

it('names plurals as the API server serves them', () => {
  expect(['NetworkPolicy', 'Ingress', 'NginxProxy', 'ValidatingAdmissionPolicy', 'Gateway', 'PodTemplate'].map(pluralOf)).toEqual([
    'networkpolicies',
    'ingresses',
    'nginxproxies',
    'validatingadmissionpolicies',
    'gateways',
    'podtemplates',
  ]);
});

describe.each(withFlux)('%s', (name) => {
  const env = rendered(name);
  const accounts = objects(env, 'ServiceAccount').filter((a) => a.metadata.namespace === 'flux-system');
  const roleOf = (account: string): ClusterRole | 'cluster-admin' => {
    const binding = objects<Binding>(env, 'ClusterRoleBinding').find((b) =>
      b.subjects.some((s) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === 'flux-system'),
    );
    expect(binding, `no ClusterRoleBinding for ${account}`).toBeDefined();
    if (binding!.roleRef.name === 'cluster-admin') return 'cluster-admin';
    return objects<ClusterRole>(env, 'ClusterRole').find((r) => r.metadata.name === binding!.roleRef.name)!;
  };

  it('applies every Kustomization and HelmRelease as a ServiceAccount of its own in flux-system', () => {
    const appliers = [...objects<WithAccount>(env, 'Kustomization'), ...objects<WithAccount>(env, 'HelmRelease')].filter((o) =>
      o.apiVersion.includes('fluxcd.io'),
    );
    expect(appliers.length).toBeGreaterThan(0);
    for (const o of appliers) {
      expect(o.spec.serviceAccountName, `${o.kind}/${o.metadata.name}`).toBeDefined();
      expect(accounts.map((a) => a.metadata.name)).toContain(o.spec.serviceAccountName);
    }
  });

  it('lets the apps stage write exactly the kinds of the apps folder, and no cluster RBAC or webhooks', () => {
    const apps = objects<WithAccount>(env, 'Kustomization').find((k) => k.metadata.name === `${name}-apps`)!;
    const role = roleOf(apps.spec.serviceAccountName!);
    expect(role).not.toBe('cluster-admin');
    const granted = (role as ClusterRole).rules
      .filter((r) => r.resourceNames === undefined)
      .flatMap((r) => r.resources.map((resource) => ({ group: r.apiGroups[0], resource })))
      .sort((a, b) => `${a.group}/${a.resource}`.localeCompare(`${b.group}/${b.resource}`));
    const appFiles = env.files.filter((f) => !f.name.includes('/'));
    expect(appFiles.length).toBeGreaterThan(0);
    const appObjects = env.objects.filter((o) => appFiles.some((f) => f.objects.includes(o)));
    expect(granted).toEqual(
      writtenResources(appObjects.filter((o) => o.kind !== 'Kustomization' || !o.apiVersion.startsWith('kustomize.config'))),
    );
    for (const forbidden of ['clusterroles', 'clusterrolebindings', 'validatingwebhookconfigurations', 'mutatingwebhookconfigurations'])
      expect(granted.map((g) => g.resource)).not.toContain(forbidden);
  });

  it('lets the addons stage write only Namespaces, their NetworkPolicies, HelmRepositories and HelmReleases', () => {
    const addons = objects<WithAccount>(env, 'Kustomization').find((k) => k.metadata.name === `${name}-addons`)!;
    const role = roleOf(addons.spec.serviceAccountName!) as ClusterRole;
    expect(role.rules.flatMap((r) => r.resources).sort()).toEqual(['helmreleases', 'helmrepositories', 'namespaces', 'networkpolicies']);
  });
});

describe('gitops/stage-identity', () => {
  const findings = (name: string, objects: readonly Manifest[]) =>
    runRules(objects, validationContext(environment(name)))
      .filter((v) => v.rule === STAGE_IDENTITY)
      .map((v) => `${v.object} ${v.path}: ${v.message}`);

  it.each(withFlux)('passes %s', (name) => expect(findings(name, rendered(name).objects)).toEqual([]));

  it('fails prod as it was: Kustomizations and HelmReleases applied as the controllers', () => {
    const objects = structuredClone(rendered('prod').objects) as WithAccount[];
    for (const o of objects) if (o.kind === 'Kustomization' || o.kind === 'HelmRelease') delete o.spec?.serviceAccountName;
    const found = findings('prod', objects);
    expect(found).toContain(
      'Kustomization/flux-system/prod-apps spec.serviceAccountName: sets no serviceAccountName: Flux applies it as its own controller, which flux install binds to cluster-admin; name a ServiceAccount of flux-system whose roles allow what this Kustomization writes',
    );
    expect(found.filter((f) => f.startsWith('HelmRelease/')).length).toBeGreaterThan(0);
  });

  it('fails a stage naming an account that is not emitted', () => {
    const objects = structuredClone(rendered('prod').objects) as WithAccount[];
    objects.find((o) => o.kind === 'Kustomization' && o.metadata.name === 'prod-apps')!.spec.serviceAccountName = 'admin';
    expect(findings('prod', objects)).toEqual([
      'Kustomization/flux-system/prod-apps spec.serviceAccountName: names ServiceAccount "admin", which is not emitted in namespace flux-system: Flux\'s impersonation would fail, or use an account whose rights nobody reviewed',
    ]);
  });
});

describe("checkov's CKV_K8S_158 (escalate) on a stage's role", () => {
  const finding = (object: Manifest) => ({
    environment: 'prod',
    tool: 'checkov' as const,
    rule: 'CKV_K8S_158',
    severity: 'error' as const,
    object: manifestId(object),
    message: 'm',
  });

  it('is excused where escalate and bind are granted on named Roles only', () => {
    const { objects: all } = rendered('prod');
    const role = all.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'flux-prod-apps')!;
    expect(projectExceptions(environment('prod'), all)(finding(role))).toMatch(/^a Flux stage's role/);
  });

  it('is not excused where escalate reaches every Role', () => {
    const all = structuredClone(rendered('prod').objects) as ClusterRole[];
    const role = all.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'flux-prod-apps')!;
    for (const rule of role.rules) delete rule.resourceNames;
    expect(projectExceptions(environment('prod'), all)(finding(role))).toBeUndefined();
  });
});
