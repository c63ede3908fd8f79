/** The topology chart's structure: what each object kind contributes, and that it is deterministic. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedGraph } from '../app/commands/graph';
import { graphModel, graphOptions, topologyMarkdown, topologyMermaid, type GraphModel } from '../app/graph';
import { enabledServices } from '../charts/resolve-service';
import type { Manifest } from '../lib/core/manifest';
import { selectorLabels } from '../lib/labels';
import { environment, nonEmpty, objects, rendered } from './helpers';

const POOL_LABEL = 'cloud.google.com/gke-nodepool';

function chart(envObjects: readonly Manifest[], model: GraphModel): string {
  return topologyMermaid(envObjects, { title: 'test', poolLabel: POOL_LABEL, model });
}

/** Node id of a line such as `  Service_platform_backend["Service backend"]`. */
function idOf(text: string, labelStart: string): string {
  const line = text.split('\n').find((l) => new RegExp(`^\\s+\\w+[\\[({>]+"${labelStart}`).test(l));
  if (!line) throw new Error(`no node labelled ${labelStart}`);
  return line.trim().split(/[[({>]/)[0]!;
}

function edges(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => / (-->|-\.->)/.test(l))
    .map((l) => l.trim());
}

describe('prod topology', () => {
  const prod = rendered('prod');
  const model = graphModel(environment('prod'));
  const text = chart(prod.objects, model);

  it('is a Mermaid flowchart and the same every time', () => {
    expect(text.startsWith('flowchart LR\n')).toBe(true);
    expect(chart(rendered('prod').objects, graphModel(environment('prod')))).toBe(text);
  });

  it("draws every call the model declares, from the caller's workload to the callee's Service", () => {
    const env = environment('prod');
    const calls = enabledServices(env).flatMap(([name, svc]) => svc.calls.map((callee) => ({ name, callee })));
    expect(calls.length).toBeGreaterThan(0);
    for (const { name, callee } of calls) {
      const caller = idOf(text, `(Deployment|Rollout) ${name}<br/>`);
      const target = idOf(text, `Service ${callee}"`);
      expect(edges(text).some((e) => new RegExp(`^${caller} -->\\|"calls( \\(\\w+\\))?"\\| ${target}$`).test(e))).toBe(true);
    }
    // Nothing else is drawn as a call.
    expect(edges(text).filter((e) => e.includes('|"calls'))).toHaveLength(calls.length);
  });

  it('draws every data store a service uses, named by its declared engine', () => {
    const env = environment('prod');
    const uses = enabledServices(env).flatMap(([name, svc]) => svc.uses.map((store) => ({ name, store })));
    expect(uses.length).toBeGreaterThan(0);
    for (const { name, store } of uses) {
      const caller = idOf(text, `(Deployment|Rollout) ${name}<br/>`);
      expect(
        edges(text).some((e) => e.startsWith(`${caller} -->|`) && e.includes(`uses ${store}`)),
        `${name} uses ${store}`,
      ).toBe(true);
    }
    for (const [name, store] of Object.entries(env.dataStores)) {
      if (store.mode === 'operated') continue;
      expect(text).toContain(`"${name}<br/>`);
    }
  });

  it('draws every routed host into the Gateway, and the Gateway to each Service it routes to, labelled by path', () => {
    type Route = {
      spec: { hostnames?: string[]; rules: { matches?: { path?: { value: string } }[]; backendRefs?: { name: string }[] }[] };
    };
    const routes = objects<Manifest & Route>(prod, 'HTTPRoute').filter((r) =>
      r.spec.rules.some((rule) => (rule.backendRefs ?? []).length > 0),
    );
    // prod's edge is the Gateway API: the model routes its frontend and its API, so there are routes to draw.
    expect(routes.length).toBeGreaterThan(0);
    const gateway = idOf(text, 'Gateway public<br/>');
    for (const route of routes) {
      for (const host of route.spec.hostnames ?? []) expect(edges(text)).toContain(`${idOf(text, host)} --> ${gateway}`);
      for (const rule of route.spec.rules) {
        for (const ref of rule.backendRefs ?? []) {
          // Backends reach the mesh through an ExternalName Service named after the service it fronts.
          const service = ref.name.replace(/^edge-/, '');
          const edge = edges(text).find(
            (e) => e.startsWith(`${gateway} -->|`) && e.endsWith(`Service_platform_${service.replace(/-/g, '_')}`),
          );
          for (const match of rule.matches ?? [])
            if (match.path) expect(edge, `${route.metadata.name} ${match.path.value}`).toContain(match.path.value);
        }
      }
    }
  });

  it('puts every workload inside the subgraph of its node pool', () => {
    const env = environment('prod');
    for (const [name, svc] of nonEmpty(Object.entries(env.services), 'prod: services')) {
      const block = text.split(`subgraph pool_${svc.pool}[`)[1]!.split('\n  end')[0]!;
      expect(block).toMatch(new RegExp(`"(Deployment|Rollout) ${name}<br/>`));
    }
  });

  it('links each web Service to the workload it selects', () => {
    const env = environment('prod');
    for (const [name] of nonEmpty(
      Object.entries(env.services).filter(([, svc]) => svc.kind === 'web'),
      'prod: web services',
    )) {
      const workload = idOf(text, `(Deployment|Rollout) ${name}<br/>`);
      expect(edges(text).some((e) => e.startsWith(`${idOf(text, `Service ${name}`)} -->`) && e.endsWith(` ${workload}`))).toBe(true);
    }
  });

  it('writes Markdown with a mermaid block from the command line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-'));
    const out = join(dir, 'prod.md');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', 'graph', '--env', 'prod', '--out', out], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    const written = readFileSync(out, 'utf8');
    rmSync(dir, { recursive: true });
    expect(written).toBe(topologyMarkdown(prod.objects, graphOptions(environment('prod'))));
    expect(written.startsWith('```mermaid\nflowchart LR\n')).toBe(true);
  });
});

