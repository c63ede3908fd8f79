import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Cluster } from '../../imports/postgresql.cnpg.io';
import { BARMAN_PLUGIN, postgresInstanceLabels } from '../data-names';
import { ZONE_SPREAD_NODE_POLICY } from '../zone-spread';
import { PropChecks } from '../prop-checks';
import type { BindingJson } from '../binding-json';
import type { ClusterSpec, ClusterSpecExternalClusters } from '../../imports/postgresql.cnpg.io';

/** Where a cluster's pods run: the pool's node selector, and how strictly they spread over zones. */
export interface StorePlacement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** `DoNotSchedule` in staging and production; dev clusters may have one zone. */
  readonly zoneSpread: 'DoNotSchedule' | 'ScheduleAnyway';
}

/** One member of the DR topology: its name there, and the ObjectStore holding its archive. */
export interface TopologyMember {
  /** The cluster's name in the topology and its folder in the archive (barman's serverName). */
  readonly serverName: string;
  /** The ObjectStore (barmanObjectName) of its archive. */
  readonly archive: string;
}

/** How the cluster comes into being: a fresh database, or a replica of another cluster's archive. */
export type ClusterRole =
  | {
      readonly type: 'primary';
      /** The DR standby this primary's archive feeds. @default - no DR peer */
      readonly peer?: TopologyMember;
    }
  | {
      /** A replica cluster (the DR standby): restored from the primary's archive and kept replaying it. */
      readonly type: 'replica';
      readonly primary: TopologyMember;
    };

