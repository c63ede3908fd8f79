/**
 * The workloads of a synthesized environment as the capacity plan sees them: how many pods each runs
 * at its autoscaler's floor and ceiling, what one pod requests, and which node pool it lands on.
 * Everything is read from the emitted objects, so the plan describes what the cluster will run, not
 * what the environment file meant.
 */
import type { Manifest } from '../../lib/core/manifest';
import { gatewayPods, nginxProxyOf } from '../../lib/gateway-pods';
import { archiverSidecarResources, operatedPods, operatedSetName, type OperatedVolume } from '../../lib/operated-pods';
import { podRequests, type PodRequests } from './pod-requests';
import { at, isPlain } from '../../lib/core/plain';

/** Kinds whose `spec.template` is a pod template the plan counts (Gateways are counted from their NginxProxy). */
export const WORKLOAD_KINDS: readonly string[] = ['Deployment', 'Rollout', 'StatefulSet'];

/**
 * What owns the replica count; `NginxProxy`: the fixed replicas of a Gateway's NGINX pods; `operator`:
 * the fixed pod count of a data store's custom resource (instances, pooler, Redis nodes, Sentinels);
 * `ResourceQuota`: pods stamped from a PodTemplate (the sandbox's projects), none up to the pod count
 * of their namespace's quota.
 */
export type AutoscalerKind = 'HorizontalPodAutoscaler' | 'ScaledObject' | 'NginxProxy' | 'operator' | 'ResourceQuota' | 'none';

export interface Workload {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Value of the cluster's node-pool label in the pod's nodeSelector (or required node affinity). */
  readonly pool: string | undefined;
  readonly pod: PodRequests;
  readonly replicas: { readonly min: number; readonly max: number };
  /** What owns the replica count. */
  readonly autoscaler: AutoscalerKind;
  /** `blueGreen` or `canary` for Argo Rollouts. */
  readonly strategy: string | undefined;
  /** Istio injects a proxy into its pods; `pod` includes the proxy's requests. */
  readonly istioSidecar: boolean;
  /**
   * Its pods must spread evenly over zones (a DoNotSchedule spread constraint on
   * topology.kubernetes.io/zone): the plan packs each zone's share on that zone's nodes. @default false
   */
  readonly zoneSpread?: boolean;
  /** Persistent volumes each pod claims (the data stores'). @default - none */
  readonly volumes?: readonly OperatedVolume[];
}

function numberAt(value: unknown, ...path: string[]): number | undefined {
  const found = at(value, ...path);
  return typeof found === 'number' ? found : undefined;
}

