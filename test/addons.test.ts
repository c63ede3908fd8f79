/**
 * Cluster add-ons: each pinned to one chart version, configured from the environment, installed in
 * dependency order (Flux `dependsOn`, Argo CD sync waves), and valid against the pinned CRDs.
 */
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { CHARTS } from '../lib/addons/chart-versions';
import { clusterAddons } from '../charts/addons-catalog';
import { dependencyDepths, inDependencyOrder } from '../lib/addons/order';
import { nginxControllerSettings } from '../lib/constructs/edge-ingress';
import { validateSchema } from '../validation/schema';
import prod from '../environments/prod';
import { environment, find, nonEmpty, objects, rendered, renderOverlay, validateOverlay } from './helpers';
import type { Labels, WithSpec } from './k8s-json';

/** A Flux HelmRelease; `Values` is the part of the chart's values a test reads. */
type HelmRelease<Values = Readonly<Record<string, unknown>>> = WithSpec<{
  readonly chart: { readonly spec: { readonly chart: string; readonly version: string; readonly sourceRef: { readonly name: string } } };
  readonly dependsOn?: readonly { readonly name: string }[];
  readonly install: { readonly crds: string };
  readonly upgrade: { readonly crds: string };
  readonly targetNamespace?: string;
  readonly values: Values;
}>;

interface KubePrometheusStackValues {
  readonly nodeExporter: { readonly enabled: boolean };
  readonly 'kube-state-metrics': { readonly collectorsExtra: readonly string[] };
  readonly defaultRules: { readonly rules: Readonly<Record<string, boolean>> };
  readonly prometheus: { readonly prometheusSpec: { readonly serviceMonitorSelectorNilUsesHelmValues: boolean } };
}

interface IstiodValues {
  readonly pilot: { readonly autoscaleMin: number; readonly cni: { readonly enabled: boolean } };
  readonly global: { readonly proxy: Readonly<Record<string, unknown>> };
  readonly base: { readonly validationFailurePolicy: string };
}

interface IngressNginxValues {
  readonly controller: {
    readonly replicaCount: number;
    readonly resources: { readonly requests: Readonly<Record<string, string>>; readonly limits: Readonly<Record<string, string>> };
    readonly config: Readonly<Record<string, string>>;
    readonly podSecurityContext: Readonly<Record<string, unknown>>;
    readonly admissionWebhooks: { readonly patch: { readonly labels: Labels } };
  };
  readonly serviceAccount: { readonly name: string };
}

interface NginxGatewayFabricValues {
  readonly nginxGateway: { readonly replicas: number; readonly [key: string]: unknown };
}

interface CertManagerValues {
  readonly crds: { readonly enabled: boolean; readonly keep: boolean };
}

/** external-secrets and argo-rollouts: CRDs installed by the chart. */
interface InstallCrdsValues {
  readonly installCRDs: boolean;
}

type HelmRepository = WithSpec<{ readonly url: string; readonly type?: string }>;

type Application = WithSpec<{
  readonly source: { readonly repoURL: string; readonly chart?: string; readonly path?: string; readonly targetRevision: string };
}>;

const releases = (env: string) => objects<HelmRelease>(rendered(env), 'HelmRelease');
const dependsOn = (env: string) =>
  Object.fromEntries(releases(env).map((r): [string, string[]] => [r.metadata.name, (r.spec.dependsOn ?? []).map((d) => d.name)]));
const waves = (env: string) =>
  Object.fromEntries(
    objects(rendered(env), 'Application')
      // The environment's own Applications (its stages' projects); a hub's fleet Applications are test/fleet.test.ts's.
      .filter((a) => (a.spec as { project?: string }).project?.startsWith(`${env}-`))
      .filter((a) => a.metadata.annotations?.['argocd.argoproj.io/sync-wave'] !== undefined)
      .map((a): [string, number] => [a.metadata.name, Number(a.metadata.annotations!['argocd.argoproj.io/sync-wave'])]),
  );

