import { Chart } from 'cdk8s';
import type { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { Environment, OperatedPostgres, OperatedRedis } from '../environments/schema';
import {
  CNPG_NAMESPACE,
  CNPG_OPERATOR_POD_LABELS,
  KEDA_NAMESPACE,
  REDIS_OPERATOR_NAMESPACE,
  REDIS_OPERATOR_POD_LABELS,
} from '../lib/addons/names';
import { AppSecrets, type SecretTemplate } from '../lib/constructs/app-secrets';
import { BarmanArchive, type ArchiveCredentials } from '../lib/constructs/barman-archive';
import { BaseBackupSchedule } from '../lib/constructs/base-backup-schedule';
import { GOOGLE_APIS, METADATA_SERVER } from '../lib/gke-network';
import { aclFileTemplate } from '../lib/redis-acl';
import { clusterAddress } from '../lib/cluster-address';
import {
  BACKUP_CREDENTIALS_KEY,
  backupCredentialsName,
  baseBackupName,
  CERT_MANAGER_KEYS,
  CNPG_LABELS,
  CNPG_CA_KEYS,
  DATA_CA,
  DATA_PORTS,
  poolerLabels,
  poolerName,
  postgresCredentialsName,
  postgresInstanceLabels,
  REDIS_ACL_KEY,
  redisAclName,
  redisAuthName,
  redisName,
  REDIS_PASSWORD_KEY,
  redisHeadlessService,
  redisMasterService,
  redisSentinelHeadlessService,
  redisSentinelName,
  redisTlsName,
} from '../lib/data-names';
import { POSTGRES_DEFAULTS, REDIS_DEFAULTS } from '../lib/defaults';
import { platformLabels, selectorLabels } from '../lib/labels';
import { clusterHost } from '../lib/names';
import { NamespaceIsolation } from '../lib/constructs/namespace-isolation';
import { ipPeer, namespaceSelector, prometheusPeer, tcp } from '../lib/network-peers';
import { PodMonitor } from '../lib/constructs/pod-monitor';
import { PostgresCluster } from '../lib/constructs/postgres-cluster';
import { PostgresPooler } from '../lib/constructs/postgres-pooler';
import { CaIssuer } from '../lib/constructs/ca-issuer';
import { InternalCertificate } from '../lib/constructs/internal-certificate';
import { RedisSentinels } from '../lib/constructs/redis-sentinels';
import { ReplicatedRedis } from '../lib/constructs/replicated-redis';
import { type NetworkRule, ServiceNetworkPolicy } from '../lib/constructs/service-network-policy';
import type { EnvironmentChartProps } from './chart-props';
import {
  dataNamespaces,
  imageRef,
  operatedPostgres,
  operatedRedis,
  ownArchive,
  postgresClusterName,
  postgresRole,
  redisUsers,
  storePlacement,
  storePorts,
  usersOfStore,
} from './resolve-data-store';
import { remoteKey } from './service-secrets';

/** Prometheus's namespace, from the URL the platform queries it at; undefined outside the cluster. */
function prometheusNamespace(environment: Environment): string | undefined {
  return clusterAddress(environment.monitoring.prometheusUrl)?.namespace;
}

/** Rules that let the apps in: each service that `uses` the store, by its pods, on the store's port. */
function fromUsers(environment: Environment, store: string, ports: readonly number[]): NetworkRule[] {
  return usersOfStore(environment, store).map((service) => ({
    peers: [
      {
        namespaceSelector: namespaceSelector(environment.namespace),
        podSelector: { matchLabels: selectorLabels({ name: service, environment: environment.name }) },
      },
    ],
    ports: ports.map(tcp),
  }));
}

function scrapedBy(environment: Environment, port: number): NetworkRule[] {
  const namespace = prometheusNamespace(environment);
  return namespace === undefined ? [] : [{ peers: [prometheusPeer(namespace)], ports: [tcp(port)] }];
}

function apiServer(environment: Environment): NetworkRule {
  const { cidrs, port } = environment.cluster.apiServer;
  return { peers: cidrs.map(ipPeer), ports: [tcp(port)] };
}

/** The names a Service answers to in the cluster, as CloudNativePG lists them on its own certificates. */
function serviceNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, clusterHost(service, namespace)];
}

function storeLabels(environment: Environment, store: string): Record<string, string> {
  return platformLabels(environment, store);
}

/**
 * The data layer of an environment (DAT-02, DAT-03): each PostgreSQL store as a CloudNativePG cluster behind
 * its PgBouncer pooler, with WAL archiving and base backups to the region's bucket and, in the DR pair,
 * the standby region's replica cluster fed from the primary's archive (the region's role decides, see
 * charts/resolve-data-store.ts); each Redis store as a redis-operator replication set with Sentinels
 * and persistence. Every store has a PDB, a PodMonitor, pods spread over zones under Pod Security
 * "restricted", and NetworkPolicies that admit exactly the services that use it (to the pooler, never
 * to PostgreSQL itself), its operator, its peers, Prometheus, and its object store.
 */
