/**
 * The GitOps objects: one path per environment and controller converges the cluster, in order
 * (add-ons, then apps), with pruning and health checks, and without fighting the controllers that
 * own VirtualService weights, DestinationRule subset labels and replica counts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { GATEWAY_API_CRDS } from '../lib/addons/chart-versions';
import staging from '../environments/staging';
import { autoscalerOwnedFields, rolloutOwnedFields } from '../lib/gitops/controller-owned-fields';
import { renderEnvironments } from '../app/synthesize';
import type { Manifest } from '../lib/core/manifest';
import { addonNamespaces } from '../charts/addon-network-chart';
import { clusterAddons } from '../charts/addons-catalog';
import { environment, find, nonEmpty, objects, rendered, renderOverlay } from './helpers';
import type { Labels, WithSpec, WorkloadJson } from './k8s-json';

/** Flux's Kustomization. */
type Kustomization = WithSpec<{
  readonly path: string;
  readonly prune: boolean;
  readonly sourceRef: { readonly kind: string; readonly name: string };
  readonly dependsOn?: readonly { readonly name: string }[];
  readonly healthCheckExprs?: readonly Labels[];
  readonly ignore?: readonly { readonly paths: readonly string[]; readonly target: Labels }[];
}>;
/** Argo CD's Application. */
type Application = WithSpec<{
  readonly project: string;
  readonly source: {
    readonly repoURL: string;
    readonly targetRevision: string;
    readonly path?: string;
    readonly helm?: { readonly releaseName: string; readonly valuesObject?: Readonly<Record<string, unknown>> };
  };
  readonly destination: { readonly server?: string; readonly name?: string; readonly namespace: string };
  readonly syncPolicy: {
    readonly automated?: { readonly prune: boolean; readonly selfHeal: boolean };
    readonly syncOptions: readonly string[];
    readonly managedNamespaceMetadata?: { readonly labels: Labels };
  };
  readonly ignoreDifferences?: readonly Readonly<Record<string, unknown>>[];
}>;
type AppProject = WithSpec<{
  readonly sourceRepos: readonly string[];
  readonly destinations: readonly { readonly server?: string; readonly name?: string; readonly namespace: string }[];
  readonly clusterResourceWhitelist?: readonly { readonly group: string; readonly kind: string }[];
}>;
type HelmRelease = WithSpec<{ readonly values?: Readonly<Record<string, unknown>> }>;
type VirtualService = WithSpec<{ readonly http: readonly { readonly name: string }[] }>;
type IstioCanaryRollout = WithSpec<{
  readonly strategy: {
    readonly canary: { readonly trafficRouting: { readonly istio: { readonly virtualService: { readonly routes: readonly string[] } } } };
  };
}>;

const kustomizations = (env: string) => objects<Kustomization>(rendered(env), 'Kustomization');
const applications = (env: string) => objects<Application>(rendered(env), 'Application');
const folders = (env: { files: readonly { name: string }[] }) =>
  [...new Set(env.files.map((file) => (file.name.includes('/') ? file.name.slice(0, file.name.indexOf('/')) : '')))].sort();

/** Follows an RFC 6901 pointer through an object. */
function pointer(object: unknown, path: string): unknown {
  return path
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (here, key) =>
        here === undefined ? undefined : (here as Readonly<Record<string, unknown>>)[key.replace(/~1/g, '/').replace(/~0/g, '~')],
      object,
    );
}