describe('pinned charts', () => {
  it('pins every add-on to one exact chart version of its repository', () => {
    expect(
      Object.fromEntries(
        releases('prod').map((r) => [
          r.metadata.name,
          `${find<HelmRepository>(rendered('prod'), 'HelmRepository', r.spec.chart.spec.sourceRef.name).spec.url} ${r.spec.chart.spec.chart}@${r.spec.chart.spec.version}`,
        ]),
      ),
    ).toEqual({
      'kube-prometheus-stack': 'https://prometheus-community.github.io/helm-charts kube-prometheus-stack@88.5.3',
      'istio-base': 'https://blob.istio.io/istio-release/charts base@1.31.4',
      keda: 'https://kedacore.github.io/charts keda@2.20.2',
      'istio-cni': 'https://blob.istio.io/istio-release/charts cni@1.31.4',
      'cert-manager': 'https://charts.jetstack.io cert-manager@v1.21.2',
      'external-secrets': 'https://charts.external-secrets.io external-secrets@2.8.0',
      'argo-rollouts': 'https://argoproj.github.io/argo-helm argo-rollouts@2.43.0',
      istiod: 'https://blob.istio.io/istio-release/charts istiod@1.31.4',
      'nginx-gateway-fabric': 'oci://ghcr.io/nginx/charts nginx-gateway-fabric@2.6.7',
      // The data layer's operators and the chaos drills' Chaos Mesh (issue 14).
      'cloudnative-pg': 'https://cloudnative-pg.github.io/charts cloudnative-pg@0.29.0',
      'plugin-barman-cloud': 'https://cloudnative-pg.github.io/charts plugin-barman-cloud@0.7.0',
      'redis-operator': 'https://ot-container-kit.github.io/helm-charts redis-operator@0.26.1',
      'chaos-mesh': 'https://charts.chaos-mesh.org chaos-mesh@2.8.3',
    });
  });

  it('reads OCI charts from an OCI HelmRepository, and gives Argo CD the chart artifact', () => {
    const repository = find<HelmRepository>(rendered('prod'), 'HelmRepository', 'nginx');
    expect(repository.spec).toMatchObject({ type: 'oci', url: 'oci://ghcr.io/nginx/charts' });
    const application = find<Application>(rendered('staging'), 'Application', 'nginx-gateway-fabric');
    // Argo CD (3.1 and later) reads an OCI chart as an artifact of its own, from its root.
    expect(application.spec.source).toMatchObject({
      repoURL: 'oci://ghcr.io/nginx/charts/nginx-gateway-fabric',
      path: '.',
      targetRevision: '2.6.7',
    });
    expect(application.spec.source).not.toHaveProperty('chart');
  });

  it('never uses a version range', () => {
    for (const chart of Object.values(CHARTS)) expect(chart.version).toMatch(/^v?\d+\.\d+\.\d+$/);
  });

  it('keeps the three Istio charts on one version', () => {
    expect(new Set([CHARTS.istioBase.version, CHARTS.istiod.version, CHARTS.istioCni.version]).size).toBe(1);
  });

  it('installs the same chart versions through Argo CD', () => {
    const apps = objects<Application>(rendered('staging'), 'Application');
    for (const release of nonEmpty(releases('prod'), 'prod: HelmReleases')) {
      const app = apps.find((a) => a.metadata.name === release.metadata.name)!;
      const repository = find<HelmRepository>(rendered('prod'), 'HelmRepository', release.spec.chart.spec.sourceRef.name).spec;
      const { chart, version } = release.spec.chart.spec;
      expect(app.spec.source).toMatchObject(
        repository.type === 'oci'
          ? { repoURL: `${repository.url}/${chart}`, path: '.', targetRevision: version }
          : { repoURL: repository.url, chart, targetRevision: version },
      );
    }
  });
});

