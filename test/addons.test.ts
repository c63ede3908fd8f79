/**
 * Cluster add-ons: each pinned to one chart version, configured from the environment, installed in
 * dependency order (Flux `dependsOn`, Argo CD sync waves), and valid against the pinned CRDs.
 */
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { CHARTS } from '../lib/addons/chart-versions';
import { clusterAddons } from '../charts/addons-catalog';
import { dependencyDepths, inDependencyOrder } from '../lib/addons/order';
import { nginxControllerSettings } from '../lib/edge-ingress';
import { validateSchema } from '../lib/validation/schema';
import { environment, find, objects, rendered } from './helpers';

const releases = (env: string) => objects(rendered(env), 'HelmRelease') as any[];
const dependsOn = (env: string) =>
  Object.fromEntries(releases(env).map((r) => [r.metadata.name, (r.spec.dependsOn ?? []).map((d: any) => d.name)]));
const waves = (env: string) =>
  Object.fromEntries(
    (objects(rendered(env), 'Application') as any[])
      .filter((a) => a.metadata.annotations?.['argocd.argoproj.io/sync-wave'] !== undefined)
      .map((a) => [a.metadata.name, Number(a.metadata.annotations['argocd.argoproj.io/sync-wave'])]),
  );

describe('pinned charts', () => {
  it('pins every add-on to one exact chart version of its repository', () => {
    expect(
      Object.fromEntries(
        releases('prod').map((r) => [
          r.metadata.name,
          `${find(rendered('prod'), 'HelmRepository', r.spec.chart.spec.sourceRef.name).spec.url} ${r.spec.chart.spec.chart}@${r.spec.chart.spec.version}`,
        ]),
      ),
    ).toEqual({
      'kube-prometheus-stack': 'https://prometheus-community.github.io/helm-charts kube-prometheus-stack@81.4.5',
      'istio-base': 'https://istio-release.storage.googleapis.com/charts base@1.26.2',
      keda: 'https://kedacore.github.io/charts keda@2.17.2',
      'istio-cni': 'https://istio-release.storage.googleapis.com/charts cni@1.26.2',
      'cert-manager': 'https://charts.jetstack.io cert-manager@v1.18.4',
      'external-secrets': 'https://charts.external-secrets.io external-secrets@0.19.2',
      'argo-rollouts': 'https://argoproj.github.io/argo-helm argo-rollouts@2.40.5',
      istiod: 'https://istio-release.storage.googleapis.com/charts istiod@1.26.2',
      'ingress-nginx': 'https://kubernetes.github.io/ingress-nginx ingress-nginx@4.13.3',
    });
  });

  it('never uses a version range', () => {
    for (const chart of Object.values(CHARTS)) expect(chart.version).toMatch(/^v?\d+\.\d+\.\d+$/);
  });

  it('keeps the three Istio charts on one version', () => {
    expect(new Set([CHARTS.istioBase.version, CHARTS.istiod.version, CHARTS.istioCni.version]).size).toBe(1);
  });

  it('installs the same chart versions through Argo CD', () => {
    const apps = objects(rendered('staging'), 'Application') as any[];
    for (const release of releases('prod')) {
      const app = apps.find((a) => a.metadata.name === release.metadata.name);
      expect(app.spec.source).toMatchObject({ chart: release.spec.chart.spec.chart, targetRevision: release.spec.chart.spec.version });
    }
  });
});

