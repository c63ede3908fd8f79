import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RedisReplication } from '../../imports/redis.redis.opstreelabs.in';
import { redisConfigName, redisLabels, sentinelLabels } from '../data-names';
import { DisruptionBudget } from './disruption-budget';
import { PodMonitor } from './pod-monitor';
import type { StorePlacement } from './postgres-cluster';
import { RESTRICTED_SECCOMP } from '../restricted-security';
import { ZONE_SPREAD_NODE_POLICY } from '../zone-spread';
import { PropChecks } from '../prop-checks';
import type { BindingJson } from '../binding-json';
import type { RedisReplicationSpec } from '../../imports/redis.redis.opstreelabs.in';

export interface ReplicatedRedisProps {
  /** The RedisReplication: its StatefulSet, its Services (`<name>`, `<name>-master`, ...) and its pods' `app` label. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** Images, `repository:tag[@digest]`. */
  readonly images: { readonly redis: string; readonly sentinel: string; readonly exporter: string };
  /** A primary and its replicas. */
  readonly nodes: number;
  /** Sentinels that fail the primary over; 0: none. */
  readonly sentinels: number;
  /** Requests and limits of each Redis container (CPU and memory quantities). */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** Requests and limits of each Sentinel container. */
  readonly sentinelResources: { readonly cpu: string; readonly memory: string };
  /** Requests and limits of the metrics exporter beside each Redis. */
  readonly exporterResources: { readonly cpu: string; readonly memory: string };
  /** Each node's data volume: size (a quantity) and StorageClass. */
  readonly storage: { readonly size: string; readonly storageClass: string };
  /** Where the nodes may run: node selector and how hard they spread over zones. */
  readonly placement: StorePlacement;
  /** AOF fsync policy. */
  readonly appendfsync: 'always' | 'everysec' | 'no';
  /** One RDB snapshot at most this often (if anything changed), seconds. */
  readonly snapshotSeconds: number;
  /** maxmemory as a share of the memory limit. */
  readonly maxMemoryPercent: number;
  /** The Secret and key of the password (written by an ExternalSecret). */
  readonly passwordSecret: { readonly name: string; readonly key: string };
  /**
   * The Secret holding the ACL file under `user.acl` (written by an ExternalSecret): the operator mounts
   * it at /etc/redis/user.acl and the image's entrypoint adds `aclfile` (ACL_MODE). @default - no ACL
   * file: every client is the `default` user
   */
  readonly aclSecret?: string;
}

/** The Redis images run as UID 1000 (OT-CONTAINER-KIT/redis Dockerfiles); the exporter image has no USER, so it is set. */
const REDIS_UID = 1000;

function podSecurityContext(): Record<string, unknown> {
  return { runAsNonRoot: true, runAsUser: REDIS_UID, runAsGroup: REDIS_UID, fsGroup: REDIS_UID, seccompProfile: { ...RESTRICTED_SECCOMP } };
}

/** Pod Security "restricted" for each container; the root filesystem stays writable (the entrypoint writes redis.conf). */
function containerSecurityContext(): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: REDIS_UID,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { ...RESTRICTED_SECCOMP },
  };
}

/**
 * DAT-03's Redis: a primary and replicas (a RedisReplication of the OT-CONTAINER-KIT redis-operator)
 * with the operator's embedded Sentinels for failover, AOF fsynced every second and one RDB snapshot an
 * hour. The image's entrypoint already writes `save 900 1`, `save 300 10` and `save 60 10000` when
 * storage is set, and `save` lines add up while Redis reads its configuration, so the included file
 * resets them (`save ""`, Redis 7) before setting the hourly one; the operator also applies both
 * settings at run time (`dynamicConfig`). The operator sets no security context of its own: every pod
 * here is given Pod Security "restricted". A PDB covers the Redis pods (the operator's) and another the
 * Sentinels (which it gives none).
 */
export class ReplicatedRedis extends Construct {
  readonly name: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly sentinelLabels: Readonly<Record<string, string>>;
  /** The lines of redis-additional.conf. */
  readonly config: readonly string[];

