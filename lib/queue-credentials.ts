/**
 * The credentials a queue consumer's autoscaler needs, per broker: which KEDA trigger parameter reads
 * which key of the worker's Secret. The ExternalSecret that writes the Secret and the
 * TriggerAuthentication that reads it both use this one table, so the keys cannot drift apart.
 */

export interface QueueCredential {
  /** KEDA trigger parameter, e.g. `address`. */
  readonly parameter: string;
  /** Key in the worker's Secret and name of the secret in the store. */
  readonly secret: string;
}

/** The brokers Celery-style workers consume from. */
export type Broker = 'redis' | 'rabbitmq';

const CREDENTIALS: Readonly<Record<Broker, readonly QueueCredential[]>> = {
  // KEDA's Redis list scaler takes host:port and the password separately, not a URL.
  redis: [
    { parameter: 'address', secret: 'queue-address' },
    { parameter: 'password', secret: 'queue-password' },
  ],
  // The RabbitMQ scaler takes the AMQP URL, credentials included.
  rabbitmq: [{ parameter: 'host', secret: 'queue-url' }],
};

export function queueCredentials(broker: Broker): readonly QueueCredential[] {
  return CREDENTIALS[broker];
}

/**
 * A Redis broker the platform runs itself: its address is no secret (it is set in the trigger); KEDA
 * signs in as the worker's ACL user, whose name and password the worker's Secret carries under these
 * keys (KEDA's redis and redis-sentinel scalers take `username` and `password` as authentication
 * parameters).
 */
export function inClusterRedisCredentials(passwordSecret: string, usernameKey: string): readonly QueueCredential[] {
  return [
    { parameter: 'username', secret: usernameKey },
    { parameter: 'password', secret: passwordSecret },
  ];
}
