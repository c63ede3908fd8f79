/**
 * The indexed view of one environment's manifests that every rule family reads. It is built once per
 * `validate` call so that cross-object rules look objects up by key or by label instead of scanning
 * the whole set per reference (the validator must handle >10,000 resources/s).
 */
import { groupOf, isPlain as isObj, list as asArray, type Plain as Obj } from '../../lib/core/plain';
import { manifestId, type Manifest } from '../../lib/core/manifest';
import { gatewayPods } from '../../lib/gateway-pods';
import { operatedPods } from '../../lib/operated-pods';
import type { Severity, ValidationContext, Violation } from '../types';

export { asArray, groupOf, isObj, type Obj };

export function asObj(value: unknown): Obj | undefined {
  return isObj(value) ? value : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asStringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Compact `{a: b, c: d}` rendering for messages. */
export function showLabels(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}: ${v}`);
  return `{${parts.join(', ')}}`;
}

export function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

/** `group/Kind` keys; the core group is empty, so core kinds read `/Service`. */
export const GK = {
  Pod: '/Pod',
  PodTemplate: '/PodTemplate',
  Service: '/Service',
  ServiceAccount: '/ServiceAccount',
  Secret: '/Secret',
  Namespace: '/Namespace',
  Deployment: 'apps/Deployment',
  StatefulSet: 'apps/StatefulSet',
  DaemonSet: 'apps/DaemonSet',
  ReplicaSet: 'apps/ReplicaSet',
  Job: 'batch/Job',
  CronJob: 'batch/CronJob',
  Rollout: 'argoproj.io/Rollout',
  AnalysisTemplate: 'argoproj.io/AnalysisTemplate',
  ClusterAnalysisTemplate: 'argoproj.io/ClusterAnalysisTemplate',
  HPA: 'autoscaling/HorizontalPodAutoscaler',
  ScaledObject: 'keda.sh/ScaledObject',
  PDB: 'policy/PodDisruptionBudget',
  Ingress: 'networking.k8s.io/Ingress',
  NetworkPolicy: 'networking.k8s.io/NetworkPolicy',
  VirtualService: 'networking.istio.io/VirtualService',
  DestinationRule: 'networking.istio.io/DestinationRule',
  ServiceEntry: 'networking.istio.io/ServiceEntry',
  PeerAuthentication: 'security.istio.io/PeerAuthentication',
  AuthorizationPolicy: 'security.istio.io/AuthorizationPolicy',
  Gateway: 'gateway.networking.k8s.io/Gateway',
  NginxProxy: 'gateway.nginx.org/NginxProxy',
} as const;

export function gkOf(apiVersion: string, kind: string): string {
  return `${groupOf(apiVersion)}/${kind}`;
}

/** Kinds whose objects live outside namespaces; everything else defaults to `default`. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  'IngressClass',
  'PersistentVolume',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ClusterAnalysisTemplate',
  'ClusterIssuer',
  'ClusterSecretStore',
  'ClusterTriggerAuthentication',
  'APIService',
  'RuntimeClass',
]);

export interface Entry {
  readonly obj: Manifest;
  readonly gk: string;
  readonly kind: string;
  /** Effective namespace: `''` for cluster-scoped kinds, `default` when a namespaced object omits it. */
  readonly namespace: string;
  readonly name: string;
  /** `Kind/namespace/name`, or `Kind/name` when the object carries no namespace. */
  readonly id: string;
}

/** A pod template (or a Pod's own spec) and where it sits inside its object. */
export interface PodRef {
  readonly entry: Entry;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: Obj;
  /** Path of the pod spec, e.g. `spec.template.spec`. */
  readonly path: string;
  /** Path of the pod template metadata, e.g. `spec.template.metadata`. */
  readonly metaPath: string;
  /** False for run-to-completion pods (Jobs, CronJobs, Pods with restartPolicy Never/OnFailure). */
  readonly longRunning: boolean;
}

export interface ContainerRef {
  readonly container: Obj;
  readonly name: string;
  readonly path: string;
  readonly init: boolean;
  /** Native sidecar: an init container with restartPolicy Always, which runs for the pod's lifetime. */
  readonly sidecar: boolean;
}

/** Every container of a pod spec, init containers included, with their paths. */
export function containersOf(pod: PodRef): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const [field, init] of [
    ['initContainers', true],
    ['containers', false],
  ] as const) {
    asArray(pod.spec[field]).forEach((c, i) => {
      if (!isObj(c)) return;
      out.push({
        container: c,
        name: asString(c.name) ?? `#${i}`,
        path: `${pod.path}.${field}[${i}]`,
        init,
        sidecar: init && c.restartPolicy === 'Always',
      });
    });
  }
  return out;
}

