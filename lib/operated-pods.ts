/**
 * The pods the data layer's operators run for their custom resources: CloudNativePG's instances (a
 * Cluster) and PgBouncer pods (a Pooler), the redis-operator's Redis pods (a RedisReplication)
 * and Sentinel pods (a RedisSentinel). They are not objects of the output, but pods the cluster runs, which PDBs,
 * NetworkPolicies and chaos drills select and the capacity plan counts, like the NGINX pods of a
 * Gateway (gateway-pods.ts). Labels are the operators' own (data-names.ts); sizes are read from the
 * custom resources.
 */
import type { Manifest } from './core/manifest';
import { at, isPlain } from './core/plain';
import { CNPG_LABELS, postgresInstanceLabels, redisLabels, redisSentinelName, sentinelLabels } from './data-names';

/** A persistent volume each pod of a set claims. */
export interface OperatedVolume {
  readonly size: string;
  readonly storageClass: string;
}

/** One set of identical pods an operator runs for a custom resource. */
export interface OperatedPodSet {
  /** The custom resource. */
  readonly owner: Manifest;
  /** What the pods are: `instances`, `pooler`, `redis`, `sentinel`. */
  readonly role: 'instances' | 'pooler' | 'redis' | 'sentinel';
  readonly replicas: number;
  /** Labels every pod of the set carries (role-specific labels such as the primary's are left out). */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The pod template as far as scheduling and sizing go: node selector, tolerations, affinity (the
   * operator's own anti-affinity included), spread constraints and containers' resources.
   */
  readonly template: { readonly metadata: { readonly labels: Record<string, string> }; readonly spec: Record<string, unknown> };
  readonly volumes: readonly OperatedVolume[];
}

/** The GVKs whose objects an operator turns into pods. */
export const OPERATED_KINDS = {
  cluster: 'postgresql.cnpg.io/Cluster',
  pooler: 'postgresql.cnpg.io/Pooler',
  redisReplication: 'redis.redis.opstreelabs.in/RedisReplication',
  redisSentinel: 'redis.redis.opstreelabs.in/RedisSentinel',
} as const;

/** The name a set's pods are known by (its StatefulSet's): the custom resource's, `<cr>-sentinel` for Sentinels. */
export function operatedSetName(set: OperatedPodSet): string {
  return set.role === 'sentinel' ? redisSentinelName(set.owner.metadata.name) : set.owner.metadata.name;
}

function gk(object: Manifest): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  return `${group}/${object.kind}`;
}

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

function volume(value: unknown): OperatedVolume[] {
  const size = at(value, 'size');
  return typeof size === 'string' ? [{ size, storageClass: String(at(value, 'storageClass') ?? '') }] : [];
}

function container(name: string, resources: unknown): Record<string, unknown> {
  return { name, ...(isPlain(resources) ? { resources } : {}) };
}

/** Where the operator lets the scheduler put the pods: the pod spec's placement fields. */
interface Placement {
  readonly tolerations?: unknown;
  readonly affinity?: unknown;
  readonly topologySpreadConstraints?: unknown;
}

function placementFields(placement: Placement): Record<string, unknown> {
  return Object.fromEntries(Object.entries(placement).filter(([, value]) => (Array.isArray(value) ? value.length > 0 : isPlain(value))));
}

function podSet(
  owner: Manifest,
  role: OperatedPodSet['role'],
  replicas: number,
  labels: Record<string, string>,
  nodeSelector: unknown,
  containers: Record<string, unknown>[],
  volumes: OperatedVolume[],
  placement: Placement = {},
): OperatedPodSet {
  return {
    owner,
    role,
    replicas,
    labels,
    template: {
      metadata: { labels },
      spec: { ...(isPlain(nodeSelector) ? { nodeSelector } : {}), ...placementFields(placement), containers },
    },
    volumes,
  };
}

/**
 * The anti-affinity CloudNativePG gives a Cluster's instances unless `enablePodAntiAffinity` is false
 * (pkg/specs/pods.go CreateGeneratedAntiAffinity, v1.30.0): the cluster's instance pods, on
 * `topologyKey` (default kubernetes.io/hostname), preferred (weight 100, the default) or required.
 */
function cnpgAntiAffinity(cluster: string, config: unknown): unknown {
  if (at(config, 'enablePodAntiAffinity') === false) return undefined;
  const term = {
    labelSelector: {
      matchExpressions: [
        { key: CNPG_LABELS.cluster, operator: 'In', values: [cluster] },
        { key: CNPG_LABELS.podRole, operator: 'In', values: ['instance'] },
      ],
    },
    topologyKey: String(at(config, 'topologyKey') || 'kubernetes.io/hostname'),
  };
  return at(config, 'podAntiAffinityType') === 'required'
    ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } }
    : { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
}

