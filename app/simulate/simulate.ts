/**
 * `npm run simulate`: each environment applied for real to a control plane that acts
 * (control-plane.ts), on Nodes made from its node pools (nodes.ts), and the checks:
 *
 * Workloads are sized through their scale subresources in the order the plan packs them (largest pods
 * first, pool by pool: packingSteps), each step settled before the next, so the nodes the scheduler
 * needs are comparable with the plan's count rather than a matter of which controller created pods first.
 *
 * 1. min: every workload at its autoscaler's floor (through its scale subresource), the pools at their
 *    minNodes; a cluster-autoscaler stand-in adds a node to a pool, in the zone a waiting pod needs,
 *    while the scheduler cannot place a pod (up to maxNodes); every pod scheduled and Running, and the
 *    nodes the pools grew to against the plan's count at the floor;
 * 2. max: every workload at its ceiling, packed again from no pods (as the plan counts the ceiling: the
 *    growth from the floor leaves a layout no plan can know), the autoscaler growing the pools again (the scheduler scores
 *    MostAllocated: pods packed as an autoscaler would keep them); nodes against the plan's count at the
 *    ceiling, per pool;
 * 3. zone loss, at the floor, each zone in turn: its nodes cordoned and every pod evicted through the
 *    Eviction API; refusals by PDB, pods no remaining node takes (the autoscaler may add nodes in the
 *    other zones up to maxNodes), PDBs below budget, quorum lost;
 * 4. spot loss: the same for every node of the spot pools;
 * 5. placement: every scheduled pod tolerates its node's taints and matches its node selector; spread
 *    skew where a constraint only asks the scheduler to try (ScheduleAnyway); DoNotSchedule
 *    constraints the scheduler could not meet surface as unschedulable pods with its own message.
 *
 * Every wait is bounded (`settleSeconds`); a phase that does not settle is a failing finding
 * (`not-settled`), never a pass.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { Environment } from '../../environments';
import type { Manifest } from '../../lib/core/manifest';
import { manifestId } from '../../lib/core/manifest';
import { at, isPlain, list } from '../../lib/core/plain';
import { planEnvironment, type CapacityPlan } from '../plan';
import { packingOrder } from '../plan/packing';
import { workloadsOf } from '../plan/workloads';
import { prepareNamespaces } from '../verify/admission';
import { type Crd, customKinds, installCrds, pinnedCrds } from '../verify/crds';
import { type KubeClient, statusMessage } from '../verify/kube-client';
import type { SourcedManifest } from '../verify/manifests';
import { SimulatedCluster, type NodeView } from './cluster';
import { ARGO_ROLLOUTS_CRDS, startControlPlane } from './control-plane';
import { applySimulationWaivers, compareSimFindings, type SimFinding, type SimulationRule, type WaivedSimFinding } from './findings';
import { evict, listItems, type PodView, scale, sleep } from './kube';
import { OVERHEAD_DAEMONSET, overheadDaemonSet, zonesOf } from './nodes';
import { selectorMatches } from '../../validation/rules/model';
import { type ScaleTarget, STAMPED_FROM_LABEL, type Simulated, simulated, type StandIn, stampedPod } from './stand-ins';
import { mapLimit } from '../map-limit';

export interface PoolResult {
  readonly pool: string;
  readonly spot: boolean;
  readonly minNodes: number;
  readonly maxNodes: number;
  /** The plan's node counts at the floor and the ceiling. */
  readonly plan: { readonly min: number; readonly max: number };
  /** Nodes that ran a platform pod at the floor and at the ceiling (the scheduler's packing). */
  readonly used: { readonly min: number; readonly max: number };
  /** Nodes that existed at the floor and the ceiling (the plan's count, plus any the autoscaler added). */
  readonly nodesAtMin: number;
  readonly nodesAtMax: number;
  /** The simulation agrees with the plan: everything scheduled at the ceiling within the plan's count. */
  readonly agrees: boolean;
}

export interface DrillResult {
  /** `zone <name>` or `spot`. */
  readonly drill: string;
  readonly nodes: number;
  readonly evicted: number;
  /** Evictions still refused at the bound, with the PDB's message. */
  readonly blocked: readonly string[];
  /** Pods the remaining nodes could not take. */
  readonly unplaceable: readonly string[];
  readonly seconds: number;
}

export interface EnvironmentSimulation {
  readonly environment: string;
  readonly server: string;
  readonly zones: readonly string[];
  readonly pods: { readonly min: number; readonly max: number };
  /** Scheduled pods per plan workload (`Kind/namespace/name`) at the floor and the ceiling. */
  readonly workloads: Readonly<Record<string, { readonly min: number; readonly max: number }>>;
  readonly pools: readonly PoolResult[];
  readonly drills: readonly DrillResult[];
  readonly standIns: readonly string[];
  readonly skipped: readonly { readonly object: string; readonly reason: string }[];
  readonly findings: readonly SimFinding[];
  readonly waived: readonly WaivedSimFinding[];
  readonly seconds: number;
}

export interface SimulateOptions {
  readonly crdMirror?: string;
  /** Seconds each phase may take to settle. @default 90 */
  readonly settleSeconds?: number;
  /** Seconds a drill keeps retrying evictions a PDB refuses. @default 20 */
  readonly drainSeconds?: number;
  readonly log?: (line: string) => void;
  readonly handleSignals?: boolean;
  /** Run the drills (zone and spot loss). @default true */
  readonly drills?: boolean;
  /** Control planes run at once, each simulating its share of the environments in turn. @default 2 */
  readonly parallel?: number;
}

const seconds = (start: number) => Math.round((Date.now() - start) / 100) / 10;

/** Kinds applied after everything else: their pods need the ServiceAccounts, quotas and budgets first. */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job', 'Rollout']);

interface Context {
  readonly env: Environment;
  readonly cluster: SimulatedCluster;
  readonly findings: SimFinding[];
  readonly settleSeconds: number;
  readonly log: (line: string) => void;
}

