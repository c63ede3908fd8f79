/**
 * What the simulated cluster runs that is not an object of the output: stand-ins for the pods an
 * operator or a Gateway controller would create, and the Istio proxy Istio's webhook would inject.
 * Every stand-in comes from the same source
 * the plan counts with: lib/operated-pods.ts (CloudNativePG instances and poolers, Redis and its
 * Sentinels), lib/gateway-pods.ts (NGINX Gateway Fabric's NGINX pods), app/plan/workloads.ts (which
 * pods get the proxy, a Rollout's template) and lib/istio-proxy.ts (the proxy's resources).
 *
 * - an operator's pod set becomes a StatefulSet `sim-<owner>-<role>` with the set's labels, pod
 *   placement (node selector, tolerations, the operator's anti-affinity, spread) and requests; a
 *   StatefulSet recreates an evicted pod as the operator does;
 * - the PodDisruptionBudgets the operators create: CloudNativePG's `<cluster>-primary` (minAvailable 1
 *   on the primary) and `<cluster>` (minAvailable instances-2 on the replicas, from 3 instances), unless
 *   `enablePDB: false` (pkg/specs/poddisruptionbudget.go, v1.30.0); the redis-operator's from `spec.pdb`
 *   and `spec.sentinel.pdb`;
 * - a Gateway's NGINX pods become a Deployment named as NGF names it (`<gateway>-<gatewayClass>`);
 * - a Rollout is run by the Argo Rollouts controller itself and sized through its scale subresource;
 * - where the plan counts Istio's proxy, the pod template gets a native sidecar `istio-proxy` with
 *   ISTIO_PROXY_RESOURCES (requests overridden by the pod's proxy annotations, as Istio does).
 */
import type { Manifest } from '../../lib/core/manifest';
import { at, isPlain } from '../../lib/core/plain';
import { CNPG_LABELS } from '../../lib/data-names';
import { gatewayPods, nginxProxyOf } from '../../lib/gateway-pods';
import { GKE_SANDBOX, gkeSandboxToleration } from '../../lib/sandbox-runtime';
import { ISTIO_PROXY_CPU_ANNOTATION, ISTIO_PROXY_MEMORY_ANNOTATION, ISTIO_PROXY_RESOURCES } from '../../lib/istio-proxy';
import { archiverSidecarResources, OPERATED_KINDS, operatedPods, operatedSetName } from '../../lib/operated-pods';
import type { Workload } from '../plan/workloads';

/** The label the simulation puts on every object it adds, so a report can tell stand-ins apart. */
export const STAND_IN_LABEL = 'simulate.platform.invalid/stand-in';

/** The label on a pod the simulation stamps from a PodTemplate, naming the template. */
export const STAMPED_FROM_LABEL = 'simulate.platform.invalid/stamped-from';

export const STAND_IN_IMAGE = 'registry.invalid/simulate/stand-in:0';

/** A workload the simulation sizes: the object to scale, and the plan's row it stands for. */
export interface ScaleTarget {
  /** `Kind/namespace/name` of the plan's workload. */
  readonly workload: string;
  /** apiVersion/kind/name/namespace of the object whose scale subresource is set. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly pool: string | undefined;
  /** One pod's requests and whether its pods spread over zones: where the plan packs it (packingOrder). */
  readonly pod: { readonly cpuMillis: number; readonly memoryBytes: number };
  readonly zoneSpread: boolean;
}

export interface StandIn {
  /** What it stands for: `Cluster/data/postgres (instances)`, `Gateway/edge/public`, `Rollout/apps/api`. */
  readonly standsFor: string;
  readonly object: Manifest;
  /** The pods' labels (for the operator loop). */
  readonly role?: 'postgres-instances';
  readonly cluster?: string;
}

export interface Simulated {
  /** The output's objects as applied: workloads with the proxy injected where the plan counts it. */
  readonly applied: readonly Manifest[];
  readonly standIns: readonly StandIn[];
  readonly targets: readonly ScaleTarget[];
  /** Objects of the output not applied, with why. */
  readonly skipped: readonly { readonly object: string; readonly reason: string }[];
}

