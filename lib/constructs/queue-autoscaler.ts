import { Construct } from 'constructs';
import { ScaledObject, TriggerAuthentication } from '../../imports/keda.sh';
import type { ScaleTarget } from './autoscaler';
import { QUEUE_SCALING_DEFAULTS } from '../defaults';
import { queueCredentials, type Broker, type QueueCredential } from '../queue-credentials';
import { PropChecks } from '../prop-checks';

/** What a queue worker consumes and how KEDA scales it. */
export interface QueueScaling {
  readonly broker: Broker;
  /** The Redis list or RabbitMQ queue. */
  readonly name: string;
  /** Waiting tasks one replica is expected to absorb (CAP-05: 100). */
  readonly targetPerReplica: number;
  /** @default 15 */
  readonly pollingSeconds?: number;
  /** @default 300 */
  readonly cooldownSeconds?: number;
  /**
   * `host:port` of a broker in the cluster (an operated Redis's master Service): set in the trigger,
   * and only the password comes from the Secret. @default - the address is a secret too (a managed broker)
   */
  readonly address?: string;
  /**
   * The master group of a Redis broker behind Sentinels: `address` is then the Sentinels' and the
   * trigger is KEDA's `redis-sentinel`, which asks them for the current master. @default - no Sentinels
   */
  readonly sentinelMaster?: string;
  /**
   * The key of the Secret that holds the CA a Redis broker's certificate chains to: the trigger speaks
   * TLS (`enableTLS`) and KEDA verifies the broker's certificate and name against it (the `ca`
   * parameter, KEDA v2.20 pkg/scalers/redis_scaler.go). @default - no TLS
   */
  readonly tlsCaKey?: string;
  /** The Secret keys the trigger reads. @default - queueCredentials(broker), or the password alone with an address */
  readonly credentials?: readonly QueueCredential[];
}

export interface QueueAutoscalerProps {
  /** The ScaledObject (and the HPA KEDA makes for it). */
  readonly name: string;
  /** The workload whose replica count it owns. */
  readonly target: ScaleTarget;
  /** The broker, the queue and the waiting tasks one replica absorbs. */
  readonly queue: QueueScaling;
  /** The fewest pods, at least 1 (KEDA may go to zero only when this is 0). */
  readonly minReplicas: number;
  /** The most pods, at least `minReplicas`. */
  readonly maxReplicas: number;
  /** The Secret that holds the broker credentials (see queue-credentials.ts). */
  readonly secretName: string;
  /** The TriggerAuthentication's name. */
  readonly authenticationName: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
}

/**
 * Scales a queue worker on queue depth, not CPU (CAP-05: one replica per 100 waiting tasks): a
 * KEDA ScaledObject, with the broker credentials read from the worker's Secret through a
 * TriggerAuthentication. KEDA owns the replica count, down to zero where the environment allows it.
 */
export class QueueAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: QueueAutoscalerProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .integer('minReplicas', props.minReplicas, 0)
      .integer('maxReplicas', props.maxReplicas, 1)
      .ordered('minReplicas', props.minReplicas, 'maxReplicas', props.maxReplicas)
      .positive('queue.targetPerReplica', props.queue.targetPerReplica);
    const { queue } = props;
    if (queue.tlsCaKey !== undefined && queue.broker !== 'redis') {
      throw new Error(`${props.name}: queue.tlsCaKey is for a Redis broker, not ${queue.broker}`);
    }
    const tls = queue.tlsCaKey !== undefined;
    new TriggerAuthentication(this, 'Authentication', {
      metadata: { name: props.authenticationName, labels: props.labels },
      spec: {
        secretTargetRef: [
          ...(queue.credentials ?? queueCredentials(queue.broker)).map((credential) => ({
            parameter: credential.parameter,
            name: props.secretName,
            key: credential.secret,
          })),
          ...(tls ? [{ parameter: 'ca', name: props.secretName, key: queue.tlsCaKey! }] : []),
        ],
      },
    });
    const target = String(queue.targetPerReplica);
    const trigger: { type: string; metadata: Record<string, string> } =
      queue.broker === 'redis' && queue.sentinelMaster !== undefined
        ? {
            type: 'redis-sentinel',
            metadata: {
              ...(queue.address === undefined ? {} : { addresses: queue.address }),
              sentinelMaster: queue.sentinelMaster,
              listName: queue.name,
              listLength: target,
              ...(tls ? { enableTLS: 'true' } : {}),
            },
          }
        : queue.broker === 'redis'
          ? {
              type: 'redis',
              metadata: {
                ...(queue.address === undefined ? {} : { address: queue.address }),
                listName: queue.name,
                listLength: target,
                ...(tls ? { enableTLS: 'true' } : {}),
              },
            }
          : { type: 'rabbitmq', metadata: { queueName: queue.name, mode: 'QueueLength', value: target, protocol: 'amqp' } };
    new ScaledObject(this, 'ScaledObject', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        scaleTargetRef: { apiVersion: props.target.apiVersion, kind: props.target.kind, name: props.target.name },
        minReplicaCount: props.minReplicas,
        maxReplicaCount: props.maxReplicas,
        pollingInterval: queue.pollingSeconds ?? QUEUE_SCALING_DEFAULTS.pollingSeconds,
        // An emptied queue waits before workers go, so a burst does not thrash them.
        cooldownPeriod: queue.cooldownSeconds ?? QUEUE_SCALING_DEFAULTS.cooldownSeconds,
        triggers: [{ ...trigger, authenticationRef: { name: props.authenticationName } }],
      },
    });
  }
}
