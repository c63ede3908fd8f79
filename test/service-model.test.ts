/**
 * The service model as data (issue 19): an overlay adds and removes services and inherited blocks;
 * a web service declares its protocol and the Service, probes and mesh follow it; a worker may run a
 * fixed number of pods; a periodic job is a CronJob; configuration changes roll the pods. Each case
 * fails on a model that cannot express it.
 */
import { describe, expect, it } from 'vitest';
import { projectExceptions } from '../app/verify/exceptions';
import type { Finding } from '../app/verify/findings';
import { EnvironmentError, loadEnvironment } from '../environments';
import type { EnvironmentOverlay } from '../environments/load';
import staging from '../environments/staging';
import { CONFIG_HASH_ANNOTATION } from '../lib/config-hash';
import { manifestId, type Manifest } from '../lib/core/manifest';
import { nonEmpty, renderOverlay } from './helpers';

const size = {
  requests: { cpu: '250m', memory: '512Mi', ephemeralStorage: '256Mi' },
  limits: { cpu: '500m', memory: '512Mi', ephemeralStorage: '1Gi' },
};
const common = { pool: 'backend', spot: false, calls: [], uses: [], egress: [], secrets: [], resources: size };
const image = (name: string) => ({ repository: `registry.example.com/acme/${name}`, tag: '2.0.0' });

const grpcApi = {
  kind: 'web',
  component: 'scan',
  protocol: 'grpc',
  image: image('scan'),
  port: 9090,
  replicas: { min: 2, max: 4 },
  strategy: { type: 'rolling' },
  ...common,
} as const;

/** A new web service needs someone who reaches it: the backend calls each one the overlay adds (unless it is removed). */
const overlay = (services: Record<string, unknown>, more: Record<string, unknown> = {}): EnvironmentOverlay => {
  const added = Object.entries(services)
    .filter(([name, spec]) => name !== 'backend' && (spec as { kind?: string } | null)?.kind === 'web')
    .map(([name]) => name);
  const backend = services.backend === null ? {} : { backend: { calls: ['ai', ...added], ...(services.backend as object | undefined) } };
  return { name: 'model', extends: staging, services: { ...services, ...backend }, ...more } as unknown as EnvironmentOverlay;
};

/** The object of that kind and name, read through the shape the test declares. */
function find<T = Manifest>(objects: readonly Manifest[], kind: string, name: string): T | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name) as T | undefined;
}

function firstIssue(o: EnvironmentOverlay): string {
  try {
    loadEnvironment(o);
  } catch (error) {
    if (error instanceof EnvironmentError) return error.message.split('\n')[0]!;
    throw error;
  }
  throw new Error('expected the overlay to be refused');
}

/** Istio's protocol selection for a Service port: appProtocol, else the name's prefix (pkg/config/kube/conversion.go). */
function istioProtocol(port: { name?: string; appProtocol?: string }): string {
  const h2c: Record<string, string> = { 'kubernetes.io/h2c': 'HTTP2', 'kubernetes.io/ws': 'HTTP', 'kubernetes.io/wss': 'HTTPS' };
  if (port.appProtocol !== undefined && h2c[port.appProtocol]) return h2c[port.appProtocol]!;
  const name = (port.appProtocol ?? port.name ?? '').split('-')[0]!.toLowerCase();
  return ({ grpc: 'GRPC', http: 'HTTP', http2: 'HTTP2', tcp: 'TCP' } as Record<string, string>)[name] ?? 'UnsupportedProtocol';
}

