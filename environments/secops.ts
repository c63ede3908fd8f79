import { defineEnvironment } from './load';
import { podSize } from './platform';

const registry = 'registry.example.com/secops';

/**
 * A worked example of adopting the generator for another company's platform (DEL-05): the threat
 * scanning service, written only as environment data (docs/adopting.md walks through it). It removes
 * the example platform's services, its managed MongoDB and its user-project sandbox (`null`), and
 * declares its own: a React SSR frontend and an admin portal on its own host, three APIs that call
 * each other over gRPC in the mesh (the public Scan API also answers REST at /api), scan workers that
 * sleep at zero and scale to 20 on the queue, a fixed-size report generator, and a threat-intelligence
 * ingestor that runs every hour. 10,000 requests a minute per verified user (SEC-03). Its data layer
 * is the self-managed PostgreSQL and Redis of DAT-02 and DAT-03.
 */
export default defineEnvironment({
  name: 'secops',
  tier: 'staging',
  partOf: 'secops',
  namespace: 'secops',
  nodePools: {
    web: { machineType: 'n2-standard-4', minNodes: 2, maxNodes: 6, spot: false },
    api: { machineType: 'n2-standard-4', minNodes: 2, maxNodes: 6, spot: false },
    // Scans and ingestion are interruptible: a reclaimed node's task is retried on another.
    batch: { machineType: 'n2-standard-4', minNodes: 0, maxNodes: 6, spot: true },
    data: { machineType: 'n2-standard-4', minNodes: 2, maxNodes: 3, spot: false },
  },
  services: {
    frontend: null,
    backend: null,
    ai: null,
    worker: null,
    web: {
      kind: 'web',
      component: 'frontend',
      image: { repository: `${registry}/web`, tag: '3.2.0' },
      port: 3000,
      healthPath: '/healthz',
      replicas: { min: 2, max: 6 },
      resources: podSize(250, '512Mi'),
      pool: 'web',
      spot: false,
      strategy: { type: 'rolling' },
      // Server-side rendering reads scans through the public API's REST port.
      calls: ['scan-api'],
      uses: [],
      egress: [],
      secrets: [],
    },
    // DEL-05's Admin UI: served on its own host, calling the Admin API.
    'admin-portal': {
      kind: 'web',
      component: 'admin-ui',
      image: { repository: `${registry}/admin-portal`, tag: '3.2.0' },
      port: 3000,
      healthPath: '/healthz',
      replicas: { min: 2, max: 4 },
      resources: podSize(250, '512Mi'),
      pool: 'web',
      spot: false,
      strategy: { type: 'rolling' },
      calls: ['admin-api'],
      uses: [],
      egress: [],
      secrets: [],
    },
    'auth-api': {
      kind: 'web',
      component: 'auth',
      protocol: 'grpc',
      image: { repository: `${registry}/auth-api`, tag: '3.2.0' },
      port: 50051,
      replicas: { min: 2, max: 8 },
      resources: podSize(250, '512Mi'),
      pool: 'api',
      spot: false,
      strategy: { type: 'rolling' },
      calls: [],
      uses: ['postgres', 'redis'],
      egress: [],
      secrets: ['database-url', 'redis-url', 'jwt-signing-key'],
    },
    'scan-api': {
      kind: 'web',
      component: 'api',
      image: { repository: `${registry}/scan-api`, tag: '3.2.0' },
      port: 8080,
      healthPath: '/api/health',
      replicas: { min: 2, max: 10 },
      resources: podSize(500, '1Gi'),
      pool: 'api',
      spot: false,
      strategy: { type: 'rolling' },
      calls: ['auth-api'],
      uses: ['postgres', 'redis'],
      egress: [],
      secrets: ['database-url', 'redis-url'],
      metricsPath: '/metrics',
    },
    'admin-api': {
      kind: 'web',
      component: 'admin',
      protocol: 'grpc',
      image: { repository: `${registry}/admin-api`, tag: '3.2.0' },
      port: 50052,
      replicas: { min: 2, max: 4 },
      resources: podSize(250, '512Mi'),
      pool: 'api',
      spot: false,
      strategy: { type: 'rolling' },
      calls: ['auth-api'],
      uses: ['postgres'],
      egress: [],
      secrets: ['database-url'],
    },
    'scan-worker': {
      kind: 'worker',
      component: 'scanner',
      image: { repository: `${registry}/scan-worker`, tag: '3.2.0' },
      healthCommand: ['celery', '-A', 'scanner', 'inspect', 'ping', '--timeout', '10'],
      // CAP-05, DEL-05: scan workers autoscaled 0-20 on queue depth; a scan takes 4-8 seconds.
      replicas: { min: 0, max: 20 },
      resources: podSize(500, '1Gi'),
      pool: 'batch',
      spot: true,
      calls: ['scan-api'],
      uses: ['postgres', 'redis'],
      // Scan targets are whatever URL a user submits: any public host, by design.
      egress: [{ name: 'scan-targets', port: 443, hosts: ['*'], cidrs: ['0.0.0.0/0'] }],
      secrets: ['database-url', 'redis-url'],
      // The scan API enqueues the scans; the auth API keeps its JWT sessions in the same Redis (DEL-05).
      queue: { broker: 'redis', name: 'scans', targetPerReplica: 50, scaleToZero: true, taskTimeoutSeconds: 60, producers: ['scan-api'] },
    },
    'report-generator': {
      kind: 'worker',
      component: 'reports',
      image: { repository: `${registry}/report-generator`, tag: '3.2.0' },
      healthCommand: ['/app/healthcheck'],
      // Batch reports from PostgreSQL's materialized views: two pods, nothing to scale on.
      replicas: { min: 2, max: 2 },
      shutdownSeconds: 120,
      resources: podSize(250, '512Mi'),
      pool: 'api',
      spot: false,
      calls: [],
      uses: ['postgres'],
      egress: [],
      secrets: ['database-url'],
    },
    'ti-ingestor': {
      kind: 'job',
      component: 'threat-intel',
      image: { repository: `${registry}/ti-ingestor`, tag: '3.2.0' },
      // DEL-05: threat-intelligence feeds (URLhaus, ThreatFox, AbuseIPDB, OTX) pulled every hour.
      schedule: '15 * * * *',
      deadlineSeconds: 1800,
      resources: podSize(250, '512Mi'),
      pool: 'batch',
      spot: true,
      calls: ['admin-api'],
      uses: ['postgres'],
      // The feeds' APIs, on public addresses no NetworkPolicy can list: the mesh lets only these hosts through.
      egress: [
        {
          name: 'threat-feeds',
          port: 443,
          hosts: ['urlhaus-api.abuse.ch', 'threatfox-api.abuse.ch', 'api.abuseipdb.com', 'otx.alienvault.com'],
          cidrs: ['0.0.0.0/0'],
        },
      ],
      secrets: ['database-url', 'feed-api-keys'],
    },
  },
  ingress: {
    host: 'secops.example.com',
    frontendService: 'web',
    apiService: 'scan-api',
    pool: 'web',
    replicas: 2,
    // Two UIs and the REST API are public; the gRPC APIs stay inside the mesh.
    routes: [
      { service: 'web', hosts: ['secops.example.com'] },
      { service: 'scan-api', hosts: ['secops.example.com'], paths: [{ path: '/api' }] },
      { service: 'admin-portal', hosts: ['admin.secops.example.com'] },
    ],
    // SEC-03: 10,000 requests a minute per user, keyed on the user of a token the sidecars verify.
    identity: {
      issuer: 'https://auth.secops.example.com',
      jwksUri: 'https://auth.secops.example.com/.well-known/jwks.json',
      audiences: ['secops-api'],
    },
    userRateLimit: { requestsPerMinute: 10_000, services: ['scan-api'] },
  },
  dataStores: {
    mongodb: null,
    postgres: {
      mode: 'operated',
      instances: 2,
      resources: { cpu: '1', memory: '4Gi' },
      storage: { size: '50Gi', storageClass: 'standard-rwo' },
      pool: 'data',
      backups: {
        bucket: 'secops-staging-postgres-backups',
        credentials: { type: 'workload-identity', serviceAccount: 'pg-backup@secops-staging.iam.gserviceaccount.com' },
      },
    },
    redis: {
      mode: 'operated',
      resources: { cpu: '250m', memory: '1Gi' },
      storage: { size: '5Gi', storageClass: 'standard-rwo' },
      pool: 'data',
    },
  },
  secrets: {
    prefix: 'secops-staging',
    store: {
      provider: 'gcp',
      projectId: 'secops-staging',
      serviceAccount: 'external-secrets',
      identities: {
        secops: 'eso-secops@secops-staging.iam.gserviceaccount.com',
        data: 'eso-data@secops-staging.iam.gserviceaccount.com',
      },
    },
  },
  sandbox: null,
  gitops: { tool: 'flux', repository: 'https://github.com/example/secops-manifests' },
});
