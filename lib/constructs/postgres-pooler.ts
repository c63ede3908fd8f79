import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Pooler } from '../../imports/postgresql.cnpg.io';
import { DATA_PORTS, poolerLabels } from '../data-names';
import { DisruptionBudget } from './disruption-budget';
import { PodMonitor } from './pod-monitor';
import type { StorePlacement } from './postgres-cluster';
import { ZONE_SPREAD_NODE_POLICY } from '../zone-spread';
import { PropChecks } from '../prop-checks';
import type { BindingJson } from '../binding-json';
import type { PoolerSpec } from '../../imports/postgresql.cnpg.io';

const PART_OF = 'app.kubernetes.io/part-of';

export interface PostgresPoolerProps {
  /** The Pooler, its Deployment and the Service the apps connect to. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The CloudNativePG Cluster it fronts (its read-write service). */
  readonly cluster: string;
  /** PgBouncer pods. */
  readonly instances: number;
  /** PgBouncer's pool_mode: a server connection per transaction or per client session. */
  readonly poolMode: 'transaction' | 'session';
  /** Client connections the pooler accepts in total, shared by its pods. */
  readonly maxClientConnections: number;
  /** Server connections per pod for each database and role. */
  readonly defaultPoolSize: number;
  /** Extra server connections per pod for bursts. */
  readonly reservePoolSize: number;
  /** Requests and limits of each pod (CPU and memory quantities). */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** Where the pods may run: node selector and how hard they spread over zones. */
  readonly placement: StorePlacement;
}

/**
 * PgBouncer in front of a CloudNativePG cluster (DAT-06), the one way the apps reach
 * PostgreSQL: a Pooler of type `rw`, a PDB (CloudNativePG makes none for poolers) and a PodMonitor on
 * PgBouncer's exporter. `max_client_conn` is per PgBouncer process, so the pooler's total is divided
 * among its pods (rounded up). The operator writes the pods' security context itself (Pod Security
 * "restricted": UID 998, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp).
 */
export class PostgresPooler extends Construct {
  readonly name: string;
  readonly podLabels: Readonly<Record<string, string>>;
  /** `max_client_conn` of each pod. */
  readonly clientConnectionsPerPod: number;

  constructor(scope: Construct, id: string, props: PostgresPoolerProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .integer('instances', props.instances, 1)
      .integer('maxClientConnections', props.maxClientConnections, 1)
      .integer('defaultPoolSize', props.defaultPoolSize, 1)
      .integer('reservePoolSize', props.reservePoolSize, 0);
    this.name = props.name;
    this.podLabels = poolerLabels(props.name);
    if (props.instances < 1) throw new Error(`${props.name}: instances (${props.instances}) must be at least 1`);
    if (props.maxClientConnections < props.instances) {
      throw new Error(
        `${props.name}: maxClientConnections (${props.maxClientConnections}) must be at least instances (${props.instances})`,
      );
    }
    this.clientConnectionsPerPod = Math.ceil(props.maxClientConnections / props.instances);
    const resources = { requests: { ...props.resources }, limits: { ...props.resources } };
    const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable,
      labelSelector: { matchLabels: { ...this.podLabels } },
      ...(topologyKey === 'topology.kubernetes.io/zone' ? ZONE_SPREAD_NODE_POLICY : {}),
    });
    new ApiObject(this, 'Resource', {
      ...Pooler.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        cluster: { name: props.cluster },
        instances: props.instances,
        type: 'rw',
        pgbouncer: {
          poolMode: props.poolMode,
          parameters: {
            max_client_conn: String(this.clientConnectionsPerPod),
            default_pool_size: String(props.defaultPoolSize),
            reserve_pool_size: String(props.reservePoolSize),
            // A client without TLS is refused (CloudNativePG's default is prefer, pkg/management/pgbouncer/config).
            client_tls_sslmode: 'require',
          },
        },
        template: {
          // The operator sets app.kubernetes.io/name, instance, component and managed-by on the pods itself.
          ...(props.labels[PART_OF] === undefined ? {} : { metadata: { labels: { [PART_OF]: props.labels[PART_OF] } } }),
          spec: {
            containers: [{ name: 'pgbouncer', resources }],
            nodeSelector: { ...props.placement.nodeSelector },
            topologySpreadConstraints: [
              spread('topology.kubernetes.io/zone', props.placement.zoneSpread),
              spread('kubernetes.io/hostname', 'ScheduleAnyway'),
            ],
          },
        },
      } satisfies BindingJson<PoolerSpec>,
    });
    new DisruptionBudget(this, 'DisruptionBudget', { name: props.name, selector: this.podLabels, labels: props.labels });
    new PodMonitor(this, 'Monitor', { name: props.name, labels: props.labels, selector: this.podLabels, port: 'metrics' });
  }
}

/** The port the pooler's Service and pods serve PostgreSQL on. */
export const POOLER_PORT = DATA_PORTS.postgres;
