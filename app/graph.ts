/**
 * The topology of a synthesized environment as a Mermaid flowchart: public hosts → the edge (a
 * Gateway's NGINX pods, or ingress-nginx's Ingresses) → Services → workloads (grouped by node pool), with what routes and scales them — Istio VirtualService weights,
 * Argo Rollout strategies and their Services, KEDA triggers — the calls between services and the data
 * stores each service uses, as the model declares them (`calls`, `uses`, `dataStores`: a store is
 * named by its declared engine, never guessed from a port number). The data layer its operators run
 * is drawn from their custom resources: PgBouncer poolers in front of CloudNativePG clusters, the
 * archives they ship WAL to and the DR replica cluster that replays the primary region's archive,
 * Redis sets with their Sentinels, and the chaos drills that kill their pods.
 *
 * Everything else is read from the emitted objects, in emitted order, so the picture is deterministic
 * and shows what the cluster will run.
 */
import { enabledServices } from '../charts/resolve-service';
import { DataStoreMode, type DataStore, type Environment } from '../environments/schema';
import { WORKLOAD_KINDS, templatePool, workloadsOf, type Workload } from './plan/workloads';
import type { Manifest } from '../lib/core/manifest';
import { at, isPlain, list, type Plain } from '../lib/core/plain';
import { poolerName, redisName } from '../lib/data-names';
import { selectorLabels } from '../lib/labels';
import { serviceName } from '../lib/names';
import { operatedPods, operatedSetName, type OperatedPodSet } from '../lib/operated-pods';

/** A data store as the graph draws it: what the model declares, never what a port suggests. */
export interface GraphStore {
  /** The declared engine (`postgres`, `redis`, ...). */
  readonly engine: string;
  readonly mode: string;
  /** @default - none (an operated store is drawn as its operator's pods) */
  readonly port?: number;
  /** Where it is: the provider's address ranges, or the namespace of its pods. @default - not shown */
  readonly where?: string;
  /** The operator's custom resource whose pods the services connect to (an operated store). @default - none */
  readonly connectsTo?: { readonly kind: string; readonly namespace: string; readonly name: string; readonly role: OperatedPodSet['role'] };
}

/** What only the model says: who calls whom, and which store each service uses. */
export interface GraphModel {
  /** The environment, whose name is part of every service's pod labels. */
  readonly environment: string;
  /** The namespace the services run in. */
  readonly namespace: string;
  /** The enabled services with the services they call and the data stores they use. */
  readonly services: readonly {
    readonly name: string;
    /** What it speaks on its port (`grpc`, `http2`); calls to it are labelled so. @default - http, or no port */
    readonly protocol?: string;
    readonly calls: readonly string[];
    readonly uses: readonly string[];
  }[];
  /** The data stores by name. */
  readonly dataStores: Readonly<Record<string, GraphStore>>;
}

export interface GraphOptions {
  /** Heading comment of the chart, e.g. the environment name. */
  readonly title: string;
  /** Node label whose value is the pool; workloads are grouped by it. @default - no grouping */
  readonly poolLabel?: string;
  /** The calls and data stores the model declares. */
  readonly model: GraphModel;
}

/** How a declared engine is written in the chart. */
const ENGINE_NAMES: Readonly<Record<string, string>> = {
  postgres: 'PostgreSQL',
  redis: 'Redis',
  mongodb: 'MongoDB',
  rabbitmq: 'RabbitMQ',
};

function graphStore(name: string, store: DataStore): GraphStore {
  switch (store.mode) {
    case DataStoreMode.MANAGED:
      return { engine: store.engine, mode: store.mode, port: store.port, where: store.cidrs.join(', ') };
    case DataStoreMode.IN_CLUSTER:
      return { engine: store.engine, mode: store.mode, port: store.port, where: `namespace ${store.namespace}` };
    default:
      return {
        engine: store.engine,
        mode: store.mode,
        connectsTo:
          store.engine === 'postgres'
            ? { kind: 'Pooler', namespace: store.namespace, name: poolerName(name), role: 'pooler' }
            : { kind: 'RedisReplication', namespace: store.namespace, name: redisName(name), role: 'redis' },
      };
  }
}

