import { defineEnvironment } from './load';

/**
 * Prod: seed 000's 200K-user plan. The replica floors are its pod table (frontend 10, backend 20,
 * AI 5, workers 10) at its per-pod sizes (the platform defaults); the ceilings are what its three
 * pools of 5-20 n2-standard-4 nodes can hold. The backend pool also carries the AI service.
 */
export default defineEnvironment({
  name: 'prod',
  tier: 'production',
  // Seed 000 sizes this plan for 200K users.
  users: 200_000,
  nodePools: {
    frontend: { machineType: 'n2-standard-4', minNodes: 5, maxNodes: 20, spot: false },
    backend: { machineType: 'n2-standard-4', minNodes: 5, maxNodes: 20, spot: false },
    workers: { machineType: 'n2-standard-4', minNodes: 5, maxNodes: 20, spot: true },
  },
  services: {
    frontend: { replicas: { min: 10, max: 40 } },
    backend: { replicas: { min: 20, max: 40 } },
    ai: { replicas: { min: 5, max: 12 } },
    worker: { replicas: { min: 10, max: 40 } },
  },
  ingress: { host: 'app.example.com' },
});
