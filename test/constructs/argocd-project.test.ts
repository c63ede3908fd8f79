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
    clusterResourceWhitelist: { group: string; kind: string }[];
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
  namespaces: ['platform', 'keda', 'platform'],
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

  it('allows no cluster-scoped kind when none is given', () => {
    expect(render({ ...props, clusterKinds: [] }).resource.spec.clusterResourceWhitelist).toEqual([]);
  });
});