const key = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The proxy Istio injects, as a native sidecar with the pod's proxy annotations honoured. */
function injectProxy(template: Record<string, unknown>): Record<string, unknown> {
  const out = clone(template);
  const annotations = (at(out, 'metadata', 'annotations') ?? {}) as Record<string, string>;
  const spec = (out.spec ?? {}) as Record<string, unknown>;
  const inits = Array.isArray(spec.initContainers) ? (spec.initContainers as unknown[]) : [];
  spec.initContainers = [
    {
      name: 'istio-proxy',
      image: STAND_IN_IMAGE,
      restartPolicy: 'Always',
      resources: {
        requests: {
          cpu: annotations[ISTIO_PROXY_CPU_ANNOTATION] ?? ISTIO_PROXY_RESOURCES.requests.cpu,
          memory: annotations[ISTIO_PROXY_MEMORY_ANNOTATION] ?? ISTIO_PROXY_RESOURCES.requests.memory,
        },
        limits: { ...ISTIO_PROXY_RESOURCES.limits },
      },
      securityContext: RESTRICTED_CONTAINER,
    },
    ...inits,
  ];
  out.spec = spec;
  return out;
}

/** A pod template for a stand-in: the set's scheduling fields and requests, restricted, one image. */
function standInTemplate(template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> }) {
  const spec = clone(template.spec);
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).map((c) => ({
    name: String(at(c, 'name')),
    image: STAND_IN_IMAGE,
    ...(isPlain(at(c, 'resources')) ? { resources: at(c, 'resources') } : {}),
    securityContext: RESTRICTED_CONTAINER,
  }));
  return {
    metadata: { labels: { ...template.metadata.labels, [STAND_IN_LABEL]: 'true' } },
    spec: {
      ...spec,
      containers,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    },
  };
}

function statefulSet(name: string, namespace: string, replicas: number, template: ReturnType<typeof standInTemplate>): Manifest {
  const selector = { ...template.metadata.labels };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace, labels: { [STAND_IN_LABEL]: 'true' } },
    spec: {
      replicas,
      serviceName: name,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selector },
      template,
    },
  } as Manifest;
}

function pdb(name: string, namespace: string, selector: Record<string, string>, budget: Record<string, unknown>): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace, labels: { [STAND_IN_LABEL]: 'true' } },
    spec: { ...budget, selector: { matchLabels: selector } },
  } as Manifest;
}

/** The budget fields of a redis-operator `pdb` block (enabled, minAvailable or maxUnavailable). */
function redisBudget(block: unknown): Record<string, unknown> | undefined {
  if (at(block, 'enabled') !== true) return undefined;
  const min = at(block, 'minAvailable');
  const max = at(block, 'maxUnavailable');
  if (min !== undefined) return { minAvailable: min };
  return { maxUnavailable: max ?? 1 };
}

/** CloudNativePG's label of an instance's role (utils.ClusterInstanceRoleLabelName). */
export const CNPG_INSTANCE_ROLE = CNPG_LABELS.instanceRole;

/** Kinds of the output the simulation does not apply: they would call services that do not run here. */
const NOT_APPLIED: Readonly<Record<string, string>> = {
  ValidatingWebhookConfiguration: 'an admission webhook calls a service that does not run here',
  MutatingWebhookConfiguration: 'an admission webhook calls a service that does not run here',
  APIService: 'an aggregated API is served by a pod that does not run here',
};

/**
 * Builds what the simulation applies: the output (less webhooks), stand-ins, and the scale targets
 * for every workload the plan counts.
 */
