/** Exact invariants of the workloads: the seed's numbers and the security settings. */
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { environment, find, nonEmpty, objects, podTemplates, rendered, workload } from './helpers';
import type { HpaJson, PdbJson, ServiceJson, WithSpec } from './k8s-json';
import { METRICS_PORT_NAME } from '../lib/names';
import { AUTOSCALING_DEFAULTS } from '../lib/defaults';

/** KEDA's ScaledObject. */
type ScaledObject = WithSpec<{
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly scaleTargetRef: { readonly apiVersion?: string; readonly kind?: string; readonly name: string };
}>;

/** [min, max] of a service's autoscaler: an HPA, or KEDA for queue workers. */
function autoscalerRange(env: ReturnType<typeof rendered>, name: string): [number, number] {
  const hpa = env.objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === name) as HpaJson | undefined;
  if (hpa) return [hpa.spec.minReplicas, hpa.spec.maxReplicas];
  const keda = find<ScaledObject>(env, 'ScaledObject', name);
  return [keda.spec.minReplicaCount, keda.spec.maxReplicaCount];
}

describe('prod matches the CAP-01 pod table', () => {
  const prod = rendered('prod');
  it.each([
    ['frontend', 10, '500m', '1Gi', 3000],
    ['backend', 20, '1000m', '2Gi', 8001],
    ['ai', 5, '2000m', '4Gi', 8080],
    ['worker', 10, '500m', '1Gi', undefined],
  ])('%s: floor %i replicas at %s / %s, port %s', (name, floor, cpu, memory, port) => {
    expect(autoscalerRange(prod, name)[0]).toBe(floor);
    const container = workload(prod, name).spec.template.spec.containers[0];
    expect(container.resources.requests).toMatchObject({ cpu, memory });
    expect(container.ports?.[0]?.containerPort).toBe(port);
  });

  it('places frontend, backend and workers on the CAP-02 node pools', () => {
    const pool = (name: string) => workload(prod, name).spec.template.spec.nodeSelector!['cloud.google.com/gke-nodepool'];
    expect([pool('frontend'), pool('backend'), pool('ai'), pool('worker')]).toEqual(['frontend', 'backend', 'backend', 'workers']);
  });

  it('lets only workers tolerate spot nodes', () => {
    const tolerations = (name: string) => workload(prod, name).spec.template.spec.tolerations;
    expect(tolerations('worker')).toEqual([{ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    for (const name of ['frontend', 'backend', 'ai']) expect(tolerations(name)).toBeUndefined();
  });

  it('spreads pods across zones (hard) and hosts (soft)', () => {
    for (const { template } of nonEmpty(podTemplates(prod), 'prod: pod templates')) {
      const spread = template.spec.topologySpreadConstraints!.map((c) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew]);
      expect(spread).toEqual([
        ['topology.kubernetes.io/zone', 'DoNotSchedule', 1],
        ['kubernetes.io/hostname', 'ScheduleAnyway', 1],
      ]);
    }
  });
});

describe.each(environmentNames())('%s workloads', (name) => {
  const env = rendered(name);
  const model = environment(name);
  const workloads = podTemplates(env);
  const services = Object.entries(model.services).filter(([, spec]) => spec.enabled);
  const ofKind = (kind: string) => services.filter(([, spec]) => spec.kind === kind).map(([service]) => service);
  /** Workers the model sizes by a queue; the others run a fixed count. */
  const fixed = services.filter(([, spec]) => spec.kind === 'worker' && spec.queue === undefined).map(([service]) => service);

  it('has a workload for every long-running service and a CronJob for every job, in declaration order', () => {
    expect(workloads.map(({ object }) => object.metadata.name)).toEqual(services.filter(([, s]) => s.kind !== 'job').map(([s]) => s));
    expect(objects(env, 'CronJob').map((o) => o.metadata.name)).toEqual(ofKind('job'));
  });

  it('never pins spec.replicas on an autoscaled workload; a fixed-size worker holds its count', () => {
    for (const { object } of nonEmpty(workloads, `${name}: workloads`)) {
      if (fixed.includes(object.metadata.name)) {
        expect(object.spec.replicas).toBeGreaterThanOrEqual(1);
        continue;
      }
      expect(object.spec).not.toHaveProperty('replicas');
      const scaler = env.objects.find(
        (o) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind) && o.metadata.name === object.metadata.name,
      ) as HpaJson | ScaledObject | undefined;
      expect(scaler!.spec.scaleTargetRef).toEqual({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name });
    }
  });

  it('runs every pod under Pod Security "restricted"', () => {
    for (const { template } of nonEmpty(workloads, `${name}: workloads`)) {
      const pod = template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThanOrEqual(10000);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.hostNetwork ?? false).toBe(false);
      for (const container of pod.containers) {
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(container.securityContext.runAsUser).toBeGreaterThanOrEqual(10000);
        expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
      expect(pod.volumes).toContainEqual(expect.objectContaining({ name: 'tmp', emptyDir: expect.any(Object) }));
    }
  });

  it('sets requests and limits for cpu, memory and ephemeral-storage', () => {
    for (const { template } of nonEmpty(workloads, `${name}: workloads`)) {
      for (const container of template.spec.containers) {
        for (const set of ['requests', 'limits'] as const) {
          expect(Object.keys(container.resources[set]).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
        }
      }
    }
  });

  it("probes web services by their protocol's health check and workers by exec, with a startup probe where start is slow", () => {
    expect(workloads.length).toBeGreaterThan(0);
    for (const { object, template } of nonEmpty(workloads, `${name}: workloads`)) {
      const [container] = template.spec.containers;
      const spec = model.services[object.metadata.name]!;
      if (spec.kind === 'worker') {
        expect(container.readinessProbe).toHaveProperty('exec');
        expect(container.livenessProbe!.exec).toEqual(container.readinessProbe!.exec);
      } else if (spec.kind === 'web') {
        // Readiness asks the health path (gRPC: grpc.health.v1); liveness only whether the port accepts
        // connections, so a dependency that is down takes pods out of rotation without restarting them all.
        const port = spec.protocol;
        if (spec.protocol === 'grpc') expect(container.readinessProbe!.grpc).toEqual({ port: spec.port });
        else expect(container.readinessProbe!.httpGet).toEqual({ path: spec.healthPath, port });
        expect(container.livenessProbe).not.toHaveProperty('httpGet');
        expect(container.livenessProbe!.tcpSocket).toEqual({ port });
        // The probes' port first; the metrics on a port of their own, which no Service exposes.
        expect(container.ports!.map((p) => p.name)).toEqual(spec.metricsPath === undefined ? [port] : [port, METRICS_PORT_NAME]);
      }
      const startup = container.startupProbe;
      if (spec.kind === 'job' || spec.startupSeconds === undefined) expect(startup).toBeUndefined();
      else expect(startup!.periodSeconds! * startup!.failureThreshold!).toBe(spec.startupSeconds);
    }
  });

  it('pins every image by tag, never latest', () => {
    for (const { template } of nonEmpty(workloads, `${name}: workloads`)) {
      for (const container of template.spec.containers) expect(container.image).toMatch(/:(?!latest$)[\w][\w.-]*(@sha256:[a-f0-9]{64})?$/);
    }
  });

  it('gives each service its own ServiceAccount without a token', () => {
    for (const { object, template } of nonEmpty(workloads, `${name}: workloads`)) {
      const account = find(env, 'ServiceAccount', template.spec.serviceAccountName!);
      expect(account.metadata.name).toBe(object.metadata.name);
      expect(account.automountServiceAccountToken).toBe(false);
    }
  });

  it('labels every namespaced object with the recommended labels', () => {
    for (const object of nonEmpty(
      env.objects.filter((o) => o.kind !== 'Namespace'),
      `${name}: objects`,
    )) {
      expect(Object.keys(object.metadata.labels ?? {})).toEqual(
        expect.arrayContaining([
          'app.kubernetes.io/name',
          'app.kubernetes.io/instance',
          'app.kubernetes.io/part-of',
          'app.kubernetes.io/managed-by',
        ]),
      );
    }
  });

  it("scales on CAP-03's CPU and memory targets, at its pace, behind its windows (AUTOSCALING_DEFAULTS)", () => {
    const { cpuPercent, memoryPercent, scaleUp, scaleDown } = AUTOSCALING_DEFAULTS;
    for (const hpa of nonEmpty(objects<HpaJson>(env, 'HorizontalPodAutoscaler'), `${name}: HorizontalPodAutoscalers`)) {
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.metrics.map((m) => [m.resource!.name, m.resource!.target.averageUtilization])).toEqual([
        ['cpu', cpuPercent],
        ['memory', memoryPercent],
      ]);
      expect(hpa.spec.behavior!.scaleUp).toMatchObject({
        stabilizationWindowSeconds: scaleUp.stabilizationSeconds,
        policies: [{ type: 'Percent', value: scaleUp.percent, periodSeconds: scaleUp.periodSeconds }],
      });
      expect(hpa.spec.behavior!.scaleDown).toMatchObject({
        stabilizationWindowSeconds: scaleDown.stabilizationSeconds,
        policies: [{ type: 'Percent', value: scaleDown.percent, periodSeconds: scaleDown.periodSeconds }],
      });
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    }
  });

  it('gives every workload a PDB that allows drains at its floor', () => {
    for (const { object, template } of nonEmpty(workloads, `${name}: workloads`)) {
      const pdb = find<PdbJson>(env, 'PodDisruptionBudget', object.metadata.name);
      expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
      expect(pdb.spec).not.toHaveProperty('minAvailable');
      expect(pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
      for (const [key, value] of Object.entries(pdb.spec.selector.matchLabels!)) expect(template.metadata.labels![key]).toBe(value);
    }
  });

  it('fronts web services with a Service whose selector and port match the pods', () => {
    expect(ofKind('web').length).toBeGreaterThan(0);
    for (const name of ofKind('web')) {
      const service = find<ServiceJson>(env, 'Service', name);
      const template = workload(env, name).spec.template;
      expect(service.spec.type).toBe('ClusterIP');
      for (const [key, value] of Object.entries(service.spec.selector!)) expect(template.metadata.labels![key]).toBe(value);
      expect(template.spec.containers[0].ports!.map((p) => p.name)).toContain(service.spec.ports![0].targetPort);
    }
    for (const other of [...ofKind('worker'), ...ofKind('job')])
      expect(objects(env, 'Service').map((s) => s.metadata.name)).not.toContain(other);
  });

  it('enforces Pod Security "restricted" on the namespace', () => {
    const [namespace] = objects(env, 'Namespace');
    expect(namespace!.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });
});
