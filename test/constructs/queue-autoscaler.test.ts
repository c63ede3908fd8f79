import { describe, expect, it } from 'vitest';
import { QueueAutoscaler, type QueueAutoscalerProps, type QueueScaling } from '../../lib/constructs/queue-autoscaler';
import { inventory, only, synth } from './synth';

interface TriggerAuthentication {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: { secretTargetRef: { parameter: string; name: string; key: string }[] };
}

interface ScaledObject {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    pollingInterval: number;
    cooldownPeriod: number;
    triggers: { type: string; metadata: Record<string, string>; authenticationRef: { name: string } }[];
  };
}

const labels = { 'app.kubernetes.io/name': 'worker' };

function props(queue: QueueScaling): QueueAutoscalerProps {
  return {
    name: 'worker',
    target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
    queue,
    minReplicas: 0,
    maxReplicas: 20,
    secretName: 'worker-secrets',
    authenticationName: 'worker-queue',
    labels,
  };
}

const redis: QueueScaling = { broker: 'redis', name: 'celery', targetPerReplica: 100 };
const rabbitmq: QueueScaling = { broker: 'rabbitmq', name: 'tasks', targetPerReplica: 50 };

function render(p: QueueAutoscalerProps) {
  const objects = synth((chart) => {
    new QueueAutoscaler(chart, 'queue', p);
  });
  return {
    objects,
    auth: only<TriggerAuthentication>(objects, 'TriggerAuthentication'),
    scaled: only<ScaledObject>(objects, 'ScaledObject'),
  };
}

describe('QueueAutoscaler', () => {
  it('emits a TriggerAuthentication and a ScaledObject', () => {
    const { objects } = render(props(redis));
    expect(inventory(objects)).toEqual(['TriggerAuthentication/worker-queue', 'ScaledObject/worker']);
    expect(objects).toMatchSnapshot();
  });

  it('scales the target between min and max, down to zero when min is 0', () => {
    const { scaled } = render(props(redis));
    expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
    expect(scaled.metadata).toEqual({ name: 'worker', labels });
    expect(scaled.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' });
    expect(scaled.spec.minReplicaCount).toBe(0);
    expect(scaled.spec.maxReplicaCount).toBe(20);
  });

  it('polls every 15 s and cools down for 5 minutes by default (QUEUE_SCALING_DEFAULTS, CAP-05)', () => {
    const { scaled } = render(props(redis));
    expect(scaled.spec.pollingInterval).toBe(15);
    expect(scaled.spec.cooldownPeriod).toBe(300);
  });

  it('scales a Redis list on its length, one replica per targetPerReplica tasks', () => {
    const { scaled } = render(props(redis));
    expect(scaled.spec.triggers).toEqual([
      { type: 'redis', metadata: { listName: 'celery', listLength: '100' }, authenticationRef: { name: 'worker-queue' } },
    ]);
  });

  it("reads Redis' address and password from the worker's Secret", () => {
    const { auth } = render(props(redis));
    expect(auth.apiVersion).toBe('keda.sh/v1alpha1');
    expect(auth.metadata).toEqual({ name: 'worker-queue', labels });
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'address', name: 'worker-secrets', key: 'queue-address' },
      { parameter: 'password', name: 'worker-secrets', key: 'queue-password' },
    ]);
  });

  it('scales a RabbitMQ queue on its length over AMQP', () => {
    const { scaled } = render(props(rabbitmq));
    expect(scaled.spec.triggers).toEqual([
      {
        type: 'rabbitmq',
        metadata: { queueName: 'tasks', mode: 'QueueLength', value: '50', protocol: 'amqp' },
        authenticationRef: { name: 'worker-queue' },
      },
    ]);
  });

  it("reads RabbitMQ's AMQP URL from the worker's Secret", () => {
    expect(render(props(rabbitmq)).auth.spec.secretTargetRef).toEqual([{ parameter: 'host', name: 'worker-secrets', key: 'queue-url' }]);
  });

  it('takes every optional prop', () => {
    const queue: Required<QueueScaling> = {
      ...redis,
      pollingSeconds: 5,
      cooldownSeconds: 900,
      address: 'queue-redis-sentinel.platform.svc:26379',
      sentinelMaster: 'mymaster',
      tlsCaKey: 'data-ca-cert',
      credentials: [{ parameter: 'password', secret: 'queue-password' }],
    };
    const { scaled, auth } = render(props(queue));
    expect(scaled.spec.pollingInterval).toBe(5);
    expect(scaled.spec.cooldownPeriod).toBe(900);
    // Behind Sentinels KEDA asks them for the master: its redis-sentinel scaler, never a fixed master address.
    // TLS on, verified against the CA in the worker's Secret (KEDA's `ca` parameter).
    expect(scaled.spec.triggers[0]).toMatchObject({
      type: 'redis-sentinel',
      metadata: { addresses: 'queue-redis-sentinel.platform.svc:26379', sentinelMaster: 'mymaster', listName: 'celery', enableTLS: 'true' },
    });
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'password', name: 'worker-secrets', key: 'queue-password' },
      { parameter: 'ca', name: 'worker-secrets', key: 'data-ca-cert' },
    ]);
  });

  it('fails on a CA for a broker other than Redis', () => {
    expect(() => render(props({ ...rabbitmq, tlsCaKey: 'data-ca-cert' }))).toThrow('queue.tlsCaKey is for a Redis broker, not rabbitmq');
  });
});