describe('layout', () => {
  it("writes the entry points of the environment's controller beside the apps", () => {
    expect(folders(rendered('prod'))).toEqual(['', 'addons', 'flux']);
    // Staging is also the fleet's hub (environments/fleet.ts): the hub bundle is beside its entry point.
    expect(folders(rendered('staging'))).toEqual(['', 'argocd', 'fleet']);
    expect(folders(renderOverlay({ name: 'both', extends: staging, gitops: { tool: 'both' } }))).toEqual(['', 'addons', 'argocd', 'flux']);
  });

  it('points every Kustomization and Application at a folder this repository writes', () => {
    // Every environment's folders: the hub's Applications point at its members' folders.
    const written = new Set(
      environmentNames().flatMap((name) =>
        rendered(name)
          .files.filter((f) => f.name.endsWith('kustomization.yaml'))
          .map((f) => `dist/${name}${f.name === 'kustomization.yaml' ? '' : `/${dirname(f.name)}`}`),
      ),
    );
    for (const name of environmentNames()) {
      const own = (repository: string) => repository === 'https://github.com/example/platform-manifests';
      const fromFlux = kustomizations(name).filter((k) => k.spec.sourceRef.name === name);
      const fromArgo = applications(name).filter((app) => app.spec.source.path !== undefined && own(app.spec.source.repoURL));
      // Every environment syncs itself from this repository with one tool or the other.
      nonEmpty([...fromFlux, ...fromArgo], `${name}: Kustomizations and Applications of this repository`);
      for (const k of fromFlux) expect(written, k.metadata.name).toContain(k.spec.path.replace(/^\.\//, ''));
      for (const a of fromArgo) expect(written, a.metadata.name).toContain(a.spec.source.path);
    }
  });

  it('installs the Gateway API CRDs from their own pinned release, never pruning them', () => {
    // Deleting a CRD deletes every Gateway and HTTPRoute with it: neither tool may prune them.
    const source = find(rendered('prod'), 'GitRepository', 'gateway-api').spec;
    expect(source).toMatchObject({ url: GATEWAY_API_CRDS.repository, ref: { tag: GATEWAY_API_CRDS.tag } });
    expect(find(rendered('prod'), 'Kustomization', 'prod-crds').spec).toMatchObject({
      path: './config/crd',
      prune: false,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: 'gateway-api' },
    });
    const application = find<Application>(rendered('staging'), 'Application', 'gateway-api').spec;
    expect(application.source).toEqual({
      repoURL: GATEWAY_API_CRDS.repository,
      // The commit the tag named: a moved tag changes nothing.
      targetRevision: GATEWAY_API_CRDS.commit,
      path: 'config/crd',
    });
    expect(application.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
    expect(application.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    for (const name of environmentNames()) {
      const gitops = rendered(name).objects.filter((o) => o.kind === 'Kustomization' || o.kind === 'Application');
      expect(gitops.filter((o) => o.metadata.name.endsWith('crds') || o.metadata.name === 'gateway-api').length, name).toBeGreaterThan(0);
    }
  });
});

describe('Flux', () => {
  it("reads this repository's branch, only the environment's folder", () => {
    expect(find(rendered('prod'), 'GitRepository', 'prod').spec).toEqual({
      interval: '1m',
      url: 'https://github.com/example/platform-manifests',
      ref: { branch: 'main' },
      verify: { mode: 'head', secretRef: { name: 'prod-git-signers' } },
      ignore: '/*\n!/dist/prod/\n',
    });
  });

  it('applies the add-ons, then the apps, keeping its own folder in sync', () => {
    expect(kustomizations('prod').map((k) => [k.metadata.name, k.spec.path, (k.spec.dependsOn ?? []).map((d) => d.name)])).toEqual([
      ['prod-gitops', './dist/prod/flux', []],
      ['prod-crds', './config/crd', []],
      ['prod-addons', './dist/prod/addons', ['prod-crds']],
      ['prod-apps', './dist/prod', ['prod-addons']],
    ]);
  });

  it('prunes what leaves git and waits for health before the next stage starts', () => {
    for (const k of nonEmpty(
      kustomizations('prod').filter((k) => k.metadata.name !== 'prod-crds'),
      'prod: Kustomizations',
    )) {
      expect(k.metadata.namespace).toBe('flux-system');
      expect(k.spec.prune).toBe(true);
      expect(k.spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'prod' });
    }
    expect(find(rendered('prod'), 'Kustomization', 'prod-addons').spec).toMatchObject({ wait: true, timeout: '15m' });
    expect(find(rendered('prod'), 'Kustomization', 'prod-apps').spec).toMatchObject({ wait: true, timeout: '10m' });
    // Its own folder is not waited on (it holds itself); it checks that the source is ready.
    expect(find(rendered('prod'), 'Kustomization', 'prod-gitops').spec).toMatchObject({
      wait: false,
      healthChecks: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'prod', namespace: 'flux-system' }],
    });
  });

  it('judges Rollouts by their phase: a paused release gate is not a failed sync', () => {
    expect(find<Kustomization>(rendered('prod'), 'Kustomization', 'prod-apps').spec.healthCheckExprs).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        inProgress: "status.phase == 'Progressing'",
        failed: "status.phase == 'Degraded'",
        current: "status.phase in ['Healthy', 'Paused']",
      },
    ]);
  });

  it('leaves the weights Argo Rollouts sets and the subset labels it injects out of drift correction', () => {
    expect(find<Kustomization>(rendered('prod'), 'Kustomization', 'prod-apps').spec.ignore).toEqual([
      {
        paths: ['/spec/http/0/route/0/weight', '/spec/http/0/route/1/weight'],
        target: { group: '^networking\\.istio\\.io$', kind: '^VirtualService$', name: '^ai$', namespace: '^platform$' },
      },
      {
        paths: ['/spec/subsets/0/labels/rollouts-pod-template-hash', '/spec/subsets/1/labels/rollouts-pod-template-hash'],
        target: { group: '^networking\\.istio\\.io$', kind: '^DestinationRule$', name: '^ai$', namespace: '^platform$' },
      },
    ]);
  });

  it('ignores exactly the weights of the route the Rollout names, which the VirtualService does set', () => {
    const vs = find<VirtualService>(rendered('prod'), 'VirtualService', 'ai');
    const rule = find<Kustomization>(rendered('prod'), 'Kustomization', 'prod-apps').spec.ignore![0];
    expect(rule.paths.map((path) => pointer(vs, path))).toEqual([100, 0]);
    expect(vs.spec.http[0].name).toBe(
      find<IstioCanaryRollout>(rendered('prod'), 'Rollout', 'ai').spec.strategy.canary.trafficRouting.istio.virtualService.routes[0],
    );
    const dr = find(rendered('prod'), 'DestinationRule', 'ai');
    const subsets = find<Kustomization>(rendered('prod'), 'Kustomization', 'prod-apps').spec.ignore![1].paths.map(
      (path) => pointer(dr, path.slice(0, path.lastIndexOf('/labels'))) as { readonly name: string },
    );
    expect(subsets.map((s) => s.name)).toEqual(['stable', 'canary']);
  });

  it('emits nothing for replicas: no autoscaled workload sets spec.replicas, so server-side apply never owns it', () => {
    for (const name of environmentNames()) {
      const { objects } = rendered(name);
      const scaled = new Set(
        objects
          .filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject')
          .map((o) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name),
      );
      const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout');
      expect(workloads.length).toBeGreaterThan(0);
      for (const workload of workloads) {
        const replicas = (workload as WorkloadJson).spec.replicas;
        // Only a workload no autoscaler sizes (a worker without a queue) holds its own count.
        if (scaled.has(workload.metadata.name)) expect(replicas, `${name}: ${workload.kind}/${workload.metadata.name}`).toBeUndefined();
        else expect(replicas, `${name}: ${workload.kind}/${workload.metadata.name}`).toBeGreaterThanOrEqual(1);
      }
      for (const k of kustomizations(name)) {
        expect(JSON.stringify(k.spec.ignore ?? [])).not.toContain('/spec/replicas');
      }
    }
  });

  it('fails the synth if a scaled workload ever sets spec.replicas', () => {
    const objectsWithReplicas: Manifest[] = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'platform' }, spec: { replicas: 3 } },
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web', namespace: 'platform' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
      },
    ];
    expect(() => autoscalerOwnedFields(objectsWithReplicas)).toThrow(
      'Deployment platform/web sets spec.replicas, but an autoscaler owns it: a GitOps sync would reset the count on every reconcile (leave spec.replicas out)',
    );
  });

  it('has nothing to ignore where no Rollout routes through Istio (dev)', () => {
    expect(find(rendered('dev'), 'Kustomization', 'dev-apps').spec).not.toHaveProperty('ignore');
    expect(rolloutOwnedFields(rendered('dev').objects)).toEqual([]);
  });
});