describe('configuration per environment', () => {
  it('runs two replicas of every controller in production and one elsewhere, NGINX Gateway Fabric included', () => {
    expect(
      find<HelmRelease<NginxGatewayFabricValues>>(rendered('prod'), 'HelmRelease', 'nginx-gateway-fabric').spec.values.nginxGateway,
    ).toMatchObject({
      gatewayClassName: 'nginx',
      replicas: 2,
      productTelemetry: { enable: false },
      snippets: { enable: false },
    });
    expect(
      find<HelmRelease<NginxGatewayFabricValues>>(rendered('dev'), 'HelmRelease', 'nginx-gateway-fabric').spec.values.nginxGateway.replicas,
    ).toBe(1);
    expect(find<HelmRelease<IstiodValues>>(rendered('prod'), 'HelmRelease', 'istiod').spec.values.pilot.autoscaleMin).toBe(2);
  });

  it("turns on the chart's PodDisruptionBudget beside two replicas, where the chart has one, and not beside one", () => {
    // Found by verify's attribution of kube-score's findings (app/verify/addons/attribution.ts): two
    // replicas and no budget, so a drain could evict both at once.
    type Replicated = { readonly replicaCount?: number; readonly podDisruptionBudget?: { readonly enabled: boolean } };
    const values = (env: string, name: string) =>
      find<HelmRelease<Replicated & { readonly webhook?: Replicated }>>(rendered(env), 'HelmRelease', name).spec.values;
    for (const name of ['cert-manager', 'external-secrets']) {
      expect(values('prod', name), name).toMatchObject({ replicaCount: 2, podDisruptionBudget: { enabled: true } });
      expect(values('dev', name).podDisruptionBudget, name).toBeUndefined();
    }
    expect(values('prod', 'cert-manager').webhook).toMatchObject({ replicaCount: 2, podDisruptionBudget: { enabled: true } });
  });

  it('keeps node-exporter off, so every monitoring pod is admitted as "restricted"', () => {
    const values = find<HelmRelease<KubePrometheusStackValues>>(rendered('prod'), 'HelmRelease', 'kube-prometheus-stack').spec.values;
    expect(values.nodeExporter).toEqual({ enabled: false });
    expect(values.defaultRules.rules).toEqual({ nodeExporterAlerting: false, nodeExporterRecording: false });
  });

  it("turns on kube-state-metrics' endpoints collector (not in 88.5.3's default list), whose series ApiDown reads", () => {
    const values = find<HelmRelease<KubePrometheusStackValues>>(rendered('prod'), 'HelmRelease', 'kube-prometheus-stack').spec.values;
    expect(values['kube-state-metrics']).toEqual({ collectorsExtra: ['endpoints'] });
  });

  it('gives every injected container of istiod a seccomp profile, and renders its webhooks as Fail', () => {
    const values = find<HelmRelease<IstiodValues>>(rendered('prod'), 'HelmRelease', 'istiod').spec.values;
    expect(values.global.proxy).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.base).toEqual({ validationFailurePolicy: 'Fail' });
    expect(find<HelmRelease<Pick<IstiodValues, 'base'>>>(rendered('prod'), 'HelmRelease', 'istio-base').spec.values.base).toEqual({
      validationFailurePolicy: 'Fail',
    });
  });

  it('installs CRDs with the charts that own them', () => {
    expect(find<HelmRelease<CertManagerValues>>(rendered('prod'), 'HelmRelease', 'cert-manager').spec.values.crds).toEqual({
      enabled: true,
      keep: true,
    });
    expect(find<HelmRelease<InstallCrdsValues>>(rendered('prod'), 'HelmRelease', 'external-secrets').spec.values.installCRDs).toBe(true);
    expect(find<HelmRelease<InstallCrdsValues>>(rendered('prod'), 'HelmRelease', 'argo-rollouts').spec.values.installCRDs).toBe(true);
    for (const release of nonEmpty(releases('prod'), 'prod: HelmReleases')) {
      expect(release.spec.install.crds).toBe('CreateReplace');
      expect(release.spec.upgrade.crds).toBe('CreateReplace');
    }
  });

  it('enables the Istio CNI plugin, so injected pods keep Pod Security "restricted"', () => {
    expect(find<HelmRelease<IstiodValues>>(rendered('prod'), 'HelmRelease', 'istiod').spec.values.pilot.cni).toEqual({ enabled: true });
    expect(find<HelmRelease>(rendered('prod'), 'HelmRelease', 'istio-cni').spec.targetNamespace).toBe('kube-system');
  });

  it('installs kube-prometheus-stack where monitoring.prometheusUrl points, selecting every ServiceMonitor', () => {
    const stack = find<HelmRelease<KubePrometheusStackValues>>(rendered('prod'), 'HelmRelease', 'kube-prometheus-stack');
    expect(stack.spec.targetNamespace).toBe('monitoring');
    expect(stack.spec.values.prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues).toBe(false);
  });

  it('leaves Istio out where the mesh is off (dev)', () => {
    expect(releases('dev').map((r) => r.metadata.name)).toEqual([
      'kube-prometheus-stack',
      'keda',
      'cert-manager',
      'external-secrets',
      'argo-rollouts',
      'nginx-gateway-fabric',
      'cloudnative-pg',
      'redis-operator',
      'plugin-barman-cloud',
    ]);
  });

  it("admits each add-on namespace at the strictest level its charts allow, and warns at 'restricted'", () => {
    const enforced = Object.fromEntries(
      objects(rendered('prod'), 'Namespace')
        .filter((ns) => ns.metadata.labels!['app.kubernetes.io/name'] === 'addons')
        .map((ns): [string, string | undefined] => [ns.metadata.name, ns.metadata.labels!['pod-security.kubernetes.io/enforce']]),
    );
    expect(enforced).toEqual({
      monitoring: 'restricted',
      'istio-system': 'restricted',
      keda: 'restricted',
      'cert-manager': 'restricted',
      'external-secrets': 'restricted',
      'argo-rollouts': 'restricted',
      'nginx-gateway': 'restricted',
      'cnpg-system': 'restricted',
      'redis-operator': 'restricted',
      // Chaos Mesh's chaos-daemon is privileged (host PID, the runtime's socket): nothing less admits it.
      'chaos-mesh': 'privileged',
    });
    for (const name of Object.keys(enforced)) {
      const labels = find(rendered('prod'), 'Namespace', name).metadata.labels!;
      expect(labels['pod-security.kubernetes.io/warn']).toBe('restricted');
      // Pinned to the cluster's own minor, so the checks are the ones that cluster runs.
      for (const mode of ['enforce', 'warn', 'audit']) {
        expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toBe(`v${environment('prod').cluster.kubernetesVersion}`);
      }
    }
    // kube-system is the cluster's: never emitted, never relabelled.
    expect(enforced).not.toHaveProperty('kube-system');
  });
});

