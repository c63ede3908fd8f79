import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RedisReplication } from '../../imports/redis.redis.opstreelabs.in';
import { CERT_MANAGER_KEYS, REDIS_INCLUDED_CONFIG, REDIS_TLS_MOUNT, redisConfigName, redisLabels } from '../data-names';
import { PodMonitor } from './pod-monitor';
import type { StorePlacement } from './postgres-cluster';
import { RESTRICTED_SECCOMP } from '../restricted-security';
import { ZONE_SPREAD_NODE_POLICY } from '../zone-spread';
import { PropChecks } from '../prop-checks';
import type { BindingJson } from '../binding-json';
import type { RedisReplicationSpec, RedisReplicationSpecTls } from '../../imports/redis.redis.opstreelabs.in';

export interface ReplicatedRedisProps {
  /** The RedisReplication: its StatefulSet, its Services (`<name>`, `<name>-master`, ...) and its pods' `app` label. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** Images, `repository:tag[@digest]`. */
  readonly images: { readonly redis: string; readonly exporter: string };
  /** A primary and its replicas. */
  readonly nodes: number;
  /** Requests and limits of each Redis container (CPU and memory quantities). */
  readonly resources: { readonly cpu: string; readonly memory: string };
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
  /**
   * The Secret of the certificate every pod serves on 6379 (TLS only) and presents to the others
   * (`ca.crt`, `tls.crt`, `tls.key`, as cert-manager writes it).
   */
  readonly tlsSecret: string;
  /**
   * The DNS domain each pod's name is a host of: its headless Service's (`<service>.<namespace>.svc.cluster.local`).
   * Each Redis announces `<pod>.<domain>` to its primary, so that a Sentinel hands clients a name the
   * certificate carries, not a pod IP.
   */
  readonly podDomain: string;
}

/**
 * `spec.TLS` of a redis-operator resource, and the environment its image needs beside it: the
 * entrypoints (OT-CONTAINER-KIT/redis entrypoint.sh, entrypoint-sentinel.sh) write `tls-ca-cert-file`
 * from REDIS_TLS_CA_KEY, which the operator never sets (it sets REDIS_TLS_CA_CERT, statefulset.go
 * GenerateTLSEnvironmentVariables), and Redis 7.2 refuses to start without a CA once `tls-replication`
 * or `tls-auth-clients` is on.
 */
export function redisTls(secretName: string): {
  readonly spec: { readonly ca: string; readonly cert: string; readonly key: string; readonly secret: { readonly secretName: string } };
  readonly env: readonly { readonly name: string; readonly value: string }[];
} {
  return {
    spec: { ca: CERT_MANAGER_KEYS.ca, cert: CERT_MANAGER_KEYS.cert, key: CERT_MANAGER_KEYS.key, secret: { secretName } },
    env: [{ name: 'REDIS_TLS_CA_KEY', value: `${REDIS_TLS_MOUNT}/${CERT_MANAGER_KEYS.ca}` }],
  };
}

/** Refuses a domain that is not a DNS name (lower case, dots and dashes), naming the resource. */
export function checkPodDomain(resource: string, podDomain: string): void {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(podDomain)) throw new Error(`${resource}: podDomain "${podDomain}" is not a DNS name`);
}

/**
 * The init container of a redis-operator resource that writes, on each start, the file its entrypoint
 * includes in place of the ConfigMap's (EXTERNAL_CONFIG_FILE): an include of the ConfigMap's file, then
 * `<directive> <pod>.<podDomain>` (the pod's name is its host name, so the line follows the pod).
 */
export function announcingInitContainer(props: {
  readonly image: string;
  readonly resources: { readonly cpu: string; readonly memory: string };
  readonly include: string;
  readonly directive: string;
  readonly podDomain: string;
  readonly file: string;
}) {
  const script = `printf 'include ${props.include}\\n${props.directive} %s.${props.podDomain}\\n' "$(hostname)" > ${props.file}`;
  return {
    enabled: true,
    image: props.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', script],
    resources: guaranteed(props.resources),
    securityContext: containerSecurityContext(),
  };
}

/** The file each Redis pod's init container writes on its data volume, which the entrypoint includes instead of the ConfigMap's. */
const ANNOUNCE_CONFIG = '/data/redis-announce.conf';

/** The Redis images run as UID 1000 (OT-CONTAINER-KIT/redis Dockerfiles); the exporter image has no USER, so it is set. */
const REDIS_UID = 1000;

