import { defineEnvironment } from './load';

/**
 * Prod: seed 000's 200K-user plan. The replica floors are its pod table (frontend 10, backend 20,
 * AI 5, workers 10) at its per-pod sizes (the platform defaults); the ceilings are what its three
 * pools of 5-20 n2-standard-4 nodes can hold (`npm run plan -- --env prod`). The backend pool also
 * carries the AI service, and no node fits two AI pods, so each AI pod takes a node with one
 * backend pod beside it: 10 AI and 36 backend pods fill 19 of its 20 nodes.
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
    // Seed 002: blue-green with a preview, promoted by a human after the success-rate analysis passes.
    backend: { replicas: { min: 20, max: 36 }, strategy: { type: 'blueGreen', autoPromotion: false, scaleDownDelaySeconds: 30 } },
    // Seed 002: canary 10/20/50/100 with ten-minute pauses, analysed in the background.
    ai: {
      replicas: { min: 5, max: 10 },
      strategy: {
        type: 'canary',
        steps: [{ weight: 10, pauseSeconds: 600 }, { weight: 20, pauseSeconds: 600 }, { weight: 50, pauseSeconds: 600 }, { weight: 100 }],
      },
    },
    worker: { replicas: { min: 10, max: 40 } },
  },
  ingress: { host: 'app.example.com' },
  secrets: { prefix: 'platform-prod' },
  // Seed 000: one wildcard certificate for every host, proven over DNS.
  tls: { issuer: { solver: { type: 'dns01-clouddns', project: 'platform-prod' } }, wildcard: '*.example.com' },
  sandbox: { maxPods: 500 },
});