function finding(ctx: Context, rule: SimulationRule, severity: 'error' | 'warning', object: string, phase: string, message: string): void {
  ctx.findings.push({ environment: ctx.env.name, rule, severity, object, phase, message });
}

/** `Kind/namespace/name` of the plan's workload a pod belongs to. */
function workloadOfPod(pod: PodView, owners: ReadonlyMap<string, string>, targets: readonly ScaleTarget[]): string {
  const stampedFrom = pod.labels[STAMPED_FROM_LABEL];
  if (stampedFrom !== undefined) return `PodTemplate/${pod.namespace}/${stampedFrom}`;
  const owner = pod.ownerKind === 'ReplicaSet' ? (owners.get(`${pod.namespace}/${pod.ownerName}`) ?? `ReplicaSet/${pod.ownerName}`) : '';
  const byObject = (kind: string, name: string) => targets.find((t) => t.kind === kind && t.namespace === pod.namespace && t.name === name);
  if (owner.startsWith('Rollout/')) return byObject('Rollout', owner.slice(8))?.workload ?? `Rollout/${pod.namespace}/${owner.slice(8)}`;
  if (owner.startsWith('Deployment/'))
    return byObject('Deployment', owner.slice(11))?.workload ?? `Deployment/${pod.namespace}/${owner.slice(11)}`;
  if (pod.ownerKind === 'ReplicaSet')
    return byObject('ReplicaSet', pod.ownerName)?.workload ?? `ReplicaSet/${pod.namespace}/${pod.ownerName}`;
  if (pod.ownerKind === 'StatefulSet')
    return byObject('StatefulSet', pod.ownerName)?.workload ?? `StatefulSet/${pod.namespace}/${pod.ownerName}`;
  return `Pod/${pod.namespace}/${pod.name}`;
}

async function replicaSetOwners(ctx: Context): Promise<Map<string, string>> {
  const sets = await listItems(ctx.cluster.client, '/apis/apps/v1/replicasets');
  const out = new Map<string, string>();
  for (const rs of sets) {
    const owner = (at(rs, 'metadata', 'ownerReferences') as { kind: string; name: string }[] | undefined)?.[0];
    if (owner) out.set(`${String(at(rs, 'metadata', 'namespace'))}/${String(at(rs, 'metadata', 'name'))}`, `${owner.kind}/${owner.name}`);
  }
  return out;
}

/** Whether every scale target's controller has as many pods as it wants (or says it cannot create them). */
async function controllersSettled(ctx: Context): Promise<{ done: boolean; failing: string[] }> {
  const failing: string[] = [];
  let done = true;
  for (const target of ctx.cluster.scaleTargets) {
    // Stamped pods have no controller: they are created at once (stampPods) and counted as pods.
    if (target.kind === 'PodTemplate') continue;
    const path = await ctx.cluster.client.objectPath(target.apiVersion, target.kind, target.name, target.namespace);
    if (path === undefined) continue;
    const object = await ctx.cluster.client.get(path);
    const wanted = Number(at(object, 'spec', 'replicas') ?? 1);
    const have = Number(at(object, 'status', 'replicas') ?? 0);
    // Argo Rollouts writes observedGeneration as a string.
    const observed = Number(at(object, 'status', 'observedGeneration') ?? 0) >= Number(at(object, 'metadata', 'generation') ?? 0);
    const failure = list(at(object, 'status', 'conditions')).find((c) => at(c, 'type') === 'ReplicaFailure' && at(c, 'status') === 'True');
    if (failure !== undefined) failing.push(`${target.workload}: ${String(at(failure, 'message'))}`);
    else if (!observed || have !== wanted) done = false;
  }
  // A Deployment's ReplicaSet reports the failure, not the Deployment.
  const sets = await listItems(ctx.cluster.client, '/apis/apps/v1/replicasets');
  for (const rs of sets) {
    const failure = list(at(rs, 'status', 'conditions')).find((c) => at(c, 'type') === 'ReplicaFailure' && at(c, 'status') === 'True');
    if (failure !== undefined)
      failing.push(
        `ReplicaSet/${String(at(rs, 'metadata', 'namespace'))}/${String(at(rs, 'metadata', 'name'))}: ${String(at(failure, 'message'))}`,
      );
  }
  return { done, failing: [...new Set(failing)] };
}

interface Settled {
  readonly settled: boolean;
  readonly pods: PodView[];
  readonly nodes: NodeView[];
  readonly failing: string[];
}

/**
 * Waits until nothing moves: no pod being deleted or waiting for its first scheduling attempt, every
 * scheduled pod Running, every controller at its count, and no node added, for two polls in a row.
 */
async function settle(ctx: Context, options: { readonly autoscale: boolean }): Promise<Settled> {
  const deadline = Date.now() + ctx.settleSeconds * 1000;
  let quiet = 0;
  for (;;) {
    const [pods, nodes] = await Promise.all([ctx.cluster.pods(), ctx.cluster.nodes()]);
    await ctx.cluster.operate(pods, nodes);
    const added = options.autoscale ? await ctx.cluster.autoscale(pods, nodes) : false;
    const controllers = await controllersSettled(ctx);
    const busy = pods.some(
      (p) =>
        p.deleting ||
        (p.nodeName === undefined && p.unschedulable === undefined) ||
        (p.nodeName !== undefined && p.phase !== 'Running' && p.phase !== 'Succeeded'),
    );
    const cooling = options.autoscale && ctx.cluster.cooling() && pods.some((p) => p.unschedulable !== undefined && !p.deleting);
    if (!added && !busy && !cooling && controllers.done) quiet++;
    else quiet = 0;
    if (quiet >= 3) return { settled: true, pods, nodes, failing: controllers.failing };
    if (Date.now() > deadline) return { settled: false, pods, nodes, failing: controllers.failing };
    await sleep(400);
  }
}