export function podSecurityContext(): Record<string, unknown> {
  return { runAsNonRoot: true, runAsUser: REDIS_UID, runAsGroup: REDIS_UID, fsGroup: REDIS_UID, seccompProfile: { ...RESTRICTED_SECCOMP } };
}

/** Pod Security "restricted" for each container; the root filesystem stays writable (the entrypoint writes redis.conf). */
export function containerSecurityContext(): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: REDIS_UID,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { ...RESTRICTED_SECCOMP },
  };
}

/** The two spread constraints of a set of data pods: over zones as the placement asks, over hosts where it can. */
export function redisSpread(placement: StorePlacement, labels: Readonly<Record<string, string>>) {
  return [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: placement.zoneSpread,
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
}

/** Requests equal to limits (Guaranteed QoS). */
export function guaranteed(r: { readonly cpu: string; readonly memory: string }): {
  requests: Record<string, string>;
  limits: Record<string, string>;
} {
  return { requests: { ...r }, limits: { ...r } };
}

/**
 * DAT-03's Redis: a primary and replicas (a RedisReplication of the OT-CONTAINER-KIT redis-operator),
 * AOF fsynced every second and one RDB snapshot an hour, on TLS only. The image's entrypoint already
 * writes `save 900 1`, `save 300 10` and `save 60 10000` when storage is set, and `save` lines add up
 * while Redis reads its configuration, so the included file resets them (`save ""`, Redis 7) before
 * setting the hourly one; the operator also applies both settings at run time (`dynamicConfig`).
 *
 * TLS: the entrypoint makes 6379 TLS-only (`port 0`, `tls-port`) with `tls-replication yes` and
 * `tls-auth-clients optional` once `spec.TLS` is set; the operator connects by each pod's name under
 * the headless Service and checks the chain. An init container writes `replica-announce-ip
 * <pod>.<podDomain>` beside an include of the ConfigMap, and the entrypoint includes that file
 * (EXTERNAL_CONFIG_FILE): without it a replica is known by its IP, and after a failover Sentinels would
 * hand clients an address no certificate names (docs/design/redis-tls.md). Failover is a RedisSentinel's
 * (redis-sentinels.ts). The operator sets no security context of its own: every container here is
 * given Pod Security "restricted". The operator's PDB covers the pods.
 */
export class ReplicatedRedis extends Construct {
  readonly name: string;
  readonly podLabels: Readonly<Record<string, string>>;
  /** The lines of redis-additional.conf. */
  readonly config: readonly string[];

  constructor(scope: Construct, id: string, props: ReplicatedRedisProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .name('tlsSecret', props.tlsSecret)
      .integer('nodes', props.nodes, 1)
      .integer('maxMemoryPercent', props.maxMemoryPercent, 1, 100);
    this.name = props.name;
    this.podLabels = redisLabels(props.name);
    checkPodDomain(props.name, props.podDomain);
    const snapshot = `save ${props.snapshotSeconds} 1`;
    this.config = ['appendonly yes', `appendfsync ${props.appendfsync}`, 'save ""', snapshot];
    const configName = redisConfigName(props.name);
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: configName, labels: props.labels },
      data: { [REDIS_INCLUDED_CONFIG.redis.key]: `${this.config.join('\n')}\n` },
    });
    const secret = { name: props.passwordSecret.name, key: props.passwordSecret.key };
    const tls = redisTls(props.tlsSecret);
    new ApiObject(this, 'Resource', {
      ...RedisReplication.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        TLS: tls.spec satisfies BindingJson<RedisReplicationSpecTls>,
        ...({
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
          env: [...tls.env, { name: 'EXTERNAL_CONFIG_FILE', value: ANNOUNCE_CONFIG }],
          // The operator mounts the data volume in its init container at /data (statefulset.go getVolumeMount).
          initContainer: announcingInitContainer({
            image: props.images.redis,
            resources: props.exporterResources,
            include: REDIS_INCLUDED_CONFIG.redis.path,
            directive: 'replica-announce-ip',
            podDomain: props.podDomain,
            file: ANNOUNCE_CONFIG,
          }),
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
          topologySpreadConstraints: redisSpread(props.placement, this.podLabels),
        } satisfies BindingJson<Omit<RedisReplicationSpec, 'tls'>>),
      },
    });
    new PodMonitor(this, 'Monitor', { name: props.name, labels: props.labels, selector: this.podLabels, port: 'redis-exporter' });
  }
}