describe('Argo CD', () => {
  it('creates one project per stage that together allow only this repository, the pinned chart repositories and the namespaces in use', () => {
    const projects = objects<AppProject>(rendered('staging'), 'AppProject').filter((p) => p.metadata.name.startsWith('staging-'));
    expect(projects.map((p) => p.metadata.name).sort()).toEqual(['staging-addons', 'staging-apps', 'staging-crds', 'staging-gitops']);
    for (const project of projects) expect(project.metadata.namespace).toBe('argocd');
    expect([...new Set(projects.flatMap((p) => p.spec.sourceRepos))].sort()).toEqual([
      'https://argoproj.github.io/argo-helm',
      'https://blob.istio.io/istio-release/charts',
      'https://charts.chaos-mesh.org',
      'https://charts.external-secrets.io',
      'https://charts.jetstack.io',
      'https://cloudnative-pg.github.io/charts',
      'https://github.com/example/platform-manifests',
      'https://github.com/kubernetes-sigs/gateway-api',
      'https://kedacore.github.io/charts',
      'https://ot-container-kit.github.io/helm-charts',
      'https://prometheus-community.github.io/helm-charts',
      'oci://ghcr.io/nginx/charts/nginx-gateway-fabric',
    ]);
    const destinations = (name: string) => projects.find((p) => p.metadata.name === name)!.spec.destinations.map((d) => d.namespace);
    expect(destinations('staging-gitops')).toEqual(['argocd']);
    expect(destinations('staging-crds')).toEqual(['nginx-gateway']);
    // The apps' namespaces, and (NetworkPolicies only in this folder) the add-on namespaces' isolation,
    // which goes with the apps where Argo CD installs the add-ons (charts/addon-network-chart.ts).
    const isolated = addonNamespaces(clusterAddons(environment('staging'))).map((n) => n.name);
    expect(destinations('staging-apps')).toEqual([...new Set(['data', 'edge', 'platform', 'user-projects', ...isolated])].sort());
    expect(
      rendered('staging')
        .objects.filter((o) => isolated.includes(o.metadata.namespace ?? ''))
        .every((o) => o.kind === 'NetworkPolicy'),
    ).toBe(true);
    // kube-system only for the add-on installed there (istio-cni), never for the apps.
    expect(destinations('staging-addons')).toEqual([
      'argo-rollouts',
      'cert-manager',
      'chaos-mesh',
      'cnpg-system',
      'external-secrets',
      'istio-system',
      'keda',
      'kube-system',
      'monitoring',
      'nginx-gateway',
      'redis-operator',
    ]);
    // Cluster-scoped kinds are listed one by one; the apps' ClusterIssuer and ClusterSecretStore in the apps' project alone.
    const kinds = (name: string) => projects.find((p) => p.metadata.name === name)!.spec.clusterResourceWhitelist ?? [];
    expect(kinds('staging-apps')).toContainEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer' });
    expect(kinds('staging-addons')).not.toContainEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer' });
    for (const project of projects) expect(project.spec.clusterResourceWhitelist ?? []).not.toContainEqual({ group: '*', kind: '*' });
  });

  it('keeps every Application inside its project', () => {
    const own = applications('staging').filter((app) => app.spec.project.startsWith('staging-'));
    expect(own.length).toBeGreaterThan(1);
    // The hub's fleet Applications belong to the fleet's project (test/fleet.test.ts); each is checked against its own.
    for (const app of applications('staging')) {
      const project = find<AppProject>(rendered('staging'), 'AppProject', app.spec.project);
      expect(app.metadata.namespace).toBe('argocd');
      expect(project.spec.sourceRepos).toContain(app.spec.source.repoURL);
      expect(project.spec.destinations).toContainEqual(app.spec.destination);
    }
  });

  it('syncs every Application automatically, pruning and self-healing, and deletes its objects with it', () => {
    for (const app of nonEmpty(
      applications('staging').filter((a) => !a.metadata.name.endsWith('gateway-api')),
      'staging: Applications',
    )) {
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io/foreground']);
    }
  });

  it('is an app of apps: the root Application syncs the argocd folder, the apps Application the environment root', () => {
    expect(find<Application>(rendered('staging'), 'Application', 'staging-gitops').spec.source).toEqual({
      repoURL: 'https://github.com/example/platform-manifests',
      targetRevision: 'main',
      path: 'dist/staging/argocd',
    });
    expect(find<Application>(rendered('staging'), 'Application', 'staging-apps').spec.source.path).toBe('dist/staging');
  });

  it('ignores the fields Argo Rollouts and the autoscalers own, and keeps their live values on sync', () => {
    const apps = find<Application>(rendered('staging'), 'Application', 'staging-apps');
    expect(apps.spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
      { group: 'argoproj.io', kind: 'Rollout', jsonPointers: ['/spec/replicas'] },
      {
        group: 'networking.istio.io',
        kind: 'VirtualService',
        name: 'ai',
        namespace: 'platform',
        jqPathExpressions: ['.spec.http[] | select(.name == "primary") | .route[].weight'],
      },
      {
        group: 'networking.istio.io',
        kind: 'DestinationRule',
        name: 'ai',
        namespace: 'platform',
        jqPathExpressions: ['.spec.subsets[] | select(.name == "canary" or .name == "stable") | .labels["rollouts-pod-template-hash"]'],
      },
    ]);
    expect(apps.spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true', 'ApplyOutOfSyncOnly=true', 'PruneLast=true']);
  });

  it('installs add-ons from their Helm charts into labelled namespaces, every one server-side', () => {
    const nginx = find<Application>(rendered('staging'), 'Application', 'nginx-gateway-fabric');
    expect(nginx.spec.source.helm!.releaseName).toBe('nginx-gateway-fabric');
    expect(nginx.spec.destination.namespace).toBe('nginx-gateway');
    expect(nginx.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ServerSideApply=true', 'PruneLast=true']);
    expect(nginx.spec.syncPolicy.managedNamespaceMetadata!.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    // KEDA's and External Secrets' CRDs are larger than client-side apply's last-applied annotation allows.
    const charts = objects<Application>(rendered('staging'), 'Application').filter((o) => o.spec.source.helm !== undefined);
    // At least one chart Application per add-on the model installs (staging, the hub, also holds its members').
    expect(charts.length).toBeGreaterThanOrEqual(nonEmpty(clusterAddons(environment('staging')), 'staging: add-ons').length);
    for (const app of charts) {
      expect(app.spec.syncPolicy.syncOptions, app.metadata.name).toContain('ServerSideApply=true');
    }
    // kube-system belongs to the cluster: neither created nor relabelled.
    expect(find<Application>(rendered('staging'), 'Application', 'istio-cni').spec.syncPolicy).not.toHaveProperty(
      'managedNamespaceMetadata',
    );
  });

  it('configures add-ons identically for Flux and Argo CD', () => {
    const both = renderOverlay({ name: 'both', extends: staging, gitops: { tool: 'both' } });
    const releases = objects<HelmRelease>(both, 'HelmRelease');
    expect(releases).toHaveLength(nonEmpty(clusterAddons(environment('staging')), 'staging: add-ons').length);
    for (const release of releases) {
      const app = find<Application>(both, 'Application', release.metadata.name);
      expect(app.spec.source.helm!.valuesObject, release.metadata.name).toEqual(release.spec.values);
    }
  });
});

describe('kubectl kustomize', () => {
  const hasKubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const out = mkdtempSync(join(tmpdir(), 'gitops-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const envs = renderEnvironments();
  for (const env of envs) {
    for (const file of env.files) {
      mkdirSync(dirname(join(out, env.environment, file.name)), { recursive: true });
      writeFileSync(join(out, env.environment, file.name), file.text);
    }
  }
  // Every kustomize root, nested ones included (the hub's dist/<hub>/fleet/<cluster>).
  const kustomizeRoots = (env: { files: readonly { name: string }[] }) =>
    env.files.filter((f) => f.name.endsWith('kustomization.yaml')).map((f) => (f.name.includes('/') ? dirname(f.name) : ''));
  const roots = envs.flatMap((env) => kustomizeRoots(env).map((folder) => [env.environment, folder, env] as const));

  it.runIf(hasKubectl || process.env.CI === 'true').each(roots)('builds dist/%s/%s', (name, folder, env) => {
    const output = execFileSync('kubectl', ['kustomize', join(out, name, folder)], { encoding: 'utf8' });
    const expected = env.files
      .filter((f) => (folder === '' ? !f.name.includes('/') : dirname(f.name) === folder))
      .flatMap((f) => f.objects).length;
    expect(output.match(/^kind: /gm)?.length).toBe(expected);
  });
});
