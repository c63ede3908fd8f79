/**
 * The capacity plan against figures worked out by hand for a small environment, so that a change in
 * the allocatable formula, the packing or the price arithmetic shows up as a wrong number.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEnvironment } from '../charts';
import { environmentNames, loadEnvironment, selectEnvironments, type EnvironmentOverlay } from '../environments';
import { platform, podSize } from '../environments/platform';
import { allocatable, nodesByTotal, nodesNeeded, planEnvironment, planJson, schedulable } from '../app/plan';
import { nodesNeededInZones } from '../app/plan/packing';
import { renderEnvironment } from '../app/render';
import type { Manifest } from '../lib/core/manifest';
import { nonEmpty } from './helpers';
import type { WithSpec, WorkloadJson } from './k8s-json';

/** What the edits below read of an autoscaler: HorizontalPodAutoscaler and ScaledObject alike. */
type Scaler = WithSpec<{ readonly scaleTargetRef: { readonly name: string } }>;

const isDeployment = (o: Manifest): o is WorkloadJson => o.kind === 'Deployment';
const isScaler = (o: Manifest): o is Scaler => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind);

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/**
 * Two pools of e2-standard-4 (4 vCPU, 16 GiB, $0.134/h on demand, $0.0402/h spot) with a DaemonSet
 * overhead of 320m / 1 GiB per node. Per node:
 *   kube-reserved CPU    = 6 % x 1 + 1 % x 1 + 0.5 % x 2 = 0.08 cores    -> allocatable 3.92, less 0.32 = 3.6 cores
 *   kube-reserved memory = 25 % x 4 + 20 % x 4 + 10 % x 8 GiB = 2.6 GiB -> 16 GiB - 2.6 GiB - 100 MiB (eviction)
 *                        = 16384 - 2662.4 - 100 = 13621.6 MiB allocatable, less 1024 MiB = 12597.6 MiB
 */
const small: EnvironmentOverlay = {
  name: 'plan-small',
  users: 1000,
  cluster: { daemonSetOverhead: { cpu: '320m', memory: '1Gi' } },
  nodePools: {
    web: { machineType: 'e2-standard-4', minNodes: 1, maxNodes: 3, spot: false },
    batch: { machineType: 'e2-standard-4', minNodes: 0, maxNodes: 2, spot: true },
  },
  ingress: { pool: 'web', replicas: 2, cpu: '250m', memory: '512Mi' },
  services: {
    // The hand figures are these four services' pods: any other service of the base is removed.
    ...Object.fromEntries(Object.keys(platform.services).map((name) => [name, null])),
    frontend: { pool: 'web', replicas: { min: 2, max: 6 }, resources: podSize(500, '1Gi') },
    backend: { pool: 'web', replicas: { min: 1, max: 3 }, resources: podSize(1000, '2Gi') },
    ai: { pool: 'web', replicas: { min: 1, max: 2 }, resources: podSize(2000, '4Gi') },
    worker: { pool: 'batch', replicas: { min: 1, max: 4 }, resources: podSize(1500, '1Gi') },
  },
  // The hand figures are the platform's pods; the sandbox's pool has its own test (test/sandbox.test.ts).
  sandbox: null,
};

/**
 * The hand figures are for pods without a mesh proxy, whatever the platform's mesh setting: the
 * namespace's injection label is dropped (the proxy has its own test below).
 */
function withoutMesh(objects: Manifest[]): Manifest[] {
  return objects.map((o) => {
    if (o.kind !== 'Namespace') return o;
    const { 'istio-injection': _injection, ...labels } = o.metadata.labels ?? {};
    return { ...o, metadata: { ...o.metadata, labels } };
  });
}

/** The hand figures count the services' pods: the Gateway's NGINX pods have their own test below. */
function withoutEdge(objects: Manifest[]): Manifest[] {
  return objects.filter((o) => o.kind !== 'Gateway');
}

function plan(overlay: EnvironmentOverlay = small, edit: (objects: Manifest[]) => Manifest[] = (o) => o, edge = false) {
  const env = loadEnvironment(overlay);
  const objects = withoutMesh(structuredClone([...renderEnvironment(buildEnvironment(env)).objects]));
  return planEnvironment(env, edit(edge ? objects : withoutEdge(objects)));
}