/** Kinds whose objects run pods (PodTemplate excluded: it only describes pods nobody starts). */
export const RUNNING_KINDS = new Set<string>([
  GK.Pod,
  GK.Deployment,
  GK.StatefulSet,
  GK.DaemonSet,
  GK.ReplicaSet,
  GK.Job,
  GK.CronJob,
  GK.Rollout,
]);

/** Kinds whose replica count is meaningful for PDBs and autoscalers. */
export const REPLICATED_KINDS = new Set<string>([GK.Deployment, GK.StatefulSet, GK.ReplicaSet, GK.Rollout]);

export interface Workload {
  readonly entry: Entry;
  /** The pod template the workload runs; for a Rollout with workloadRef, the referenced Deployment's. */
  readonly pod: PodRef;
}

export interface Autoscaler {
  readonly entry: Entry;
  readonly type: 'hpa' | 'keda';
  /** Key of the target in `Model.get` form. */
  readonly targetGk: string;
  readonly targetName: string;
  readonly targetApiVersion: string;
  /** Lowest replica count the autoscaler may choose (HPA default 1, KEDA default 0). */
  readonly minReplicas: number;
}

interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

/**
 * Evaluates a metav1.LabelSelector (matchLabels + matchExpressions). `{}` selects everything; callers
 * decide what an absent selector means, since that differs per API (PDB: nothing, NetworkPolicy: n/a).
 */
