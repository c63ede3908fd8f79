/**
 * Progressive delivery: blue-green for the backend and canary for the AI service in prod (DEL-01, DEL-02),
 * every reference a Rollout makes resolving inside its environment.
 */
import { describe, expect, it } from 'vitest';
import { environmentNames, loadEnvironmentFile } from '../environments';
import { buildEnvironment } from '../charts';
import { renderEnvironment } from '../app/render';
import { environment, find, nonEmpty, objects, rendered, workload } from './helpers';
import type { HpaJson, Labels, NetworkPolicyJson, PdbJson, PodTemplateJson, WithSpec, WorkloadJson } from './k8s-json';
import { join } from 'node:path';

interface AnalysisJson {
  readonly templates: readonly { readonly templateName: string }[];
  readonly args: readonly { readonly name: string; readonly value?: string }[];
}

interface BlueGreenJson {
  readonly activeService: string;
  readonly previewService: string;
  readonly autoPromotionEnabled?: boolean;
  readonly prePromotionAnalysis?: AnalysisJson;
}

interface CanaryJson {
  readonly steps: readonly { readonly setWeight?: number; readonly pause?: { readonly duration?: string } }[];
  readonly trafficRouting: {
    readonly istio: {
      readonly virtualService: { readonly name: string; readonly routes: readonly string[] };
      readonly destinationRule: { readonly name: string; readonly stableSubsetName: string; readonly canarySubsetName: string };
    };
  };
  readonly analysis: AnalysisJson;
}

type RolloutJson = WorkloadJson & {
  readonly spec: {
    readonly progressDeadlineAbort?: boolean;
    readonly strategy: { readonly blueGreen?: BlueGreenJson; readonly canary?: CanaryJson };
  };
};

interface AnalysisMetricJson {
  readonly name: string;
  readonly count?: number;
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly provider: {
    readonly prometheus?: { readonly address: string; readonly query: string };
    readonly job?: { readonly spec: { readonly activeDeadlineSeconds?: number; readonly template: PodTemplateJson } };
  };
}

type AnalysisTemplate = WithSpec<{
  readonly args: readonly { readonly name: string; readonly value?: string }[];
  readonly metrics: readonly AnalysisMetricJson[];
}>;

type AuthorizationPolicy = WithSpec<{
  readonly rules: readonly { readonly from: readonly { readonly source: { readonly principals: readonly string[] } }[] }[];
}>;

type ScaledObject = WithSpec<{ readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string } }>;

type VirtualService = WithSpec<{
  readonly http: readonly {
    readonly name?: string;
    readonly route: readonly { readonly destination: { readonly host: string; readonly subset?: string }; readonly weight?: number }[];
  }[];
}>;

type DestinationRule = WithSpec<{ readonly host: string; readonly subsets: readonly { readonly name: string; readonly labels: Labels }[] }>;

const names = (env: ReturnType<typeof rendered>, kind: string) => objects(env, kind).map((o) => o.metadata.name);

/** Every analysis a Rollout runs names an existing template and passes exactly its declared args. */
function expectAnalysisResolves(env: ReturnType<typeof rendered>, analysis: AnalysisJson) {
  for (const { templateName } of nonEmpty(analysis.templates, 'analysis templates')) {
    const template = find<AnalysisTemplate>(env, 'AnalysisTemplate', templateName);
    expect(analysis.args.map((a) => a.name).sort()).toEqual(template.spec.args.map((a) => a.name).sort());
  }
}

