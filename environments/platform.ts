/**
 * The platform every environment starts from: its services and how they are reached. Environment
 * files override only what differs. Sizes are the per-pod figures of seed 000's pod table; replica
 * ranges and node pools are chosen per environment.
 *
 * To add a service, declare it here; environments then tune its replicas and resources.
 */
import type { Environment, ResourceSet, ServiceSpec } from './schema';

/**
 * Requests and limits from a pod's CPU and memory request. Memory is guaranteed (limit = request:
 * an over-committed node kills the wrong pod); CPU may burst to twice the request.
 */
export function podSize(cpuMillis: number, memory: string, ephemeralStorage = '1Gi'): ServiceSpec['resources'] {
  const requests: ResourceSet = { cpu: `${cpuMillis}m`, memory, ephemeralStorage: '256Mi' };
  return { requests, limits: { cpu: `${cpuMillis * 2}m`, memory, ephemeralStorage } };
}

const registry = 'registry.example.com/platform';

export const platform: Omit<Environment, 'name'> = {
  tier: 'development',
  partOf: 'platform',
  namespace: 'platform',
  cluster: {
    nodePoolLabel: 'cloud.google.com/gke-nodepool',
    spotTaint: 'cloud.google.com/gke-spot=true:NoSchedule',
    daemonSetOverhead: { cpu: '200m', memory: '400Mi' },
  },
  // Public on-demand and spot list prices (GCP us-central1, AWS us-east-1), USD per node-hour.
  machineTypes: {
    'e2-standard-4': { cpu: 4, memoryGiB: 16, pricePerHour: 0.134, spotPricePerHour: 0.0402 },
    'n2-standard-4': { cpu: 4, memoryGiB: 16, pricePerHour: 0.1942, spotPricePerHour: 0.0466 },
    'n2-standard-8': { cpu: 8, memoryGiB: 32, pricePerHour: 0.3885, spotPricePerHour: 0.0932 },
    'm5.xlarge': { cpu: 4, memoryGiB: 16, pricePerHour: 0.192, spotPricePerHour: 0.0704 },
    'm5.2xlarge': { cpu: 8, memoryGiB: 32, pricePerHour: 0.384, spotPricePerHour: 0.1408 },
  },
  nodePools: {},
  services: {
    frontend: {
      kind: 'web',
      component: 'frontend',
      image: { repository: `${registry}/frontend`, tag: '1.0.0' },
      port: 3000,
      healthPath: '/healthz',
      replicas: { min: 1, max: 2 },
      resources: podSize(500, '1Gi'),
      pool: 'frontend',
      spot: false,
      strategy: { type: 'rolling' },
      // Server-side rendering calls the API inside the cluster.
      calls: ['backend'],
    },
    backend: {
      kind: 'web',
      component: 'api',
      image: { repository: `${registry}/backend`, tag: '1.0.0' },
      port: 8001,
      healthPath: '/api/health',
      replicas: { min: 1, max: 2 },
      resources: podSize(1000, '2Gi'),
      pool: 'backend',
      spot: false,
      strategy: { type: 'rolling' },
      calls: ['ai'],
    },
    ai: {
      kind: 'web',
      component: 'inference',
      image: { repository: `${registry}/ai`, tag: '1.0.0' },
      port: 8080,
      healthPath: '/health',
      // Model clients and prompt caches warm up before the first request can be served.
      startupSeconds: 300,
      replicas: { min: 1, max: 2 },
      resources: podSize(2000, '4Gi'),
      pool: 'backend',
      spot: false,
      strategy: { type: 'rolling' },
      // Only the backend calls it; the model provider is outside the cluster.
      calls: [],
      // Inference is slow: one generation may take most of a minute, so retries would double the load.
      traffic: { timeoutSeconds: 60, retries: { attempts: 0, perTryTimeoutSeconds: 60 } },
    },
    worker: {
      kind: 'worker',
      component: 'worker',
      image: { repository: `${registry}/worker`, tag: '1.0.0' },
      // Exec probes do not expand variables; the shell resolves this pod's Celery node name.
      healthCommand: ['sh', '-c', 'celery -A app inspect ping --destination celery@$HOSTNAME --timeout 10'],
      startupSeconds: 120,
      replicas: { min: 1, max: 2 },
      resources: podSize(500, '1Gi'),
      pool: 'workers',
      // Celery tasks are retried on another worker when a spot node is reclaimed.
      spot: true,
      strategy: { type: 'rolling' },
      // Tasks report results and fetch context through the API.
      calls: ['backend'],
    },
  },
  ingress: {
    routing: 'path',
    host: 'app.example.com',
    apiPath: '/api',
    healthPath: '/api/health',
    rateLimitPerMinute: 100,
    frontendService: 'frontend',
    apiService: 'backend',
    controller: { namespace: 'ingress-nginx', serviceAccount: 'ingress-nginx' },
  },
  mesh: { enabled: true, trustDomain: 'cluster.local' },
  slo: { errorRatePercent: 1, p95LatencySeconds: 2 },
  monitoring: { prometheusUrl: 'http://prometheus-operated.monitoring.svc.cluster.local:9090' },
  waivers: [],
};
