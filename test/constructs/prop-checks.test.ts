/**
 * Each construct checks what it alone can check of its props (lib/prop-checks.ts), and its error names
 * the construct, its path in the tree and the prop with the bad value.
 */
import { describe, expect, it } from 'vitest';
import { Autoscaler } from '../../lib/constructs/autoscaler';
import { DisruptionBudget } from '../../lib/constructs/disruption-budget';
import { LatencyAutoscaler } from '../../lib/constructs/latency-autoscaler';
import { MeshAuthorization } from '../../lib/constructs/mesh-authorization';
import { PodMonitor } from '../../lib/constructs/pod-monitor';
import { PublicCertificate } from '../../lib/constructs/public-certificate';
import { QueueAutoscaler } from '../../lib/constructs/queue-autoscaler';
import { ScheduledJob, type ScheduledJobProps } from '../../lib/constructs/scheduled-job';
import { ServiceDeployment } from '../../lib/constructs/service-deployment';
import { ServiceRollout } from '../../lib/constructs/service-rollout';
import { synth } from './synth';

const labels = { 'app.kubernetes.io/name': 'backend' };
const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' } as const;

describe('construct prop checks', () => {
  it('Autoscaler refuses minReplicas above maxReplicas, naming the construct and both props', () => {
    const build = (minReplicas: number, maxReplicas: number) =>
      synth((chart) => new Autoscaler(chart, 'hpa', { name: 'backend', target, minReplicas, maxReplicas, labels }));
    expect(() => build(5, 3)).toThrow("Autoscaler 'test/hpa': minReplicas (5) must be at most maxReplicas (3)");
    expect(() => build(0, 3)).toThrow("Autoscaler 'test/hpa': minReplicas (0) must be a whole number of at least 1");
    expect(() => build(2, 2.5)).toThrow('maxReplicas (2.5) must be a whole number');
    expect(build(3, 3).map((object) => object.kind)).toEqual(['HorizontalPodAutoscaler']);
  });

  it('Autoscaler refuses a name that is not a Kubernetes object name', () => {
    expect(() =>
      synth((chart) => new Autoscaler(chart, 'hpa', { name: 'Backend_HPA', target, minReplicas: 1, maxReplicas: 2, labels })),
    ).toThrow(`Autoscaler 'test/hpa': name ("Backend_HPA") must be a Kubernetes object name`);
    expect(() => synth((chart) => new Autoscaler(chart, 'hpa', { name: '', target, minReplicas: 1, maxReplicas: 2, labels }))).toThrow(
      'name ("") must be a Kubernetes object name',
    );
  });

  it('the KEDA autoscalers refuse minReplicas above maxReplicas', () => {
    expect(() =>
      synth(
        (chart) =>
          new LatencyAutoscaler(chart, 'latency', {
            name: 'backend',
            target,
            minReplicas: 4,
            maxReplicas: 2,
            labels,
            prometheusUrl: 'http://prometheus.monitoring:9090',
            query: 'sum(rate(x[1m]))',
            thresholdMilliseconds: 200,
          }),
      ),
    ).toThrow("LatencyAutoscaler 'test/latency': minReplicas (4) must be at most maxReplicas (2)");
    expect(() =>
      synth(
        (chart) =>
          new QueueAutoscaler(chart, 'queue', {
            name: 'worker',
            target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'worker' },
            queue: { broker: { type: 'redis', address: 'redis:6379' }, name: 'tasks', targetPerReplica: 100 } as never,
            minReplicas: 3,
            maxReplicas: 1,
            secretName: 'worker-queue',
            authenticationName: 'worker-queue',
            labels,
          }),
      ),
    ).toThrow("QueueAutoscaler 'test/queue': minReplicas (3) must be at most maxReplicas (1)");
  });

  it('refuses ports out of range, empty selectors and empty host lists', () => {
    expect(() =>
      synth((chart) => new MeshAuthorization(chart, 'authz', { name: 'backend', labels, selector: labels, principals: [], port: 70000 })),
    ).toThrow("MeshAuthorization 'test/authz': port (70000) must be a whole number from 1 to 65535");
    expect(() => synth((chart) => new DisruptionBudget(chart, 'pdb', { name: 'backend', selector: {}, labels }))).toThrow(
      "DisruptionBudget 'test/pdb': selector ({}) must not be empty",
    );
    expect(() =>
      synth(
        (chart) =>
          new ServiceDeployment(chart, 'deploy', { name: 'backend', labels, selector: labels, template: {}, maxSurgePercent: 150 }),
      ),
    ).toThrow("ServiceDeployment 'test/deploy': maxSurgePercent (150) must be a whole number from 0 to 100");
    expect(() =>
      synth(
        (chart) =>
          new PublicCertificate(chart, 'cert', { name: 'edge', secretName: 'edge-tls', dnsNames: [], issuer: 'letsencrypt', labels }),
      ),
    ).toThrow("PublicCertificate 'test/cert': dnsNames ([]) must not be empty");
  });

  it('refuses a workload or a monitor that selects every pod, and a job without a deadline', () => {
    expect(() =>
      synth((chart) => new ServiceRollout(chart, 'rollout', { name: 'backend', labels, selector: {}, template: {}, release: {} as never })),
    ).toThrow("ServiceRollout 'test/rollout': selector ({}) must not be empty");
    expect(() => synth((chart) => new PodMonitor(chart, 'monitor', { name: 'redis', labels, selector: {}, port: 'metrics' }))).toThrow(
      "PodMonitor 'test/monitor': selector ({}) must not be empty",
    );
    const job = {
      name: 'backup-check',
      labels,
      schedule: '@daily',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      deadlineSeconds: 0,
      startingDeadlineSeconds: 300,
      backoffLimit: 1,
      history: { successful: 1, failed: 3 },
      template: { spec: { restartPolicy: 'Never', containers: [] } },
    } satisfies ScheduledJobProps;
    expect(() => synth((chart) => new ScheduledJob(chart, 'job', job))).toThrow(
      "ScheduledJob 'test/job': deadlineSeconds (0) must be a whole number of at least 1",
    );
  });
});