export function simulated(objects: readonly Manifest[], workloads: readonly Workload[]): Simulated {
  const byKey = new Map(workloads.map((w) => [key(w.kind, w.namespace, w.name), w]));
  const skipped: { object: string; reason: string }[] = [];
  const standIns: StandIn[] = [];
  const targets: ScaleTarget[] = [];
  const applied: Manifest[] = [];
  for (const object of objects) {
    const namespace = object.metadata.namespace ?? '';
    const reason = NOT_APPLIED[object.kind];
    if (reason !== undefined) {
      skipped.push({ object: key(object.kind, namespace, object.metadata.name), reason });
      continue;
    }
    const workload = byKey.get(key(object.kind, namespace, object.metadata.name));
    if (object.kind === 'PodTemplate' && workload !== undefined) {
      // Pods an API stamps from the template (the sandbox's projects): the simulation creates them from
      // it as that API would, through the namespace's admission (its policy and quota).
      applied.push(object);
      const runtimeClass = at(object, 'template', 'spec', 'runtimeClassName');
      if (runtimeClass === GKE_SANDBOX.runtimeClassName && !standIns.some((s) => s.object.kind === 'RuntimeClass'))
        standIns.push({
          standsFor: `RuntimeClass/${GKE_SANDBOX.runtimeClassName} (GKE Sandbox creates it)`,
          object: gkeSandboxRuntimeClass(),
        });
      targets.push(target(workload, 'v1', 'PodTemplate', namespace, object.metadata.name));
      continue;
    }
    if (object.kind === 'Rollout') {
      // The Argo Rollouts controller runs (control-plane.ts): the Rollout creates its ReplicaSets and
      // is sized through its own scale subresource, as its autoscaler sizes it.
      if (workload === undefined) {
        applied.push(object);
        continue;
      }
      // A workloadRef's Deployment is applied as it is: its proxy is not injected here.
      const copy = clone(object) as Manifest & { spec: Record<string, unknown> };
      if (workload.istioSidecar && isPlain(copy.spec.template)) copy.spec.template = injectProxy(copy.spec.template);
      copy.spec.replicas = 0;
      applied.push(copy);
      targets.push(target(workload, object.apiVersion, object.kind, namespace, object.metadata.name));
      continue;
    }
    if ((object.kind === 'Deployment' || object.kind === 'StatefulSet') && workload !== undefined) {
      const copy = clone(object) as Manifest & { spec: Record<string, unknown> };
      if (workload.istioSidecar && isPlain(copy.spec.template)) copy.spec.template = injectProxy(copy.spec.template);
      // Created empty and sized through the scale subresource, as its autoscaler would: no pod waits
      // for a node before the floor is set.
      copy.spec.replicas = 0;
      applied.push(copy);
      targets.push(target(workload, object.apiVersion, object.kind, namespace, object.metadata.name));
      continue;
    }
    applied.push(object);
    for (const set of operatedPods(object, object.kind === 'Cluster' ? archiverSidecarResources(object, objects) : undefined)) {
      const rowName = operatedSetName(set);
      const row = byKey.get(key(object.kind, namespace, rowName));
      const name = `sim-${object.metadata.name}-${set.role}`;
      const template = standInTemplate(set.template);
      standIns.push({
        standsFor: `${object.kind}/${namespace}/${object.metadata.name} (${set.role})`,
        object: statefulSet(name, namespace, 0, row?.istioSidecar ? (injectProxy(template) as typeof template) : template),
        ...(set.role === 'instances' && `${object.apiVersion.split('/')[0]}/${object.kind}` === OPERATED_KINDS.cluster
          ? { role: 'postgres-instances' as const, cluster: object.metadata.name }
          : {}),
      });
      if (row !== undefined) targets.push(target(row, 'apps/v1', 'StatefulSet', namespace, name));
    }
    standIns.push(...operatorBudgets(object));
    if (object.kind === 'Gateway') {
      const pods = gatewayPods(object, nginxProxyOf(object, objects));
      const row = byKey.get(key('Gateway', namespace, object.metadata.name));
      if (pods === undefined || row === undefined) continue;
      const name = pods.labels['app.kubernetes.io/name'] ?? `${object.metadata.name}-nginx`;
      const template = standInTemplate({ metadata: { labels: { ...pods.labels } }, spec: pods.template.spec });
      standIns.push({
        standsFor: `Gateway/${namespace}/${object.metadata.name} (NGINX data plane)`,
        object: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace, labels: { [STAND_IN_LABEL]: 'true' } },
          spec: {
            replicas: 0,
            selector: { matchLabels: { ...template.metadata.labels } },
            template: row.istioSidecar ? injectProxy(template) : template,
          },
        } as Manifest,
      });
      targets.push(target(row, 'apps/v1', 'Deployment', namespace, name));
    }
  }
  return { applied, standIns, targets, skipped };
}