export function selectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isObj(selector)) return false;
  // Hot path (NetworkPolicy and PDB matching): read the maps in place instead of copying them.
  const matchLabels = selector.matchLabels;
  if (isObj(matchLabels)) {
    for (const k in matchLabels) if (labels[k] !== matchLabels[k]) return false;
  }
  const expressions = selector.matchExpressions;
  if (expressions === undefined) return true;
  for (const raw of asArray(expressions)) {
    if (!isObj(raw)) return false;
    const req = raw as unknown as LabelSelectorRequirement;
    const present = Object.hasOwn(labels, req.key);
    const values = asArray(req.values);
    switch (req.operator) {
      case 'In':
        if (!present || !values.includes(labels[req.key])) return false;
        break;
      case 'NotIn':
        if (present && values.includes(labels[req.key])) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function mapMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

function podRefOf(entry: Entry): PodRef | undefined {
  const o = entry.obj as Obj;
  const spec = asObj(o.spec);
  let template: Obj | undefined;
  let base: string;
  let longRunning = true;
  switch (entry.gk) {
    case GK.Pod: {
      if (!spec) return undefined;
      const restart = spec.restartPolicy;
      return {
        entry,
        labels: asStringMap(entry.obj.metadata.labels),
        spec,
        path: 'spec',
        metaPath: 'metadata',
        longRunning: restart !== 'Never' && restart !== 'OnFailure',
      };
    }
    case GK.PodTemplate:
      template = asObj(o.template);
      base = 'template';
      break;
    case GK.CronJob:
      template = asObj(asObj(asObj(spec?.jobTemplate)?.spec)?.template);
      base = 'spec.jobTemplate.spec.template';
      longRunning = false;
      break;
    case GK.Job:
      template = asObj(spec?.template);
      base = 'spec.template';
      longRunning = false;
      break;
    case GK.Deployment:
    case GK.StatefulSet:
    case GK.DaemonSet:
    case GK.ReplicaSet:
    case GK.Rollout:
      template = asObj(spec?.template);
      base = 'spec.template';
      break;
    default:
      return undefined;
  }
  const podSpec = asObj(template?.spec);
  if (!template || !podSpec) return undefined;
  if (entry.gk === GK.PodTemplate) {
    const restart = podSpec.restartPolicy;
    longRunning = restart !== 'Never' && restart !== 'OnFailure';
  }
  return {
    entry,
    labels: asStringMap(asObj(template.metadata)?.labels),
    spec: podSpec,
    path: `${base}.spec`,
    metaPath: `${base}.metadata`,
    longRunning,
  };
}

/**
 * Three-level map (a → b → c → value). Lookups by nested maps avoid building a composite string key
 * per reference, which showed up as the top allocation in profiles.
 */
class Map3<V> {
  private readonly root = new Map<string, Map<string, Map<string, V>>>();

  get(a: string, b: string, c: string): V | undefined {
    return this.root.get(a)?.get(b)?.get(c);
  }

  /** The stored value, created with `make` on first use. */
  upsert(a: string, b: string, c: string, make: () => V): V {
    let level1 = this.root.get(a);
    if (!level1) {
      level1 = new Map();
      this.root.set(a, level1);
    }
    let level2 = level1.get(b);
    if (!level2) {
      level2 = new Map();
      level1.set(b, level2);
    }
    let value = level2.get(c);
    if (value === undefined) {
      value = make();
      level2.set(c, value);
    }
    return value;
  }
}

export class Model {
  readonly entries: readonly Entry[];
  /** Pod templates owned by their objects; pod-level rules run over these. */
  readonly pods: readonly PodRef[];
  readonly workloads: readonly Workload[];
  readonly autoscalers: readonly Autoscaler[];
  /** gk → namespace → name. */
  private readonly byKey = new Map3<Entry>();
  private readonly byKind = new Map<string, Entry[]>();
  private readonly workloadsByNs = new Map<string, Workload[]>();
  /** namespace → label key → label value. */
  private readonly workloadsByLabel = new Map3<Workload[]>();
  /** target gk → namespace → target name. */
  private readonly autoscalersByTarget = new Map3<Autoscaler[]>();

  constructor(objects: readonly Manifest[]) {
    const entries: Entry[] = [];
    for (const obj of objects) {
      const entry = entryOf(obj);
      entries.push(entry);
      // First object wins on duplicate keys; duplicates are a schema/apply concern, not a reference one.
      this.byKey.upsert(entry.gk, entry.namespace, entry.name, () => entry);
      let list = this.byKind.get(entry.gk);
      if (!list) {
        list = [];
        this.byKind.set(entry.gk, list);
      }
      list.push(entry);
    }
    this.entries = entries;

    const pods: PodRef[] = [];
    const workloads: Workload[] = [];
    for (const entry of entries) {
      const pod = podRefOf(entry);
      if (pod) pods.push(pod);
      if (!RUNNING_KINDS.has(entry.gk)) continue;
      const running = pod ?? this.rolloutWorkloadRefPod(entry);
      if (running) workloads.push({ entry, pod: running });
    }
    this.pods = pods;
    workloads.push(...this.provisionedGateways(), ...this.operatorPods(entries));
    this.workloads = workloads;
    for (const w of workloads) this.indexWorkload(w);

    this.autoscalers = [...this.ofKind(GK.HPA).map(hpaOf), ...this.ofKind(GK.ScaledObject).map(scaledObjectOf)];
    for (const a of this.autoscalers) {
      this.autoscalersByTarget.upsert(a.targetGk, a.entry.namespace, a.targetName, () => []).push(a);
    }
  }

  get(gk: string, namespace: string, name: string): Entry | undefined {
    return this.byKey.get(gk, namespace, name);
  }

  ofKind(gk: string): readonly Entry[] {
    return this.byKind.get(gk) ?? [];
  }

  autoscalersOf(entry: Entry): readonly Autoscaler[] {
    return this.autoscalersByTarget.get(entry.gk, entry.namespace, entry.name) ?? [];
  }

  /** Workloads in `namespace` whose pod labels satisfy an equality map (a Service selector). */
  workloadsMatchingMap(namespace: string, selector: Readonly<Record<string, string>>): Workload[] {
    return this.candidates(namespace, selector).filter((w) => mapMatches(selector, w.pod.labels));
  }

  /** Workloads in `namespace` whose pod labels satisfy a LabelSelector. */
  workloadsMatching(namespace: string, selector: Obj): Workload[] {
    const matchLabels = isObj(selector.matchLabels) ? (selector.matchLabels as Record<string, string>) : {};
    return this.candidates(namespace, matchLabels).filter((w) => selectorMatches(selector, w.pod.labels));
  }

  /** Lowest replica count the workload runs at: its autoscaler's minimum, else spec.replicas (default 1). */
  minReplicas(w: Workload): { readonly count: number; readonly source: string } | undefined {
    if (w.entry.gk === GK.Gateway) {
      const replicas = this.gatewayReplicas.get(w.entry.id) ?? 1;
      return { count: replicas, source: `NginxProxy replicas ${replicas}` };
    }
    const operated = this.operatedReplicas.get(w);
    if (operated !== undefined) return { count: operated, source: `${w.entry.kind} ${w.entry.name}: ${operated} pods` };
    if (!REPLICATED_KINDS.has(w.entry.gk)) return undefined;
    const scalers = this.autoscalersOf(w.entry);
    if (scalers.length > 0) {
      const a = scalers.reduce((lo, s) => (s.minReplicas < lo.minReplicas ? s : lo));
      const field = a.type === 'hpa' ? 'minReplicas' : 'minReplicaCount';
      return { count: a.minReplicas, source: `${a.entry.id} ${field} ${a.minReplicas}` };
    }
    const replicas = asObj(w.entry.obj.spec)?.replicas;
    const count = typeof replicas === 'number' ? replicas : 1;
    return { count, source: replicas === undefined ? 'spec.replicas default 1' : `spec.replicas ${count}` };
  }

  /** Smallest candidate list via the label index, so selector evaluation touches few workloads. */
  private candidates(namespace: string, matchLabels: Readonly<Record<string, string>>): readonly Workload[] {
    let best: readonly Workload[] | undefined;
    for (const k in matchLabels) {
      const list = this.workloadsByLabel.get(namespace, k, matchLabels[k]!);
      if (!list) return [];
      if (!best || list.length < best.length) best = list;
    }
    return best ?? this.workloadsByNs.get(namespace) ?? [];
  }

  private indexWorkload(w: Workload): void {
    const ns = w.entry.namespace;
    let list = this.workloadsByNs.get(ns);
    if (!list) {
      list = [];
      this.workloadsByNs.set(ns, list);
    }
    list.push(w);
    for (const k in w.pod.labels) this.workloadsByLabel.upsert(ns, k, w.pod.labels[k]!, () => []).push(w);
  }

  /** NGINX replicas of each Gateway, from its NginxProxy. */
  private readonly gatewayReplicas = new Map<string, number>();

  /**
   * The NGINX pods NGINX Gateway Fabric runs for each Gateway whose NginxProxy the set holds: not
   * objects of the set, but workloads that PDBs, Services and policies select (by the Gateway's name).
   */
  private provisionedGateways(): Workload[] {
    return this.ofKind(GK.Gateway).flatMap((gateway) => {
      const ref = asObj(asObj(asObj(gateway.obj.spec)?.infrastructure)?.parametersRef);
      const proxy = ref?.kind === 'NginxProxy' ? this.get(GK.NginxProxy, gateway.namespace, asString(ref.name) ?? '') : undefined;
      const pods = gatewayPods(gateway.obj, proxy?.obj);
      if (pods === undefined) return [];
      this.gatewayReplicas.set(gateway.id, pods.replicas);
      return [
        {
          entry: gateway,
          pod: {
            entry: gateway,
            labels: pods.labels,
            spec: {},
            path: 'spec.infrastructure',
            metaPath: 'spec.infrastructure',
            longRunning: true,
          },
        },
      ];
    });
  }

  /** Pod counts of the operators' pod sets. */
  private readonly operatedReplicas = new WeakMap<Workload, number>();

  /**
   * The pods the data layer's operators run for their custom resources (operated-pods.ts): CloudNativePG
   * instances and poolers, Redis and Sentinel pods; workloads that PDBs and policies select.
   */
  private operatorPods(entries: readonly Entry[]): Workload[] {
    return entries.flatMap((entry) =>
      operatedPods(entry.obj).map((set) => {
        const path = 'spec';
        const workload: Workload = {
          entry,
          pod: { entry, labels: set.labels, spec: {}, path, metaPath: path, longRunning: true },
        };
        this.operatedReplicas.set(workload, set.replicas);
        return workload;
      }),
    );
  }

  /** A Rollout may borrow its template from a Deployment (spec.workloadRef) instead of inlining one. */
  private rolloutWorkloadRefPod(entry: Entry): PodRef | undefined {
    if (entry.gk !== GK.Rollout) return undefined;
    const ref = asObj(asObj(entry.obj.spec)?.workloadRef);
    const name = asString(ref?.name);
    if (!ref || !name) return undefined;
    const target = this.get(gkOf(asString(ref.apiVersion) ?? 'apps/v1', asString(ref.kind) ?? 'Deployment'), entry.namespace, name);
    const pod = target && podRefOf(target);
    return pod ? { ...pod, entry } : undefined;
  }
}

/** `Kind/namespace/name`, or `Kind/name` when the object carries no namespace (the Violation format). */
export const objectId = manifestId;

function entryOf(obj: Manifest): Entry {
  const kind = String(obj.kind);
  const name = String(obj.metadata?.name ?? '');
  const namespace = CLUSTER_SCOPED.has(kind) ? '' : (obj.metadata?.namespace ?? 'default');
  return { obj, gk: gkOf(String(obj.apiVersion ?? ''), kind), kind, namespace, name, id: objectId(obj) };
}

function hpaOf(entry: Entry): Autoscaler {
  const spec = asObj(entry.obj.spec) ?? {};
  const ref = asObj(spec.scaleTargetRef) ?? {};
  const apiVersion = asString(ref.apiVersion) ?? '';
  const min = spec.minReplicas;
  return {
    entry,
    type: 'hpa',
    targetGk: gkOf(apiVersion, asString(ref.kind) ?? ''),
    targetName: asString(ref.name) ?? '',
    targetApiVersion: apiVersion,
    minReplicas: typeof min === 'number' ? min : 1,
  };
}

function scaledObjectOf(entry: Entry): Autoscaler {
  const spec = asObj(entry.obj.spec) ?? {};
  const ref = asObj(spec.scaleTargetRef) ?? {};
  // KEDA defaults the target to an apps/v1 Deployment.
  const apiVersion = asString(ref.apiVersion) ?? 'apps/v1';
  const min = spec.minReplicaCount;
  return {
    entry,
    type: 'keda',
    targetGk: gkOf(apiVersion, asString(ref.kind) ?? 'Deployment'),
    targetName: asString(ref.name) ?? '',
    targetApiVersion: apiVersion,
    minReplicas: typeof min === 'number' ? min : 0,
  };
}

/** What every rule family implements: read the model, append violations. */
export interface RuleFamily {
  /** Rule ids this family can emit, for documentation and tests. */
  readonly ids: readonly string[];
  check(model: Model, ctx: ValidationContext, out: Violation[]): void;
}

export function violation(rule: string, entry: Entry, path: string, message: string, severity: Severity = 'error'): Violation {
  return { rule, severity, object: entry.id, path, message };
}