describe('configuration per environment', () => {
  it('sizes ingress-nginx from env.addons (seed 000: 3 replicas of 250m / 512Mi in prod)', () => {
    const controller = find(rendered('prod'), 'HelmRelease', 'ingress-nginx').spec.values.controller;
    expect(controller.replicaCount).toBe(3);
    expect(controller.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } });
    expect(find(rendered('dev'), 'HelmRelease', 'ingress-nginx').spec.values.controller.replicaCount).toBe(1);
    expect(find(rendered('prod-asia'), 'HelmRelease', 'ingress-nginx').spec.values.controller.replicaCount).toBe(2);
  });

  it('configures the controller with nginxControllerSettings(): HSTS for a year and TLS 1.3 only', () => {
    const config = find(rendered('prod'), 'HelmRelease', 'ingress-nginx').spec.values.controller.config;
    expect(config).toEqual(nginxControllerSettings());
    expect(config).toMatchObject({ 'ssl-protocols': 'TLSv1.3', hsts: 'true', 'hsts-max-age': '31536000' });
    // Rate limiting is per Ingress, not controller-wide.
    expect(Object.keys(config).filter((key) => key.startsWith('limit-'))).toEqual([]);
  });

  it('runs the ingress controller under the service account the authorization policies allow, in the mesh', () => {
    const prod = find(rendered('prod'), 'HelmRelease', 'ingress-nginx');
    expect(prod.spec.targetNamespace).toBe(environment('prod').ingress.controller.namespace);
    expect(prod.spec.values.serviceAccount).toEqual({ name: environment('prod').ingress.controller.serviceAccount });
    expect(find(rendered('prod'), 'Namespace', 'ingress-nginx').metadata.labels['istio-injection']).toBe('enabled');
    expect(find(rendered('dev'), 'Namespace', 'ingress-nginx').metadata.labels).not.toHaveProperty('istio-injection');
  });

  it('installs CRDs with the charts that own them', () => {
    expect(find(rendered('prod'), 'HelmRelease', 'cert-manager').spec.values.crds).toEqual({ enabled: true, keep: true });
    expect(find(rendered('prod'), 'HelmRelease', 'external-secrets').spec.values.installCRDs).toBe(true);
    expect(find(rendered('prod'), 'HelmRelease', 'argo-rollouts').spec.values.installCRDs).toBe(true);
    for (const release of releases('prod')) expect(release.spec.install.crds).toBe('CreateReplace');
    for (const release of releases('prod')) expect(release.spec.upgrade.crds).toBe('CreateReplace');
  });

  it('enables the Istio CNI plugin, so injected pods keep Pod Security "restricted"', () => {
    expect(find(rendered('prod'), 'HelmRelease', 'istiod').spec.values.pilot.cni).toEqual({ enabled: true });
    expect(find(rendered('prod'), 'HelmRelease', 'istio-cni').spec.targetNamespace).toBe('kube-system');
  });

  it('installs kube-prometheus-stack where monitoring.prometheusUrl points, selecting every ServiceMonitor', () => {
    const stack = find(rendered('prod'), 'HelmRelease', 'kube-prometheus-stack');
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
      'ingress-nginx',
    ]);
  });

  it("admits each add-on namespace at the strictest level its charts allow, and warns at 'restricted'", () => {
    const enforced = Object.fromEntries(
      (objects(rendered('prod'), 'Namespace') as any[])
        .filter((ns) => ns.metadata.labels['app.kubernetes.io/name'] === 'addons')
        .map((ns) => [ns.metadata.name, ns.metadata.labels['pod-security.kubernetes.io/enforce']]),
    );
    expect(enforced).toEqual({
      monitoring: 'privileged',
      'istio-system': 'baseline',
      keda: 'restricted',
      'cert-manager': 'restricted',
      'external-secrets': 'restricted',
      'argo-rollouts': 'restricted',
      'ingress-nginx': 'restricted',
    });
    for (const name of Object.keys(enforced)) {
      expect(find(rendered('prod'), 'Namespace', name).metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
    }
    // kube-system is the cluster's: never emitted, never relabelled.
    expect(enforced).not.toHaveProperty('kube-system');
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
      'ingress-nginx': ['kube-prometheus-stack', 'istiod'],
    });
    expect(dependsOn('dev')['ingress-nginx']).toEqual(['kube-prometheus-stack']);
  });

  it('lists every HelmRelease after the ones it depends on', () => {
    for (const env of environmentNames()) {
      const order = releases(env).map((r) => r.metadata.name);
      for (const [name, deps] of Object.entries(dependsOn(env))) {
        for (const dep of deps as string[]) expect(order.indexOf(dep), `${env}: ${name} after ${dep}`).toBeLessThan(order.indexOf(name));
      }
    }
  });

  it('puts Argo CD add-ons in waves by dependency depth, after the project and before the apps', () => {
    expect(waves('staging')).toEqual({
      'kube-prometheus-stack': 1,
      'istio-base': 1,
      keda: 1,
      'istio-cni': 2,
      'cert-manager': 2,
      'external-secrets': 2,
      'argo-rollouts': 2,
      istiod: 3,
      'ingress-nginx': 4,
      'staging-apps': 5,
    });
    expect(find(rendered('staging'), 'AppProject', 'staging').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '0' });
  });

  it('gives every add-on a later wave than each add-on it depends on', () => {
    const wave = waves('staging');
    for (const addon of clusterAddons(environment('staging'))) {
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

describe('validity', () => {
  it.each(environmentNames())('%s: every add-on and GitOps object validates against its pinned CRD', (name) => {
    const env = rendered(name);
    const platformObjects = env.files.filter((file) => file.name.includes('/')).flatMap((file) => file.objects);
    expect(platformObjects.length).toBeGreaterThan(0);
    for (const object of platformObjects) expect(validateSchema(object), `${object.kind}/${object.metadata.name}`).toEqual([]);
  });
});