async function scaleTargets(ctx: Context, targets: readonly ScaleTarget[], replicas: (target: ScaleTarget) => number): Promise<void> {
  await mapLimit(targets, 8, async (target) => {
    const path = await ctx.cluster.client.objectPath(target.apiVersion, target.kind, target.name, target.namespace);
    if (path === undefined) return;
    if (target.kind === 'PodTemplate') await stampPods(ctx, path, target, replicas(target));
    else await scale(ctx.cluster.client, path, replicas(target));
  });
}

/**
 * Pods stamped from a PodTemplate, as the API that owns it creates and deletes them: created one by one
 * through admission (the namespace's policy and quota may refuse them: a failing finding), deleted
 * newest first. Nothing recreates them once evicted, as nothing would.
 */
async function stampPods(ctx: Context, path: string, target: ScaleTarget, count: number): Promise<void> {
  const client = ctx.cluster.client;
  const selector = encodeURIComponent(`${STAMPED_FROM_LABEL}=${target.name}`);
  const podsPath = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods`;
  const existing = (await listItems(client, `${podsPath}?labelSelector=${selector}`))
    .filter((pod) => at(pod, 'metadata', 'deletionTimestamp') === undefined)
    .map((pod) => ({ name: String(at(pod, 'metadata', 'name')), created: String(at(pod, 'metadata', 'creationTimestamp')) }))
    .sort((a, b) => b.created.localeCompare(a.created) || b.name.localeCompare(a.name));
  if (existing.length > count) {
    await mapLimit(existing.slice(0, existing.length - count), 8, async (pod) => {
      await client.request('DELETE', `${podsPath}/${encodeURIComponent(pod.name)}`, { gracePeriodSeconds: 0 });
    });
    return;
  }
  const pod = stampedPod((await client.get(path)) as unknown as Manifest);
  const refused = new Map<string, number>();
  await mapLimit(
    Array.from({ length: count - existing.length }, (_, i) => i),
    8,
    async () => {
      const res = await client.request('POST', podsPath, pod);
      if (res.status !== 201 && res.status !== 200) refused.set(statusMessage(res), (refused.get(statusMessage(res)) ?? 0) + 1);
    },
  );
  for (const [message, times] of refused)
    finding(ctx, 'pods-not-created', 'error', target.workload, 'scale', `${times} pod(s) stamped from the template refused: ${message}`);
}

async function scaleAll(ctx: Context, end: 'min' | 'max'): Promise<void> {
  await scaleTargets(ctx, ctx.cluster.scaleTargets, (target) => target.replicas[end]);
}

/**
 * The scale targets in the steps the plan packs them: step i holds the i-th workload of every pool in
 * packingOrder (app/plan/packing.ts), sized against the pool's node less DaemonSet overhead.
 */
export function packingSteps(targets: readonly ScaleTarget[], plan: CapacityPlan): ScaleTarget[][] {
  const GiB = 2 ** 30;
  const steps: ScaleTarget[][] = [];
  const byPool = new Map<string, ScaleTarget[]>();
  for (const target of targets) byPool.set(target.pool ?? '', [...(byPool.get(target.pool ?? '') ?? []), target]);
  for (const [pool, members] of [...byPool].sort(([a], [b]) => a.localeCompare(b))) {
    const perNode = plan.pools.find((p) => p.name === pool)?.perNode;
    // A workload on no declared pool has no node to be measured against: its pods come last, by CPU.
    const node = perNode ? { cpuMillis: perNode.cpu * 1000, memoryBytes: perNode.memoryGiB * GiB } : { cpuMillis: 1e9, memoryBytes: 1e18 };
    const groups = members.map((target) => ({
      ...target.pod,
      name: target.workload,
      count: target.replicas.max,
      zoneSpread: target.zoneSpread,
      target,
    }));
    packingOrder(groups, node).forEach((group, index) => {
      steps[index] = [...(steps[index] ?? []), group.target];
    });
  }
  return steps;
}

/**
 * Sizes every workload to one end of its range the way the plan packs it: from no pods, one packing
 * step at a time, each settled (the autoscaler stand-in adding nodes) before the next. Pods arriving
 * all at once would be placed in whatever order their controllers create them, and small pods that
 * land first leave no room for a large one where the plan put it: the scheduler would then need more
 * nodes than first-fit decreasing, by the luck of that order.
 */
async function scaleInPlanOrder(ctx: Context, plan: CapacityPlan, end: 'min' | 'max'): Promise<Settled> {
  await scaleTargets(ctx, ctx.cluster.scaleTargets, () => 0);
  let state = await settle(ctx, { autoscale: false });
  for (const step of packingSteps(ctx.cluster.scaleTargets, plan)) {
    await scaleTargets(ctx, step, (target) => target.replicas[end]);
    state = await settle(ctx, { autoscale: true });
    if (!state.settled) break;
  }
  return state;
}

/** Findings of one settled state: pods not placed, controllers that cannot create pods, placement. */
async function stateFindings(ctx: Context, state: Settled, phase: 'min' | 'max', rule: SimulationRule): Promise<void> {
  if (!state.settled) {
    const moving = state.pods.filter((p) => p.deleting || (p.nodeName !== undefined && p.phase !== 'Running'));
    finding(
      ctx,
      'not-settled',
      'error',
      `Environment/${ctx.env.name}`,
      phase,
      `the cluster did not settle within ${ctx.settleSeconds}s (${moving.length} pods still moving); the check cannot see its data`,
    );
  }
  const owners = await replicaSetOwners(ctx);
  const unplaced = new Map<string, { count: number; message: string }>();
  for (const pod of state.pods) {
    if (pod.unschedulable === undefined || pod.deleting) continue;
    const workload = workloadOfPod(pod, owners, ctx.cluster.scaleTargets);
    const seen = unplaced.get(workload);
    unplaced.set(workload, { count: (seen?.count ?? 0) + 1, message: pod.unschedulable });
  }
  for (const [workload, { count, message }] of unplaced) {
    finding(ctx, rule, 'error', workload, phase, `${count} pod(s) not scheduled: ${message}`);
  }
  for (const failing of state.failing) {
    const [object = '', ...rest] = failing.split(': ');
    finding(ctx, 'pods-not-created', 'error', object, phase, rest.join(': '));
  }
  placement(ctx, state, phase, owners);
}

function tolerates(tolerations: unknown, taint: { key: string; value?: string; effect: string }): boolean {
  return list(tolerations).some((t) => {
    const effect = at(t, 'effect');
    if (effect !== undefined && effect !== '' && effect !== taint.effect) return false;
    if (at(t, 'operator') === 'Exists') return at(t, 'key') === undefined || at(t, 'key') === '' || at(t, 'key') === taint.key;
    return at(t, 'key') === taint.key && String(at(t, 'value') ?? '') === String(taint.value ?? '');
  });
}

/** 5. Placement: taints and selectors on the node each pod landed on; skew of ScheduleAnyway spread. */
function placement(ctx: Context, state: Settled, phase: string, owners: ReadonlyMap<string, string>): void {
  const nodes = new Map(state.nodes.map((n) => [n.name, n]));
  const groups = new Map<string, PodView[]>();
  for (const pod of state.pods) {
    if (pod.nodeName === undefined || pod.deleting) continue;
    const node = nodes.get(pod.nodeName);
    if (node === undefined) continue;
    const workload = workloadOfPod(pod, owners, ctx.cluster.scaleTargets);
    for (const taint of node.taints) {
      if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerates(pod.spec.tolerations, taint)) {
        finding(
          ctx,
          'placement',
          'error',
          workload,
          phase,
          `pod ${pod.name} runs on ${node.name} (pool ${node.pool}) without tolerating ${taint.key}=${taint.value ?? ''}:${taint.effect}`,
        );
      }
    }
    const selector = at(pod.spec, 'nodeSelector');
    if (isPlain(selector)) {
      for (const [k, v] of Object.entries(selector)) {
        if (node.labels[k] !== v)
          finding(
            ctx,
            'placement',
            'error',
            workload,
            phase,
            `pod ${pod.name} selects ${k}=${String(v)} but runs on ${node.name} (${k}=${node.labels[k] ?? 'unset'})`,
          );
      }
    }
    groups.set(workload, [...(groups.get(workload) ?? []), pod]);
  }
  for (const [workload, pods] of groups) {
    // Zones only: the scheduler packs nodes (MostAllocated), so a ScheduleAnyway spread over hosts is
    // traded for fewer nodes by design; an uneven spread over zones is what a zone loss would feel.
    const constraints = list(pods[0]!.spec.topologySpreadConstraints).filter(
      (c) => at(c, 'whenUnsatisfiable') === 'ScheduleAnyway' && at(c, 'topologyKey') === 'topology.kubernetes.io/zone',
    );
    for (const constraint of constraints) {
      const key = String(at(constraint, 'topologyKey'));
      const maxSkew = Number(at(constraint, 'maxSkew') ?? 1);
      const selector = at(pods[0]!.spec, 'nodeSelector');
      const eligible = state.nodes.filter(
        (n) => !n.unschedulable && (!isPlain(selector) || Object.entries(selector).every(([k, v]) => n.labels[k] === v)),
      );
      const domains = new Map<string, number>();
      for (const n of eligible) if (n.labels[key] !== undefined) domains.set(n.labels[key]!, 0);
      for (const pod of pods) {
        const domain = nodes.get(pod.nodeName!)?.labels[key];
        if (domain !== undefined) domains.set(domain, (domains.get(domain) ?? 0) + 1);
      }
      if (domains.size < 2) continue;
      const counts = [...domains.values()];
      const skew = Math.max(...counts) - Math.min(...counts);
      // More pods than domains can always be spread within maxSkew; fewer leave empty domains by design.
      if (skew > maxSkew && pods.length >= domains.size) {
        finding(
          ctx,
          'spread-skew',
          'warning',
          workload,
          phase,
          `${pods.length} pods spread over ${key} with skew ${skew} > maxSkew ${maxSkew} (ScheduleAnyway): ${[...domains].map(([d, c]) => `${d}=${c}`).join(', ')}`,
        );
      }
    }
  }
}

/** Nodes per pool that run at least one platform pod. */
function usedNodes(state: Settled): Map<string, number> {
  const busy = new Set(state.pods.filter((p) => p.nodeName !== undefined && !p.deleting).map((p) => p.nodeName!));
  const out = new Map<string, number>();
  for (const node of state.nodes) if (busy.has(node.name)) out.set(node.pool, (out.get(node.pool) ?? 0) + 1);
  return out;
}

const REFUSAL_CAUSE = /The disruption budget ([^ ]+) needs/;

/**
 * Cordon and drain `nodes`: every pod evicted through the Eviction API, refusals retried. The drain ends
 * when every pod is gone, when the refusals have stood for ten rounds with nothing on its way, or after
 * `drainSeconds` without progress (an eviction, a pod moving or a budget catching up), and in any case
 * after `ctx.settleSeconds`: `kubectl drain` retries as long as that, so a refusal caused only by a pod
 * still getting ready or a disruption controller that has not caught up is not a blocked drain.
 */
async function drill(ctx: Context, name: string, nodeNames: readonly string[], drainSeconds: number, spot: boolean): Promise<DrillResult> {
  const start = Date.now();
  const { cluster } = ctx;
  await cluster.cordon(nodeNames, true);
  const lost = new Set(nodeNames);
  const refused = new Map<string, string>();
  let evicted = 0;
  let stuck = 0;
  let progressAt = Date.now();
  const cap = Date.now() + ctx.settleSeconds * 1000;
  for (;;) {
    const [pods, nodes] = await Promise.all([cluster.pods(), cluster.nodes()]);
    await cluster.operate(pods, nodes);
    await cluster.autoscale(pods, nodes);
    const left = pods.filter((p) => p.nodeName !== undefined && lost.has(p.nodeName) && !p.deleting && p.phase !== 'Succeeded');
    if (left.length === 0 || Date.now() > cap || Date.now() - progressAt > drainSeconds * 1000) break;
    // Nothing left to change: every remaining eviction was refused, and no pod is on its way (none
    // deleting, none waiting for its first scheduling attempt, for its node to start it or to become
    // Ready, no node coming) and every budget has counted the Ready pods it selects: the refusals stand.
    const moving = pods.some(
      (p) =>
        p.deleting ||
        (p.nodeName === undefined && p.unschedulable === undefined) ||
        (p.nodeName !== undefined && (p.phase === 'Pending' || (p.phase === 'Running' && !p.ready))),
    );
    const allRefused = left.every((p) => refused.has(`${p.namespace}/${p.name}`));
    const waiting = moving || cluster.cooling() || (await budgetsStale(ctx, pods));
    if (waiting) progressAt = Date.now();
    stuck = !waiting && allRefused ? stuck + 1 : 0;
    if (stuck >= 10) break;
    // The Eviction API records each pod it evicts in its PDB's disruptedPods until the disruption
    // controller sees it deleted, and for two minutes (DeletionTimeout) counts a pod of that name as not
    // healthy: a StatefulSet's replacement keeps the name, so a drain would wait two minutes per pod.
    // The pods here are deleted as soon as they are evicted, so the record is cleared each round.
    await forgetDisruptions(ctx);
    await mapLimit(left, 8, async (pod) => {
      const result = await evict(cluster.client, pod.namespace, pod.name);
      const id = `${pod.namespace}/${pod.name}`;
      if (result.outcome === 'evicted') {
        evicted++;
        progressAt = Date.now();
        refused.delete(id);
      } else if (result.outcome === 'refused') {
        refused.set(id, result.message);
      }
    });
    await sleep(500);
  }
  const state = await settle(ctx, { autoscale: true });
  const owners = await replicaSetOwners(ctx);
  const stillThere = state.pods.filter((p) => p.nodeName !== undefined && lost.has(p.nodeName) && !p.deleting);
  const blocked: string[] = [];
  for (const pod of stillThere) {
    const message = refused.get(`${pod.namespace}/${pod.name}`) ?? 'not evicted';
    const pdb = REFUSAL_CAUSE.exec(message)?.[1];
    blocked.push(`${pod.namespace}/${pod.name}${pdb ? ` (PDB ${pdb})` : ''}`);
    // A spot VM is reclaimed, not drained: GKE gives its pods the 30-s termination notice and no PDB is
    // asked. A drain of the spot pool that a PDB holds up is worth knowing, not a failure.
    finding(
      ctx,
      'eviction-blocked',
      spot ? 'warning' : 'error',
      workloadOfPod(pod, owners, cluster.scaleTargets),
      name,
      `eviction of pod ${pod.name} on ${pod.nodeName} refused until nothing else could change (${drainSeconds}s without progress, at most ${ctx.settleSeconds}s)${pdb ? ` by PodDisruptionBudget ${pod.namespace}/${pdb}` : ''}: ${message}; ${spot ? 'a drain of the spot pool would wait for capacity (a reclaim asks no PDB)' : `the node can never be drained${pdb ? `; ${await budgetState(ctx, pod.namespace, pdb, state.pods)}` : ''}`}`,
    );
  }
  const unplaceable: string[] = [];
  for (const pod of state.pods) {
    if (pod.unschedulable === undefined || pod.deleting) continue;
    const workload = workloadOfPod(pod, owners, cluster.scaleTargets);
    unplaceable.push(`${pod.namespace}/${pod.name}`);
    finding(
      ctx,
      spot ? 'unplaceable-after-spot-loss' : 'unplaceable-after-zone-loss',
      spot ? 'warning' : 'error',
      workload,
      name,
      `pod ${pod.name} cannot be placed on the remaining nodes (the autoscaler may grow each pool to maxNodes outside the lost ${spot ? 'pool' : 'zone'}): ${pod.unschedulable}`,
    );
  }
  await budgetsAndQuorum(ctx, name, state.pods);
  if (!state.settled)
    finding(
      ctx,
      'not-settled',
      'error',
      `Environment/${ctx.env.name}`,
      name,
      `the cluster did not settle within ${ctx.settleSeconds}s after the drain`,
    );
  // Restore: the lost nodes come back; pods stay where they are.
  await cluster.cordon(nodeNames, false);
  await forgetDisruptions(ctx);
  return { drill: name, nodes: nodeNames.length, evicted, blocked, unplaceable, seconds: seconds(start) };
}

/**
 * Whether a PDB's status is behind its pods: more of its pods are Running and Ready (and not being
 * deleted) than the disruption controller last counted. A refusal then may not stand.
 */
async function budgetsStale(ctx: Context, pods: readonly PodView[]): Promise<boolean> {
  const pdbs = await listItems(ctx.cluster.client, '/apis/policy/v1/poddisruptionbudgets');
  return pdbs.some((pdb) => {
    const namespace = String(at(pdb, 'metadata', 'namespace'));
    const ready = pods.filter(
      (p) => p.namespace === namespace && !p.deleting && p.ready && selectorMatches(at(pdb, 'spec', 'selector'), p.labels),
    ).length;
    return ready > Number(at(pdb, 'status', 'currentHealthy') ?? 0);
  });
}

/** A PDB's status and the pods it selects, as the drill ended: what a refusal rested on. */
async function budgetState(ctx: Context, namespace: string, name: string, pods: readonly PodView[]): Promise<string> {
  const res = await ctx.cluster.client.request(
    'GET',
    `/apis/policy/v1/namespaces/${encodeURIComponent(namespace)}/poddisruptionbudgets/${encodeURIComponent(name)}`,
  );
  if (res.status !== 200) return `PodDisruptionBudget ${namespace}/${name} not readable (HTTP ${res.status})`;
  const pdb = res.body as Record<string, unknown>;
  const selected = pods
    .filter((p) => p.namespace === namespace && selectorMatches(at(pdb, 'spec', 'selector'), p.labels))
    .map((p) => `${p.name} on ${p.nodeName ?? 'no node'} ${p.deleting ? 'deleting' : p.ready ? 'Ready' : `${p.phase} not Ready`}`);
  const count = (field: string) => Number(at(pdb, 'status', field) ?? 0);
  const disrupted = Object.keys((at(pdb, 'status', 'disruptedPods') as Record<string, unknown> | undefined) ?? {});
  return `the budget counted ${count('currentHealthy')} healthy of ${count('expectedPods')} (needs ${count('desiredHealthy')})${disrupted.length > 0 ? `, disrupted ${disrupted.join(', ')}` : ''}; its pods: ${selected.join(', ') || 'none'}`;
}

/**
 * Each drill stands alone, as if hours passed since the last one: the Eviction API records every pod it
 * evicted in its PDB's status.disruptedPods, and the disruption controller counts a pod of that name
 * as not healthy for two minutes (DeletionTimeout), even the StatefulSet's replacement of the same
 * name. Those records are cleared through the status subresource between drills.
 */
async function forgetDisruptions(ctx: Context): Promise<void> {
  const pdbs = await listItems(ctx.cluster.client, '/apis/policy/v1/poddisruptionbudgets');
  await mapLimit(pdbs, 8, async (pdb) => {
    if (!isPlain(at(pdb, 'status', 'disruptedPods'))) return;
    const path = `/apis/policy/v1/namespaces/${String(at(pdb, 'metadata', 'namespace'))}/poddisruptionbudgets/${String(at(pdb, 'metadata', 'name'))}/status`;
    await ctx.cluster.client.request('PATCH', path, { status: { disruptedPods: null } }, 'application/merge-patch+json');
  });
}

/** PDBs below budget, Sentinel majorities and PostgreSQL primaries after a drill. */
async function budgetsAndQuorum(ctx: Context, phase: string, pods: readonly PodView[]): Promise<void> {
  await sleep(300);
  const pdbs = await listItems(ctx.cluster.client, '/apis/policy/v1/poddisruptionbudgets');
  for (const pdb of pdbs) {
    const healthy = Number(at(pdb, 'status', 'currentHealthy') ?? 0);
    const desired = Number(at(pdb, 'status', 'desiredHealthy') ?? 0);
    const expected = Number(at(pdb, 'status', 'expectedPods') ?? 0);
    if (expected > 0 && healthy < desired) {
      finding(
        ctx,
        'below-budget',
        'error',
        `PodDisruptionBudget/${String(at(pdb, 'metadata', 'namespace'))}/${String(at(pdb, 'metadata', 'name'))}`,
        phase,
        `${healthy} healthy pods of ${expected}, the budget needs ${desired}`,
      );
    }
  }
  for (const target of ctx.cluster.scaleTargets) {
    if (!target.workload.startsWith('RedisSentinel/')) continue;
    const running = pods.filter(
      (p) => p.ownerKind === 'StatefulSet' && p.ownerName === target.name && p.phase === 'Running' && !p.deleting,
    );
    const majority = Math.floor(target.replicas.min / 2) + 1;
    if (running.length < majority) {
      finding(
        ctx,
        'quorum-lost',
        'error',
        target.workload,
        phase,
        `${running.length} of ${target.replicas.min} Sentinels run; a failover needs ${majority}`,
      );
    }
  }
}

function toSourced(objects: readonly Manifest[]): SourcedManifest[] {
  return objects.map((object) => ({ file: '', bundle: '', object, text: '' }));
}

async function applyAll(ctx: Context, objects: readonly Manifest[], phase: string): Promise<void> {
  const client = ctx.cluster.client;
  const ordered = [...objects.filter((o) => !WORKLOAD_KINDS.has(o.kind)), ...objects.filter((o) => WORKLOAD_KINDS.has(o.kind))];
  const first = ordered.filter((o) => !WORKLOAD_KINDS.has(o.kind));
  const second = ordered.filter((o) => WORKLOAD_KINDS.has(o.kind));
  for (const batch of [first, second]) {
    await mapLimit(batch, 8, async (object) => {
      const path = await client.objectPath(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
      if (path === undefined) {
        finding(
          ctx,
          'apply-rejected',
          'error',
          manifestId(object),
          phase,
          `the API server does not serve ${object.apiVersion} ${object.kind}`,
        );
        return;
      }
      const res = await client.apply(path, object, { dryRun: false, fieldManager: 'simulate' });
      if (res.status !== 200 && res.status !== 201) finding(ctx, 'apply-rejected', 'error', manifestId(object), phase, statusMessage(res));
    });
  }
}

/** One environment and its objects (the app bundle of dist/<env>/). */
export interface SimulationInput {
  readonly env: Environment;
  readonly objects: readonly Manifest[];
}

/** Simulates one environment on a control plane of its own (the tests' entry). */
export async function simulateEnvironment(
  env: Environment,
  objects: readonly Manifest[],
  options: SimulateOptions = {},
): Promise<EnvironmentSimulation> {
  const [result] = await simulateEnvironments([{ env, objects }], options);
  return result!;
}

/**
 * Simulates environments one after the other on one control plane per Kubernetes minor: the CRDs
 * every environment needs are installed once; between environments every namespace, cluster-scoped
 * object and Node of the previous one is deleted, and the next starts from an empty cluster.
 */
export async function simulateEnvironments(
  inputs: readonly SimulationInput[],
  options: SimulateOptions = {},
): Promise<EnvironmentSimulation[]> {
  const byMinor = new Map<string, SimulationInput[]>();
  for (const input of inputs) {
    const minor = input.env.cluster.kubernetesVersion;
    byMinor.set(minor, [...(byMinor.get(minor) ?? []), input]);
  }
  const results = new Map<string, EnvironmentSimulation>();
  // Environments of one minor run on `parallel` control planes at once, dealt round-robin.
  const lanes: [string, SimulationInput[]][] = [];
  const parallel = Math.max(1, options.parallel ?? 2);
  for (const [minor, group] of byMinor) {
    const count = Math.min(parallel, group.length);
    for (let lane = 0; lane < count; lane++) lanes.push([minor, group.filter((_, i) => i % count === lane)]);
  }
  await Promise.all(lanes.map(([minor, group]) => runLane(minor, group, options, results)));
  return inputs.map((input) => results.get(input.env.name)!);
}

async function runLane(
  minor: string,
  group: readonly SimulationInput[],
  options: SimulateOptions,
  results: Map<string, EnvironmentSimulation>,
): Promise<void> {
  {
    const start = Date.now();
    const plane = await startControlPlane({ minor, handleSignals: options.handleSignals });
    try {
      const client = plane.server.client;
      options.log?.(`control plane ${plane.server.gitVersion} (${plane.components.join(', ')}) ready in ${seconds(start)}s`);
      const prepared = group.map((input) => {
        const workloads = workloadsOf(input.objects, input.env.cluster.nodePoolLabel);
        return { ...input, plan: planEnvironment(input.env, input.objects), sim: simulated(input.objects, workloads) };
      });
      const all = prepared.flatMap((p) => [...p.sim.applied, ...p.sim.standIns.map((s) => s.object)]);
      const { crds } = await pinnedCrds(await customKinds(client, toSourced(all)), options.crdMirror);
      await installCrds(client, [...crds, ...rolloutsControllerCrds(crds)]);
      options.log?.(`${crds.length} CRDs Established (${seconds(start)}s)`);
      for (const item of prepared) {
        results.set(item.env.name, await runEnvironment(plane.server.gitVersion, client, item, options));
        await clearCluster(client, item.sim.applied);
      }
    } finally {
      await plane.stop();
    }
  }
}

/**
 * The CRDs the Argo Rollouts controller watches that the pinned ones do not hold: it waits for every
 * informer at start, so Rollouts, AnalysisRuns, AnalysisTemplates, ClusterAnalysisTemplates and
 * Experiments must all be served. From the controller's own module (ARGO_ROLLOUTS_CRDS).
 */
function rolloutsControllerCrds(pinned: readonly Crd[]): Crd[] {
  const have = new Set(pinned.map((crd) => crd.name));
  return parseAllDocuments(readFileSync(ARGO_ROLLOUTS_CRDS, 'utf8'))
    .map((doc) => doc.toJS() as Record<string, unknown>)
    .filter((document) => isPlain(document) && !have.has(String(at(document, 'metadata', 'name'))))
    .map((document) => ({
      group: String(at(document, 'spec', 'group')),
      kind: String(at(document, 'spec', 'names', 'kind')),
      name: String(at(document, 'metadata', 'name')),
      source: {
        id: 'argo-rollouts-controller',
        project: 'argoproj/argo-rollouts',
        release: 'the module scripts/install-tools.sh builds the controller from',
        url: ARGO_ROLLOUTS_CRDS,
        mirrorFile: ARGO_ROLLOUTS_CRDS,
        kinds: [String(at(document, 'spec', 'names', 'kind'))],
      },
      document,
    }));
}

/** Deletes one environment's namespaces, cluster-scoped objects and every Node: the next starts empty. */
async function clearCluster(client: KubeClient, applied: readonly Manifest[]): Promise<void> {
  const namespaces = new Set(applied.map((o) => o.metadata.namespace).filter((n): n is string => n !== undefined && !BUILT_IN.has(n)));
  for (const o of applied) if (o.kind === 'Namespace' && o.apiVersion === 'v1') namespaces.add(o.metadata.name);
  await mapLimit([...namespaces], 8, (name) => client.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(name)}`));
  await mapLimit(
    applied.filter((o) => o.metadata.namespace === undefined && o.kind !== 'Namespace'),
    8,
    async (o) => {
      const path = await client.objectPath(o.apiVersion, o.kind, o.metadata.name, undefined);
      if (path !== undefined) await client.request('DELETE', path);
    },
  );
  const deadline = Date.now() + 120_000;
  for (;;) {
    const left = (await listItems(client, '/api/v1/namespaces')).filter((n) => namespaces.has(String(at(n, 'metadata', 'name'))));
    if (left.length === 0) break;
    if (Date.now() > deadline)
      throw new Error(`namespaces not deleted within 120s: ${left.map((n) => String(at(n, 'metadata', 'name'))).join(', ')}`);
    await sleep(500);
  }
  await client.request('DELETE', '/api/v1/nodes');
  await client.request('DELETE', `/api/v1/namespaces/${OVERHEAD_DAEMONSET.namespace}/pods?gracePeriodSeconds=0`);
}

