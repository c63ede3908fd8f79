/**
 * `npm run simulate` must be able to fail: one simulated cluster (the real kube-apiserver, scheduler,
 * controller manager and KWOK) runs a small environment with one workload per failure class and one
 * that is healthy, and each class must be found with its rule, its object and the phase that found it:
 * a pool too small for its maximum, a PDB that can never allow an eviction, a spread constraint that
 * cannot be met, a pod that tolerates no pool. The healthy workload must be found nowhere.
 *
 * Needs the tools (`npm run tools`), as the verify tests do: in CI they are built first and a missing
 * one fails the file; elsewhere it is skipped with one line when they are not built.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulationBinaries } from '../app/simulate/control-plane';
import type { SimFinding } from '../app/simulate/findings';
import { formatSimulationMarkdown, formatSimulationText, passed, simulationJson } from '../app/simulate/report';
import { type EnvironmentSimulation, simulateEnvironment } from '../app/simulate/simulate';
import { defaultCrdMirror } from '../app/verify/crds';
import { toolPath } from '../app/verify/tools';
import { inCi } from '../app/verify/verify';
import { type Environment, selectEnvironments } from '../environments';
import type { Manifest } from '../lib/core/manifest';

const base = selectEnvironments(['dev'])[0]!;
const MINOR = base.cluster.kubernetesVersion;
const READY = inCi() || simulationBinaries(MINOR).every((name) => existsSync(toolPath(name)));
const POOL_LABEL = base.cluster.nodePoolLabel;
const NS = 'sim';
const STAMPED = 'sim-projects';

/** Two pools: `general` (on-demand, one to two nodes) and `batch` (spot, tainted, one node). */
const env: Environment = {
  ...base,
  name: 'simulate-test',
  nodePools: {
    general: { machineType: 'e2-standard-4', minNodes: 1, maxNodes: 2, spot: false },
    batch: { machineType: 'e2-standard-4', minNodes: 1, maxNodes: 1, spot: true },
  },
  sandbox: undefined,
  waivers: [],
} as Environment;

const restricted = {
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
};

function deployment(name: string, cpu: string, spec: Record<string, unknown> = {}, replicas = 1): Manifest {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          ...restricted,
          nodeSelector: { [POOL_LABEL]: 'general' },
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/app:1',
              resources: { requests: { cpu, memory: '256Mi' }, limits: { memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
          ...spec,
        },
      },
    },
  } as Manifest;
}

function hpa(name: string, min: number, max: number): Manifest {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: NS },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: min, maxReplicas: max },
  } as Manifest;
}

function pdb(name: string, budget: Record<string, unknown>): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: NS },
    spec: { ...budget, selector: { matchLabels: { app: name } } },
  } as Manifest;
}

const objects: Manifest[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } as Manifest,
  // Healthy: two small pods, a budget that allows one eviction.
  deployment('healthy', '100m', {}, 2),
  pdb('healthy', { maxUnavailable: 1 }),
  // A pool too small for its maximum: 6 pods of 3 CPU on at most 2 nodes that give 3.7 CPU each.
  deployment('too-big', '3', {}),
  hpa('too-big', 1, 6),
  // A PDB that can never allow an eviction: one pod, minAvailable 1.
  deployment('pinned', '100m'),
  pdb('pinned', { minAvailable: 1 }),
  // A spread constraint that cannot be met: a topology key no node carries, DoNotSchedule.
  deployment('unspreadable', '100m', {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'example.com/rack',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { app: 'unspreadable' } },
      },
    ],
  }),
  // A pod that tolerates no pool: it selects the spot pool but not its taint.
  deployment('intolerant', '100m', { nodeSelector: { [POOL_LABEL]: 'batch' } }),
  // A Rollout: the Argo Rollouts controller creates its ReplicaSet; its autoscaler sizes it 2-3.
  {
    ...deployment('rolled', '100m'),
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    spec: { ...(deployment('rolled', '100m').spec as object), strategy: { canary: {} } },
  } as Manifest,
  {
    ...hpa('rolled', 2, 3),
    spec: { scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'rolled' }, minReplicas: 2, maxReplicas: 3 },
  } as Manifest,
  // Pods an API stamps from a template, none up to its namespace's quota of 2.
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: STAMPED } } as Manifest,
  { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: STAMPED }, spec: { hard: { pods: '2' } } } as Manifest,
  {
    apiVersion: 'v1',
    kind: 'PodTemplate',
    metadata: { name: 'project', namespace: STAMPED },
    template: {
      metadata: { labels: { app: 'project' } },
      spec: { ...(deployment('project', '100m').spec as { template: { spec: object } }).template.spec, restartPolicy: 'Never' },
    },
  } as unknown as Manifest,
];

