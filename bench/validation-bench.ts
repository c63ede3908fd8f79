/**
 * Throughput of validateSchema on a realistic mix of ~10,000 objects, and the load time of the
 * precompiled validators. Run: npx tsx bench/validation-bench.ts [objects]
 *
 * One thread (Node runs the validators on the main thread), so the figure is per core.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Manifest } from '../lib/core/manifest';

// Timed first, before anything else pulls the module in.
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../imports/validators');
const loadMs = performance.now() - t0;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateSchema } = require('../validation/schema') as typeof import('../validation/schema');

const labels = (app: string) => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'web-platform' });

function container(app: string, i: number) {
  return {
    name: app,
    image: `registry.example.com/${app}:1.${i % 50}.0`,
    imagePullPolicy: 'IfNotPresent',
    ports: [
      { name: 'http', containerPort: 8000, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090 },
    ],
    env: [
      { name: 'SERVICE', value: app },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'password' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ],
    envFrom: [{ configMapRef: { name: `${app}-config` } }],
    resources: { requests: { cpu: `${100 + (i % 9) * 50}m`, memory: '256Mi' }, limits: { memory: '512Mi' } },
    readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: '/healthz', port: 8000 }, initialDelaySeconds: 10 },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

function podSpec(app: string, i: number) {
  return {
    serviceAccountName: app,
    automountServiceAccountToken: false,
    securityContext: { runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: labels(app) },
      },
    ],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels(app) } } },
        ],
      },
    },
    containers: [container(app, i), { ...container(`${app}-proxy`, i), ports: [{ name: 'proxy', containerPort: 15001 }] }],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
  };
}

/** The objects of one service, the way the charts emit them (10 per service). */
function serviceObjects(i: number): Manifest[] {
  const app = `svc-${i}`;
  const ns = `team-${i % 7}`;
  const meta = (name: string) => ({ name, namespace: ns, labels: labels(app) });
  const workload: Manifest =
    i % 2 === 0
      ? {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: meta(app),
          spec: {
            replicas: 3,
            selector: { matchLabels: labels(app) },
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
            template: { metadata: { labels: labels(app) }, spec: podSpec(app, i) },
          },
        }
      : {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: meta(app),
          spec: {
            replicas: 3,
            selector: { matchLabels: labels(app) },
            template: { metadata: { labels: labels(app) }, spec: podSpec(app, i) },
            strategy: {
              canary: {
                canaryService: `${app}-canary`,
                stableService: app,
                steps: [{ setWeight: 20 }, { pause: { duration: '5m' } }, { setWeight: 60 }],
              },
            },
          },
        };
  return [
    workload,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(app),
      spec: { selector: labels(app), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${app}-config`), data: { LOG_LEVEL: 'info', WORKERS: String(i % 8) } },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(app),
      spec: {
        scaleTargetRef: { apiVersion: workload.apiVersion, kind: workload.kind, name: app },
        minReplicas: 3,
        maxReplicas: 20,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(app),
      spec: { minAvailable: 2, selector: { matchLabels: labels(app) } },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(app), automountServiceAccountToken: false },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(app),
      spec: {
        podSelector: { matchLabels: labels(app) },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
            ports: [{ protocol: 'TCP', port: 8000 }],
          },
        ],
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: meta(app),
      spec: { selector: { matchLabels: labels(app) }, endpoints: [{ port: 'metrics', interval: '30s', path: '/metrics' }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta(app),
      spec: {
        hosts: [app],
        http: [
          {
            name: 'primary',
            match: [{ uri: { prefix: '/' } }],
            route: [{ destination: { host: app, port: { number: 80 } }, weight: 100 }],
            timeout: '10s',
          },
        ],
      },
    },
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: meta(`${app}-db`),
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { name: 'aws', kind: 'ClusterSecretStore' },
        target: { name: `${app}-db` },
        data: [{ secretKey: 'password', remoteRef: { key: `prod/${app}/db`, property: 'password' } }],
      },
    },
  ];
}

/**
 * Load time in a fresh plain-node process (as the esbuild bundle runs), without tsx's loader hooks
 * in the way; best of 5 so that a busy machine does not dominate.
 */
function cleanLoadMs(): number {
  const file = path.join(__dirname, '..', 'imports', 'validators', 'index.js');
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const runs = Array.from({ length: 5 }, () => Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })));
  return Math.min(...runs);
}

function measure(objects: readonly Manifest[], rounds: number): { perSecond: number; best: number; violations: number } {
  const rates: number[] = [];
  let violations = 0;
  for (let r = 0; r < rounds; r++) {
    violations = 0;
    const start = performance.now();
    for (const o of objects) violations += validateSchema(o).length;
    rates.push(objects.length / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { perSecond: rates[Math.floor(rates.length / 2)]!, best: rates[rates.length - 1]!, violations };
}

function main(): void {
  const target = Number(process.argv[2] ?? 10_000);
  const objects: Manifest[] = [];
  for (let i = 0; objects.length < target; i++) objects.push(...serviceObjects(i));
  objects.length = target;

  const firstStart = performance.now();
  const firstViolations = objects.reduce((n, o) => n + validateSchema(o).length, 0);
  const firstMs = performance.now() - firstStart;
  if (firstViolations !== 0) throw new Error(`the valid mix has ${firstViolations} violations`);

  const valid = measure(objects, 7);
  // Every object with one unknown field: the error path (messages, suggestions) is slower.
  const broken = objects.map((o) => ({ ...o, metadata: { ...o.metadata, nmae: 'x' } }) as Manifest);
  const invalid = measure(broken, 3);
  if (invalid.violations !== broken.length) throw new Error(`expected one violation per broken object, got ${invalid.violations}`);

  const kinds = new Map<string, number>();
  for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  console.log(`objects: ${objects.length} (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`);
  console.log(`validators module load: ${cleanLoadMs().toFixed(1)} ms in plain node (best of 5), ${loadMs.toFixed(1)} ms here under tsx`);
  console.log(`first pass (cold, includes lazy compilation): ${firstMs.toFixed(0)} ms`);
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`valid objects:   ${rate(valid.perSecond)} resources/s (median of 7 passes; best ${rate(valid.best)})`);
  console.log(
    `invalid objects: ${rate(invalid.perSecond)} resources/s (one unknown field each, median of 3 passes; best ${rate(invalid.best)})`,
  );
}

main();