describe('replicas spread over nodes and zones', () => {
  /** Every object in a chart's values that sets a replica count, with its path. */
  const replicaBlocks = (values: unknown, path = ''): { path: string; block: Record<string, unknown> }[] => {
    if (values === null || typeof values !== 'object' || Array.isArray(values)) return [];
    const block = values as Record<string, unknown>;
    const own = ['replicas', 'replicaCount'].some((k) => typeof block[k] === 'number') ? [{ path: path || '(top)', block }] : [];
    return [...own, ...Object.entries(block).flatMap(([k, v]) => replicaBlocks(v, path ? `${path}.${k}` : k))];
  };
  const hostTerm = {
    weight: 100,
    podAffinityTerm: { labelSelector: {}, matchLabelKeys: ['pod-template-hash'], topologyKey: 'kubernetes.io/hostname' },
  };

  it.each(environmentNames())('%s: every controller run twice or more prefers its own ReplicaSet on other nodes', (name) => {
    for (const addon of clusterAddons(environment(name))) {
      for (const { path, block } of replicaBlocks(addon.values)) {
        const replicas = Number(block.replicas ?? block.replicaCount);
        const preferred = (block.affinity as { podAntiAffinity?: { preferredDuringSchedulingIgnoredDuringExecution?: unknown[] } })
          ?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
        if (replicas > 1) expect(preferred, `${name} ${addon.name} ${path}`).toContainEqual(hostTerm);
        else expect(block.affinity, `${name} ${addon.name} ${path}: one replica needs no spread`).toBeUndefined();
      }
    }
  });

  it('prod runs some controllers twice, so the check above has something to check', () => {
    const twice = clusterAddons(environment('prod')).flatMap((a) =>
      replicaBlocks(a.values)
        .filter(({ block }) => Number(block.replicas ?? block.replicaCount) > 1)
        .map(({ path }) => `${a.name}:${path}`),
    );
    expect(twice.length).toBeGreaterThanOrEqual(6);
  });
});