describe.skipIf(!READY)('npm run simulate finds each class of failure', () => {
  let result: EnvironmentSimulation;
  const of = (name: string) => result.findings.filter((f: SimFinding) => f.object === `Deployment/${NS}/${name}`);

  beforeAll(async () => {
    result = await simulateEnvironment(env, objects, {
      crdMirror: defaultCrdMirror(),
      handleSignals: false,
      drainSeconds: 8,
      settleSeconds: 60,
    });
  }, 300_000);

  it('a pool too small for its maximum: pods left unscheduled at the ceiling on maxNodes', () => {
    const found = of('too-big');
    expect(found.map((f) => [f.rule, f.phase])).toContainEqual(['unschedulable-at-max', 'max']);
    expect(found.find((f) => f.rule === 'unschedulable-at-max')!.message).toMatch(/4 pod\(s\) not scheduled: .*Insufficient cpu/);
    expect(found.some((f) => f.phase === 'min')).toBe(false);
    expect(result.pools.find((p) => p.pool === 'general')).toMatchObject({ agrees: false, nodesAtMax: 2 });
  });

  it('a PDB that can never allow an eviction: the drain of its zone is refused for good, naming the PDB', () => {
    const blocked = of('pinned').filter((f) => f.rule === 'eviction-blocked');
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked[0]!.phase).toMatch(/^zone /);
    expect(blocked[0]!.message).toContain(`by PodDisruptionBudget ${NS}/pinned`);
    // What the refusal rested on: the budget's own count and each pod it selects.
    expect(blocked[0]!.message).toMatch(/the budget counted 1 healthy of 1 \(needs 1\); its pods: pinned-\S+ on \S+ Ready$/);
  });

  it('a spread constraint that cannot be met: unscheduled, with the scheduler saying why', () => {
    const found = of('unspreadable').filter((f) => f.rule === 'unschedulable-at-min');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("didn't match pod topology spread constraints");
  });

  it('a pod that tolerates no pool: unscheduled at the floor, the taint named', () => {
    const found = of('intolerant').filter((f) => f.rule === 'unschedulable-at-min');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('untolerated taint');
  });

  it("a Rollout's pods come from the Argo Rollouts controller, a template's from stamping, each sized by the plan", () => {
    expect(result.workloads[`Rollout/${NS}/rolled`]).toEqual({ min: 2, max: 3 });
    expect(result.workloads[`PodTemplate/${STAMPED}/project`]).toEqual({ min: 0, max: 2 });
    expect(result.standIns.filter((s) => s.includes('rolled'))).toEqual([]);
    expect(result.findings.filter((f) => f.object.includes('rolled') || f.object.includes('project'))).toEqual([]);
  });

  it('the healthy workload is found nowhere, and the run fails', () => {
    expect(of('healthy')).toEqual([]);
    expect(result.pods.min).toBeGreaterThan(0);
    const report = { environments: [result], seconds: result.seconds, strictWaivers: false };
    expect(passed(report)).toBe(false);
    expect(formatSimulationText(report)).toContain('FAIL: 1 environments');
    expect(formatSimulationMarkdown(report)).toContain('| simulate-test |');
    expect(JSON.parse(simulationJson(report)).passed).toBe(false);
  });

  it('a waiver excuses one finding of one object, and an unused waiver is reported', async () => {
    const { applySimulationWaivers } = await import('../app/simulate/findings');
    const waivers = [
      {
        kind: 'Deployment',
        namespace: NS,
        name: 'intolerant',
        rule: 'simulate/unschedulable-at-min',
        reason: 'the test says this pod may wait',
      },
      {
        kind: 'Deployment',
        namespace: NS,
        name: 'healthy',
        rule: 'simulate/eviction-blocked',
        reason: 'matches nothing, so it is reported',
      },
    ];
    const { open, waived } = applySimulationWaivers(env.name, result.findings, waivers);
    expect(waived.map((w) => w.finding.object)).toEqual([`Deployment/${NS}/intolerant`]);
    expect(open.filter((f) => f.rule === 'waiver-unused').map((f) => f.object)).toEqual([`Deployment/${NS}/healthy`]);
  });
});