  constructor(scope: Construct, id: string, props: ReplicatedRedisProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .integer('nodes', props.nodes, 1)
      .integer('sentinels', props.sentinels, 0)
      .integer('maxMemoryPercent', props.maxMemoryPercent, 1, 100);
    this.name = props.name;
    this.podLabels = redisLabels(props.name);
    this.sentinelLabels = sentinelLabels(props.name);
    if (props.nodes < 1) throw new Error(`${props.name}: nodes (${props.nodes}) must be at least 1`);
    if (props.sentinels !== 0 && (props.sentinels < 3 || props.sentinels % 2 === 0)) {
      throw new Error(`${props.name}: sentinels (${props.sentinels}) must be 0 or an odd number of at least 3`);
    }
    const snapshot = `save ${props.snapshotSeconds} 1`;
    this.config = ['appendonly yes', `appendfsync ${props.appendfsync}`, 'save ""', snapshot];
    const configName = redisConfigName(props.name);
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: configName, labels: props.labels },
      // The key is fixed: the image includes /etc/redis/external.conf.d/redis-additional.conf.
      data: { 'redis-additional.conf': `${this.config.join('\n')}\n` },
    });
    const guaranteed = (r: { cpu: string; memory: string }) => ({ requests: { ...r }, limits: { ...r } });
    const spread = (labels: Readonly<Record<string, string>>) => [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: props.placement.zoneSpread,
        labelSelector: { matchLabels: { ...labels } },
        ...ZONE_SPREAD_NODE_POLICY,
      },
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { ...labels } },
      },
    ];
    const secret = { name: props.passwordSecret.name, key: props.passwordSecret.key };
    new ApiObject(this, 'Resource', {
      ...RedisReplication.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        clusterSize: props.nodes,
        kubernetesConfig: {
          image: props.images.redis,
          imagePullPolicy: 'IfNotPresent',
          redisSecret: secret,
          resources: guaranteed(props.resources),
        },
        redisConfig: {
          additionalRedisConfig: configName,
          maxMemoryPercentOfLimit: props.maxMemoryPercent,
          dynamicConfig: [`appendfsync ${props.appendfsync}`, snapshot],
        },
        storage: {
          keepAfterDelete: true,
          volumeClaimTemplate: {
            spec: {
              storageClassName: props.storage.storageClass,
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: props.storage.size } },
            },
          },
        },
        ...(props.aclSecret === undefined ? {} : { acl: { secret: { secretName: props.aclSecret, defaultMode: 0o440 } } }),
        podSecurityContext: podSecurityContext(),
        securityContext: containerSecurityContext(),
        redisExporter: {
          enabled: true,
          image: props.images.exporter,
          imagePullPolicy: 'IfNotPresent',
          resources: guaranteed(props.exporterResources),
          securityContext: containerSecurityContext(),
        },
        pdb: { enabled: true, maxUnavailable: 1 },
        nodeSelector: { ...props.placement.nodeSelector },
        topologySpreadConstraints: spread(this.podLabels),
        ...(props.sentinels === 0
          ? {}
          : {
              sentinel: {
                size: props.sentinels,
                image: props.images.sentinel,
                imagePullPolicy: 'IfNotPresent',
                resources: guaranteed(props.sentinelResources),
                podSecurityContext: podSecurityContext(),
                securityContext: containerSecurityContext(),
                nodeSelector: { ...props.placement.nodeSelector },
                topologySpreadConstraints: spread(this.sentinelLabels),
              },
            }),
      } satisfies BindingJson<RedisReplicationSpec>,
    });
    if (props.sentinels > 0) {
      new DisruptionBudget(this, 'SentinelDisruptionBudget', {
        name: `${props.name}-sentinel`,
        selector: this.sentinelLabels,
        labels: props.labels,
      });
    }
    new PodMonitor(this, 'Monitor', { name: props.name, labels: props.labels, selector: this.podLabels, port: 'redis-exporter' });
  }
}