describe('prod backend: blue-green (DEL-01)', () => {
  const prod = rendered('prod');
  const rollout = workload<RolloutJson>(prod, 'backend');
  const blueGreen = rollout.spec.strategy.blueGreen!;

  it('is an Argo Rollout with manual promotion and a 30 s scale-down delay', () => {
    expect(rollout.kind).toBe('Rollout');
    expect(blueGreen).toMatchObject({ autoPromotionEnabled: false, scaleDownDelaySeconds: 30 });
    expect(rollout.spec.progressDeadlineAbort).toBe(true);
    expect(rollout.spec).not.toHaveProperty('replicas');
  });

  it('has an active and a preview Service that exist', () => {
    expect(names(prod, 'Service')).toEqual(expect.arrayContaining([blueGreen.activeService, blueGreen.previewService]));
    expect([blueGreen.activeService, blueGreen.previewService]).toEqual(['backend', 'backend-preview']);
  });

  it('gates promotion on smoke traffic to the preview Service and its success rate over it', () => {
    expect(blueGreen.prePromotionAnalysis).toEqual({
      templates: [{ templateName: 'preview-gate' }],
      args: [
        { name: 'service-name', value: 'backend-preview.platform.svc.cluster.local' },
        { name: 'health-path', value: '/api/health' },
      ],
    });
    expectAnalysisResolves(prod, blueGreen.prePromotionAnalysis!);
    const [smoke, metric] = find<AnalysisTemplate>(prod, 'AnalysisTemplate', 'preview-gate').spec.metrics;
    // The preview gets no traffic from the edge: the gate sends its own, for the whole gate.
    expect(smoke.name).toBe('smoke-traffic');
    const pod = smoke.provider.job!.spec.template;
    expect(pod.spec.serviceAccountName).toBe('release-smoke');
    expect(pod.spec.containers[0].env).toEqual([{ name: 'TARGET', value: '{{args.service-name}}{{args.health-path}}' }]);
    expect(pod.spec.containers[0].command!.at(-1)).toContain('+ 360 ))');
    expect(smoke.provider.job!.spec.activeDeadlineSeconds).toBe(420);
    // Five measurements a minute apart, starting once smoke traffic has been scraped.
    expect(metric).toMatchObject({ count: 5, interval: '1m', initialDelay: '1m', failureLimit: 1, inconclusiveLimit: 1 });
    expect(metric.provider.prometheus!.query).toContain('destination_service=~"{{args.service-name}}"');
  });

  it('never passes a measurement without data: no data is Inconclusive, not success', () => {
    const templates = nonEmpty(objects<AnalysisTemplate>(prod, 'AnalysisTemplate'), 'prod: AnalysisTemplates');
    for (const template of templates) {
      for (const metric of template.spec.metrics.filter((m) => m.provider.prometheus)) {
        expect(metric.successCondition).toMatch(/^len\(result\) > 0 && !isNaN\(result\[0\]\) && /);
        expect(metric.failureCondition).toMatch(/^len\(result\) > 0 && !isNaN\(result\[0\]\) && /);
        expect(metric.successCondition).not.toContain('||');
      }
    }
    const gate = find<AnalysisTemplate>(prod, 'AnalysisTemplate', 'preview-gate').spec.metrics[1];
    expect(gate.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.99');
    expect(gate.failureCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] < 0.99');
  });

  it('lets the smoke traffic reach the preview: identity allowed, network open, nothing else', () => {
    expect(find<AuthorizationPolicy>(prod, 'AuthorizationPolicy', 'backend').spec.rules[0].from[0].source.principals).toContain(
      'cluster.local/ns/platform/sa/release-smoke',
    );
    const smokePolicy = find<NetworkPolicyJson>(prod, 'NetworkPolicy', 'release-smoke');
    expect(smokePolicy.spec.ingress).toEqual([]);
    expect(smokePolicy.spec.egress!.map((rule) => rule.to![0].podSelector!.matchLabels!['app.kubernetes.io/name'])).toEqual(['backend']);
    expect(
      find<NetworkPolicyJson>(prod, 'NetworkPolicy', 'backend').spec.ingress!.map(
        (rule) => rule.from![0].podSelector?.matchLabels?.['app.kubernetes.io/name'],
      ),
    ).toContain('release-smoke');
  });

  it('is scaled and protected as a Rollout', () => {
    // KEDA's ScaledObject (CPU, memory and CAP-04's latency trigger) owns the Rollout's count.
    expect(find<ScaledObject>(prod, 'ScaledObject', 'backend').spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'backend',
    });
    expect(find<PdbJson>(prod, 'PodDisruptionBudget', 'backend').spec.selector.matchLabels).toEqual(rollout.spec.selector.matchLabels);
  });
});