const BUILT_IN = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

async function runEnvironment(
  server: string,
  client: KubeClient,
  item: SimulationInput & { readonly plan: CapacityPlan; readonly sim: Simulated },
  options: SimulateOptions,
): Promise<EnvironmentSimulation> {
  const { env, plan, sim } = item;
  const start = Date.now();
  const log = (line: string) => options.log?.(`${env.name}: ${line}`);
  const findings: SimFinding[] = [];
  const drills: DrillResult[] = [];
  const pools: PoolResult[] = [];
  const pods = { min: 0, max: 0 };
  const perWorkload: Record<string, { min: number; max: number }> = {};
  const countWorkloads = async (ctx: Context, state: Settled, end: 'min' | 'max') => {
    const owners = await replicaSetOwners(ctx);
    for (const target of sim.targets) perWorkload[target.workload] ??= { min: 0, max: 0 };
    for (const pod of state.pods) {
      if (pod.nodeName === undefined || pod.deleting) continue;
      const workload = workloadOfPod(pod, owners, sim.targets);
      if (perWorkload[workload] !== undefined) perWorkload[workload][end]++;
    }
  };
  {
    const cluster = new SimulatedCluster(env, client, sim.standIns, sim.targets);
    const ctx: Context = { env, cluster, findings, settleSeconds: options.settleSeconds ?? 90, log };
    await prepareNamespaces(client, env.name, toSourced(sim.applied));
    await applyAll(
      ctx,
      [...sim.applied, ...sim.standIns.map((s: StandIn) => s.object), overheadDaemonSet(env) as unknown as Manifest],
      'apply',
    );
    log(`applied ${sim.applied.length} objects and ${sim.standIns.length} stand-ins (${seconds(start)}s)`);

    // 1. The floor, on the plan's nodes at the floor (zones balanced, as GKE resizes a regional pool);
    // the autoscaler stand-in adds what the scheduler cannot place.
    for (const pool of plan.pools) await cluster.grow(pool.name, pool.nodes.min);
    const atMin = await scaleInPlanOrder(ctx, plan, 'min');
    // Nodes that run a platform pod: a node the autoscaler stand-in added that the scheduler then did not
    // use would be removed by a cluster autoscaler's scale-down.
    const usedMin = usedNodes(atMin);
    const nodesAtMin = new Map(plan.pools.map((pool) => [pool.name, usedMin.get(pool.name) ?? 0]));
    for (const pool of plan.pools) {
      if (nodesAtMin.get(pool.name)! > pool.nodes.min) {
        finding(
          ctx,
          'plan-count-too-small',
          'error',
          `NodePool/${pool.name}`,
          'min',
          `the scheduler needed ${nodesAtMin.get(pool.name)} ${pool.machineType} nodes at the floor, the plan counts ${pool.nodes.min}`,
        );
      }
    }
    pods.min = atMin.pods.filter((p) => p.nodeName !== undefined && !p.deleting).length;
    await countWorkloads(ctx, atMin, 'min');
    await stateFindings(ctx, atMin, 'min', 'unschedulable-at-min');
    log(`min: ${pods.min} pods on ${atMin.nodes.length} nodes (${seconds(start)}s)`);

    // 2. The ceiling, on the plan's nodes at the ceiling, packed again from no pods in the plan's order;
    // the autoscaler stand-in adds what the scheduler cannot place.
    for (const pool of plan.pools) await cluster.grow(pool.name, pool.nodes.max);
    const atMax = await scaleInPlanOrder(ctx, plan, 'max');
    pods.max = atMax.pods.filter((p) => p.nodeName !== undefined && !p.deleting).length;
    await countWorkloads(ctx, atMax, 'max');
    await stateFindings(ctx, atMax, 'max', 'unschedulable-at-max');
    const usedMax = usedNodes(atMax);
    for (const pool of plan.pools) {
      const nodesAtMax = usedMax.get(pool.name) ?? 0;
      const waiting = atMax.pods.some((p) => p.unschedulable !== undefined && cluster.poolOf(p) === pool.name);
      const agrees =
        atMin.settled && atMax.settled && nodesAtMin.get(pool.name)! <= pool.nodes.min && nodesAtMax <= pool.nodes.max && !waiting;
      if (nodesAtMax > pool.nodes.max) {
        finding(
          ctx,
          'plan-count-too-small',
          'error',
          `NodePool/${pool.name}`,
          'max',
          `the scheduler needed ${nodesAtMax} ${pool.machineType} nodes at the ceiling (${usedMax.get(pool.name) ?? 0} running pods), the plan counts ${pool.nodes.max}`,
        );
      }
      pools.push({
        pool: pool.name,
        spot: pool.spot,
        minNodes: pool.minNodes,
        maxNodes: pool.maxNodes,
        plan: pool.nodes,
        used: { min: usedMin.get(pool.name) ?? 0, max: usedMax.get(pool.name) ?? 0 },
        nodesAtMin: nodesAtMin.get(pool.name)!,
        nodesAtMax,
        agrees,
      });
    }
    log(`max: ${pods.max} pods on ${atMax.nodes.length} nodes (${seconds(start)}s)`);

    // 3-4. Drills at the floor.
    if (options.drills ?? true) {
      await scaleAll(ctx, 'min');
      await settle(ctx, { autoscale: false });
      const drainSeconds = options.drainSeconds ?? 20;
      for (const zone of zonesOf(env)) {
        const nodes = (await cluster.nodes()).filter((n) => n.zone === zone).map((n) => n.name);
        if (nodes.length === 0) continue;
        cluster.lostZones = new Set([zone]);
        drills.push(await drill(ctx, `zone ${zone}`, nodes, drainSeconds, false));
        cluster.lostZones = new Set();
        await settle(ctx, { autoscale: false });
        log(
          `zone ${zone}: ${drills.at(-1)!.evicted} evicted, ${drills.at(-1)!.blocked.length} blocked, ${drills.at(-1)!.unplaceable.length} unplaceable (${seconds(start)}s)`,
        );
      }
      const spotPools = cluster.pools.filter((p) => p.spot).map((p) => p.pool);
      if (spotPools.length > 0) {
        const nodes = (await cluster.nodes()).filter((n) => spotPools.includes(n.pool)).map((n) => n.name);
        cluster.lostPools = new Set(spotPools);
        drills.push(await drill(ctx, 'spot', nodes, drainSeconds, true));
        cluster.lostPools = new Set();
        log(`spot: ${drills.at(-1)!.evicted} evicted, ${drills.at(-1)!.unplaceable.length} unplaceable (${seconds(start)}s)`);
      }
    }
  }
  const unique = new Map(findings.map((f) => [`${f.phase}\u0000${f.rule}\u0000${f.object}\u0000${f.message}`, f]));
  const { open, waived } = applySimulationWaivers(env.name, [...unique.values()], env.waivers);
  open.sort(compareSimFindings);
  return {
    environment: env.name,
    server,
    zones: zonesOf(env),
    pods,
    workloads: Object.fromEntries(Object.entries(perWorkload).sort(([a], [b]) => a.localeCompare(b))),
    pools,
    drills,
    standIns: sim.standIns.map(
      (s) => `${s.standsFor} → ${s.object.kind} ${[s.object.metadata.namespace, s.object.metadata.name].filter(Boolean).join('/')}`,
    ),
    skipped: sim.skipped,
    findings: open,
    waived,
    seconds: seconds(start),
  };
}