function pool(result: ReturnType<typeof plan>, name: string) {
  const found = result.pools.find((p) => p.name === name);
  if (!found) throw new Error(`no pool ${name}`);
  return found;
}

const e2 = { cpu: 4, memoryGiB: 16, pricePerHour: 0.134, spotPricePerHour: 0.0402 };

describe('allocatable', () => {
  it('follows GKE kube-reserved plus the 100 MiB eviction threshold', () => {
    const node = allocatable(e2);
    expect(node.cpuMillis).toBeCloseTo(3920, 6);
    expect(node.memoryBytes / MiB).toBeCloseTo(13621.6, 6);
  });

  it('reserves 0.25 % of the cores above 4 and 6 % of the memory from 16 to 128 GiB', () => {
    // n2-standard-8: CPU 0.06 + 0.01 + 0.01 + 4 x 0.0025 = 0.09 cores; memory 2.6 + 6 % x 16 = 3.56 GiB.
    const node = allocatable({ cpu: 8, memoryGiB: 32 });
    expect(node.cpuMillis).toBeCloseTo(7910, 6);
    expect(node.memoryBytes / GiB).toBeCloseTo(32 - 3.56 - 100 / 1024, 6);
  });

  it('leaves the DaemonSet overhead out of what workloads get', () => {
    const node = schedulable(e2, { cpuMillis: 320, memoryBytes: GiB });
    expect(node.cpuMillis).toBeCloseTo(3600, 6);
    expect(node.memoryBytes / MiB).toBeCloseTo(12597.6, 6);
  });
});

describe('packing', () => {
  const node = { cpuMillis: 3600, memoryBytes: 12 * GiB };

  it('counts the CPU a node cannot use when whole pods do not fit', () => {
    // Three 2-CPU pods: 6 CPU / 3.6 = 2 nodes by division, but no node holds two of them.
    const pods = [{ name: 'ai', count: 3, cpuMillis: 2000, memoryBytes: GiB }];
    expect(nodesByTotal(pods, node)).toBe(2);
    expect(nodesNeeded(pods, node)).toBe(3);
  });

  it('fills the gaps large pods leave with small ones', () => {
    // 2 + 1 + 0.5 = 3.5 CPU per node: one of each fits, the second 0.5 opens a second node.
    const pods = [
      { name: 'frontend', count: 2, cpuMillis: 500, memoryBytes: GiB },
      { name: 'ai', count: 1, cpuMillis: 2000, memoryBytes: 4 * GiB },
      { name: 'backend', count: 1, cpuMillis: 1000, memoryBytes: 2 * GiB },
    ];
    expect(nodesNeeded(pods, node)).toBe(2);
  });

  it('packs pods that must spread over zones zone by zone, and lets the others fill any zone', () => {
    // Four 1.2-CPU pods fit three to a node (2 nodes), but spread over 3 zones they are 2, 1 and 1: 3 nodes.
    const spread = [{ name: 'api', count: 4, cpuMillis: 1200, memoryBytes: GiB, zoneSpread: true }];
    expect(nodesNeeded(spread, node)).toBe(2);
    expect(nodesNeededInZones(spread, node, 3)).toBe(3);
    // A pod free to go anywhere takes the room the spread left in a zone; it opens no node.
    expect(nodesNeededInZones([...spread, { name: 'job', count: 2, cpuMillis: 1200, memoryBytes: GiB }], node, 3)).toBe(3);
    // Without zones, or without a spread, it is the plain packing.
    expect(nodesNeededInZones(spread, node, 1)).toBe(2);
    expect(nodesNeededInZones([{ ...spread[0]!, zoneSpread: false }], node, 3)).toBe(2);
  });

  it('gives every zone the nodes of the fullest, since the scheduler picks the zone of the odd pods', () => {
    // node: 3.6 CPU. ai 2.1 CPU x 5 spread: 2, 2, 1 by zone; backend 1.1 CPU x 20 spread: 7, 7, 6.
    // Zone a (2 ai + 7 backend): 2 nodes of ai + backend, 5 backends three to a node -> 4 nodes.
    // Any zone may be the one with the odd pods, so each gets 4: 12, where packing the odd pods into
    // the first zones alone would count 4 + 4 + 3 = 11 (npm run simulate once needed the twelfth).
    const groups = [
      { name: 'ai', count: 5, cpuMillis: 2100, memoryBytes: 4 * GiB, zoneSpread: true },
      { name: 'backend', count: 20, cpuMillis: 1100, memoryBytes: 2 * GiB, zoneSpread: true },
    ];
    expect(nodesNeededInZones(groups, node, 3)).toBe(12);
    // Two pods spread over three zones: the third zone has no node, so it is no domain and gets none.
    expect(nodesNeededInZones([{ ...groups[0]!, count: 2 }], node, 3)).toBe(2);
    // A pool whose zones come out even needs no padding: 3 ai and 18 backends are 3 nodes in each zone.
    expect(
      nodesNeededInZones(
        [
          { ...groups[0]!, count: 3 },
          { ...groups[1]!, count: 18 },
        ],
        node,
        3,
      ),
    ).toBe(9);
  });
});