describe('ports and protocols', () => {
  const { objects } = renderOverlay(
    overlay({
      scan: grpcApi,
      stream: {
        ...grpcApi,
        component: 'stream',
        protocol: 'http2',
        healthPath: '/healthz',
        image: image('stream'),
        port: 8081,
        calls: ['scan'],
      },
    }),
  );

  it('a grpc service gets a grpc Service port that Istio reads as gRPC, and gRPC health probes', () => {
    const service = find<{ spec: { ports: { name: string; appProtocol: string; targetPort: string }[] } }>(objects, 'Service', 'scan')!;
    expect(service.spec.ports).toEqual([expect.objectContaining({ name: 'grpc', appProtocol: 'grpc', targetPort: 'grpc' })]);
    expect(istioProtocol(service.spec.ports[0]!)).toBe('GRPC');
    const pod = find<{ spec: { template: { spec: { containers: Record<string, unknown>[] } } } }>(objects, 'Deployment', 'scan')!.spec
      .template.spec;
    const [container] = pod.containers;
    expect(container!.ports).toEqual([{ name: 'grpc', containerPort: 9090, protocol: 'TCP' }]);
    expect(container!.readinessProbe).toMatchObject({ grpc: { port: 9090 } });
    expect(container!.livenessProbe).toMatchObject({ tcpSocket: { port: 'grpc' } });
  });

  it('an http2 service is HTTP2 to Istio (kubernetes.io/h2c), an http service HTTP', () => {
    const stream = find<{ spec: { ports: { name: string; appProtocol: string }[] } }>(objects, 'Service', 'stream')!;
    expect(stream.spec.ports[0]).toMatchObject({ name: 'http2', appProtocol: 'kubernetes.io/h2c' });
    expect(istioProtocol(stream.spec.ports[0]!)).toBe('HTTP2');
    const backend = find<{ spec: { ports: { name: string; appProtocol: string }[] } }>(objects, 'Service', 'backend')!;
    expect(istioProtocol(backend.spec.ports[0]!)).toBe('HTTP');
  });

  it('allows the declared port to the service in the mesh and the network', () => {
    const policy = find(objects, 'AuthorizationPolicy', 'scan') as
      | { spec: { rules: { to: { operation: { ports: string[] } }[] }[] } }
      | undefined;
    for (const rule of nonEmpty(policy?.spec.rules ?? [], 'scan: AuthorizationPolicy rules'))
      expect(rule.to[0]!.operation.ports).toEqual(['9090']);
    const netpol = find<{ spec: { ingress?: { ports?: { port: number }[] }[] } }>(objects, 'NetworkPolicy', 'scan')!;
    expect((netpol.spec.ingress ?? []).flatMap((rule) => rule.ports ?? []).map((p) => p.port)).toContain(9090);
  });

  it.each([
    [{ healthPath: '/health' }, 'services.scan.healthPath = "/health": is for http and http2 services'],
    [{ protocol: 'http' }, 'services.scan.healthPath = (missing): is required for a http service'],
    [{ metricsPath: '/metrics' }, 'services.scan.metricsPath = "/metrics": is scraped over HTTP'],
    [{ strategy: { type: 'blueGreen' } }, 'services.scan.strategy'],
    [{ protocol: 'quic' }, 'services.scan.protocol = "quic"'],
  ])('refuses %j on a grpc service', (change, message) => {
    expect(firstIssue(overlay({ scan: { ...grpcApi, ...change } }))).toContain(message);
  });
});

describe('services as data per environment', () => {
  it('an overlay adds a service of its own', () => {
    const { objects } = renderOverlay(overlay({ scan: grpcApi }));
    expect(find(objects, 'Deployment', 'scan')).toBeDefined();
  });

  it('null removes an inherited service, data store and block; nothing of them is rendered', () => {
    const { objects } = renderOverlay(
      overlay(
        { ai: null, backend: { calls: [], uses: ['postgres', 'redis'], secrets: ['database-url', 'redis-url'] } },
        { dataStores: { mongodb: null }, sandbox: null },
      ),
    );
    expect(objects.filter((o) => o.metadata.name === 'ai' || o.metadata.name?.startsWith('ai-'))).toEqual([]);
    expect(objects.filter((o) => o.metadata.namespace === 'user-projects' || o.metadata.name === 'user-projects')).toEqual([]);
    // No egress to the removed store's range, no alert on it (staging's MongoDB is managed at 10.100.2.0/24).
    const text = JSON.stringify(objects);
    expect(text).not.toContain('10.100.2.0/24');
    expect(text).not.toContain('mongodb');
  });

  it('removing a service another still calls is refused, naming the caller', () => {
    expect(firstIssue(overlay({ ai: null }))).toMatch(
      /^model \(environments\/model\.ts\): services\.backend\.calls\[0\] = "ai": must name another web service: frontend$/,
    );
  });

  it('a new service missing its kind is refused, saying what a new service needs', () => {
    expect(firstIssue(overlay({ billing: { replicas: { min: 1, max: 2 } } }))).toContain(
      'a service the base does not declare needs its kind and every field',
    );
  });

  it("the checkers' exceptions apply to a new service with no waiver written for it", () => {
    const env = loadEnvironment(overlay({ scan: grpcApi }));
    const { objects } = renderOverlay(overlay({ scan: grpcApi }));
    const deployment = find(objects, 'Deployment', 'scan')!;
    const finding: Finding = {
      environment: 'model',
      tool: 'kube-score',
      rule: 'container-image-pull-policy',
      severity: 'error',
      object: manifestId(deployment),
      message: '',
    };
    expect(projectExceptions(env, objects)(finding)).toMatch(/^IfNotPresent on purpose/);
    expect(env.waivers).toEqual([]);
  });
});

