import { describe, expect, it } from 'vitest';
import {
  ArgoCdApplication,
  type ArgoCdApplicationProps,
  type GitSource,
  type HelmSource,
  ignoreDifference,
} from '../../lib/gitops/argocd-application';
import { FieldOwner, type OwnedFields } from '../../lib/gitops/controller-owned-fields';
import { only, synth } from './synth';

interface Application {
  apiVersion: string;
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    finalizers: string[];
    annotations?: Record<string, string>;
  };
  spec: {
    project: string;
    source: {
      repoURL: string;
      targetRevision: string;
      path?: string;
      chart?: string;
      helm?: { releaseName: string; valuesObject: Record<string, unknown> };
    };
    destination: { server: string; namespace: string };
    syncPolicy: {
      automated: { prune: boolean; selfHeal: boolean };
      syncOptions: string[];
      managedNamespaceMetadata?: { labels: Record<string, string> };
      retry: { limit: number; backoff: { duration: string; factor: number; maxDuration: string } };
    };
    ignoreDifferences?: {
      group: string;
      kind: string;
      name?: string;
      namespace?: string;
      jsonPointers?: string[];
      jqPathExpressions?: string[];
    }[];
  };
}

const labels = { 'app.kubernetes.io/part-of': 'platform-gitops' };

const git: GitSource = { repository: 'https://github.com/example/platform-manifests.git', revision: 'main', path: 'dist/prod' };

const helm: HelmSource = {
  chart: { repository: { name: 'kedacore', url: 'https://kedacore.github.io/charts' }, chart: 'keda', version: '2.17.2' },
  releaseName: 'keda',
  values: { resources: { operator: { requests: { cpu: '100m' } } } },
};

const hpaReplicas: OwnedFields = {
  owner: FieldOwner.AUTOSCALER,
  group: 'apps',
  kind: 'Deployment',
  jsonPointers: ['/spec/replicas'],
  jqPathExpressions: ['.spec.replicas'],
};

const canaryWeights: OwnedFields = {
  owner: FieldOwner.ARGO_ROLLOUTS,
  group: 'networking.istio.io',
  kind: 'VirtualService',
  name: 'backend',
  namespace: 'platform',
  jsonPointers: ['/spec/http/0/route/0/weight'],
  jqPathExpressions: ['.spec.http[] | select(.name == "primary") | .route[].weight'],
};

const required = {
  name: 'prod-apps',
  project: 'prod',
  labels,
  source: git,
  namespace: 'platform',
} satisfies ArgoCdApplicationProps;

function render(props: ArgoCdApplicationProps) {
  let application: ArgoCdApplication | undefined;
  const objects = synth((chart) => {
    application = new ArgoCdApplication(chart, 'application', props);
  });
  return { objects, resource: only<Application>(objects, 'Application'), application: application! };
}

describe('ArgoCdApplication', () => {
  it('emits one Application of a git folder', () => {
    expect(render(required).objects).toMatchSnapshot();
  });

  it('lives in the argocd namespace in its project, and deletes its objects when it is deleted', () => {
    const { resource, application } = render(required);
    expect(resource.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(resource.metadata).toEqual({
      name: 'prod-apps',
      namespace: 'argocd',
      labels,
      finalizers: ['resources-finalizer.argocd.argoproj.io/foreground'],
    });
    expect(resource.spec.project).toBe('prod');
    expect(application.name).toBe('prod-apps');
  });

  it('syncs a git folder at a revision into the in-cluster server', () => {
    const { spec } = render(required).resource;
    expect(spec.source).toEqual({ repoURL: git.repository, targetRevision: 'main', path: 'dist/prod' });
    expect(spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'platform' });
  });

  it('syncs a pinned Helm chart with its release name and values', () => {
    expect(render({ ...required, source: helm }).resource.spec.source).toEqual({
      repoURL: 'https://kedacore.github.io/charts',
      chart: 'keda',
      targetRevision: '2.17.2',
      helm: { releaseName: 'keda', valuesObject: { resources: { operator: { requests: { cpu: '100m' } } } } },
    });
  });

  it('prunes, self-heals, prunes last and retries 5 times with backoff by default', () => {
    const { metadata, spec } = render(required).resource;
    expect(spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true },
      syncOptions: ['PruneLast=true'],
      retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
    });
    expect(metadata.annotations).toBeUndefined();
    expect(spec.ignoreDifferences).toBeUndefined();
  });

  it('takes every optional prop', () => {
    const props: Required<ArgoCdApplicationProps> = {
      ...required,
      wave: 3,
      managedNamespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
      ignore: [hpaReplicas],
      serverSideApply: true,
      prune: false,
      cluster: 'prod-eu',
    };
    const { metadata, spec } = render(props).resource;
    // A hub's Application aims at the member cluster by its registered name, never at the hub itself.
    expect(spec.destination).toEqual({ name: 'prod-eu', namespace: required.namespace });
    expect(metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '3' });
    expect(spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
    expect(spec.syncPolicy.syncOptions).toEqual([
      'CreateNamespace=true',
      'ServerSideApply=true',
      'RespectIgnoreDifferences=true',
      'ApplyOutOfSyncOnly=true',
      'PruneLast=true',
    ]);
    expect(spec.syncPolicy.managedNamespaceMetadata).toEqual({ labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
    expect(spec.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }]);
  });

  it('puts wave 0 on explicitly rather than leaving it out', () => {
    expect(render({ ...required, wave: 0 }).resource.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '0' });
  });

  it('ignores a field inside a list by jq path, selecting the item by name rather than position', () => {
    expect(ignoreDifference(canaryWeights)).toEqual({
      group: 'networking.istio.io',
      kind: 'VirtualService',
      name: 'backend',
      namespace: 'platform',
      jqPathExpressions: ['.spec.http[] | select(.name == "primary") | .route[].weight'],
    });
  });
});
