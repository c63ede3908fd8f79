import { defineEnvironment } from './load';
import { podSize } from './platform';

/**
 * Dev: one small node pool and a floor of one pod per service. Nothing here needs to survive a node
 * loss; it has to start fast and cost little. Sizes are a quarter of production's: enough to boot
 * each service and run its tests. Dev runs without Istio, so every service rolls out as a plain
 * Deployment.
 */
export default defineEnvironment({
  name: 'dev',
  tier: 'development',
  nodePools: {
    general: { machineType: 'e2-standard-4', minNodes: 1, maxNodes: 3, spot: false },
    // User projects' own GKE Sandbox (gVisor) pool, empty until a project runs.
    sandbox: { machineType: 'e2-standard-4', minNodes: 0, maxNodes: 1, spot: false },
  },
  services: {
    frontend: { pool: 'general', replicas: { min: 1, max: 2 }, resources: podSize(125, '256Mi') },
    backend: { pool: 'general', replicas: { min: 1, max: 2 }, resources: podSize(250, '512Mi') },
    ai: { pool: 'general', replicas: { min: 1, max: 1 }, resources: podSize(250, '1Gi') },
    worker: {
      pool: 'general',
      replicas: { min: 0, max: 2 },
      resources: podSize(125, '256Mi'),
      queue: { scaleToZero: true },
    },
  },
  // DAT-02 and DAT-03's in-cluster stores: dev runs its own PostgreSQL and Redis (operated) and MongoDB in the `data` namespace.
  dataStores: {
    // One PostgreSQL instance without backups and one Redis node without Sentinels: small, and disposable.
    postgres: {
      mode: 'operated',
      instances: 1,
      resources: { cpu: '250m', memory: '512Mi' },
      storage: { size: '5Gi', storageClass: 'standard-rwo' },
      pool: 'general',
      pooler: { instances: 1, resources: { cpu: '100m', memory: '64Mi' } },
    },
    redis: {
      mode: 'operated',
      nodes: 1,
      sentinels: 0,
      resources: { cpu: '100m', memory: '256Mi' },
      storage: { size: '1Gi', storageClass: 'standard-rwo' },
      pool: 'general',
    },
    mongodb: { mode: 'in-cluster', namespace: 'data', podLabels: { 'app.kubernetes.io/name': 'mongodb' } },
  },
  // Dev secrets live in the cluster's own Vault.
  secrets: {
    prefix: 'platform/dev',
    store: {
      provider: 'vault',
      server: 'https://vault.vault.svc.cluster.local:8200',
      path: 'secret',
      role: 'platform-dev',
      serviceAccount: 'external-secrets',
      // The in-cluster Vault serves a certificate signed by the cluster's own CA.
      caProvider: { type: 'ConfigMap', name: 'vault-ca', key: 'ca.crt', namespace: 'vault' },
    },
  },
  tls: { issuer: { name: 'letsencrypt-staging', server: 'https://acme-staging-v02.api.letsencrypt.org/directory' } },
  monitoring: { tracing: { sampleRatio: 1 } },
  sandbox: { maxPods: 5 },
  ingress: { host: 'dev.example.com', replicas: 1, pool: 'general' },
  // Dev runs without the mesh: one less control plane to debug, and every strategy is a plain rollout.
  mesh: { enabled: false },
});