describe('plan of a small environment, by hand', () => {
  const result = plan();

  it("adds up the web pool at the autoscalers' min and max", () => {
    const web = pool(result, 'web');
    // min: frontend 2 x 0.5 + backend 1 x 1 + ai 1 x 2 = 4 CPU;  2 x 1 + 2 + 4 = 8 GiB;  4 pods x 256 MiB = 1 GiB
    // max: frontend 6 x 0.5 + backend 3 x 1 + ai 2 x 2 = 10 CPU; 6 x 1 + 3 x 2 + 2 x 4 = 20 GiB; 11 x 256 MiB = 2.75 GiB
    expect(web.pods).toEqual({ min: 4, max: 11 });
    expect(web.cpu.min).toBeCloseTo(4, 9);
    expect(web.cpu.max).toBeCloseTo(10, 9);
    expect(web.memory).toEqual({ min: 8, max: 20 });
    expect(web.ephemeralStorage).toEqual({ min: 1, max: 2.75 });
    expect(web.perNode.cpu).toBeCloseTo(3.6, 9);
    expect(web.perNode.memoryGiB).toBeCloseTo(12597.6 / 1024, 9);
  });

  it('packs the web pool into 2 nodes at min and 3 at max, which fits maxNodes 3', () => {
    // min, largest first on 3.6-CPU nodes: node 1 = ai 2 + backend 1 + frontend 0.5 = 3.5; the second frontend opens node 2.
    // max: node 1 = ai + backend + frontend = 3.5, node 2 = ai + backend + frontend = 3.5,
    //      node 3 = backend 1 + 4 frontends 2 = 3.0 CPU (and 2 + 4 = 6 GiB of 12.3).
    const web = pool(result, 'web');
    expect(web.nodes).toEqual({ min: 2, max: 3 });
    expect(web.fits).toBe(true);
  });

  it("keeps at least the pool's minNodes and packs the spot pool on its own", () => {
    // worker 1.5 CPU / 1 GiB: two per 3.6-CPU node. min 1 pod -> 1 node (minNodes 0); max 4 pods -> 2 nodes (maxNodes 2).
    const batch = pool(result, 'batch');
    expect(batch.cpu.min).toBeCloseTo(1.5, 9);
    expect(batch.cpu.max).toBeCloseTo(6, 9);
    expect(batch.memory).toEqual({ min: 1, max: 4 });
    expect(batch.nodes).toEqual({ min: 1, max: 2 });
    expect(batch.fits).toBe(true);
  });

  it('prices on-demand and spot node-hours at 730 hours a month', () => {
    // web (on demand $0.134): 2 x 0.134 x 730 = $195.64, 3 x 0.134 x 730 = $293.46
    // batch (spot $0.0402):   1 x 0.0402 x 730 = $29.346, 2 x 0.0402 x 730 = $58.692
    expect(pool(result, 'web').monthlyCost.min).toBeCloseTo(195.64, 6);
    expect(pool(result, 'web').monthlyCost.max).toBeCloseTo(293.46, 6);
    expect(pool(result, 'batch').monthlyCost.min).toBeCloseTo(29.346, 6);
    expect(pool(result, 'batch').monthlyCost.max).toBeCloseTo(58.692, 6);
    // total $224.986 - $352.152; 1000 users -> $0.224986 - $0.352152 per user a month
    expect(result.monthlyCost.min).toBeCloseTo(224.986, 6);
    expect(result.monthlyCost.max).toBeCloseTo(352.152, 6);
    expect(result.costPerUser?.min).toBeCloseTo(0.224986, 9);
    expect(result.costPerUser?.max).toBeCloseTo(0.352152, 9);
    expect(result.errors).toEqual([]);
  });

  it('reports no cost per user when the environment declares no users', () => {
    expect(plan({ ...small, users: undefined }).costPerUser).toBeUndefined();
  });
});

