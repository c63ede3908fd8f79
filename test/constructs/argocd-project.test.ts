import { describe, expect, it } from 'vitest';
import { ArgoCdProject, type ArgoCdProjectProps } from '../../lib/gitops/argocd-project';
import { only, synth } from './synth';

interface AppProject {
  apiVersion: string;
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    description: string;
    sourceRepos: string[];
    destinations: { server: string; namespace: string }[];
    clusterResourceWhitelist?: { group: string; kind: string }[];
    clusterResourceBlacklist?: { group: string; kind: string }[];
    namespaceResourceWhitelist?: { group: string; kind: string }[];
    namespaceResourceBlacklist?: { group: string; kind: string }[];
    sourceIntegrity?: unknown;
  };
}

const labels = { 'app.kubernetes.io/part-of': 'platform-gitops' };

const props: ArgoCdProjectProps = {
  name: 'prod',
  labels,
  description: 'The prod environment',
  sourceRepos: [
    'https://kedacore.github.io/charts',
    'https://github.com/example/platform-manifests.git',
    'https://kedacore.github.io/charts',
  ],
  destinations: ['platform', 'keda', 'platform'],
  clusterKinds: [
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    { group: '', kind: 'Namespace' },
    { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
    { group: '', kind: 'Namespace' },
  ],
};

function render(p: ArgoCdProjectProps) {
  let project: ArgoCdProject | undefined;
  const objects = synth((chart) => {
    project = new ArgoCdProject(chart, 'project', p);
  });
  return { objects, resource: only<AppProject>(objects, 'AppProject'), project: project! };
}

describe('ArgoCdProject', () => {
  it('emits one AppProject', () => {
    expect(render(props).objects).toMatchSnapshot();
  });

  it('lives in the argocd namespace and syncs in the first wave, before any Application', () => {
    const { resource, project } = render(props);
    expect(resource.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(resource.metadata).toEqual({ name: 'prod', namespace: 'argocd', labels, annotations: { 'argocd.argoproj.io/sync-wave': '0' } });
    expect(resource.spec.description).toBe('The prod environment');
    expect(project.name).toBe('prod');
  });

  it('allows exactly the given sources, once each, sorted', () => {
    expect(render(props).resource.spec.sourceRepos).toEqual([
      'https://github.com/example/platform-manifests.git',
      'https://kedacore.github.io/charts',
    ]);
  });

  it('allows exactly the given namespaces of the in-cluster server, once each, sorted', () => {
    expect(render(props).resource.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'keda' },
      { server: 'https://kubernetes.default.svc', namespace: 'platform' },
    ]);
  });

  it('allows exactly the given cluster-scoped kinds, once each, sorted by group and kind', () => {
    expect(render(props).resource.spec.clusterResourceWhitelist).toEqual([
      { group: '', kind: 'Namespace' },
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    ]);
  });

  it('allows no cluster-scoped kind when none is given: a blacklist of every kind, which every Argo CD reads alike', () => {
    const { spec } = render({ ...props, clusterKinds: [] }).resource;
    expect(spec.clusterResourceWhitelist).toBeUndefined();
    expect(spec.clusterResourceBlacklist).toEqual([{ group: '*', kind: '*' }]);
  });

  it('allows exactly the given namespaced kinds, none when the list is empty, any when it is not given', () => {
    const kinds = [
      { group: 'apps', kind: 'Deployment' },
      { group: '', kind: 'Service' },
      { group: 'apps', kind: 'Deployment' },
    ];
    expect(render({ ...props, namespacedKinds: kinds }).resource.spec.namespaceResourceWhitelist).toEqual([
      { group: '', kind: 'Service' },
      { group: 'apps', kind: 'Deployment' },
    ]);
    const none = render({ ...props, namespacedKinds: [] }).resource.spec;
    expect([none.namespaceResourceWhitelist, none.namespaceResourceBlacklist]).toEqual([undefined, [{ group: '*', kind: '*' }]]);
    const any = render(props).resource.spec;
    expect([any.namespaceResourceWhitelist, any.namespaceResourceBlacklist]).toEqual([undefined, undefined]);
  });

  it('names other clusters by name and the one Argo CD runs in by its server', () => {
    expect(render({ ...props, destinations: ['argocd', { cluster: 'prod', namespace: 'platform' }] }).resource.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
      { name: 'prod', namespace: 'platform' },
    ]);
  });

  it('verifies the HEAD commit of the signed repositories against the given key ids, nothing when none is given', () => {
    const signedBy = { repositories: ['https://github.com/example/platform-manifests.git'], keys: ['7C2D41A9E05B38F6'] };
    expect(render({ ...props, signedBy }).resource.spec.sourceIntegrity).toEqual({
      git: {
        policies: [
          { repos: [{ url: 'https://github.com/example/platform-manifests.git' }], gpg: { mode: 'head', keys: ['7C2D41A9E05B38F6'] } },
        ],
      },
    });
    expect(render(props).resource.spec.sourceIntegrity).toBeUndefined();
    expect(render({ ...props, signedBy: { ...signedBy, keys: [] } }).resource.spec.sourceIntegrity).toBeUndefined();
  });
});
