import { defineEnvironment } from './load';

/**
 * Prod: the 200K-user plan of CAP-01 and CAP-07. The replica floors are its pod table (frontend 10, backend 20,
 * AI 5, workers 10) at its per-pod sizes (the platform defaults); the ceilings are what its three
 * pools of 5-20 n2-standard-4 nodes can hold (`npm run plan -- --env prod`). The backend pool also
 * carries the AI service, and no node fits two AI pods, so each AI pod takes a node with one
 * backend pod beside it: 10 AI and 36 backend pods fill 19 of its 20 nodes.
 */
export default defineEnvironment({
  name: 'prod',
  tier: 'production',
  // CAP-07: this plan is sized for 200K users.
  users: 200_000,
  nodePools: {
    frontend: { machineType: 'n2-standard-4', minNodes: 5, maxNodes: 20, spot: false },
    backend: { machineType: 'n2-standard-4', minNodes: 5, maxNodes: 24, spot: false },
    workers: { machineType: 'n2-standard-4', minNodes: 5, maxNodes: 20, spot: true },
    // DAT-02's self-managed data layer: PostgreSQL's 4 vCPU / 16 GB (DAT-08) instances need an 8-vCPU node
    // each; three nodes, one per zone, hold them, the poolers and the three Redis nodes.
    data: { machineType: 'n2-standard-8', minNodes: 3, maxNodes: 4, spot: false },
    // SEC-09: user projects get their own node group, a GKE Sandbox (gVisor) pool: up to 500 project
    // pods run there, and nothing of the platform's.
    sandbox: { machineType: 'n2-standard-8', minNodes: 1, maxNodes: 40, spot: false },
  },
  // Production runs the builds the release pipeline promoted, by digest (the schema requires one here).
  services: {
    frontend: {
      replicas: { min: 10, max: 40 },
      image: { digest: 'sha256:c4dc7ff5d78d11c2447756e91a2459bb1d1dd9465b4a8690c0c83fd2dfb93bc9' },
    },
    // DEL-01: blue-green with a preview, promoted by a human after the success-rate analysis passes.
    // CAP-04: request latency above 500 ms scales the API out, beside CPU and memory (a KEDA ScaledObject).
    backend: {
      replicas: { min: 20, max: 36 },
      image: { digest: 'sha256:e5c313947f5ab36e3b3442a4906b17f6a9bdc3f0114ea467760ab898b593acb0' },
      strategy: { type: 'blueGreen', autoPromotion: false, scaleDownDelaySeconds: 30 },
      autoscaling: { latency: {} },
    },
    // DEL-02: canary 10/20/50/100 with ten-minute pauses, analysed in the background.
    ai: {
      replicas: { min: 5, max: 10 },
      image: { digest: 'sha256:73869b4725b96f7057f9f01f50d4fc18591b777b689273898f99040ad09dbf89' },
      strategy: {
        type: 'canary',
        steps: [{ weight: 10, pauseSeconds: 600 }, { weight: 20, pauseSeconds: 600 }, { weight: 50, pauseSeconds: 600 }, { weight: 100 }],
      },
    },
    worker: {
      replicas: { min: 10, max: 40 },
      image: { digest: 'sha256:989df285864af6cbc87e7742638c8b82492a83450043c9c7575232c4dc577ce8' },
    },
  },
  ingress: { host: 'app.example.com' },
  // The regions override the prefix for their own connection strings and share what is under sharedPrefix
  // (the PostgreSQL DR pair's owner password).
  secrets: { prefix: 'platform-prod', sharedPrefix: 'platform-prod' },
  // SEC-10: one wildcard certificate for every host, proven over DNS.
  // cert-manager answers DNS-01 in Cloud DNS as its own Google service account (workload identity).
  tls: {
    issuer: {
      solver: { type: 'dns01-clouddns', project: 'platform-prod', identity: 'cert-manager@platform-prod.iam.gserviceaccount.com' },
    },
    wildcard: '*.example.com',
  },
  sandbox: { maxPods: 500, image: { digest: 'sha256:a7356a7d9d66ce390d7ffdfefedf661114be5c05e1ae31ef5c1c2b098326597b' } },
  // DAT-02, DAT-03: PostgreSQL self-managed on the cluster (CloudNativePG) behind PgBouncer, with WAL archiving
  // and base backups to Cloud Storage, and Redis as a three-node set with AOF and hourly RDB snapshots.
  // A primary of 4 vCPU / 16 GB and a hot standby: CloudNativePG sizes every instance of a cluster alike,
  // and the standby is the one failover promotes, so it gets the primary's size (DAT-08's smaller read
  // replica would become an undersized primary). The DR standby region runs DAT-08's 2 vCPU / 8 GB.
  dataStores: {
    postgres: {
      mode: 'operated',
      instances: 2,
      resources: { cpu: '4', memory: '16Gi' },
      storage: { size: '200Gi', storageClass: 'premium-rwo' },
      walStorage: { size: '50Gi', storageClass: 'premium-rwo' },
      pool: 'data',
      backups: {
        bucket: 'platform-prod-postgres-backups',
        credentials: { type: 'workload-identity', serviceAccount: 'pg-backup@platform-prod.iam.gserviceaccount.com' },
      },
    },
    redis: {
      mode: 'operated',
      resources: { cpu: '1', memory: '4Gi' },
      storage: { size: '20Gi', storageClass: 'premium-rwo' },
      pool: 'data',
    },
  },
  // AVL-05's monthly pod-failure drills, opted in for production (never the stores' primaries).
  chaos: { podKill: 'monthly' },
});
