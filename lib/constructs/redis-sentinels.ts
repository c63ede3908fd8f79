import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RedisSentinel, type RedisSentinelSpec, type RedisSentinelSpecTls } from '../../imports/redis.redis.opstreelabs.in';
import type { BindingJson } from '../binding-json';
import { REDIS_INCLUDED_CONFIG, REDIS_MASTER_GROUP, redisSentinelConfigName, redisSentinelName, sentinelLabels } from '../data-names';
import { PropChecks } from '../prop-checks';
import type { StorePlacement } from './postgres-cluster';
import {
  announcingInitContainer,
  checkPodDomain,
  containerSecurityContext,
  guaranteed,
  podSecurityContext,
  redisSpread,
  redisTls,
} from './replicated-redis';

export interface RedisSentinelsProps {
  /** The RedisSentinel, named as the RedisReplication it watches: its pods, Service and PDB are `<name>-sentinel`. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The Sentinel image, `repository:tag[@digest]`. */
  readonly image: string;
  /** How many Sentinels: an odd number of at least 3, so that a majority survives the loss of one. */
  readonly size: number;
  /** Requests and limits of each Sentinel container. */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** The RedisReplication they fail over. */
  readonly replication: string;
  /** The Secret and key of the replication's password (`default`'s), which the Sentinels sign in with. */
  readonly passwordSecret: { readonly name: string; readonly key: string };
  /** The Secret of the certificate they serve on 26379 (TLS only) and present to Redis. */
  readonly tlsSecret: string;
  /** Where they may run: node selector and how hard they spread over zones. */
  readonly placement: StorePlacement;
  /**
   * The DNS domain each Sentinel pod's name is a host of: its headless Service's. Each Sentinel
   * announces `<pod>.<domain>` to the others, so that a client that discovers Sentinels dials names the
   * certificate carries.
   */
  readonly podDomain: string;
  /** Requests and limits of the init container that writes the announcement. */
  readonly initResources: { readonly cpu: string; readonly memory: string };
}

/** The emptyDir each Sentinel's init container writes its announcement into, and the file. */
const ANNOUNCE_VOLUME = 'announce';
const ANNOUNCE_DIR = '/etc/redis/announce';
const ANNOUNCE_CONFIG = `${ANNOUNCE_DIR}/sentinel-announce.conf`;

/**
 * The Sentinels that fail a RedisReplication over, as a standalone RedisSentinel of the redis-operator
 * (v0.26.0): the embedded `spec.sentinel` of a RedisReplication gets no TLS
 * (redisreplication_sentinel.go), a RedisSentinel does (k8sutils/redis-sentinel.go). They speak TLS only
 * on 26379 and reach Redis and each other over TLS: the image's entrypoint never writes
 * `tls-replication yes`, which Sentinel uses for its own links (redis 7.2 src/sentinel.c), so the
 * included file does. They monitor the primary by its pod name (`resolveHostnames`) and hand out names
 * (`announceHostnames`): with each Redis announcing its own (replicated-redis.ts), clients verify
 * the certificate against the address Sentinel gives them. Each Sentinel announces its own name to
 * the others too (`sentinel announce-ip`, written by an init container into the file the entrypoint
 * includes, EXTERNAL_CONFIG_FILE, which includes the ConfigMap in turn): clients that discover
 * Sentinels (ioredis, go-redis in KEDA) would otherwise be handed IPs. The operator's PDB keeps a majority.
 */
export class RedisSentinels extends Construct {
  readonly name: string;
  readonly podLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: RedisSentinelsProps) {
    super(scope, id);
    new PropChecks(this).name('name', props.name).name('replication', props.replication).name('tlsSecret', props.tlsSecret);
    checkPodDomain(props.name, props.podDomain);
    if (!Number.isInteger(props.size) || props.size < 3 || props.size % 2 === 0) {
      throw new Error(`${props.name}: size (${props.size}) must be an odd number of at least 3`);
    }
    this.name = redisSentinelName(props.name);
    this.podLabels = sentinelLabels(props.name);
    const configName = redisSentinelConfigName(props.name);
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: configName, labels: props.labels },
      data: { [REDIS_INCLUDED_CONFIG.sentinel.key]: 'tls-replication yes\n' },
    });
    const tls = redisTls(props.tlsSecret);
    const majority = Math.floor(props.size / 2) + 1;
    new ApiObject(this, 'Resource', {
      ...RedisSentinel.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        TLS: tls.spec satisfies BindingJson<RedisSentinelSpecTls>,
        ...({
          clusterSize: props.size,
          kubernetesConfig: { image: props.image, imagePullPolicy: 'IfNotPresent', resources: guaranteed(props.resources) },
          redisSentinelConfig: {
            redisReplicationName: props.replication,
            masterGroupName: REDIS_MASTER_GROUP,
            quorum: String(majority),
            redisReplicationPassword: { secretKeyRef: { name: props.passwordSecret.name, key: props.passwordSecret.key } },
            resolveHostnames: 'yes',
            announceHostnames: 'yes',
            additionalSentinelConfig: configName,
          },
          env: [...tls.env, { name: 'EXTERNAL_CONFIG_FILE', value: ANNOUNCE_CONFIG }],
          // The operator mounts spec.volumeMount in the init container and in the Sentinel
          // (k8sutils/redis-sentinel.go generateRedisSentinelInitContainerParams, generateRedisSentinelContainerParams).
          initContainer: announcingInitContainer({
            image: props.image,
            resources: props.initResources,
            include: REDIS_INCLUDED_CONFIG.sentinel.path,
            directive: 'sentinel announce-ip',
            podDomain: props.podDomain,
            file: ANNOUNCE_CONFIG,
          }),
          volumeMount: {
            volume: [{ name: ANNOUNCE_VOLUME, emptyDir: {} }],
            mountPath: [{ name: ANNOUNCE_VOLUME, mountPath: ANNOUNCE_DIR }],
          },
          podSecurityContext: podSecurityContext(),
          securityContext: containerSecurityContext(),
          pdb: { enabled: true, minAvailable: majority },
          nodeSelector: { ...props.placement.nodeSelector },
          topologySpreadConstraints: redisSpread(props.placement, this.podLabels),
        } satisfies BindingJson<Omit<RedisSentinelSpec, 'tls'>>),
      },
    });
  }
}