function targetKey(namespace: string, kind: string, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

interface Range {
  readonly min: number;
  readonly max: number;
  readonly by: AutoscalerKind;
}

/**
 * Autoscalers by the workload they scale. A KEDA ScaledObject creates and owns its own HPA, so when
 * both point at one workload the ScaledObject's range is the one that holds.
 */
function autoscalerRanges(objects: readonly Manifest[]): Map<string, Range> {
  const ranges = new Map<string, Range>();
  for (const object of objects) {
    const namespace = object.metadata.namespace ?? '';
    const ref = at(object, 'spec', 'scaleTargetRef');
    const name = at(ref, 'name');
    if (typeof name !== 'string') continue;
    if (object.kind === 'HorizontalPodAutoscaler') {
      const kind = String(at(ref, 'kind') ?? 'Deployment');
      const key = targetKey(namespace, kind, name);
      if (ranges.get(key)?.by === 'ScaledObject') continue;
      // autoscaling/v2 defaults minReplicas to 1; maxReplicas is required.
      const min = numberAt(object, 'spec', 'minReplicas') ?? 1;
      ranges.set(key, { min, max: numberAt(object, 'spec', 'maxReplicas') ?? min, by: 'HorizontalPodAutoscaler' });
    } else if (object.kind === 'ScaledObject' && object.apiVersion.startsWith('keda.sh/')) {
      // KEDA's defaults: kind Deployment, minReplicaCount 0, maxReplicaCount 100; idle replicas go below the floor.
      const kind = String(at(ref, 'kind') ?? 'Deployment');
      const floor = numberAt(object, 'spec', 'minReplicaCount') ?? 0;
      const idle = numberAt(object, 'spec', 'idleReplicaCount');
      const min = idle === undefined ? floor : Math.min(idle, floor);
      ranges.set(targetKey(namespace, kind, name), { min, max: numberAt(object, 'spec', 'maxReplicaCount') ?? 100, by: 'ScaledObject' });
    }
  }
  return ranges;
}

/** Whether a pod template must spread evenly over zones (DoNotSchedule on topology.kubernetes.io/zone). */
export function templateZoneSpread(template: unknown): boolean {
  const constraints = at(template, 'spec', 'topologySpreadConstraints');
  return (
    Array.isArray(constraints) &&
    constraints.some((c) => at(c, 'topologyKey') === 'topology.kubernetes.io/zone' && at(c, 'whenUnsatisfiable') === 'DoNotSchedule')
  );
}

/** The pool a pod template is pinned to: nodeSelector first, then a single-valued required affinity. */
export function templatePool(template: unknown, poolLabel: string): string | undefined {
  const selected = at(template, 'spec', 'nodeSelector', poolLabel);
  if (typeof selected === 'string') return selected;
  const terms = at(template, 'spec', 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
  if (!Array.isArray(terms) || terms.length !== 1) return undefined;
  const expressions = at(terms[0], 'matchExpressions');
  if (!Array.isArray(expressions)) return undefined;
  const match = expressions.find((e) => at(e, 'key') === poolLabel && at(e, 'operator') === 'In');
  const values = at(match, 'values');
  return Array.isArray(values) && values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
}

/**
 * A Rollout may borrow its template from a Deployment (`spec.workloadRef`) instead of carrying one.
 */
export function templateOf(object: Manifest, objects: readonly Manifest[]): unknown {
  const own = at(object, 'spec', 'template');
  if (own !== undefined) return own;
  const ref = at(object, 'spec', 'workloadRef', 'name');
  const source = objects.find(
    (o) => o.kind === 'Deployment' && o.metadata.name === ref && (o.metadata.namespace ?? '') === (object.metadata.namespace ?? ''),
  );
  return at(source, 'spec', 'template');
}

function rolloutStrategy(object: Manifest): string | undefined {
  if (object.kind !== 'Rollout') return undefined;
  const strategy = at(object, 'spec', 'strategy');
  if (isPlain(strategy) && 'blueGreen' in strategy) return 'blueGreen';
  if (isPlain(strategy) && 'canary' in strategy) return 'canary';
  return undefined;
}

/** Namespaces whose pods Istio injects: labelled `istio-injection=enabled` or with a revision (`istio.io/rev`). */
function injectedNamespaces(objects: readonly Manifest[]): Set<string> {
  return new Set(
    objects
      .filter((o) => o.kind === 'Namespace')
      .filter((o) => o.metadata.labels?.['istio-injection'] === 'enabled' || o.metadata.labels?.['istio.io/rev'] !== undefined)
      .map((o) => o.metadata.name),
  );
}

/** A pod's own `sidecar.istio.io/inject` label overrides its namespace's choice. */
function hasIstioSidecar(template: unknown, namespaceInjected: boolean): boolean {
  const own = at(template, 'metadata', 'labels', 'sidecar.istio.io/inject');
  return own === undefined ? namespaceInjected : own === 'true';
}

/** Deployments a Rollout's workloadRef has taken over; Argo scales them to zero, so they are not counted. */
function referencedDeployments(objects: readonly Manifest[]): Set<string> {
  const names = new Set<string>();
  for (const object of objects) {
    const ref = at(object, 'spec', 'workloadRef', 'name');
    if (object.kind === 'Rollout' && typeof ref === 'string') names.add(`${object.metadata.namespace ?? ''}/${ref}`);
  }
  return names;
}

/**
 * Pods a controller runs at a fixed count from a template (a Gateway's NGINX pods, an operator's
 * instances): one workload row, with the mesh proxy where the namespace or the template injects it.
 */
function fixedWorkload(
  id: Pick<Workload, 'kind' | 'name' | 'namespace'>,
  pods: { readonly template: unknown; readonly replicas: number },
  autoscaler: 'NginxProxy' | 'operator',
  context: { readonly poolLabel: string; readonly injected: ReadonlySet<string> },
): Workload {
  const istioSidecar = hasIstioSidecar(pods.template, context.injected.has(id.namespace));
  return {
    ...id,
    pool: templatePool(pods.template, context.poolLabel),
    zoneSpread: templateZoneSpread(pods.template),
    pod: podRequests(pods.template, { istioSidecar }),
    replicas: { min: pods.replicas, max: pods.replicas },
    autoscaler,
    strategy: undefined,
    istioSidecar,
  };
}

/** The NGINX pods NGINX Gateway Fabric runs for each Gateway (lib/gateway-pods.ts): a workload of kind Gateway. */
function gatewayWorkloads(objects: readonly Manifest[], poolLabel: string, injected: ReadonlySet<string>): Workload[] {
  return objects
    .filter((o) => o.kind === 'Gateway')
    .flatMap((gateway) => {
      const pods = gatewayPods(gateway, nginxProxyOf(gateway, objects));
      if (pods === undefined) return [];
      return [
        fixedWorkload({ kind: 'Gateway', name: gateway.metadata.name, namespace: gateway.metadata.namespace ?? '' }, pods, 'NginxProxy', {
          poolLabel,
          injected,
        }),
      ];
    });
}

/**
 * The data stores' pods their operators run (lib/operated-pods.ts): a workload per pod set, named after
 * its custom resource (`<cr>-sentinel` for a RedisSentinel's pods), with its volumes.
 */
function operatorWorkloads(objects: readonly Manifest[], poolLabel: string, injected: ReadonlySet<string>): Workload[] {
  return objects.flatMap((object) =>
    operatedPods(object, object.kind === 'Cluster' ? archiverSidecarResources(object, objects) : undefined).map((set) => ({
      ...fixedWorkload(
        {
          kind: object.kind,
          name: operatedSetName(set),
          namespace: object.metadata.namespace ?? '',
        },
        set,
        'operator',
        { poolLabel, injected },
      ),
      volumes: set.volumes,
    })),
  );
}

/**
 * Pods an API stamps from a PodTemplate (the sandbox's project pods): from none to the `pods` of their
 * namespace's ResourceQuota, which caps them. A PodTemplate whose namespace has no pod quota is not counted.
 */
function podTemplateWorkloads(objects: readonly Manifest[], poolLabel: string, injected: ReadonlySet<string>): Workload[] {
  return objects
    .filter((o) => o.kind === 'PodTemplate' && o.apiVersion === 'v1')
    .flatMap((object) => {
      const namespace = object.metadata.namespace ?? '';
      const quota = objects.find((o) => o.kind === 'ResourceQuota' && (o.metadata.namespace ?? '') === namespace);
      const pods = Number(at(quota, 'spec', 'hard', 'pods'));
      if (!Number.isInteger(pods)) return [];
      const template = at(object, 'template');
      const istioSidecar = hasIstioSidecar(template, injected.has(namespace));
      return [
        {
          kind: object.kind,
          name: object.metadata.name,
          namespace,
          pool: templatePool(template, poolLabel),
          pod: podRequests(template, { istioSidecar }),
          replicas: { min: 0, max: pods },
          autoscaler: 'ResourceQuota' as const,
          strategy: undefined,
          istioSidecar,
        },
      ];
    });
}

/** Every workload of the objects, in emitted order; the operators' pods, then Gateways' NGINX pods, last. */
export function workloadsOf(objects: readonly Manifest[], poolLabel: string): Workload[] {
  const ranges = autoscalerRanges(objects);
  const taken = referencedDeployments(objects);
  const injected = injectedNamespaces(objects);
  const workloads = objects
    .filter((o) => WORKLOAD_KINDS.includes(o.kind))
    .filter((o) => !(o.kind === 'Deployment' && taken.has(`${o.metadata.namespace ?? ''}/${o.metadata.name}`)))
    .map((object) => {
      const namespace = object.metadata.namespace ?? '';
      const template = templateOf(object, objects);
      const range = ranges.get(targetKey(namespace, object.kind, object.metadata.name));
      // Without an autoscaler the workload runs spec.replicas, which the API server defaults to 1.
      const replicas = numberAt(object, 'spec', 'replicas') ?? 1;
      const istioSidecar = hasIstioSidecar(template, injected.has(namespace));
      return {
        kind: object.kind,
        name: object.metadata.name,
        namespace,
        pool: templatePool(template, poolLabel),
        zoneSpread: templateZoneSpread(template),
        pod: podRequests(template, { istioSidecar }),
        replicas: range === undefined ? { min: replicas, max: replicas } : { min: range.min, max: Math.max(range.min, range.max) },
        autoscaler: range?.by ?? 'none',
        strategy: rolloutStrategy(object),
        istioSidecar,
      };
    });
  return [
    ...workloads,
    ...podTemplateWorkloads(objects, poolLabel, injected),
    ...operatorWorkloads(objects, poolLabel, injected),
    ...gatewayWorkloads(objects, poolLabel, injected),
  ];
}