describe('plan errors', () => {
  it('fails a pool whose maximum needs more than maxNodes, naming the shortfall and the workload', () => {
    // ai max 5: no node holds two 2-CPU pods, so 5 ai pods need 5 nodes; backend and frontend fill the gaps.
    // maxNodes 3 -> short by 2. At ai's floor of 1 the pool needs 3 nodes, so ai is the cause.
    const result = plan({ name: 'plan-small', extends: small, services: { ai: { replicas: { min: 1, max: 5 } } } });
    const web = pool(result, 'web');
    expect(web.nodes.max).toBe(5);
    expect(web.fits).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^plan-small: pool web cannot schedule its maximum: it needs 5 e2-standard-4 nodes but maxNodes is 3 \(short by 2 nodes/,
    );
    expect(result.errors[0]).toContain('caused by Deployment ai (5 pods of 2 CPU / 4 GiB; at its floor of 1 the pool needs 3 nodes)');
    expect(result.errors[0]).not.toContain('Deployment frontend');
  });

  it('fails a workload whose single pod is larger than a node', () => {
    // The model refuses such a pod when it is loaded (environments/pod-fit.ts, test/pod-fit.test.ts);
    // the plan judges whatever objects it is given, here a pod grown after synth.
    expect(() => loadEnvironment({ name: 'plan-small', extends: small, services: { ai: { resources: podSize(4000, '4Gi') } } })).toThrow(
      'services.ai.resources.requests.cpu = "4000m": one pod of services.ai requests 4.1 CPU (with istio-proxy 100m), more than any node of its pool can hold, so it is never scheduled: a e2-standard-4 node of pool web gives pods 3.6 CPU / 12.302 GiB',
    );
    const grown = podSize(4000, '4Gi');
    const result = plan({ ...small, name: 'plan-small' }, (objects) =>
      objects.map((o) =>
        isDeployment(o) && o.metadata.name === 'ai'
          ? {
              ...o,
              spec: {
                ...o.spec,
                template: {
                  ...o.spec.template,
                  spec: {
                    ...o.spec.template.spec,
                    containers: o.spec.template.spec.containers.map((c) => ({
                      ...c,
                      resources: { requests: { cpu: grown.requests.cpu, memory: grown.requests.memory } },
                    })),
                  },
                },
              },
            }
          : o,
      ),
    );
    expect(pool(result, 'web').fits).toBe(false);
    expect(result.errors).toEqual([
      'plan-small: pool web: one pod of Deployment ai requests 4 CPU / 4 GiB but a e2-standard-4 node has 3.6 CPU / 12.3 GiB for workloads ' +
        '(allocatable less DaemonSets); no number of nodes can run its 2 pods',
    ]);
  });
});