describe('install order', () => {
  it('chains Flux HelmReleases: CRDs and the CNI first, then the controllers that need them', () => {
    expect(dependsOn('prod')).toEqual({
      'kube-prometheus-stack': [],
      'istio-base': [],
      keda: [],
      'istio-cni': ['istio-base'],
      'cert-manager': ['kube-prometheus-stack'],
      'external-secrets': ['kube-prometheus-stack'],
      'argo-rollouts': ['kube-prometheus-stack'],
      istiod: ['istio-base', 'istio-cni'],
      'nginx-gateway-fabric': ['kube-prometheus-stack', 'istiod'],
      'cloudnative-pg': ['kube-prometheus-stack'],
      'redis-operator': ['kube-prometheus-stack'],
      // The plugin runs in the operator's namespace and takes its certificates from cert-manager.
      'plugin-barman-cloud': ['cloudnative-pg', 'cert-manager'],
      'chaos-mesh': ['cert-manager'],
    });
    expect(dependsOn('dev')['nginx-gateway-fabric']).toEqual(['kube-prometheus-stack']);
  });

  it('lists every HelmRelease after the ones it depends on', () => {
    const pairs = environmentNames().flatMap((env) =>
      Object.entries(dependsOn(env)).flatMap(([name, deps]) => deps.map((dep) => ({ env, name, dep }))),
    );
    for (const { env, name, dep } of nonEmpty(pairs, 'HelmReleases that depend on another')) {
      const order = releases(env).map((r) => r.metadata.name);
      expect(order.indexOf(dep), `${env}: ${name} after ${dep}`).toBeLessThan(order.indexOf(name));
    }
  });

  it('puts Argo CD add-ons in waves by dependency depth, after the project and before the apps', () => {
    expect(waves('staging')).toEqual({
      // The Gateway API CRDs, from their own release: before every add-on (NGF and cert-manager read them).
      'gateway-api': 1,
      'kube-prometheus-stack': 1,
      'istio-base': 1,
      keda: 1,
      'istio-cni': 2,
      'cert-manager': 2,
      'external-secrets': 2,
      'argo-rollouts': 2,
      istiod: 3,
      'nginx-gateway-fabric': 4,
      'cloudnative-pg': 2,
      'redis-operator': 2,
      'plugin-barman-cloud': 3,
      'chaos-mesh': 3,
      'staging-apps': 5,
    });
    for (const stage of ['gitops', 'crds', 'addons', 'apps'])
      expect(find(rendered('staging'), 'AppProject', `staging-${stage}`).metadata.annotations).toEqual({
        'argocd.argoproj.io/sync-wave': '0',
      });
  });

  it('gives every add-on a later wave than each add-on it depends on', () => {
    const wave = waves('staging');
    for (const addon of nonEmpty(clusterAddons(environment('staging')), 'staging: add-ons')) {
      for (const dep of addon.dependsOn) expect(wave[addon.name]!).toBeGreaterThan(wave[dep]!);
    }
  });

  it('fails on a dependency that is not installed, naming it', () => {
    expect(() => dependencyDepths([{ name: 'ingress-nginx', dependsOn: ['istiod'] }])).toThrow(
      'add-on "ingress-nginx" depends on "istiod", which is not installed; known: ingress-nginx',
    );
  });

  it('fails on a cycle, naming it', () => {
    expect(() =>
      inDependencyOrder([
        { name: 'a', dependsOn: ['b'] },
        { name: 'b', dependsOn: ['a'] },
      ]),
    ).toThrow('add-ons depend on each other in a cycle: a -> b -> a');
  });
});