export class DataChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    const namespaces = dataNamespaces(props.environment);
    super(scope, id, { namespace: namespaces[0] });
    const { environment } = props;
    if (namespaces.length === 0) return;
    new NamespaceIsolation(this, 'Isolation', { labels: platformLabels(environment, 'data'), mesh: false });
    if (operatedPostgres(environment).length > 0 || operatedRedis(environment).length > 0) {
      // The data CA, from the store: CloudNativePG signs PostgreSQL's server certificates with it and
      // cert-manager Redis's (each operator reads the pair under its own keys); the apps verify with it.
      const cert = `{{ index . ${JSON.stringify(DATA_CA.certSecret)} }}`;
      const key = `{{ index . ${JSON.stringify(DATA_CA.keySecret)} }}`;
      this.secrets(
        environment,
        'data-ca',
        DATA_CA.secret,
        platformLabels(environment, 'data'),
        [
          [DATA_CA.certSecret, DATA_CA.certSecret],
          [DATA_CA.keySecret, DATA_CA.keySecret],
        ],
        {
          keepFetched: false,
          data: {
            [CNPG_CA_KEYS.cert]: cert,
            [CNPG_CA_KEYS.key]: key,
            ...(operatedRedis(environment).length > 0 ? { [CERT_MANAGER_KEYS.cert]: cert, [CERT_MANAGER_KEYS.key]: key } : {}),
          },
        },
      );
      if (operatedRedis(environment).length > 0) {
        new CaIssuer(this, 'data-ca-issuer', {
          name: DATA_CA.issuer,
          caSecret: DATA_CA.secret,
          labels: platformLabels(environment, 'data'),
        });
      }
    }
    for (const [name, store] of operatedPostgres(environment)) this.postgres(environment, name, store);
    for (const [name, store] of operatedRedis(environment)) this.redis(environment, name, store);
  }

  /** An ExternalSecret in the data namespace: each entry a key of the Secret and the secret it comes from in the store. */
  private secrets(
    environment: Environment,
    id: string,
    name: string,
    labels: Record<string, string>,
    entries: readonly (readonly [string, string])[],
    template?: SecretTemplate,
  ): void {
    new AppSecrets(this, id, {
      name,
      labels,
      store: { name: environment.secrets.storeName, kind: environment.secrets.scope },
      refreshInterval: environment.secrets.refreshInterval,
      entries: entries.map(([secretKey, secret]) => ({ secretKey, remoteKey: remoteKey(environment, secret) })),
      template,
    });
  }

  private postgres(environment: Environment, name: string, store: OperatedPostgres): void {
    const labels = storeLabels(environment, name);
    const cluster = postgresClusterName(name);
    const role = postgresRole(environment, name, store);
    const archive = ownArchive(environment, name, store);
    const { backups } = store;
    const placement = storePlacement(environment, store);

    // The owner role's password, the same in every region (a promoted replica keeps the apps' password).
    const credentials = postgresCredentialsName(name);
    this.secrets(environment, `${name}-credentials`, credentials, labels, [['password', store.passwordSecret]], {
      type: 'kubernetes.io/basic-auth',
      keepFetched: false,
      data: { username: store.database, password: '{{ .password }}' },
    });

    let archiveCredentials: ArchiveCredentials = { type: 'workload-identity' };
    if (backups?.credentials.type === 'external-secret') {
      const secret = backupCredentialsName(name);
      this.secrets(environment, `${name}-backup-credentials`, secret, labels, [[BACKUP_CREDENTIALS_KEY, backups.credentials.secret]]);
      archiveCredentials = { type: 'secret', name: secret, key: BACKUP_CREDENTIALS_KEY };
    }
    if (backups !== undefined && archive !== undefined) {
      new BarmanArchive(this, `${name}-archive`, {
        name: archive.archive,
        labels,
        destinationPath: `gs://${backups.bucket}/${backups.path}`,
        credentials: archiveCredentials,
        retentionDays: backups.retentionDays,
        sidecarResources: { ...POSTGRES_DEFAULTS.sidecarResources },
      });
      const peer = role.type === 'replica' ? role.primary : role.peer;
      if (peer !== undefined && store.replication !== undefined) {
        // The other region's archive: the standby restores and replays it; the primary keeps it to switch back.
        new BarmanArchive(this, `${name}-peer-archive`, {
          name: peer.archive,
          labels,
          destinationPath: `gs://${store.replication.bucket}/${store.replication.path}`,
          credentials: archiveCredentials,
        });
      }
    }

    // The RPO is a promise only where WAL is archived; a dev cluster without backups makes none.
    const rpoSeconds = backups === undefined ? undefined : store.rpoMinutes * 60;
    const postgres = new PostgresCluster(this, `${name}-cluster`, {
      name: cluster,
      labels,
      description:
        role.type === 'replica'
          ? `DR replica of ${role.primary.serverName}, replaying its archive`
          : `${environment.name}: the primary${store.instances > 1 ? ` and ${store.instances - 1} hot standby${store.instances > 2 ? 's' : ''}` : ''}`,
      image: imageRef(store.image),
      instances: store.instances,
      resources: store.resources,
      storage: store.storage,
      walStorage: store.walStorage,
      placement,
      maxConnections: store.maxConnections,
      database: store.database,
      credentialsSecret: credentials,
      role,
      archive:
        archive === undefined || backups === undefined ? undefined : { ...archive, archiveTimeoutSeconds: backups.archiveTimeoutSeconds },
      rpoSeconds,
      // Signed by the data CA the apps trust, for the pooler's names too (the pooler serves this certificate).
      serverTls: { caSecret: DATA_CA.secret, altDnsNames: serviceNames(poolerName(name), store.namespace) },
      serviceAccountAnnotations:
        backups?.credentials.type === 'workload-identity'
          ? { 'iam.gke.io/gcp-service-account': backups.credentials.serviceAccount }
          : undefined,
    });
    if (backups !== undefined) {
      new BaseBackupSchedule(this, `${name}-backups`, { name: baseBackupName(name), labels, cluster, everyHours: backups.everyHours });
    }
    new PodMonitor(this, `${name}-monitor`, { name: cluster, labels, selector: postgres.instanceLabels, port: 'metrics' });

    const pooler = new PostgresPooler(this, `${name}-pooler`, {
      name: poolerName(name),
      labels,
      cluster,
      instances: store.pooler.instances,
      poolMode: store.pooler.poolMode,
      maxClientConnections: store.pooler.maxClientConnections,
      defaultPoolSize: store.pooler.defaultPoolSize,
      reservePoolSize: store.pooler.reservePoolSize,
      resources: store.pooler.resources,
      placement,
    });

    const instances: k8s.NetworkPolicyPeer = { podSelector: { matchLabels: postgresInstanceLabels(cluster) } };
    const { network } = environment.cluster;
    const operator: k8s.NetworkPolicyPeer = {
      namespaceSelector: namespaceSelector(CNPG_NAMESPACE),
      podSelector: { matchLabels: { ...CNPG_OPERATOR_POD_LABELS } },
    };
    const objectStore: NetworkRule[] =
      backups === undefined
        ? []
        : [
            // Cloud Storage through the Private Google Access domain the environment states.
            { peers: [ipPeer(GOOGLE_APIS[network.googleApis].cidr)], ports: [tcp(443)] },
            // Workload identity's tokens from the metadata server, where this dataplane's policy sees it.
            ...(backups.credentials.type === 'workload-identity'
              ? [{ peers: [ipPeer(METADATA_SERVER[network.dataplane].cidr)], ports: [tcp(METADATA_SERVER[network.dataplane].port)] }]
              : []),
          ];
    // Instances and their Jobs (initdb, join, recovery carry cnpg.io/cluster but no pod role); not the poolers.
    new ServiceNetworkPolicy(this, `${name}-instances-policy`, {
      name: `${cluster}-instances`,
      labels,
      podSelector: {
        matchExpressions: [
          { key: CNPG_LABELS.cluster, operator: 'In', values: [cluster] },
          { key: CNPG_LABELS.podRole, operator: 'NotIn', values: ['pooler'] },
        ],
      },
      ingress: [
        { peers: [operator], ports: [tcp(DATA_PORTS.postgresStatus), tcp(DATA_PORTS.postgres)] },
        { peers: [instances], ports: [tcp(DATA_PORTS.postgres), tcp(DATA_PORTS.postgresStatus)] },
        { peers: [{ podSelector: { matchLabels: { ...pooler.podLabels } } }], ports: [tcp(DATA_PORTS.postgres)] },
        ...scrapedBy(environment, DATA_PORTS.postgresMetrics),
      ],
      egress: [
        { peers: [instances], ports: [tcp(DATA_PORTS.postgres), tcp(DATA_PORTS.postgresStatus)] },
        apiServer(environment),
        ...objectStore,
      ],
    });
    new ServiceNetworkPolicy(this, `${name}-pooler-policy`, {
      name: pooler.name,
      labels,
      podSelector: { matchLabels: poolerLabels(pooler.name) },
      ingress: [...fromUsers(environment, name, [DATA_PORTS.postgres]), ...scrapedBy(environment, DATA_PORTS.poolerMetrics)],
      egress: [{ peers: [instances], ports: [tcp(DATA_PORTS.postgres)] }, apiServer(environment)],
    });
  }

  private redis(environment: Environment, name: string, store: OperatedRedis): void {
    const labels = storeLabels(environment, name);
    const auth = redisAuthName(name);
    this.secrets(environment, `${name}-auth`, auth, labels, [[REDIS_PASSWORD_KEY, store.passwordSecret]]);
    // One ACL user per client service, each with its own password from the store (hashed in the file).
    const users = redisUsers(environment, name, store);
    const acl = redisAclName(name);
    this.secrets(
      environment,
      `${name}-acl`,
      acl,
      labels,
      [[REDIS_PASSWORD_KEY, store.passwordSecret], ...users.map((user) => [user.passwordKey, user.passwordKey] as const)],
      { keepFetched: false, data: { [REDIS_ACL_KEY]: aclFileTemplate(REDIS_PASSWORD_KEY, users) } },
    );
    // One certificate for the Redis pods and their Sentinels: the names clients dial (the master's
    // Service, the Sentinels', each pod's under its headless Service, which Sentinels hand out).
    const tls = new InternalCertificate(this, `${name}-tls`, {
      name: redisTlsName(name),
      secretName: redisTlsName(name),
      issuer: DATA_CA.issuer,
      labels,
      dnsNames: [
        ...serviceNames(redisMasterService(name), store.namespace),
        `*.${clusterHost(redisHeadlessService(name), store.namespace)}`,
        ...(store.sentinels > 0
          ? [
              ...serviceNames(redisSentinelName(name), store.namespace),
              `*.${clusterHost(redisSentinelHeadlessService(name), store.namespace)}`,
            ]
          : []),
      ],
    });
    const redis = new ReplicatedRedis(this, `${name}-redis`, {
      name: redisName(name),
      labels,
      images: { redis: imageRef(store.image), exporter: imageRef(store.exporterImage) },
      nodes: store.nodes,
      resources: store.resources,
      exporterResources: { ...REDIS_DEFAULTS.exporterResources },
      storage: store.storage,
      placement: storePlacement(environment, store),
      appendfsync: store.persistence.appendfsync,
      snapshotSeconds: store.persistence.snapshotSeconds,
      maxMemoryPercent: store.maxMemoryPercent,
      passwordSecret: { name: auth, key: REDIS_PASSWORD_KEY },
      aclSecret: acl,
      tlsSecret: tls.secretName,
      podDomain: clusterHost(redisHeadlessService(name), store.namespace),
    });
    if (store.sentinels > 0) {
      new RedisSentinels(this, `${name}-sentinels`, {
        name: redisName(name),
        labels,
        image: imageRef(store.sentinelImage),
        size: store.sentinels,
        resources: { ...REDIS_DEFAULTS.sentinelResources },
        replication: redis.name,
        passwordSecret: { name: auth, key: REDIS_PASSWORD_KEY },
        tlsSecret: tls.secretName,
        placement: storePlacement(environment, store),
        podDomain: clusterHost(redisSentinelHeadlessService(name), store.namespace),
        initResources: { ...REDIS_DEFAULTS.exporterResources },
      });
    }
    const set: k8s.NetworkPolicyPeer = {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [redis.name, redisSentinelName(name)] }] },
    };
    const ports = [tcp(DATA_PORTS.redis), tcp(DATA_PORTS.sentinel)];
    // KEDA's operator reads the queue's length for the workers whose broker this store is.
    const queues = Object.values(environment.services).some(
      (spec) => spec.enabled && spec.kind === 'worker' && spec.queue?.broker === 'redis' && spec.uses.includes(name),
    );
    new ServiceNetworkPolicy(this, `${name}-policy`, {
      name: redis.name,
      labels,
      podSelector: set.podSelector!,
      ingress: [
        // The apps and KEDA: on Redis's port, and on the Sentinels' where they ask them for the master.
        ...fromUsers(environment, name, storePorts(store)),
        ...(queues ? [{ peers: [{ namespaceSelector: namespaceSelector(KEDA_NAMESPACE) }], ports: storePorts(store).map(tcp) }] : []),
        // The operator configures replication and Sentinel with a Redis client.
        {
          peers: [
            {
              namespaceSelector: namespaceSelector(REDIS_OPERATOR_NAMESPACE),
              podSelector: { matchLabels: { ...REDIS_OPERATOR_POD_LABELS } },
            },
          ],
          ports,
        },
        // Replication, and the Sentinels watching and reconfiguring the set.
        { peers: [set], ports },
        ...scrapedBy(environment, DATA_PORTS.redisMetrics),
      ],
      egress: [{ peers: [set], ports }],
    });
  }
}