describe('plan of a meshed namespace', () => {
  const meshed = (objects: Manifest[]) =>
    objects.map((o) =>
      o.kind === 'Namespace' ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, 'istio-injection': 'enabled' } } } : o,
    );

  it("adds Istio's default proxy requests (100m / 128 MiB) to every injected pod", () => {
    const web = pool(plan(small, meshed), 'web');
    // min: 4 CPU + 4 pods x 0.1 = 4.4 CPU; 8 GiB + 4 x 0.125 = 8.5 GiB. max: 10 + 11 x 0.1 = 11.1 CPU; 20 + 11 x 0.125 = 21.375 GiB
    expect(web.cpu.min).toBeCloseTo(4.4, 9);
    expect(web.cpu.max).toBeCloseTo(11.1, 9);
    expect(web.memory).toEqual({ min: 8.5, max: 21.375 });
    expect(nonEmpty(web.workloads, 'plan-small: web pool workloads').every((w) => w.istioSidecar)).toBe(true);
  });

  it("takes the proxy's requests from the pod's annotations, and skips pods that opt out", () => {
    const tuned = (objects: Manifest[]) =>
      meshed(objects).map((o) => {
        if (!isDeployment(o)) return o;
        const template = o.spec.template;
        const annotations = { 'sidecar.istio.io/proxyCPU': '50m', 'sidecar.istio.io/proxyMemory': '64Mi' };
        const labels =
          o.metadata.name === 'worker' ? { ...template.metadata.labels, 'sidecar.istio.io/inject': 'false' } : template.metadata.labels;
        return { ...o, spec: { ...o.spec, template: { ...template, metadata: { ...template.metadata, labels, annotations } } } };
      });
    const result = plan(small, tuned);
    // web min: 4 + 4 x 0.05 = 4.2 CPU; batch: worker opted out, 1 x 1.5 CPU.
    expect(pool(result, 'web').cpu.min).toBeCloseTo(4.2, 9);
    expect(pool(result, 'batch').cpu.min).toBeCloseTo(1.5, 9);
  });
});

describe('plan of Argo Rollouts and KEDA', () => {
  /** The small environment with the worker as a blue-green Rollout scaled by KEDA, and ai pinned at 2 replicas. */
  function asRolloutWithKeda(objects: Manifest[]): Manifest[] {
    const scales = (o: Manifest, name: string) => isScaler(o) && o.spec.scaleTargetRef.name === name;
    const scaledObject: Manifest = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'worker-queue', namespace: loadEnvironment(small).namespace },
      spec: {
        scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'worker' },
        minReplicaCount: 2,
        maxReplicaCount: 3,
      },
    };
    const edited = objects.flatMap((o): Manifest[] => {
      // Whatever scales worker and ai now is replaced: the ScaledObject below for worker, nothing for ai.
      if (scales(o, 'worker') || scales(o, 'ai')) return [];
      if (isDeployment(o) && o.metadata.name === 'worker') {
        return [
          {
            ...o,
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            spec: { ...o.spec, strategy: { blueGreen: { activeService: 'worker' } } },
          },
        ];
      }
      if (isDeployment(o) && o.metadata.name === 'ai') return [{ ...o, spec: { ...o.spec, replicas: 2 } }];
      return [o];
    });
    return [...edited, scaledObject];
  }

  const result = plan(small, asRolloutWithKeda);

  it('reads the replica range from a ScaledObject that targets a Rollout', () => {
    const worker = pool(result, 'batch').workloads[0]!;
    expect(worker).toMatchObject({
      kind: 'Rollout',
      name: 'worker',
      autoscaler: 'ScaledObject',
      strategy: 'blueGreen',
      pods: { min: 2, max: 3 },
    });
    // 2-3 pods x 1.5 CPU: the baseline is not doubled for blue-green.
    expect(pool(result, 'batch').cpu.min).toBeCloseTo(3, 9);
    expect(pool(result, 'batch').cpu.max).toBeCloseTo(4.5, 9);
  });

  it('notes the second set of pods a blue-green rollout runs, and what the pool needs then', () => {
    // During a rollout at the floor: 4 worker pods x 1.5 CPU, two per node -> 2 nodes, within maxNodes 2.
    expect(result.notes).toEqual([
      'plan-small: Rollout worker is blue-green: while a rollout runs it briefly adds a second set of 2-3 pods (not counted above); ' +
        'at the floor pool batch then needs 2 nodes, within its maxNodes of 2',
    ]);
  });

  it("counts each Gateway's NGINX pods from its NginxProxy: replicas, requests and pool", () => {
    const without = pool(plan(), 'web');
    const web = pool(
      plan(small, (o) => o, true),
      'web',
    );
    const gateway = web.workloads.find((w) => w.kind === 'Gateway')!;
    expect(gateway).toMatchObject({ name: 'public', pods: { min: 2, max: 2 }, autoscaler: 'NginxProxy', istioSidecar: false });
    expect(gateway.pod).toEqual({ cpu: 0.25, memoryGiB: 0.5, ephemeralStorageGiB: 0 });
    expect(web.pods).toEqual({ min: without.pods.min + 2, max: without.pods.max + 2 });
    expect(web.cpu.min).toBeCloseTo(without.cpu.min + 0.5, 9);
    expect(web.memory.max).toBeCloseTo(without.memory.max + 1, 9);
  });

  it('uses spec.replicas for a workload without an autoscaler', () => {
    const ai = pool(result, 'web').workloads.find((w) => w.name === 'ai');
    expect(ai).toMatchObject({ autoscaler: 'none', pods: { min: 2, max: 2 } });
  });
});

