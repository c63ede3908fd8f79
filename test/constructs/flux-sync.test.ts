import { describe, expect, it } from 'vitest';
import { FieldOwner, type OwnedFields } from '../../lib/gitops/controller-owned-fields';
import { type FluxStage, FluxSync, type FluxSyncProps, fluxIgnoreRule } from '../../lib/gitops/flux-sync';
import { ROLLOUT_HEALTH } from '../../lib/gitops/health-checks';
import { Folder, Stage } from '../../lib/gitops/names';
import { inventory, only, synth } from './synth';

interface GitRepository {
  apiVersion: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { interval: string; url: string; ref: { branch: string }; ignore: string };
}

interface IgnoreRule {
  paths: string[];
  target: { group?: string; kind: string; name?: string; namespace?: string };
}

interface Kustomization {
  apiVersion: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    interval: string;
    retryInterval: string;
    timeout: string;
    sourceRef: { kind: string; name: string };
    path: string;
    prune: boolean;
    wait: boolean;
    dependsOn?: { name: string }[];
    healthChecks?: { apiVersion: string; kind: string; name: string; namespace: string }[];
    healthCheckExprs?: { apiVersion: string; kind: string; current: string }[];
    ignore?: IgnoreRule[];
  };
}

const labels = { 'app.kubernetes.io/part-of': 'platform-gitops' };

const stages: FluxStage[] = [
  { stage: Stage.ADDONS, folder: Folder.ADDONS, serviceAccountName: 'flux-prod-addons' },
  { stage: Stage.APPS, folder: Folder.APPS, dependsOn: [Stage.ADDONS], serviceAccountName: 'flux-prod-apps' },
];

const required = {
  environment: 'prod',
  repository: 'https://github.com/example/platform-manifests.git',
  branch: 'main',
  labels,
  stages,
} satisfies FluxSyncProps;

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
  jsonPointers: ['/spec/http/0/route/0/weight', '/spec/http/0/route/1/weight'],
  jqPathExpressions: [],
};

function render(props: FluxSyncProps) {
  let sync: FluxSync | undefined;
  const objects = synth((chart) => {
    sync = new FluxSync(chart, 'sync', props);
  });
  return {
    objects,
    source: only<GitRepository>(objects, 'GitRepository'),
    kustomization: (name: string) => only<Kustomization>(objects, 'Kustomization', name),
    sync: sync!,
  };
}

describe('FluxSync', () => {
  it('emits a GitRepository and one Kustomization per stage', () => {
    const { objects } = render(required);
    expect(inventory(objects)).toEqual(['GitRepository/prod', 'Kustomization/prod-addons', 'Kustomization/prod-apps']);
    expect(objects).toMatchSnapshot();
  });

  it("follows the branch, every minute by default, keeping only the environment's folder", () => {
    const { source } = render(required);
    expect(source.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(source.metadata).toEqual({ name: 'prod', namespace: 'flux-system', labels });
    expect(source.spec).toEqual({
      interval: '1m',
      url: 'https://github.com/example/platform-manifests.git',
      ref: { branch: 'main' },
      ignore: '/*\n!/dist/prod/\n',
    });
  });

  it("applies each stage's folder from the source, pruning, waiting, every 10 minutes, retrying after 2, timing out after 5 by default", () => {
    const addons = render(required).kustomization('prod-addons');
    expect(addons.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(addons.metadata).toEqual({ name: 'prod-addons', namespace: 'flux-system', labels });
    expect(addons.spec).toEqual({
      interval: '10m',
      retryInterval: '2m',
      timeout: '5m',
      sourceRef: { kind: 'GitRepository', name: 'prod' },
      serviceAccountName: 'flux-prod-addons',
      path: './dist/prod/addons',
      prune: true,
      wait: true,
    });
  });

  it('orders the stages by dependsOn, by Kustomization name', () => {
    const { kustomization, sync } = render(required);
    expect(kustomization('prod-apps').spec.path).toBe('./dist/prod');
    expect(kustomization('prod-apps').spec.dependsOn).toEqual([{ name: 'prod-addons' }]);
    expect(kustomization('prod-addons').spec.dependsOn).toBeUndefined();
    expect([...sync.kustomizations]).toEqual([
      ['addons', 'prod-addons'],
      ['apps', 'prod-apps'],
    ]);
  });

  it('takes every optional prop', () => {
    const healthCheck = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend', namespace: 'platform' };
    const apps: Required<FluxStage> = {
      stage: Stage.APPS,
      folder: Folder.APPS,
      dependsOn: [Stage.ADDONS],
      wait: false,
      healthChecks: [healthCheck],
      healthCheckExprs: [ROLLOUT_HEALTH],
      timeout: '15m',
      ignore: [hpaReplicas],
      prune: false,
      serviceAccountName: 'flux-prod-apps',
    };
    const props: Required<FluxSyncProps> = {
      ...required,
      stages: [stages[0]!, apps],
      signingKeysSecret: 'prod-git-signers',
      sourceInterval: '5m',
      interval: '1h',
      retryInterval: '30s',
    };
    const { source, kustomization } = render(props);
    expect(source.spec.interval).toBe('5m');
    const { spec } = kustomization('prod-apps');
    expect(spec).toMatchObject({ interval: '1h', retryInterval: '30s', timeout: '15m', wait: false, prune: false });
    expect(spec.healthChecks).toEqual([healthCheck]);
    expect(spec.healthCheckExprs).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        inProgress: "status.phase == 'Progressing'",
        failed: "status.phase == 'Degraded'",
        current: "status.phase in ['Healthy', 'Paused']",
      },
    ]);
    expect(spec.ignore).toEqual([{ paths: ['/spec/replicas'], target: { group: '^apps$', kind: '^Deployment$' } }]);
  });

  it('checks health only through wait when wait is on', () => {
    const healthCheck = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend', namespace: 'platform' };
    const { spec } = render({
      ...required,
      stages: [{ stage: Stage.APPS, folder: Folder.APPS, healthChecks: [healthCheck], serviceAccountName: 'flux-prod-apps' }],
    }).kustomization('prod-apps');
    expect(spec.wait).toBe(true);
    expect(spec.healthChecks).toBeUndefined();
  });

  it('ignores owned fields by exact, escaped target names', () => {
    expect(fluxIgnoreRule(canaryWeights)).toEqual({
      paths: ['/spec/http/0/route/0/weight', '/spec/http/0/route/1/weight'],
      target: { group: '^networking\\.istio\\.io$', kind: '^VirtualService$', name: '^backend$', namespace: '^platform$' },
    });
    expect(fluxIgnoreRule({ ...hpaReplicas, group: '', kind: 'Service' }).target).toEqual({ kind: '^Service$' });
  });

  it('fails on a stage that depends on a stage that is not there, naming the environment, both stages and the known ones', () => {
    expect(() =>
      render({
        ...required,
        stages: [{ stage: Stage.APPS, folder: Folder.APPS, dependsOn: [Stage.ADDONS], serviceAccountName: 'flux-prod-apps' }],
      }),
    ).toThrow('prod: Flux stage "apps" depends on "addons", which is not a stage; stages: apps');
  });
});