describe('kinds of workload', () => {
  const reporter = {
    kind: 'worker',
    component: 'reports',
    image: image('reports'),
    healthCommand: ['/app/healthcheck'],
    replicas: { min: 2, max: 2 },
    ...common,
  };
  const ingestor = {
    kind: 'job',
    component: 'ingest',
    image: image('ingest'),
    schedule: '15 * * * *',
    timeZone: 'Europe/Paris',
    deadlineSeconds: 1800,
    ...common,
    uses: ['postgres'],
  };
  const { objects } = renderOverlay(overlay({ reporter, ingestor }));

  it('a worker without a queue runs a fixed number of pods: spec.replicas, no autoscaler, a PDB', () => {
    expect(find<{ spec: { replicas: number } }>(objects, 'Deployment', 'reporter')!.spec.replicas).toBe(2);
    expect(find(objects, 'ScaledObject', 'reporter')).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler', 'reporter')).toBeUndefined();
    expect(find(objects, 'PodDisruptionBudget', 'reporter')).toBeDefined();
    expect(firstIssue(overlay({ reporter: { ...reporter, replicas: { min: 2, max: 5 } } }))).toContain(
      'services.reporter.replicas.max = 5: must equal replicas.min (2): a worker without a queue has nothing to scale on',
    );
  });

  it('a periodic job is a CronJob with its schedule, zone, concurrency, deadlines and history', () => {
    type CronJobJson = {
      spec: Record<string, unknown> & {
        jobTemplate: {
          spec: {
            activeDeadlineSeconds: number;
            backoffLimit: number;
            template: {
              metadata: { annotations: Record<string, string> };
              spec: Record<string, unknown> & { containers: Record<string, unknown>[] };
            };
          };
        };
      };
    };
    const cron = find<CronJobJson>(objects, 'CronJob', 'ingestor')!;
    expect(cron.spec).toMatchObject({
      schedule: '15 * * * *',
      timeZone: 'Europe/Paris',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
    });
    const job = cron.spec.jobTemplate.spec;
    expect(job).toMatchObject({ activeDeadlineSeconds: 1800, backoffLimit: 2 });
    // The mesh proxy is a native sidecar, so it stops with the job's container and the Job completes.
    expect(job.template.metadata.annotations['sidecar.istio.io/nativeSidecar']).toBe('true');
    expect(job.template.spec.restartPolicy).toBe('Never');
    expect(job.template.spec.automountServiceAccountToken).toBe(false);
    expect(job.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const [container] = job.template.spec.containers;
    expect(container!.readinessProbe).toBeUndefined();
    expect(container!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    // Its own identity and network policy; no Deployment, autoscaler, PDB or pod-kill drill.
    expect(find(objects, 'ServiceAccount', 'ingestor')).toBeDefined();
    expect(find(objects, 'NetworkPolicy', 'ingestor')).toBeDefined();
    for (const kind of ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ScaledObject'])
      expect(find(objects, kind, 'ingestor')).toBeUndefined();
    expect(find(objects, 'Schedule', 'ingestor-pod-kill')).toBeUndefined();
  });

  it.each([
    [{ schedule: '* * *' }, 'services.ingestor.schedule = "* * *": must be a cron schedule of five fields'],
    [{ schedule: '0 0 0 * * *' }, 'must be a cron schedule of five fields'],
    [{ timeZone: 'Not A Zone' }, 'services.ingestor.timeZone = "Not A Zone": must be an IANA time zone'],
    [{ deadlineSeconds: 0 }, 'services.ingestor.deadlineSeconds = 0'],
    [{ replicas: { min: 1, max: 1 } }, 'services.ingestor.replicas'],
  ])('refuses a job with %j', (change, message) => {
    expect(firstIssue(overlay({ ingestor: { ...ingestor, ...change } }))).toContain(message);
  });
});

type PodTemplateHolder = { spec: { template: { metadata: { annotations?: Record<string, string> } } } };

describe('configuration changes roll the pods', () => {
  const template = (files: Record<string, string>) => {
    const { objects } = renderOverlay(overlay({ frontend: { config: files } }));
    const deployment = find<PodTemplateHolder>(objects, 'Deployment', 'frontend')!;
    return deployment.spec.template.metadata.annotations?.[CONFIG_HASH_ANNOTATION];
  };

  it('the pod template carries a hash of the files, which changes with them and not with their order', () => {
    const a = template({ 'app.yaml': 'a: 1', 'feature.yaml': 'x: true' });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(template({ 'feature.yaml': 'x: true', 'app.yaml': 'a: 1' })).toBe(a);
    expect(template({ 'app.yaml': 'a: 2', 'feature.yaml': 'x: true' })).not.toBe(a);
  });

  it('a service without configuration files carries no hash', () => {
    const { objects } = renderOverlay(overlay({}));
    const deployment = find<PodTemplateHolder>(objects, 'Deployment', 'frontend')!;
    expect(deployment.spec.template.metadata.annotations?.[CONFIG_HASH_ANNOTATION]).toBeUndefined();
  });
});