describe('routing, scaling and data stores', () => {
  const ns = 'platform';
  const meta = (name: string) => ({ name, namespace: ns });
  const template = (name: string, pool: string) => ({
    metadata: { labels: { app: name, ...selectorLabels({ name, environment: 'test' }) } },
    spec: {
      nodeSelector: { [POOL_LABEL]: pool },
      containers: [{ name, image: `${name}:1`, resources: { requests: { cpu: '100m', memory: '128Mi' } } }],
    },
  });
  const service = (name: string, app: string): Manifest => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name),
    spec: { selector: { app } },
  });
  const fixture: Manifest[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('public'),
      spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', backend: { service: { name: 'api' } } }] } }] },
    },
    service('api', 'api'),
    service('api-canary', 'api'),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('orders-db'),
      spec: { type: 'ExternalName', externalName: 'orders.rds.example.com' },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: meta('api'),
      spec: {
        template: template('api', 'web'),
        strategy: {
          canary: { stableService: 'api', canaryService: 'api-canary', trafficRouting: { istio: { virtualService: { name: 'api' } } } },
        },
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('api'),
      spec: { scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'api' }, minReplicas: 3, maxReplicas: 9 },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta('api'),
      spec: {
        hosts: ['api'],
        http: [
          {
            route: [
              { destination: { host: 'api' }, weight: 90 },
              { destination: { host: 'api-canary' }, weight: 10 },
            ],
          },
        ],
      },
    },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('jobs'), spec: { template: template('jobs', 'batch') } },
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: meta('jobs'),
      spec: {
        scaleTargetRef: { name: 'jobs' },
        minReplicaCount: 0,
        maxReplicaCount: 20,
        triggers: [{ type: 'redis', metadata: { listName: 'celery' } }],
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('sync'),
      spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: template('sync', 'batch') } } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('jobs-egress'),
      spec: {
        podSelector: { matchLabels: { app: 'jobs' } },
        egress: [{ to: [{ ipBlock: { cidr: '10.20.0.0/24' } }], ports: [{ port: 5432 }, { port: 6379 }, { port: 443 }, { port: 9092 }] }],
      },
    },
  ];
  // jobs calls the api and uses two stores; `events` is a Redis that listens on 9092 (Kafka's usual port).
  const model: GraphModel = {
    environment: 'test',
    namespace: ns,
    services: [
      { name: 'api', protocol: 'grpc', calls: [], uses: [] },
      { name: 'jobs', calls: ['api'], uses: ['orders', 'events'] },
      { name: 'sync', calls: ['api'], uses: ['orders'] },
    ],
    dataStores: {
      orders: { engine: 'postgres', mode: 'managed', port: 5432, where: '10.20.0.0/24' },
      events: { engine: 'redis', mode: 'managed', port: 9092, where: '10.20.0.0/24' },
    },
  };
  const text = chart(fixture, model);
  const id = (label: string) => idOf(text, label);

  it('shows a canary Rollout with its stable and canary Services and the VirtualService it sets weights on', () => {
    expect(text).toContain('"Rollout api<br/>canary, 3-9 pods, HPA"');
    expect(edges(text)).toEqual(
      expect.arrayContaining([
        `${id('shop.example.com')} -->|"/"| ${id('Service api"')}`,
        `${id('Service api"')} -->|"stable"| ${id('Rollout api')}`,
        `${id('Service api-canary')} -->|"canary"| ${id('Rollout api')}`,
        `${id('Rollout api')} -.->|"sets weights"| ${id('VirtualService api')}`,
      ]),
    );
  });

  it('labels VirtualService routes with their weights', () => {
    expect(edges(text)).toEqual(
      expect.arrayContaining([
        `${id('VirtualService api')} -->|"90%"| ${id('Service api"')}`,
        `${id('VirtualService api')} -->|"10%"| ${id('Service api-canary')}`,
      ]),
    );
  });

  it('draws KEDA triggers scaling their target', () => {
    expect(text).toContain('>"KEDA redis<br/>celery"]');
    expect(edges(text)).toContain(`${id('KEDA redis')} -.->|"scales"| ${id('Deployment jobs')}`);
    expect(text).toContain('"Deployment jobs<br/>0-20 pods, KEDA"');
  });

  it("draws the calls the model declares, labelled with the callee's protocol, from CronJobs too", () => {
    expect(edges(text)).toContain(`${id('Deployment jobs')} -->|"calls (grpc)"| ${id('Service api"')}`);
    expect(text).toContain('"CronJob sync<br/>0 * * * *"');
    expect(edges(text)).toContain(`${id('CronJob sync')} -->|"calls (grpc)"| ${id('Service api"')}`);
    expect(edges(text)).toContain(`${id('CronJob sync')} -->|"uses orders"| ${id('orders<br/>')}`);
    expect(text).toMatch(/subgraph pool_batch\["node pool batch"\]\n(\s+\w+.*\n)*\s+CronJob_platform_sync/);
  });

  it('names each store by its declared engine, never by its port', () => {
    expect(text).toContain('[("orders<br/>PostgreSQL, managed :5432<br/>10.20.0.0/24")]');
    expect(text).toContain('[("events<br/>Redis, managed :9092<br/>10.20.0.0/24")]');
    expect(edges(text)).toContain(`${id('Deployment jobs')} -->|"uses events"| ${id('events<br/>')}`);
    expect(edges(text)).toContain(`${id('Deployment jobs')} -->|"uses orders"| ${id('orders<br/>')}`);
    expect(text).not.toContain('Kafka');
    // Egress to a port no declared store listens on draws nothing.
    expect(text).not.toContain(':6379');
    expect(text).not.toContain(':443');
    expect(text).toContain('[("orders-db<br/>orders.rds.example.com")]');
  });

  it('groups workloads by node pool', () => {
    expect(text).toMatch(/subgraph pool_web\["node pool web"\]\n\s+Rollout_platform_api/);
    expect(text).toMatch(/subgraph pool_batch\["node pool batch"\]\n\s+Deployment_platform_jobs/);
  });
});

describe('embedding the graph in a document', () => {
  it("replaces only what stands between the environment's markers", () => {
    const doc = 'intro\n<!-- graph:prod:start -->\nold\n<!-- graph:prod:end -->\noutro\n';
    expect(embedGraph(doc, 'prod', '```mermaid\nnew\n```\n')).toBe(
      'intro\n<!-- graph:prod:start -->\n```mermaid\nnew\n```\n<!-- graph:prod:end -->\noutro\n',
    );
  });

  it('fails when the markers are missing', () => {
    expect(() => embedGraph('no markers', 'prod', 'x')).toThrow('no "<!-- graph:prod:start -->" ... "<!-- graph:prod:end -->" markers');
  });
});