/**
 * The pod sets of one object; none for objects no operator here turns into pods.
 * @param sidecarResources resources of the Barman Cloud sidecar in each instance pod, when the Cluster archives through it
 */
export function operatedPods(object: Manifest, sidecarResources?: unknown): OperatedPodSet[] {
  const name = object.metadata.name;
  switch (gk(object)) {
    case OPERATED_KINDS.cluster: {
      const spec = at(object, 'spec');
      const containers = [
        container('postgres', at(spec, 'resources')),
        ...(sidecarResources === undefined ? [] : [container('plugin-barman-cloud', sidecarResources)]),
      ];
      const volumes = [...volume(at(spec, 'storage')), ...volume(at(spec, 'walStorage'))];
      return [
        podSet(
          object,
          'instances',
          count(at(spec, 'instances'), 1),
          postgresInstanceLabels(name),
          at(spec, 'affinity', 'nodeSelector'),
          containers,
          volumes,
          {
            tolerations: at(spec, 'affinity', 'tolerations'),
            affinity: cnpgAntiAffinity(name, at(spec, 'affinity')),
            topologySpreadConstraints: at(spec, 'topologySpreadConstraints'),
          },
        ),
      ];
    }
    case OPERATED_KINDS.pooler: {
      const spec = at(object, 'spec');
      const podSpec = at(spec, 'template', 'spec');
      const labels = {
        [CNPG_LABELS.poolerName]: name,
        [CNPG_LABELS.podRole]: 'pooler',
        [CNPG_LABELS.cluster]: String(at(spec, 'cluster', 'name') ?? ''),
      };
      const pgbouncer = (at(podSpec, 'containers') as unknown[] | undefined)?.find((c) => at(c, 'name') === 'pgbouncer');
      return [
        podSet(
          object,
          'pooler',
          count(at(spec, 'instances'), 1),
          labels,
          at(podSpec, 'nodeSelector'),
          [container('pgbouncer', at(pgbouncer, 'resources'))],
          [],
          {
            tolerations: at(podSpec, 'tolerations'),
            affinity: at(podSpec, 'affinity'),
            topologySpreadConstraints: at(podSpec, 'topologySpreadConstraints'),
          },
        ),
      ];
    }
    case OPERATED_KINDS.redisReplication: {
      const spec = at(object, 'spec');
      const claim = at(spec, 'storage', 'volumeClaimTemplate', 'spec');
      const size = at(claim, 'resources', 'requests', 'storage');
      const volumes = typeof size === 'string' ? [{ size, storageClass: String(at(claim, 'storageClassName') ?? '') }] : [];
      const exporter = at(spec, 'redisExporter');
      const redis = podSet(
        object,
        'redis',
        count(at(spec, 'clusterSize'), 1),
        redisLabels(name),
        at(spec, 'nodeSelector'),
        [
          container('redis', at(spec, 'kubernetesConfig', 'resources')),
          ...(at(exporter, 'enabled') === true ? [container('redis-exporter', at(exporter, 'resources'))] : []),
        ],
        volumes,
        {
          tolerations: at(spec, 'tolerations'),
          affinity: at(spec, 'affinity'),
          topologySpreadConstraints: at(spec, 'topologySpreadConstraints'),
        },
      );
      return [redis];
    }
    case OPERATED_KINDS.redisSentinel: {
      const spec = at(object, 'spec');
      return [
        podSet(
          object,
          'sentinel',
          count(at(spec, 'clusterSize'), 1),
          sentinelLabels(name),
          at(spec, 'nodeSelector'),
          [container('sentinel', at(spec, 'kubernetesConfig', 'resources'))],
          [],
          {
            tolerations: at(spec, 'tolerations'),
            affinity: at(spec, 'affinity'),
            topologySpreadConstraints: at(spec, 'topologySpreadConstraints'),
          },
        ),
      ];
    }
    default:
      return [];
  }
}

/** The Barman Cloud sidecar's resources of a Cluster: those of the ObjectStore its WAL archiver names. */
export function archiverSidecarResources(cluster: Manifest, objects: readonly Manifest[]): unknown {
  const plugins = at(cluster, 'spec', 'plugins');
  if (!Array.isArray(plugins)) return undefined;
  const archiver = plugins.find((p) => at(p, 'isWALArchiver') === true);
  const store = at(archiver, 'parameters', 'barmanObjectName');
  if (typeof store !== 'string') return undefined;
  const objectStore = objects.find(
    (o) => o.kind === 'ObjectStore' && o.metadata.name === store && (o.metadata.namespace ?? '') === (cluster.metadata.namespace ?? ''),
  );
  return at(objectStore, 'spec', 'instanceSidecarConfiguration', 'resources') ?? {};
}