export interface PostgresClusterProps {
  /** The CloudNativePG Cluster (and the prefix of its Services `<name>-rw`, `-ro`, `-r`). */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** One line on what the cluster holds (the Cluster's `spec.description`). */
  readonly description: string;
  /** Operand image, `repository:tag[@digest]`. */
  readonly image: string;
  /** PostgreSQL instances: a primary and its streaming replicas. */
  readonly instances: number;
  /** Requests and limits alike: Guaranteed QoS keeps the postmaster the last process the OOM killer picks. */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** Each instance's data volume: size (a quantity, e.g. `50Gi`) and StorageClass. */
  readonly storage: { readonly size: string; readonly storageClass: string };
  /** Each instance's separate WAL volume: size and StorageClass. @default - WAL on the data volume */
  readonly walStorage?: { readonly size: string; readonly storageClass: string };
  /** Where the instances may run: node selector and how hard they spread over zones. */
  readonly placement: StorePlacement;
  /** PostgreSQL's `max_connections`. */
  readonly maxConnections: number;
  /** The app's database and its owner role. */
  readonly database: string;
  /** The basic-auth Secret of the owner role (the same password in every region). */
  readonly credentialsSecret: string;
  /** Its place in the topology: a primary (with its DR peer) or a replica of another region's archive. */
  readonly role: ClusterRole;
  /** This cluster's own archive, to which it ships its WAL. @default - no WAL archiving (dev) */
  readonly archive?: TopologyMember & { readonly archiveTimeoutSeconds: number };
  /**
   * The recovery point objective the cluster is held to, seconds: written as an annotation the validator
   * reads (rule data/backup-rpo). @default - none: a disposable cluster (dev) promises no recovery point
   */
  readonly rpoSeconds?: number;
  /** Annotations of the cluster's ServiceAccount (GKE workload identity). @default - none */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /**
   * CloudNativePG's PodDisruptionBudgets. With one instance its primary PDB (minAvailable 1 on the only
   * pod) can never allow an eviction, so no node under it could ever be drained; CloudNativePG's own
   * advice is `enablePDB: false` for such a cluster (api/v1/cluster_types.go, v1.30.0). Found by `npm
   * run simulate` (dev, prod-asia's DR replica). @default - true from two instances, false with one
   */
  readonly enablePdb?: boolean;
  /**
   * The server certificates' CA and the extra names they carry (`spec.certificates`): CloudNativePG
   * signs its server certificate with `serverCASecret` (`ca.crt`, `ca.key`) for the -rw, -r and -ro
   * Services plus `serverAltDNSNames` (api/v1 GetClusterAltDNSNames, v1.30.0). A Pooler without its own
   * `clientTLSSecret` serves this certificate to the apps (pooler_funcs.go GetClientTLSSecretNameOrDefault),
   * so the pooler's Service names go here for the apps to verify them. @default - a CA CloudNativePG
   * generates, and only its own Services' names
   */
  readonly serverTls?: { readonly caSecret: string; readonly altDnsNames: readonly string[] };
}

const PART_OF = 'app.kubernetes.io/part-of';

/** The annotation that records a cluster's recovery point objective, seconds (rule data/backup-rpo). */
export const RPO_ANNOTATION = 'platform/rpo-seconds';

function externalCluster(member: TopologyMember): BindingJson<ClusterSpecExternalClusters> {
  return {
    name: member.serverName,
    plugin: { name: BARMAN_PLUGIN, parameters: { barmanObjectName: member.archive, serverName: member.serverName } },
  };
}

/**
 * A CloudNativePG Cluster (postgresql.cnpg.io/v1). CloudNativePG runs every instance with the same
 * resources, spreads them over zones with a required anti-affinity and a zone spread constraint, keeps
 * a PDB on the primary (switching over before a drain), and with an archive ships WAL through the
 * Barman Cloud plugin at least every `archiveTimeoutSeconds`. Its pods are Pod Security "restricted"
 * by default (UID 26, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp,
 * read-only root), which the operator sets and which is not overridden here.
 *
 * With a DR peer the cluster is part of a distributed topology (`replica.primary` names the primary,
 * `self` this cluster): the primary archives for the standby, the standby is a replica cluster that
 * restores from that archive and replays it, and a switchover is a change of `replica.primary` on both.
 */
export class PostgresCluster extends Construct {
  readonly name: string;
  /** Labels of the instance pods. */
  readonly instanceLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .integer('instances', props.instances, 1)
      .integer('maxConnections', props.maxConnections, 1);
    this.name = props.name;
    this.instanceLabels = postgresInstanceLabels(props.name);
    if (props.instances < 1) throw new Error(`${props.name}: instances (${props.instances}) must be at least 1`);
    const { role, archive } = props;
    if (role.type === 'replica' && archive === undefined) {
      throw new Error(`${props.name}: a replica cluster needs its own archive (archive_mode is always on a replica cluster)`);
    }
    if (role.type === 'primary' && role.peer !== undefined && archive === undefined) {
      throw new Error(`${props.name}: a primary with a DR peer needs an archive: the peer replays it`);
    }
    const resources = { requests: { ...props.resources }, limits: { ...props.resources } };
    const self = archive?.serverName ?? props.name;
    const members: TopologyMember[] =
      archive === undefined ? [] : role.type === 'replica' ? [role.primary, archive] : role.peer === undefined ? [] : [archive, role.peer];
    const primaryName = role.type === 'replica' ? role.primary.serverName : self;
    const partOf = props.labels[PART_OF];
    const owner = { database: props.database, owner: props.database, secret: { name: props.credentialsSecret } };
    new ApiObject(this, 'Resource', {
      ...Cluster.GVK,
      metadata: {
        name: props.name,
        labels: props.labels,
        ...(props.rpoSeconds === undefined ? {} : { annotations: { [RPO_ANNOTATION]: String(props.rpoSeconds) } }),
      },
      spec: {
        description: props.description,
        instances: props.instances,
        imageName: props.image,
        // Minor upgrades switch the primary over to an updated replica instead of restarting it under load.
        primaryUpdateStrategy: 'unsupervised',
        primaryUpdateMethod: props.instances > 1 ? 'switchover' : 'restart',
        enablePDB: props.enablePdb ?? props.instances > 1,
        ...(props.serverTls === undefined
          ? {}
          : { certificates: { serverCASecret: props.serverTls.caSecret, serverAltDNSNames: [...props.serverTls.altDnsNames] } }),
        resources,
        storage: { ...props.storage },
        ...(props.walStorage === undefined ? {} : { walStorage: { ...props.walStorage } }),
        affinity: {
          enablePodAntiAffinity: true,
          topologyKey: 'topology.kubernetes.io/zone',
          podAntiAffinityType: props.placement.zoneSpread === 'DoNotSchedule' ? 'required' : 'preferred',
          nodeSelector: { ...props.placement.nodeSelector },
        },
        // Passed to instance and Job pods as written, so the selector names the instances.
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: props.placement.zoneSpread,
            labelSelector: { matchLabels: { ...this.instanceLabels } },
            ...ZONE_SPREAD_NODE_POLICY,
          },
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { ...this.instanceLabels } },
          },
        ],
        postgresql: {
          parameters: {
            max_connections: String(props.maxConnections),
            ...(archive === undefined ? {} : { archive_timeout: `${archive.archiveTimeoutSeconds}s` }),
          },
        },
        // CloudNativePG copies these onto every object it makes. Only part-of: it sets app.kubernetes.io/name,
        // instance and version itself, and two owners of one label would fight.
        ...(partOf === undefined ? {} : { inheritedMetadata: { labels: { [PART_OF]: partOf } } }),
        ...(props.serviceAccountAnnotations === undefined
          ? {}
          : { serviceAccountTemplate: { metadata: { annotations: { ...props.serviceAccountAnnotations } } } }),
        monitoring: { enablePodMonitor: false },
        ...(archive === undefined
          ? {}
          : {
              plugins: [
                {
                  name: BARMAN_PLUGIN,
                  isWALArchiver: true,
                  parameters: { barmanObjectName: archive.archive, serverName: archive.serverName },
                },
              ],
            }),
        bootstrap: role.type === 'replica' ? { recovery: { source: role.primary.serverName, ...owner } } : { initdb: owner },
        ...(members.length === 0
          ? {}
          : {
              replica: { self, primary: primaryName, source: role.type === 'replica' ? role.primary.serverName : members[1]!.serverName },
              externalClusters: members.map(externalCluster),
            }),
      } satisfies BindingJson<ClusterSpec>,
    });
  }
}
