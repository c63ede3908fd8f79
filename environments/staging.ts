import { defineEnvironment } from './load';

/**
 * Staging: production's shape (the same three pools, the same pod sizes, so performance tests mean
 * something) at a fifth of its floor, with at least two pods per service so that rollouts and node
 * drains are exercised as in production. The API has its own host (SEC-11). Releases use
 * production's strategies with one-minute pauses and automatic promotion.
 */
export default defineEnvironment({
  name: 'staging',
  tier: 'staging',
  nodePools: {
    frontend: { machineType: 'n2-standard-4', minNodes: 1, maxNodes: 4, spot: false },
    backend: { machineType: 'n2-standard-4', minNodes: 2, maxNodes: 6, spot: false },
    // 20 workers of 0.6 CPU spread over three zones are 7, 7 and 6: two nodes in two zones, one in the third.
    workers: { machineType: 'n2-standard-4', minNodes: 0, maxNodes: 6, spot: true },
    data: { machineType: 'n2-standard-4', minNodes: 2, maxNodes: 3, spot: false },
    // User projects' own GKE Sandbox (gVisor) pool.
    sandbox: { machineType: 'n2-standard-8', minNodes: 0, maxNodes: 4, spot: false },
  },
  services: {
    frontend: { replicas: { min: 2, max: 6 } },
    // Production's strategies with short pauses, so each release rehearses the production rollout.
    backend: { replicas: { min: 2, max: 8 }, strategy: { type: 'blueGreen', autoPromotion: true }, autoscaling: { latency: {} } },
    ai: {
      replicas: { min: 1, max: 3 },
      strategy: {
        type: 'canary',
        steps: [{ weight: 10, pauseSeconds: 60 }, { weight: 20, pauseSeconds: 60 }, { weight: 50, pauseSeconds: 60 }, { weight: 100 }],
      },
    },
    // CAP-05: 0-20 workers on queue depth, asleep when the queue is empty.
    worker: { replicas: { min: 0, max: 20 }, queue: { scaleToZero: true } },
  },
  secrets: {
    prefix: 'platform-staging',
    store: {
      provider: 'gcp',
      projectId: 'platform-staging',
      serviceAccount: 'external-secrets',
      identities: {
        platform: 'eso-platform@platform-staging.iam.gserviceaccount.com',
        data: 'eso-data@platform-staging.iam.gserviceaccount.com',
        // The fleet's store of cluster credentials (staging is the fleet's hub, environments/fleet.ts).
        argocd: 'eso-argocd@platform-staging.iam.gserviceaccount.com',
      },
    },
  },
  gitops: { tool: 'argocd' },
  ingress: { routing: 'host', host: 'staging.example.com', apiHost: 'api.staging.example.com' },
  // Production's data layer at a quarter of its size: a primary and a standby, backed up to staging's
  // own bucket (restores are rehearsed here), and the three-node Redis.
  dataStores: {
    postgres: {
      mode: 'operated',
      instances: 2,
      resources: { cpu: '1', memory: '4Gi' },
      storage: { size: '20Gi', storageClass: 'standard-rwo' },
      pool: 'data',
      backups: {
        bucket: 'platform-staging-postgres-backups',
        credentials: { type: 'workload-identity', serviceAccount: 'pg-backup@platform-staging.iam.gserviceaccount.com' },
      },
    },
    redis: {
      mode: 'operated',
      resources: { cpu: '250m', memory: '1Gi' },
      storage: { size: '5Gi', storageClass: 'standard-rwo' },
      pool: 'data',
    },
  },
  // AVL-05's weekly chaos engineering: a pod of each service and store (never a primary) every Monday.
  // and, so that the apps are seen to follow a Redis failover, its master.
  chaos: { podKill: 'weekly', failover: true },
});