/** The model's part of the graph: every enabled service's calls and uses, every data store. */
export function graphModel(environment: Environment): GraphModel {
  return {
    environment: environment.name,
    namespace: environment.namespace,
    services: enabledServices(environment).map(([name, spec]) => ({
      name,
      ...('protocol' in spec ? { protocol: spec.protocol } : {}),
      calls: [...spec.calls],
      uses: [...spec.uses],
    })),
    dataStores: Object.fromEntries(Object.entries(environment.dataStores).map(([name, store]) => [name, graphStore(name, store)])),
  };
}

/** The options `npm run graph` and the README draw an environment with. */
export function graphOptions(environment: Environment): GraphOptions {
  return {
    title: `${environment.name}: generated by npm run graph -- --env ${environment.name}`,
    poolLabel: environment.cluster.nodePoolLabel,
    model: graphModel(environment),
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Mermaid labels are quoted; a quote inside one is written as an entity. */
function label(value: string): string {
  return `"${value.replace(/"/g, '#quot;')}"`;
}

type Shape = 'host' | 'service' | 'workload' | 'route' | 'trigger' | 'store';

const SHAPES: Readonly<Record<Shape, (l: string) => string>> = {
  host: (l) => `([${l}])`,
  service: (l) => `[${l}]`,
  workload: (l) => `[[${l}]]`,
  route: (l) => `{{${l}}}`,
  trigger: (l) => `>${l}]`,
  store: (l) => `[(${l})]`,
};

interface GraphNode {
  readonly id: string;
  readonly shape: Shape;
  readonly label: string;
  readonly group: string | undefined;
}

interface GraphEdge {
  readonly from: string;
  readonly to: string;
  labels: string[];
  readonly dotted: boolean;
}

/** Nodes and edges in insertion order; ids are derived from keys and made unique deterministically. */
class Graph {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();
  private readonly ids = new Set<string>();

  node(key: string, shape: Shape, nodeLabel: string, group?: string): string {
    const existing = this.nodes.get(key);
    if (existing) return existing.id;
    const base = key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
    let id = base;
    for (let n = 2; this.ids.has(id); n++) id = `${base}_${n}`;
    this.ids.add(id);
    this.nodes.set(key, { id, shape, label: nodeLabel, group });
    return id;
  }

  /** One edge per pair; a second edge between the same nodes adds its label to the first. */
  edge(from: string, to: string, edgeLabel?: string, dotted = false): void {
    const key = `${from}->${to}`;
    const existing = this.edges.get(key);
    if (existing) {
      if (edgeLabel !== undefined && !existing.labels.includes(edgeLabel)) existing.labels.push(edgeLabel);
      return;
    }
    this.edges.set(key, { from, to, labels: edgeLabel === undefined ? [] : [edgeLabel], dotted });
  }
}

function objectKey(o: Manifest): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Kinds drawn as workloads: the plan's (they run pods all the time) and CronJobs (their pods run on a schedule). */
const DRAWN_KINDS: readonly string[] = [...WORKLOAD_KINDS, 'CronJob'];

/** The pod template of a workload; a CronJob's is in its Job template. */
function podTemplate(o: Manifest): unknown {
  return o.kind === 'CronJob' ? at(o, 'spec', 'jobTemplate', 'spec', 'template') : at(o, 'spec', 'template');
}

function templateLabels(o: Manifest): Plain {
  const labels = at(podTemplate(o), 'metadata', 'labels');
  return isPlain(labels) ? labels : {};
}

/** Does a `matchLabels`-style selector select these labels? An empty selector selects nothing here. */
function selects(selector: unknown, labels: Plain): boolean {
  if (!isPlain(selector)) return false;
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function range(w: Workload): string {
  const pods = w.replicas.min === w.replicas.max ? `${w.replicas.min}` : `${w.replicas.min}-${w.replicas.max}`;
  const by = BY[w.autoscaler] ?? 'fixed';
  return `${pods} pods, ${by}`;
}

const BY: Readonly<Record<string, string>> = {
  HorizontalPodAutoscaler: 'HPA',
  ScaledObject: 'KEDA',
  NginxProxy: 'NginxProxy',
  operator: 'operator',
  ResourceQuota: 'quota',
};

/** `backend.platform.svc.cluster.local` → the Service it names; undefined for a host outside the cluster. */
function clusterService(host: string | undefined): { name: string; namespace: string } | undefined {
  const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local\.?$/.exec(host ?? '');
  return match === null ? undefined : { name: match[1]!, namespace: match[2]! };
}

const STRATEGY_NAMES: Readonly<Record<string, string>> = { blueGreen: 'blue-green', canary: 'canary' };

class TopologyBuilder {
  readonly graph = new Graph();
  private readonly workloads: Workload[];
  private readonly byService = new Map<string, string>();

  constructor(
    private readonly objects: readonly Manifest[],
    private readonly options: GraphOptions,
  ) {
    this.workloads = workloadsOf(objects, options.poolLabel ?? '');
  }

  build(): Graph {
    // Order: the edge first, then what it reaches, so Mermaid lays the chart out left to right.
    for (const o of this.objects) if (o.kind === 'Ingress') this.ingress(o);
    for (const o of this.objects) if (o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute') this.httpRoute(o);
    for (const o of this.objects) if (o.kind === 'Service' && !this.isEdgeUpstream(o)) this.service(o);
    for (const o of this.objects) if (DRAWN_KINDS.includes(o.kind)) this.workload(o);
    for (const o of this.objects)
      if (o.kind === 'VirtualService' && o.apiVersion.startsWith('networking.istio.io/')) this.virtualService(o);
    for (const o of this.objects) if (o.kind === 'Rollout') this.rolloutServices(o);
    for (const o of this.objects) if (o.kind === 'ScaledObject' && o.apiVersion.startsWith('keda.sh/')) this.triggers(o);
    for (const o of this.objects) for (const set of operatedPods(o)) this.operatedNode(set);
    for (const o of this.objects) if (o.kind === 'ObjectStore') this.archive(o);
    for (const o of this.objects) if (o.kind === 'NetworkPolicy') this.egress(o);
    this.declared();
    for (const o of this.objects) if (o.kind === 'Schedule' && o.apiVersion.startsWith('chaos-mesh.org/')) this.drill(o);
    return this.graph;
  }

  /** The data-store pod sets an operator runs for its custom resources, in their pool. */
  private readonly operated: { set: OperatedPodSet; id: string }[] = [];

  private operatedNode(set: OperatedPodSet): string {
    const o = set.owner;
    const key = `${objectKey(o)}/${set.role}`;
    const existing = this.operated.find((x) => x.set.owner === o && x.set.role === set.role);
    if (existing) return existing.id;
    const w = this.workloads.find(
      (x) =>
        x.kind === o.kind && x.namespace === (o.metadata.namespace ?? '') && x.autoscaler === 'operator' && x.name === operatedSetName(set),
    );
    const pods = `${set.replicas} pod${set.replicas === 1 ? '' : 's'}`;
    const description: Record<OperatedPodSet['role'], () => string> = {
      instances: () => {
        const source = text(at(o, 'spec', 'replica', 'source'));
        const replica = source !== undefined && text(at(o, 'spec', 'replica', 'primary')) !== text(at(o, 'spec', 'replica', 'self'));
        return replica ? `PostgreSQL DR replica of ${source}, ${pods}` : `PostgreSQL, ${pods}`;
      },
      pooler: () => `PgBouncer ${text(at(o, 'spec', 'pgbouncer', 'poolMode')) ?? 'session'}, ${pods}`,
      redis: () => `Redis, ${pods}`,
      sentinel: () => `Redis Sentinel, ${pods}`,
    };
    const name = operatedSetName(set);
    const id = this.graph.node(key, 'store', `${o.kind} ${name}<br/>${description[set.role]()}`, w?.pool);
    this.operated.push({ set, id });
    if (set.role === 'pooler') {
      const cluster = this.objects.find(
        (x) =>
          x.kind === 'Cluster' &&
          x.metadata.name === text(at(o, 'spec', 'cluster', 'name')) &&
          (x.metadata.namespace ?? '') === (o.metadata.namespace ?? ''),
      );
      const target = cluster === undefined ? undefined : operatedPods(cluster)[0];
      if (target !== undefined) this.graph.edge(id, this.operatedNode(target), text(at(o, 'spec', 'type')) ?? 'rw');
    }
    if (set.role === 'sentinel') {
      const replication = this.objects.find(
        (x) =>
          x.kind === 'RedisReplication' &&
          x.metadata.name === text(at(o, 'spec', 'redisSentinelConfig', 'redisReplicationName')) &&
          (x.metadata.namespace ?? '') === (o.metadata.namespace ?? ''),
      );
      const redis = replication === undefined ? undefined : operatedPods(replication).find((x) => x.role === 'redis');
      if (redis !== undefined) this.graph.edge(id, this.operatedNode(redis), 'fails over', true);
    }
    return id;
  }

  /** A Barman Cloud archive: the cluster that ships to it, and the one that replays it (the DR replica). */
  private archive(o: Manifest): void {
    const namespace = o.metadata.namespace ?? '';
    const id = this.graph.node(
      objectKey(o),
      'store',
      `ObjectStore ${o.metadata.name}<br/>${text(at(o, 'spec', 'configuration', 'destinationPath')) ?? ''}`,
    );
    for (const cluster of this.objects.filter((x) => x.kind === 'Cluster' && (x.metadata.namespace ?? '') === namespace)) {
      const instances = operatedPods(cluster)[0];
      if (instances === undefined) continue;
      const node = this.operatedNode(instances);
      const archiver = list(at(cluster, 'spec', 'plugins')).find((p) => at(p, 'isWALArchiver') === true);
      if (text(at(archiver, 'parameters', 'barmanObjectName')) === o.metadata.name) this.graph.edge(node, id, 'WAL + base backups');
      const source = text(at(cluster, 'spec', 'replica', 'source'));
      const replica =
        source !== undefined && text(at(cluster, 'spec', 'replica', 'primary')) !== text(at(cluster, 'spec', 'replica', 'self'));
      const external = list(at(cluster, 'spec', 'externalClusters')).find((e) => text(at(e, 'name')) === source);
      if (text(at(external, 'plugin', 'parameters', 'barmanObjectName')) !== o.metadata.name) continue;
      this.graph.edge(id, node, replica ? 'replays (DR replica)' : `feeds DR replica ${source}`, true);
    }
  }

  /** A Chaos Mesh Schedule: which pods it kills, and when. */
  private drill(o: Manifest): void {
    const selector = at(o, 'spec', 'podChaos', 'selector');
    const namespaces = list(at(selector, 'namespaces')).map(text);
    const labels = at(selector, 'labelSelectors');
    const action = text(at(o, 'spec', 'podChaos', 'action')) ?? text(at(o, 'spec', 'type')) ?? 'chaos';
    const id = this.graph.node(objectKey(o), 'trigger', `Chaos Mesh ${action}<br/>${text(at(o, 'spec', 'schedule')) ?? ''}`);
    for (const w of this.objects.filter((x) => DRAWN_KINDS.includes(x.kind))) {
      if (namespaces.includes(w.metadata.namespace ?? '') && selects(labels, templateLabels(w)))
        this.graph.edge(id, this.workloadNode(w), 'kills', true);
    }
    for (const { set, id: node } of this.operated) {
      if (namespaces.includes(set.owner.metadata.namespace ?? '') && selects(labels, set.labels)) this.graph.edge(id, node, 'kills', true);
    }
  }

  private hostNode(host: string): string {
    return this.graph.node(`host/${host}`, 'host', host);
  }

  /** A Service by name; one the objects do not define (another namespace, another team) still gets a node. */
  private serviceNode(name: string, namespace = ''): string {
    const known = this.objects.find(
      (o) => o.kind === 'Service' && o.metadata.name === name && (namespace === '' || (o.metadata.namespace ?? '') === namespace),
    );
    if (known) return this.service(known);
    return this.graph.node(`Service//${name}`, 'service', `Service ${name}`);
  }

  private ingress(o: Manifest): void {
    for (const rule of list(at(o, 'spec', 'rules'))) {
      const host = this.hostNode(text(at(rule, 'host')) ?? '*');
      for (const path of list(at(rule, 'http', 'paths'))) {
        const name = text(at(path, 'backend', 'service', 'name'));
        if (name === undefined) continue;
        this.graph.edge(host, this.serviceNode(name, o.metadata.namespace), text(at(path, 'path')) ?? '/');
      }
    }
  }

  /** An edge ExternalName Service that stands for a platform Service: drawn as that Service. */
  private isEdgeUpstream(o: Manifest): boolean {
    return at(o, 'spec', 'type') === 'ExternalName' && clusterService(text(at(o, 'spec', 'externalName'))) !== undefined;
  }

  /** A Gateway's NGINX pods, in their pool, with their replica count. */
  private gatewayNode(namespace: string, name: string): string {
    const w = this.workloads.find((x) => x.kind === 'Gateway' && x.name === name && x.namespace === namespace);
    const detail = w === undefined ? '' : `<br/>NGINX, ${range(w)}`;
    return this.graph.node(`Gateway/${namespace}/${name}`, 'workload', `Gateway ${name}${detail}`, w?.pool);
  }

  /** Hosts → the Gateway → each backend's Service (through its ExternalName), labelled with the path (`gRPC` for a GRPCRoute). */
  private httpRoute(o: Manifest): void {
    const namespace = o.metadata.namespace ?? '';
    const rules = list(at(o, 'spec', 'rules'));
    const backends = rules.flatMap((rule) => list(at(rule, 'backendRefs')).map((ref) => ({ rule, ref })));
    if (backends.length === 0) return; // the HTTP → HTTPS redirect
    for (const parent of list(at(o, 'spec', 'parentRefs'))) {
      const gateway = this.gatewayNode(text(at(parent, 'namespace')) ?? namespace, text(at(parent, 'name')) ?? '');
      for (const host of list(at(o, 'spec', 'hostnames'))) this.graph.edge(this.hostNode(String(host)), gateway);
      for (const { rule, ref } of backends) {
        const name = text(at(ref, 'name')) ?? '';
        const upstream = this.objects.find(
          (x) => x.kind === 'Service' && x.metadata.name === name && (x.metadata.namespace ?? '') === namespace,
        );
        const target = clusterService(text(at(upstream, 'spec', 'externalName')));
        const service = target === undefined ? this.serviceNode(name, namespace) : this.serviceNode(target.name, target.namespace);
        const path = o.kind === 'GRPCRoute' ? 'gRPC' : (text(at(list(at(rule, 'matches'))[0], 'path', 'value')) ?? '/');
        this.graph.edge(gateway, service, path);
      }
    }
  }

  private service(o: Manifest): string {
    const key = objectKey(o);
    const existing = this.byService.get(key);
    if (existing) return existing;
    const external = text(at(o, 'spec', 'externalName'));
    const id =
      at(o, 'spec', 'type') === 'ExternalName' && external !== undefined
        ? this.graph.node(key, 'store', `${o.metadata.name}<br/>${external}`)
        : this.graph.node(key, 'service', `Service ${o.metadata.name}`);
    this.byService.set(key, id);
    return id;
  }

  private workloadNode(o: Manifest): string {
    const w = this.workloads.find((x) => x.kind === o.kind && x.name === o.metadata.name && x.namespace === (o.metadata.namespace ?? ''));
    const strategy = w?.strategy === undefined ? '' : `${STRATEGY_NAMES[w.strategy] ?? w.strategy}, `;
    const schedule = text(at(o, 'spec', 'schedule'));
    const detail = w !== undefined ? `<br/>${strategy}${range(w)}` : schedule !== undefined ? `<br/>${schedule}` : '';
    const pool = this.options.poolLabel === undefined ? undefined : templatePool(podTemplate(o), this.options.poolLabel);
    return this.graph.node(objectKey(o), 'workload', `${o.kind} ${o.metadata.name}${detail}`, pool);
  }

  private workload(o: Manifest): void {
    const id = this.workloadNode(o);
    const labels = templateLabels(o);
    for (const svc of this.objects) {
      if (svc.kind !== 'Service' || (svc.metadata.namespace ?? '') !== (o.metadata.namespace ?? '')) continue;
      if (selects(at(svc, 'spec', 'selector'), labels)) this.graph.edge(this.service(svc), id);
    }
  }

  /** A VirtualService sits between the Service its host names and the weighted destinations. */
  private virtualService(o: Manifest): void {
    const id = this.graph.node(objectKey(o), 'route', `VirtualService ${o.metadata.name}`);
    const fronted = new Set<string>();
    for (const host of list(at(o, 'spec', 'hosts')).map(text)) {
      if (host === undefined) continue;
      const svc = this.objects.find((s) => s.kind === 'Service' && (host === s.metadata.name || host.startsWith(`${s.metadata.name}.`)));
      if (svc) {
        this.graph.edge(this.service(svc), id, 'routed by', true);
        fronted.add(this.service(svc));
      } else {
        this.graph.edge(this.hostNode(host), id);
      }
    }
    for (const protocol of ['http', 'tls', 'tcp']) {
      for (const route of list(at(o, 'spec', protocol))) {
        const destinations = list(at(route, 'route'));
        for (const d of destinations) {
          const host = text(at(d, 'destination', 'host'));
          if (host === undefined) continue;
          const weight = at(d, 'weight');
          const share = typeof weight === 'number' ? `${weight}%` : destinations.length === 1 ? '100%' : 'weight unset';
          const subset = text(at(d, 'destination', 'subset'));
          const target = this.serviceNode(host.split('.')[0]!);
          // All traffic back to the Service the route fronts (timeouts and retries only) adds no information.
          if (fronted.has(target) && subset === undefined && share === '100%') continue;
          this.graph.edge(id, target, subset === undefined ? share : `${share} ${subset}`);
        }
      }
    }
  }

  /** Argo Rollouts name the Services they switch (blue-green) or split (canary) between. */
  private rolloutServices(o: Manifest): void {
    const id = this.workloadNode(o);
    const roles: [string[], string][] = [
      [['blueGreen', 'activeService'], 'active'],
      [['blueGreen', 'previewService'], 'preview'],
      [['canary', 'stableService'], 'stable'],
      [['canary', 'canaryService'], 'canary'],
    ];
    for (const [path, role] of roles) {
      const name = text(at(o, 'spec', 'strategy', ...path));
      if (name !== undefined) this.graph.edge(this.serviceNode(name, o.metadata.namespace), id, role);
    }
    const istio = at(o, 'spec', 'strategy', 'canary', 'trafficRouting', 'istio');
    const routes = [at(istio, 'virtualService'), ...list(at(istio, 'virtualServices'))];
    for (const route of routes) {
      const name = text(at(route, 'name'));
      const vs = this.objects.find((x) => x.kind === 'VirtualService' && x.metadata.name === name);
      if (vs) this.graph.edge(id, this.graph.node(objectKey(vs), 'route', `VirtualService ${vs.metadata.name}`), 'sets weights', true);
    }
  }

  private triggers(o: Manifest): void {
    const kind = text(at(o, 'spec', 'scaleTargetRef', 'kind')) ?? 'Deployment';
    const name = text(at(o, 'spec', 'scaleTargetRef', 'name'));
    const target = this.objects.find((x) => x.kind === kind && x.metadata.name === name);
    if (!target) return;
    const id = this.workloadNode(target);
    list(at(o, 'spec', 'triggers')).forEach((trigger, i) => {
      const type = text(at(trigger, 'type')) ?? 'trigger';
      const metadata = at(trigger, 'metadata');
      const detail = ['listName', 'queueName', 'topic', 'stream', 'query', 'metricName']
        .map((key) => text(at(metadata, key)))
        .find((v) => v !== undefined);
      const trig = this.graph.node(
        `${objectKey(o)}/trigger/${i}`,
        'trigger',
        detail === undefined ? `KEDA ${type}` : `KEDA ${type}<br/>${detail}`,
      );
      this.graph.edge(trig, id, 'scales', true);
    });
  }

  /**
   * Egress to an operated store's pods (a pooler, a Redis set) is drawn to that store's node. Egress to
   * addresses is not drawn: a port number does not say what listens there (the stores the services
   * use come from the model, see declared()).
   */
  private egress(o: Manifest): void {
    const namespace = o.metadata.namespace ?? '';
    const selector = at(o, 'spec', 'podSelector', 'matchLabels');
    // An empty podSelector ({}) selects every pod of the namespace.
    const everyPod = selector === undefined || (isPlain(selector) && Object.keys(selector).length === 0);
    const sources = this.objects.filter(
      (w) =>
        DRAWN_KINDS.includes(w.kind) && (w.metadata.namespace ?? '') === namespace && (everyPod || selects(selector, templateLabels(w))),
    );
    for (const rule of list(at(o, 'spec', 'egress'))) {
      const operated = list(at(rule, 'to')).flatMap((peer) => {
        const ns = text(at(peer, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name')) ?? namespace;
        return this.operated.filter(
          (x) => (x.set.owner.metadata.namespace ?? '') === ns && selects(at(peer, 'podSelector', 'matchLabels'), x.set.labels),
        );
      });
      for (const target of operated) for (const source of sources) this.graph.edge(this.workloadNode(source), target.id);
    }
  }

  /** The workloads that run a service's pods (each track's), found by the labels every one of its pods carries. */
  private workloadsOfService(service: string): Manifest[] {
    const { environment, namespace } = this.options.model;
    const labels = selectorLabels({ name: service, environment });
    return this.objects.filter(
      (o) => DRAWN_KINDS.includes(o.kind) && (o.metadata.namespace ?? '') === namespace && selects(labels, templateLabels(o)),
    );
  }

  /** A declared data store: its operator's pods when they are in the objects, else a node of its own. */
  private storeNode(name: string): string | undefined {
    const store = this.options.model.dataStores[name];
    if (store === undefined) return undefined;
    const to = store.connectsTo;
    const owner =
      to === undefined
        ? undefined
        : this.objects.find((o) => o.kind === to.kind && o.metadata.name === to.name && (o.metadata.namespace ?? '') === to.namespace);
    const set = owner === undefined ? undefined : operatedPods(owner).find((x) => x.role === to?.role);
    if (set !== undefined) return this.operatedNode(set);
    const engine = ENGINE_NAMES[store.engine] ?? store.engine;
    const port = store.port === undefined ? '' : ` :${store.port}`;
    const where = store.where === undefined ? '' : `<br/>${store.where}`;
    return this.graph.node(`store/${name}`, 'store', `${name}<br/>${engine}, ${store.mode}${port}${where}`);
  }

  /** The model's calls (workload → the callee's Service) and uses (workload → the store). */
  private declared(): void {
    const { model } = this.options;
    for (const service of model.services) {
      const callers = this.workloadsOfService(service.name);
      for (const callee of service.calls) {
        const target = this.serviceNode(serviceName(callee), model.namespace);
        const protocol = model.services.find((s) => s.name === callee)?.protocol;
        const label = protocol === undefined || protocol === 'http' ? 'calls' : `calls (${protocol})`;
        for (const caller of callers) this.graph.edge(this.workloadNode(caller), target, label);
      }
      for (const store of service.uses) {
        const target = this.storeNode(store);
        if (target === undefined) continue;
        for (const caller of callers) this.graph.edge(this.workloadNode(caller), target, `uses ${store}`);
      }
    }
  }
}

function nodeLine(node: GraphNode, indent: string): string {
  return `${indent}${node.id}${SHAPES[node.shape](label(node.label))}`;
}

function edgeLine(edge: GraphEdge): string {
  const arrow = edge.dotted ? '-.->' : '-->';
  return edge.labels.length === 0
    ? `  ${edge.from} ${arrow} ${edge.to}`
    : `  ${edge.from} ${arrow}|${label(edge.labels.join(', '))}| ${edge.to}`;
}

/** The Mermaid source of the topology; the same objects always give the same text. */
export function topologyMermaid(objects: readonly Manifest[], options: GraphOptions): string {
  const graph = new TopologyBuilder(objects, options).build();
  const nodes = [...graph.nodes.values()];
  const groups = [...new Set(nodes.map((n) => n.group).filter((g): g is string => g !== undefined))];
  const lines = [
    'flowchart LR',
    `  %% ${options.title}`,
    ...nodes.filter((n) => n.group === undefined).map((n) => nodeLine(n, '  ')),
    ...groups.flatMap((group) => [
      `  subgraph ${`pool_${group}`.replace(/[^A-Za-z0-9]+/g, '_')}[${label(`node pool ${group}`)}]`,
      ...nodes.filter((n) => n.group === group).map((n) => nodeLine(n, '    ')),
      '  end',
    ]),
    ...[...graph.edges.values()].map(edgeLine),
  ];
  return `${lines.join('\n')}\n`;
}

/** The chart as a Markdown document with a fenced mermaid block, as GitHub renders it. */
export function topologyMarkdown(objects: readonly Manifest[], options: GraphOptions): string {
  return `\`\`\`mermaid\n${topologyMermaid(objects, options)}\`\`\`\n`;
}