describe('prod AI service: canary over Istio (DEL-02)', () => {
  const prod = rendered('prod');
  const canary = workload<RolloutJson>(prod, 'ai').spec.strategy.canary!;

  it('steps 10 / 20 / 50 / 100 with ten-minute pauses', () => {
    expect(canary.steps).toEqual([
      { setWeight: 10 },
      { pause: { duration: '600s' } },
      { setWeight: 20 },
      { pause: { duration: '600s' } },
      { setWeight: 50 },
      { pause: { duration: '600s' } },
      { setWeight: 100 },
    ]);
  });

  it('routes by the named VirtualService route and the DestinationRule subsets, which exist', () => {
    const { virtualService, destinationRule } = canary.trafficRouting.istio;
    expect(virtualService).toEqual({ name: 'ai', routes: ['primary'] });
    expect(destinationRule).toEqual({ name: 'ai', stableSubsetName: 'stable', canarySubsetName: 'canary' });
    const vs = find<VirtualService>(prod, 'VirtualService', virtualService.name);
    const route = vs.spec.http.find((r) => r.name === virtualService.routes[0])!;
    expect(route.route.map((d) => [d.destination.subset, d.weight])).toEqual([
      ['stable', 100],
      ['canary', 0],
    ]);
    const dr = find<DestinationRule>(prod, 'DestinationRule', destinationRule.name);
    expect(dr.spec.subsets.map((s) => s.name)).toEqual(['stable', 'canary']);
    expect(dr.spec.host).toBe(route.route[0].destination.host);
  });

  it('analyses success rate and p95 latency in the background, against the SLO', () => {
    expect(canary.analysis.templates).toEqual([{ templateName: 'success-rate' }, { templateName: 'latency-p95' }]);
    expectAnalysisResolves(prod, canary.analysis);
    expect(find<AnalysisTemplate>(prod, 'AnalysisTemplate', 'success-rate').spec.metrics[0]).not.toHaveProperty('count');
    expect(find<AnalysisTemplate>(prod, 'AnalysisTemplate', 'latency-p95').spec.metrics[0].successCondition).toContain('result[0] <= 2000');
  });
});

describe('staging rehearses prod with short pauses', () => {
  const staging = rendered('staging');
  it('pauses a minute between canary steps and promotes blue-green automatically', () => {
    const steps = workload<RolloutJson>(staging, 'ai').spec.strategy.canary!.steps;
    expect(steps.filter((s) => s.pause).map((s) => s.pause!.duration)).toEqual(['60s', '60s', '60s']);
    expect(steps.filter((s) => s.setWeight).map((s) => s.setWeight)).toEqual([10, 20, 50, 100]);
    expect(workload<RolloutJson>(staging, 'backend').spec.strategy.blueGreen!.autoPromotionEnabled).toBe(true);
  });
});

describe.each(environmentNames())('%s rollouts', (name) => {
  const env = rendered(name);
  it('keeps workers as Deployments', () => {
    const workers = Object.entries(environment(name).services).filter(([, s]) => s.enabled && s.kind === 'worker');
    expect(workers.length).toBeGreaterThan(0);
    for (const [worker] of workers) expect(workload(env, worker).kind).toBe('Deployment');
  });

  it('points every autoscaler at a workload that exists', () => {
    for (const hpa of nonEmpty(objects<HpaJson>(env, 'HorizontalPodAutoscaler'), `${name}: HorizontalPodAutoscalers`)) {
      const { kind, name: target, apiVersion } = hpa.spec.scaleTargetRef;
      expect(find(env, kind, target).apiVersion).toBe(apiVersion);
    }
  });
});

describe('dev', () => {
  it('rolls every service as a plain Deployment, without Rollouts or analysis', () => {
    const dev = rendered('dev');
    expect(objects(dev, 'Rollout')).toEqual([]);
    expect(objects(dev, 'AnalysisTemplate')).toEqual([]);
  });
});

describe('weighted tracks (DEL-03 80/20)', () => {
  const split = renderEnvironment(buildEnvironment(loadEnvironmentFile(join(__dirname, 'fixtures/environments/weighted-tracks.yaml'))));

  it('runs the second version as its own Deployment, autoscaler and budget', () => {
    const v2 = find<WorkloadJson>(split, 'Deployment', 'backend-v2');
    expect(v2.spec.template.spec.containers[0].image).toBe('registry.example.com/platform/backend:1.1.0');
    expect(v2.spec.selector.matchLabels!.track).toBe('v2');
    expect(find<WorkloadJson>(split, 'Deployment', 'backend').spec.selector.matchLabels!.track).toBe('main');
    expect(find<HpaJson>(split, 'HorizontalPodAutoscaler', 'backend-v2').spec).toMatchObject({ minReplicas: 4, maxReplicas: 8 });
    expect(find<PdbJson>(split, 'PodDisruptionBudget', 'backend-v2').spec.selector.matchLabels).toEqual(v2.spec.selector.matchLabels);
  });

  it('splits the route 80/20 between subsets the DestinationRule defines by track', () => {
    const route = find<VirtualService>(split, 'VirtualService', 'backend').spec.http[0].route;
    expect(route.map((d) => [d.destination.subset, d.weight])).toEqual([
      ['main', 80],
      ['v2', 20],
    ]);
    const subsets = find<DestinationRule>(split, 'DestinationRule', 'backend').spec.subsets;
    expect(subsets.map((s) => [s.name, s.labels.track])).toEqual([
      ['main', 'main'],
      ['v2', 'v2'],
    ]);
  });
});
