/**
 * The platform every environment starts from: its services and how they are reached. Environment
 * files override only what differs. Sizes are the per-pod figures of CAP-01; replica
 * ranges and node pools are chosen per environment.
 *
 * To add a service, declare it here; environments then tune its replicas and resources.
 */
import type { EnvironmentInput, ResourceSet, ServiceSpec } from './schema';

/**
 * Requests and limits from a pod's CPU and memory request. Memory is guaranteed (limit = request:
 * an over-committed node kills the wrong pod); CPU may burst to twice the request.
 */
export function podSize(cpuMillis: number, memory: string, ephemeralStorage = '1Gi'): ServiceSpec['resources'] {
  const requests: ResourceSet = { cpu: `${cpuMillis}m`, memory, ephemeralStorage: '256Mi' };
  return { requests, limits: { cpu: `${cpuMillis * 2}m`, memory, ephemeralStorage } };
}

const registry = 'registry.example.com/platform';

export const platform: Omit<EnvironmentInput, 'name'> = {
  tier: 'development',
  partOf: 'platform',
  namespace: 'platform',
  cluster: {
    // In upstream support until 2027-02-28 (kubernetes.io/releases), and GKE's Regular channel default.
    kubernetesVersion: '1.35',
    nodePoolLabel: 'cloud.google.com/gke-nodepool',
    spotTaint: 'cloud.google.com/gke-spot=true:NoSchedule',
    daemonSetOverhead: { cpu: '200m', memory: '400Mi' },
    // A GKE private cluster's control-plane range (its `kubernetes` Service endpoint, on 443): set each
    // cluster's own (kubectl get endpoints kubernetes -n default).
    apiServer: { cidrs: ['172.16.0.0/28'], port: 443 },
    // GKE Dataplane V2 (Cilium) enforces NetworkPolicy, and a private DNS zone answers *.googleapis.com
    // with private.googleapis.com (Private Google Access): set each cluster's own.
    network: { dataplane: 'dataplane-v2', googleApis: 'private' },
  },
  // Public on-demand and spot list prices (GCP us-central1, AWS us-east-1), USD per node-hour.
  machineTypes: {
    'e2-standard-4': { cpu: 4, memoryGiB: 16, pricePerHour: 0.134, spotPricePerHour: 0.0402 },
    'n2-standard-4': { cpu: 4, memoryGiB: 16, pricePerHour: 0.1942, spotPricePerHour: 0.0466 },
    'n2-standard-8': { cpu: 8, memoryGiB: 32, pricePerHour: 0.3885, spotPricePerHour: 0.0932 },
    'm5.xlarge': { cpu: 4, memoryGiB: 16, pricePerHour: 0.192, spotPricePerHour: 0.0704 },
    'm5.2xlarge': { cpu: 8, memoryGiB: 32, pricePerHour: 0.384, spotPricePerHour: 0.1408 },
  },
  // Persistent disk list prices (GCP us-central1), USD per GiB and month: premium-rwo is pd-ssd,
  // standard-rwo pd-balanced, standard pd-standard (GKE's storage classes).
  storageClasses: {
    'premium-rwo': { pricePerGiBMonth: 0.17 },
    'standard-rwo': { pricePerGiBMonth: 0.1 },
    standard: { pricePerGiBMonth: 0.04 },
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
      uses: [],
      egress: [],
      secrets: [],
      metricsPath: '/metrics',
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
      uses: ['postgres', 'redis', 'mongodb'],
      egress: [],
      secrets: ['database-url', 'redis-url', 'mongodb-url'],
      metricsPath: '/metrics',
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
      traffic: { timeoutSeconds: 60, retries: { attempts: 0 } },
      // Chat sessions and AI logs live in MongoDB (DAT-01); prompts are cached in Redis.
      uses: ['redis', 'mongodb'],
      // The model provider's API: Gemini (generativelanguage.googleapis.com), reached through Private
      // Google Access (cluster.network.googleApis), as the backups reach Cloud Storage; the mesh lets
      // the AI service's sidecar reach that host and no other.
      egress: [{ name: 'model-api', port: 443, hosts: ['generativelanguage.googleapis.com'], via: 'google-apis' }],
      secrets: ['ai-provider-key', 'redis-url', 'mongodb-url'],
      metricsPath: '/metrics',
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
      // Tasks report results and fetch context through the API.
      calls: ['backend'],
      uses: ['postgres', 'redis'],
      egress: [],
      secrets: ['database-url', 'redis-url'],
      // CAP-05: one replica per 100 waiting tasks; a task may run five minutes.
      // The API enqueues the tasks; the AI service only caches prompts in the same Redis.
      queue: {
        broker: 'redis',
        name: 'celery',
        targetPerReplica: 100,
        scaleToZero: false,
        taskTimeoutSeconds: 300,
        producers: ['backend'],
      },
    },
  },
  ingress: {
    implementation: 'gateway',
    routing: 'path',
    host: 'app.example.com',
    apiPath: '/api',
    healthPath: '/api/health',
    rateLimitPerMinute: 100,
    // A backend service-based passthrough load balancer (GKE 1.33.1+), not GKE's target-pool default.
    loadBalancerClass: 'networking.gke.io/l4-regional-external',
    frontendService: 'frontend',
    apiService: 'backend',
    namespace: 'edge',
    replicas: 3,
    cpu: '250m',
    memory: '512Mi',
    pool: 'frontend',
  },
  mesh: { enabled: true, trustDomain: 'cluster.local' },
  slo: { errorRatePercent: 1, p95LatencySeconds: 2 },
  monitoring: {
    prometheusUrl: 'http://prometheus-operated.monitoring.svc.cluster.local:9090',
    alerts: { diskPercent: 80, memoryPercent: 85 },
    tracing: { otlpEndpoint: 'http://jaeger-collector.observability.svc.cluster.local:4317', sampleRatio: 0.1 },
  },
  // DAT-05: managed PostgreSQL (Supabase), MongoDB (Atlas) and Redis (Redis Cloud), reached over
  // private endpoints. The ranges are the private-link subnets of each provider in this VPC.
  dataStores: {
    postgres: { engine: 'postgres', mode: 'managed', port: 5432, cidrs: ['10.100.0.0/24'] },
    redis: { engine: 'redis', mode: 'managed', port: 6379, cidrs: ['10.100.1.0/24'] },
    mongodb: { engine: 'mongodb', mode: 'managed', port: 27017, cidrs: ['10.100.2.0/24'] },
  },
  secrets: {
    storeName: 'platform-secrets',
    store: {
      provider: 'gcp',
      projectId: 'platform-prod',
      serviceAccount: 'external-secrets',
      // GKE Workload Identity: each namespace's store reads Secret Manager as its own Google service
      // account, granted only that namespace's secrets (README "Secrets").
      identities: {
        platform: 'eso-platform@platform-prod.iam.gserviceaccount.com',
        data: 'eso-data@platform-prod.iam.gserviceaccount.com',
      },
    },
    prefix: 'platform',
    refreshInterval: '1h',
  },
  tls: {
    issuer: {
      name: 'letsencrypt',
      email: 'platform-team@example.com',
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      solver: { type: 'http01' },
    },
  },
  quota: { headroomPercent: 25 },
  // SEC-09: user projects run in their own namespace, an hour at most.
  sandbox: {
    namespace: 'user-projects',
    // The admission policy admits this build only, by digest, in every environment.
    image: {
      repository: `${registry}/project-runtime`,
      tag: '1.0.0',
      digest: 'sha256:a7356a7d9d66ce390d7ffdfefedf661114be5c05e1ae31ef5c1c2b098326597b',
    },
    // Request = limit (Guaranteed): a project cannot burst into what the others were promised. SEC-12's
    // range (100m/256Mi requested, up to 500m/1Gi) becomes 250m/512Mi for certain, which keeps prod's 500
    // projects within CAP-10's $0.05 a user at the ceiling (1Gi would not: plan, sandbox pool).
    resources: {
      requests: { cpu: '250m', memory: '512Mi', ephemeralStorage: '1Gi' },
      limits: { cpu: '250m', memory: '512Mi', ephemeralStorage: '1Gi' },
    },
    activeDeadlineSeconds: 3600,
    maxPods: 50,
    port: 3000,
    // Its own GKE Sandbox (gVisor) pool: each environment with a sandbox declares it in nodePools.
    pool: 'sandbox',
    // The platform API stamps project pods from the template.
    launcher: 'backend',
  },
  gitops: {
    tool: 'flux',
    repository: 'https://github.com/example/platform-manifests',
    branch: 'main',
    // The platform team's commit-signing key (its public key is in each cluster's keyring, README).
    signingKeys: ['7C2D41A9E05B38F6'],
  },
};