describe('the legacy ingress-nginx edge (ingress.implementation: ingress-nginx)', () => {
  const LEGACY = { name: 'legacy', extends: prod, ingress: { implementation: 'ingress-nginx', namespace: 'ingress-nginx' } } as const;
  const legacy = renderOverlay(LEGACY);
  const controller = () => find<HelmRelease<IngressNginxValues>>(legacy, 'HelmRelease', 'ingress-nginx').spec.values.controller;

  it('installs the final ingress-nginx release instead of NGINX Gateway Fabric', () => {
    const names = objects(legacy, 'HelmRelease').map((r) => r.metadata.name);
    expect(names).toContain('ingress-nginx');
    expect(names).not.toContain('nginx-gateway-fabric');
    expect(find<HelmRelease>(legacy, 'HelmRelease', 'ingress-nginx').spec.chart.spec.version).toBe('4.15.1');
  });

  it('sizes the controller from env.ingress (CAP-08, pinned in test/requirement-numbers.test.ts)', () => {
    const { replicas, cpu, memory } = environment('prod').ingress;
    expect(controller().replicaCount).toBe(replicas);
    expect(controller().resources).toEqual({ requests: { cpu, memory }, limits: { memory } });
  });

  it('configures the controller with nginxControllerSettings(): HSTS for a year and TLS 1.3 only', () => {
    const config = controller().config;
    expect(config).toEqual(nginxControllerSettings());
    expect(config).toMatchObject({ 'ssl-protocols': 'TLSv1.3', hsts: 'true', 'hsts-max-age': '31536000' });
    // Rate limiting is per Ingress, not controller-wide.
    expect(Object.keys(config).filter((key) => key.startsWith('limit-'))).toEqual([]);
  });

  it('runs the controller under the service account the authorization policies allow, in the mesh', () => {
    expect(find<HelmRelease<IngressNginxValues>>(legacy, 'HelmRelease', 'ingress-nginx').spec.values.serviceAccount).toEqual({
      name: 'ingress-nginx',
    });
    expect(find(legacy, 'Namespace', 'ingress-nginx').metadata.labels!['istio-injection']).toBe('enabled');
  });

  it('is valid, its pods admissible under "restricted" in the mesh, and flagged as unmaintained by validate', () => {
    const report = validateOverlay(LEGACY);
    expect(report.violations.filter((v) => v.severity === 'error')).toEqual([]);
    const values = find<HelmRelease<IngressNginxValues>>(legacy, 'HelmRelease', 'ingress-nginx').spec.values.controller;
    expect(values.podSecurityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.admissionWebhooks.patch.labels).toEqual({ 'sidecar.istio.io/inject': 'false' });
    expect(report.violations.filter((v) => v.rule === 'edge/unmaintained').map((v) => [v.severity, v.object])).toEqual([
      ['warning', 'HelmRelease/flux-system/ingress-nginx'],
      ...objects(legacy, 'Ingress').map((i) => ['warning', `Ingress/${i.metadata.namespace}/${i.metadata.name}`]),
    ]);
  });

  it('is refused on a cluster newer than its final release supports', () => {
    const report = validateOverlay({ ...LEGACY, name: 'legacy-new', cluster: { kubernetesVersion: '1.36' } });
    expect(report.violations.filter((v) => v.rule === 'addon/kubernetes' && v.severity === 'error').map((v) => v.message)).toContainEqual(
      expect.stringContaining('the cluster runs Kubernetes 1.36, but ingress-nginx 1.15.1 supports 1.31-1.35'),
    );
  });
});

describe('validity', () => {
  it.each(environmentNames())('%s: every add-on and GitOps object validates against its pinned CRD', (name) => {
    const env = rendered(name);
    const platformObjects = env.files.filter((file) => file.name.includes('/')).flatMap((file) => file.objects);
    expect(platformObjects.length).toBeGreaterThan(0);
    for (const object of platformObjects) expect(validateSchema(object), `${object.kind}/${object.metadata.name}`).toEqual([]);
  });
});