/**
 * The RuntimeClass GKE creates in a cluster with a GKE Sandbox pool (lib/sandbox-runtime.ts): handler
 * `gvisor`, and scheduling onto the sandbox nodes, which RuntimeClass admission adds to every pod that
 * names it. GKE sets no pod overhead on it.
 */
function gkeSandboxRuntimeClass(): Manifest {
  return {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: GKE_SANDBOX.runtimeClassName, labels: { [STAND_IN_LABEL]: 'true' } },
    handler: GKE_SANDBOX.value,
    scheduling: {
      nodeSelector: { [GKE_SANDBOX.nodeLabel]: GKE_SANDBOX.value },
      tolerations: [gkeSandboxToleration()],
    },
  } as unknown as Manifest;
}

/** A pod stamped from a PodTemplate as the API that owns the template would create it. */
export function stampedPod(template: Manifest): Record<string, unknown> {
  const spec = at(template, 'template') as { metadata?: { labels?: Record<string, string> }; spec?: unknown };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${template.metadata.name}-`,
      namespace: template.metadata.namespace,
      labels: { ...(spec.metadata?.labels ?? {}), [STAMPED_FROM_LABEL]: template.metadata.name },
    },
    spec: clone(spec.spec),
  };
}

function target(workload: Workload, apiVersion: string, kind: string, namespace: string, name: string): ScaleTarget {
  return {
    workload: key(workload.kind, workload.namespace, workload.name),
    apiVersion,
    kind,
    namespace,
    name,
    replicas: workload.replicas,
    pool: workload.pool,
    pod: { cpuMillis: workload.pod.cpuMillis, memoryBytes: workload.pod.memoryBytes },
    zoneSpread: workload.zoneSpread === true,
  };
}

/** The PDBs the operators create for their custom resources. */
function operatorBudgets(object: Manifest): StandIn[] {
  const namespace = object.metadata.namespace ?? '';
  const name = object.metadata.name;
  const gk = `${object.apiVersion.split('/')[0]}/${object.kind}`;
  if (gk === OPERATED_KINDS.cluster) {
    if (at(object, 'spec', 'enablePDB') === false) return [];
    const instances = Number(at(object, 'spec', 'instances') ?? 1);
    const selector = (role: string) => ({ [CNPG_LABELS.cluster]: name, [CNPG_INSTANCE_ROLE]: role });
    return [
      {
        standsFor: `Cluster/${namespace}/${name} (CloudNativePG's primary PDB)`,
        object: pdb(`${name}-primary`, namespace, selector('primary'), { minAvailable: 1 }),
      },
      ...(instances >= 3
        ? [
            {
              standsFor: `Cluster/${namespace}/${name} (CloudNativePG's replicas PDB)`,
              object: pdb(name, namespace, selector('replica'), { minAvailable: instances - 2 }),
            },
          ]
        : []),
    ];
  }
  if (gk === OPERATED_KINDS.redisReplication || gk === OPERATED_KINDS.redisSentinel) {
    const out: StandIn[] = [];
    for (const set of operatedPods(object)) {
      const budget = redisBudget(at(object, 'spec', 'pdb'));
      if (budget === undefined) continue;
      // The operator names a RedisReplication's PDB `<cr>-redis` and a RedisSentinel's `<cr>-sentinel`
      // (v0.26.0 internal/k8sutils/poddisruption.go).
      out.push({
        standsFor: `${object.kind}/${namespace}/${name} (redis-operator's ${set.role} PDB)`,
        object: pdb(`${name}-${set.role}`, namespace, { ...set.labels }, budget),
      });
    }
    return out;
  }
  return [];
}