describe('plan command', () => {
  const root = join(__dirname, '..');
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', 'plan', ...args], { cwd: root, encoding: 'utf8' });

  it("prints JSON with the environment, each pool's nodes, CPU, memory and fit, and the monthly cost", () => {
    const { status, stdout } = cli('--env', 'dev', '--format', 'json');
    expect(status).toBe(0);
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({ environment: 'dev', monthlyCost: { min: expect.any(Number), max: expect.any(Number) } });
    // dev's pools: general, and the user projects' GKE Sandbox pool.
    expect(json.pools.map((p: { name: string }) => p.name)).toEqual(['general', 'sandbox']);
    expect(Object.keys(json.pools[0])).toEqual(expect.arrayContaining(['name', 'machineType', 'nodes', 'cpu', 'memory', 'fits']));
    for (const key of ['nodes', 'cpu', 'memory']) expect(json.pools[0][key]).toEqual({ min: expect.any(Number), max: expect.any(Number) });
    expect(json.pools[0]).toMatchObject({ name: 'general', machineType: 'e2-standard-4', fits: true });
  });

  it('matches the in-process plan when rounded', () => {
    expect(planJson(plan())).toMatchObject({
      environment: 'plan-small',
      monthlyCost: { min: 224.99, max: 352.15 },
      costPerUser: { min: 0.225, max: 0.3522 },
      pools: [
        { name: 'web', nodes: { min: 2, max: 3 }, cpu: { min: 4, max: 10 }, memory: { min: 8, max: 20 }, fits: true },
        { name: 'batch', nodes: { min: 1, max: 2 }, cpu: { min: 1.5, max: 6 }, memory: { min: 1, max: 4 }, fits: true },
      ],
    });
  });

  it("exits non-zero and names the pool when an overlay's maximum cannot be scheduled", () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const file = join(dir, 'too-big.yaml');
    writeFileSync(
      file,
      'name: too-big\nextends: dev\nservices:\n  ai:\n    replicas: { min: 1, max: 40 }\n    resources:\n      requests: { cpu: 1500m, memory: 1Gi, ephemeralStorage: 256Mi }\n      limits: { cpu: 1500m, memory: 1Gi, ephemeralStorage: 1Gi }\n',
    );
    const { status, stdout, stderr } = cli('--environment-file', file);
    rmSync(dir, { recursive: true });
    expect(status).toBe(1);
    expect(stdout).toMatch(/general\s.*\sNO\s/);
    expect(stderr).toMatch(/^error: too-big: pool general cannot schedule its maximum: it needs \d+ e2-standard-4 nodes but maxNodes is 3/);
    expect(stderr).toContain('caused by Deployment ai');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the registered environments', () => {
  it.each(environmentNames())("%s: every pool can schedule its autoscalers' maximum", (name) => {
    const env = selectEnvironments([name])[0]!;
    const plan = planEnvironment(env, renderEnvironment(buildEnvironment(env)).objects);
    expect(plan.errors).toEqual([]);
    expect(nonEmpty(plan.pools, `${name}: node pools`).every((pool) => pool.fits)).toBe(true);
  });
});
