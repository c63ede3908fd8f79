import type { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../lib/core/manifest';
import { PlatformService, type PlatformServiceProps } from '../../lib/constructs/platform-service';
import type { BlueGreenRelease, ResolvedTrack, ResolvedWebService, ResolvedWorker } from '../../lib/resolved-service';
import { inventory, only, synth } from './synth';

interface ServiceAccount {
  metadata: { name: string; labels: Record<string, string> };
  automountServiceAccountToken: boolean;
}

interface Service {
  metadata: { name: string };
  spec: {
    type: string;
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: string; protocol: string; appProtocol: string }[];
  };
}

interface ConfigMap {
  metadata: { name: string };
  data: Record<string, string>;
}

interface Workload {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; strategy: { rollingUpdate?: { maxSurge: string } } };
}

interface Hpa {
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: { resource: { name: string; target: { averageUtilization: number } } }[];
  };
}

interface Pdb {
  spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } };
}

interface ScaledObject {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    triggers: { authenticationRef: { name: string } }[];
  };
}

interface TriggerAuthentication {
  spec: { secretTargetRef: { name: string }[] };
}

const labels = { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend-prod' };
const selector = { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend-prod' };

function track(name: string, workloadName: string, replicas: { min: number; max: number }): ResolvedTrack {
  const trackSelector = { ...selector, track: name };
  const template: k8s.PodTemplateSpec = {
    metadata: { labels: { ...labels, track: name } },
    spec: { containers: [{ name: 'backend', image: `registry.example.com/backend:${name}` }] },
  };
  return { track: name, workloadName, selector: trackSelector, template, replicas };
}

const web: ResolvedWebService = {
  kind: 'web',
  name: 'backend',
  labels,
  serviceAccountName: 'backend',
  tracks: [track('main', 'backend', { min: 2, max: 8 })],
  maxUnavailable: 1,
  maxSurgePercent: 25,
  selector,
  serviceName: 'backend',
  port: { name: 'http', appProtocol: 'http' },
  release: { type: 'rolling' },
  autoscaling: {},
};

const worker: ResolvedWorker = {
  kind: 'worker',
  name: 'worker',
  labels: { 'app.kubernetes.io/name': 'worker' },
  serviceAccountName: 'worker',
  tracks: [track('main', 'worker', { min: 0, max: 20 })],
  maxUnavailable: 1,
  maxSurgePercent: 25,
  secrets: {
    secretName: 'worker-secrets',
    store: { name: 'platform-secrets', kind: 'ClusterSecretStore' },
    refreshInterval: '1h',
    entries: [{ secretKey: 'queue-url', remoteKey: 'prod/worker/queue-url' }],
  },
  queue: { broker: 'rabbitmq', name: 'tasks', targetPerReplica: 100 },
};

const blueGreen: BlueGreenRelease = {
  type: 'blueGreen',
  activeService: 'backend',
  previewService: 'backend-preview',
  autoPromotion: false,
  scaleDownDelaySeconds: 30,
  prePromotionAnalysis: [],
};

function render(props: PlatformServiceProps): { objects: Manifest[]; construct: PlatformService } {
  let construct: PlatformService | undefined;
  const objects = synth((chart) => {
    construct = new PlatformService(chart, 'service', props);
  });
  return { objects, construct: construct! };
}

describe('PlatformService', () => {
  it('emits a web service: identity, Service, workload, autoscaler and budget', () => {
    const { objects } = render({ service: web });
    expect(inventory(objects)).toEqual([
      'ServiceAccount/backend',
      'Service/backend',
      'Deployment/backend',
      'HorizontalPodAutoscaler/backend',
      'PodDisruptionBudget/backend',
    ]);
    expect(objects).toMatchSnapshot();
  });

  it('gives the service an identity without an API token', () => {
    const account = only<ServiceAccount>(render({ service: web }).objects, 'ServiceAccount');
    expect(account.metadata).toEqual({ name: 'backend', labels });
    expect(account.automountServiceAccountToken).toBe(false);
  });

  it('serves a web service on a ClusterIP Service, port 80 to the named http port', () => {
    const service = only<Service>(render({ service: web }).objects, 'Service');
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }],
    });
  });

  it('scales the Deployment with an HPA on the default targets, within the track replica range', () => {
    const { objects } = render({ service: web });
    const hpa = only<Hpa>(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' });
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(8);
    expect(hpa.spec.metrics.map((m) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([
      ['cpu', 70],
      ['memory', 80],
    ]);
    expect(only<Workload>(objects, 'Deployment').spec.replicas).toBeUndefined();
  });

  it("passes the service's autoscaling, surge and disruption settings to its constructs", () => {
    const { objects } = render({
      service: { ...web, autoscaling: { cpuPercent: 60 }, maxSurgePercent: 50, maxUnavailable: 2 },
    });
    expect(only<Hpa>(objects, 'HorizontalPodAutoscaler').spec.metrics[0]!.resource.target.averageUtilization).toBe(60);
    expect(only<Workload>(objects, 'Deployment').spec.strategy.rollingUpdate!.maxSurge).toBe('50%');
    expect(only<Pdb>(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(2);
  });

  it('protects each workload with a budget on its own pods', () => {
    const pdb = only<Pdb>(render({ service: web }).objects, 'PodDisruptionBudget');
    expect(pdb.spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: { ...selector, track: 'main' } } });
  });

  it('adds the ExternalSecret and the ConfigMap when the service has them', () => {
    const { objects } = render({
      service: {
        ...web,
        secrets: { ...worker.secrets!, secretName: 'backend-secrets' },
        config: { name: 'backend-config', files: { 'settings.toml': 'debug = false\n' } },
      },
    });
    expect(inventory(objects).slice(0, 3)).toEqual([
      'ServiceAccount/backend',
      'ExternalSecret/backend-secrets',
      'ConfigMap/backend-config',
    ]);
    expect(only<ConfigMap>(objects, 'ConfigMap').data).toEqual({ 'settings.toml': 'debug = false\n' });
  });

  it('gives every extra track its own Deployment, HPA and budget, named after the track', () => {
    const { objects, construct } = render({ service: { ...web, tracks: [...web.tracks, track('v2', 'backend-v2', { min: 1, max: 3 })] } });
    expect(inventory(objects)).toEqual([
      'ServiceAccount/backend',
      'Service/backend',
      'Deployment/backend',
      'Deployment/backend-v2',
      'HorizontalPodAutoscaler/backend',
      'PodDisruptionBudget/backend',
      'HorizontalPodAutoscaler/backend-v2',
      'PodDisruptionBudget/backend-v2',
    ]);
    expect(only<Hpa>(objects, 'HorizontalPodAutoscaler', 'backend-v2').spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'backend-v2' },
      minReplicas: 1,
      maxReplicas: 3,
    });
    expect(only<Pdb>(objects, 'PodDisruptionBudget', 'backend-v2').spec.selector.matchLabels).toEqual({ ...selector, track: 'v2' });
    expect(construct.workloads.map((w) => w.scaleTarget.name)).toEqual(['backend', 'backend-v2']);
  });

  it('releases the main track blue-green as a Rollout behind a preview Service', () => {
    const { objects } = render({ service: { ...web, release: blueGreen } });
    expect(inventory(objects)).toEqual([
      'ServiceAccount/backend',
      'Service/backend',
      'Service/backend-preview',
      'Rollout/backend',
      'HorizontalPodAutoscaler/backend',
      'PodDisruptionBudget/backend',
    ]);
    expect(only<Service>(objects, 'Service', 'backend-preview').spec.selector).toEqual(selector);
    expect(only<Hpa>(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'backend',
    });
  });

  it('scales a queue worker with KEDA on its queue instead of an HPA, and gives it no Service', () => {
    const { objects } = render({ service: worker });
    expect(inventory(objects)).toEqual([
      'ServiceAccount/worker',
      'ExternalSecret/worker-secrets',
      'Deployment/worker',
      'TriggerAuthentication/worker-queue',
      'ScaledObject/worker',
      'PodDisruptionBudget/worker',
    ]);
    const scaled = only<ScaledObject>(objects, 'ScaledObject');
    expect(scaled.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'worker' },
      minReplicaCount: 0,
      maxReplicaCount: 20,
    });
    expect(scaled.spec.triggers[0]!.authenticationRef).toEqual({ name: 'worker-queue' });
    expect(only<TriggerAuthentication>(objects, 'TriggerAuthentication').spec.secretTargetRef.map((r) => r.name)).toEqual([
      'worker-secrets',
    ]);
  });

  it('fails on a queue worker without a Secret for its broker credentials, naming the service', () => {
    expect(() => render({ service: { ...worker, secrets: undefined } })).toThrow(
      'services.worker: a queue worker needs its broker credentials in a Secret',
    );
  });
});
