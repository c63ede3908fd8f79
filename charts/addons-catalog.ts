/**
 * The controllers the platform's manifests need, configured for one environment. Each add-on exists
 * because something in dist/<env>/ depends on it:
 *
 * | add-on | what in the apps needs it |
 * | --- | --- |
 * | kube-prometheus-stack | ServiceMonitors, PrometheusRules, and the Prometheus that analysis runs query |
 * | istio-base, istio-cni, istiod | VirtualServices, DestinationRules, mTLS and authorization (mesh only) |
 * | cert-manager | the ClusterIssuer and the public Certificate |
 * | external-secrets | the ClusterSecretStore and every ExternalSecret |
 * | keda | the queue workers' ScaledObjects and TriggerAuthentications |
 * | argo-rollouts | Rollouts and AnalysisTemplates |
 * | ingress-nginx | the public Ingresses (HSTS, TLS 1.3 and the per-IP rate limit) |
 * | cloudnative-pg, plugin-barman-cloud | operated PostgreSQL: Clusters, Poolers, ScheduledBackups, ObjectStores |
 * | redis-operator | operated Redis: RedisReplications with their Sentinels |
 * | chaos-mesh | the chaos drills' Schedules (`chaos.podKill`) |
 */
import type { Environment } from '../environments/schema';
import { EdgeImplementation } from '../environments/schema';
import type { AddonNamespaceSpec, ClusterAddon } from '../lib/addons/addon';
import { CHART_FACTS } from '../lib/addons/chart-facts';
import { CHARTS } from '../lib/addons/chart-versions';
import {
  Addon,
  ARGO_ROLLOUTS_NAMESPACE,
  CERT_MANAGER_NAMESPACE,
  CHAOS_MESH_NAMESPACE,
  CNPG_NAMESPACE,
  REDIS_OPERATOR_NAMESPACE,
  ISTIO_CNI_NAMESPACE,
  ISTIO_NAMESPACE,
  KEDA_NAMESPACE,
  NGINX_GATEWAY_NAMESPACE,
} from '../lib/addons/names';
import { inDependencyOrder } from '../lib/addons/order';
import { clusterAddress } from '../lib/cluster-address';
import { NGINX_CLASS, nginxControllerSettings } from '../lib/constructs/edge-ingress';
import { PodSecurityLevel } from '../lib/pod-security';
import { EXTERNAL_SECRETS_NAMESPACE } from '../lib/constructs/secret-store';
import { workloadIdentityAnnotations } from '../lib/workload-identity';
import { GATEWAY_CLASS, INGRESS_NGINX_SERVICE_ACCOUNT } from '../lib/names';
import { drillsEnabled } from './chaos-chart';
import { operatedPostgres, operatedRedis } from './resolve-data-store';

/**
 * The Prometheus the analysis runs query is the stack's: its namespace comes from the same URL the
 * workloads are configured with, so the two cannot point at different places.
 * @throws Error when monitoring.prometheusUrl is not an in-cluster Service URL.
 */
export function monitoringNamespace(environment: Environment): string {
  const address = clusterAddress(environment.monitoring.prometheusUrl);
  if (address === undefined) {
    throw new Error(
      `${environment.name}: monitoring.prometheusUrl = "${environment.monitoring.prometheusUrl}": must be an in-cluster Service URL ` +
        '(http://<service>.<namespace>.svc.cluster.local:<port>) to install kube-prometheus-stack into its namespace',
    );
  }
  return address.namespace;
}

/** Istio's name for the cluster's platform; GKE needs it for the CNI binary directory. */
function istioPlatform(environment: Environment): { global?: { platform: string } } {
  return environment.cluster.nodePoolLabel.startsWith('cloud.google.com/') ? { global: { platform: 'gke' } } : {};
}

/** Two replicas of a controller in production, so a node drain never takes its webhook away. */
function controllerReplicas(environment: Environment): number {
  return environment.tier === 'production' ? 2 : 1;
}

/**
 * The chart's own PodDisruptionBudget (`podDisruptionBudget.enabled`, minAvailable 1 by default) where a
 * controller runs two replicas: without it a drain may evict both at once. One replica gets none, which
 * would block every drain of its node.
 */
function disruptionBudget(replicas: number): { podDisruptionBudget?: { enabled: true } } {
  return replicas > 1 ? { podDisruptionBudget: { enabled: true } } : {};
}

/**
 * Where a controller's replicas go when it runs more than one: on different nodes, and zones, where the
 * cluster has them, never at the cost of placing one (preferred anti-affinity). The terms select the
 * pods of the same ReplicaSet whatever labels the chart gives them: an empty selector narrowed by
 * `matchLabelKeys: [pod-template-hash]`, which the API server merges in from each pod's own labels
 * (PodAffinityTerm.matchLabelKeys, beta and on by default since Kubernetes 1.31). Every chart here takes
 * a pod `affinity` beside its replica count.
 */
function spreadReplicas(replicas: number): { affinity?: Record<string, unknown> } {
  if (replicas <= 1) return {};
  const term = (topologyKey: string) => ({ labelSelector: {}, matchLabelKeys: ['pod-template-hash'], topologyKey });
  return {
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: term('kubernetes.io/hostname') },
          { weight: 50, podAffinityTerm: term('topology.kubernetes.io/zone') },
        ],
      },
    },
  };
}

function restricted(name: string, labels: Record<string, string> = {}): AddonNamespaceSpec {
  return { name, enforce: PodSecurityLevel.RESTRICTED, labels };
}

function kubePrometheusStack(environment: Environment): ClusterAddon {
  return {
    name: Addon.KUBE_PROMETHEUS_STACK,
    chart: CHARTS.kubePrometheusStack,
    // Every pod the chart makes passes "restricted" once node-exporter is off (chart facts).
    namespace: restricted(monitoringNamespace(environment)),
    dependsOn: [],
    values: {
      // node-exporter reads the host through hostNetwork, hostPID and hostPath mounts, which no Pod
      // Security level short of "privileged" admits. Node metrics come from the kubelet (cAdvisor)
      // and the cloud's monitoring; the recording and alerting rules for node-exporter go with it.
      nodeExporter: { enabled: false },
      defaultRules: { rules: { nodeExporterAlerting: false, nodeExporterRecording: false } },
      // ApiDown reads the API Service's Endpoints (kube_endpoint_*), which kube-state-metrics exports
      // from its "endpoints" collector: not in the subchart's default list (endpointslices is).
      'kube-state-metrics': { collectorsExtra: ['endpoints'] },
      // The Grafana chart generates a new admin password on every render, which Argo CD (rendering on
      // every sync) would apply and restart Grafana for. The platform ships no dashboards: teams add
      // Grafana with an admin Secret from their secret store.
      grafana: { enabled: false },
      prometheus: {
        prometheusSpec: {
          // Select every ServiceMonitor and rule in the cluster, not only those labelled with this
          // release: the platform's are emitted by cdk8s and know nothing of the Helm release.
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelectorNilUsesHelmValues: false,
          ruleSelectorNilUsesHelmValues: false,
        },
      },
    },
  };
}

function istioAddons(environment: Environment): ClusterAddon[] {
  const platform = istioPlatform(environment);
  // istiod is "restricted" once its container gets a seccomp profile (chart facts).
  const istioSystem = restricted(ISTIO_NAMESPACE);
  // Rendered as Fail from the start: istiod switches its validating webhooks to Fail once it serves,
  // and a chart that renders Ignore would be put back by every sync (the chart's own advice for
  // server-side apply tools).
  const validation = { base: { validationFailurePolicy: 'Fail' } };
  return [
    { name: Addon.ISTIO_BASE, chart: CHARTS.istioBase, namespace: istioSystem, dependsOn: [], values: validation },
    {
      name: Addon.ISTIO_CNI,
      chart: CHARTS.istioCni,
      // The CNI node agent sets up each pod's traffic redirection, so sidecar-injected pods need no
      // privileged istio-init container and keep Pod Security "restricted".
      namespace: { name: ISTIO_CNI_NAMESPACE, labels: {} },
      dependsOn: [Addon.ISTIO_BASE],
      // The node agent's AppArmor profile goes in its securityContext (appArmorProfile, GA in 1.30),
      // not in the annotation the chart writes by default for 1.29, which the API server warns is
      // deprecated (found by verify's admission of the rendered chart).
      values: { ...platform, useAppArmorAnnotation: false },
    },
    {
      name: Addon.ISTIOD,
      chart: CHARTS.istiod,
      namespace: istioSystem,
      // Injected pods must find the CNI agent ready, or they start without traffic redirection.
      dependsOn: [Addon.ISTIO_BASE, Addon.ISTIO_CNI],
      values: {
        ...validation,
        global: {
          ...platform.global,
          // Every injected container runs under RuntimeDefault seccomp, as Pod Security "restricted" requires.
          proxy: { seccompProfile: { type: 'RuntimeDefault' } },
        },
        pilot: { cni: { enabled: true }, autoscaleMin: controllerReplicas(environment) },
        meshConfig: { trustDomain: environment.mesh.trustDomain },
      },
    },
  ];
}

/** The retired ingress-nginx, for clusters that still run it (`ingress.implementation: ingress-nginx`). */
function ingressNginx(environment: Environment): ClusterAddon {
  const { ingress, mesh } = environment;
  return {
    name: Addon.INGRESS_NGINX,
    chart: CHARTS.ingressNginx,
    // In the mesh the controller carries a sidecar: its identity is what the services' authorization
    // policies allow, and its requests to them are mTLS.
    namespace: restricted(ingress.namespace, mesh.enabled ? { 'istio-injection': 'enabled' } : {}),
    dependsOn: [Addon.KUBE_PROMETHEUS_STACK, ...(mesh.enabled ? [Addon.ISTIOD] : [])],
    values: {
      controller: {
        replicaCount: ingress.replicas,
        ...spreadReplicas(ingress.replicas),
        // Memory is guaranteed (limit = request); CPU is not capped, since throttling the edge adds
        // latency to every request.
        resources: { requests: { cpu: ingress.cpu, memory: ingress.memory }, limits: { memory: ingress.memory } },
        nodeSelector: { [environment.cluster.nodePoolLabel]: ingress.pool },
        // HSTS and TLS 1.3 only: controller-wide settings; rate limits stay per Ingress.
        config: nginxControllerSettings(),
        ingressClass: NGINX_CLASS,
        ingressClassResource: { name: NGINX_CLASS, controllerValue: 'k8s.io/ingress-nginx' },
        service: {
          // Keep the client's address through the load balancer: rate limits key on it.
          externalTrafficPolicy: 'Local',
          // Each client address stays on one controller replica, whose count is the one that limits it.
          sessionAffinity: 'ClientIP',
        },
        metrics: { enabled: true, serviceMonitor: { enabled: true } },
        // Client traffic reaches NGINX directly; only its calls to the services go through the sidecar.
        ...(mesh.enabled ? { podAnnotations: { 'traffic.sidecar.istio.io/includeInboundPorts': '' } } : {}),
      },
      // The name the services' authorization policies allow.
      serviceAccount: { name: INGRESS_NGINX_SERVICE_ACCOUNT },
    },
  };
}

/**
 * NGINX Gateway Fabric's control plane. It provisions each Gateway's NGINX pods in the Gateway's own
 * namespace (the edge's), from the Gateway's NginxProxy; its own namespace takes no sidecars, so its
 * certificate Job completes.
 */
function nginxGatewayFabric(environment: Environment): ClusterAddon {
  return {
    name: Addon.NGINX_GATEWAY_FABRIC,
    chart: CHARTS.nginxGatewayFabric,
    namespace: restricted(NGINX_GATEWAY_NAMESPACE),
    dependsOn: [Addon.KUBE_PROMETHEUS_STACK, ...(environment.mesh.enabled ? [Addon.ISTIOD] : [])],
    values: {
      nginxGateway: {
        gatewayClassName: GATEWAY_CLASS,
        replicas: controllerReplicas(environment),
        ...spreadReplicas(controllerReplicas(environment)),
        // No usage reports leave the cluster.
        productTelemetry: { enable: false },
        // Snippets inject raw NGINX configuration: off, as by default.
        snippets: { enable: false },
      },
    },
  };
}

/**
 * The data layer's operators, each only where the environment runs what it operates: CloudNativePG and
 * its Barman Cloud plugin (which must share the operator's namespace, and takes its certificates from
 * cert-manager) for operated PostgreSQL, the redis-operator for operated Redis. Every pod is "restricted".
 */
function dataOperators(environment: Environment): ClusterAddon[] {
  const replicas = controllerReplicas(environment);
  const postgres: ClusterAddon[] =
    operatedPostgres(environment).length === 0
      ? []
      : [
          {
            name: Addon.CLOUDNATIVE_PG,
            chart: CHARTS.cloudnativePg,
            namespace: restricted(CNPG_NAMESPACE),
            dependsOn: [Addon.KUBE_PROMETHEUS_STACK],
            values: { replicaCount: replicas, ...spreadReplicas(replicas), monitoring: { podMonitorEnabled: true } },
          },
          {
            name: Addon.BARMAN_CLOUD,
            chart: CHARTS.barmanCloud,
            namespace: restricted(CNPG_NAMESPACE),
            dependsOn: [Addon.CLOUDNATIVE_PG, Addon.CERT_MANAGER],
            values: {},
          },
        ];
  const redis: ClusterAddon[] =
    operatedRedis(environment).length === 0
      ? []
      : [
          {
            name: Addon.REDIS_OPERATOR,
            chart: CHARTS.redisOperator,
            namespace: restricted(REDIS_OPERATOR_NAMESPACE),
            dependsOn: [Addon.KUBE_PROMETHEUS_STACK],
            // The image is pinned by the chart's appVersion: no need to pull it on every start.
            values: { redisOperator: { imagePullPolicy: 'IfNotPresent' }, replicas, ...spreadReplicas(replicas) },
          },
        ];
  return [...postgres, ...redis];
}

/**
 * A node label no node carries: the chaos-daemon DaemonSet selects it, so it runs on no node. Every drill
 * the model can express is a pod kill, which Chaos Mesh's controller does itself with a pod delete
 * (controllers/chaosimpl/podchaos/podkill/impl.go, v2.8.3); the daemon (host PID, the container
 * runtime's socket) is needed only by chaos that enters a container, which no drill here does.
 */
export const CHAOS_DAEMON_NODE_SELECTOR: Readonly<Record<string, string>> = { 'chaos-daemon': 'allowed' };

/**
 * Chaos Mesh, where the environment runs drills. Its chaos-daemon (always rendered: the chart has no
 * switch for it) is privileged and its controller adds SYS_PTRACE, so its namespace enforces "privileged"
 * (warned and audited at "restricted"); pod-kill drills need neither, so the daemon's DaemonSet selects a
 * node label no node carries and runs no pod (chaosDaemon.nodeSelector). Only
 * namespaces annotated for it may be touched (`enableFilterNamespace`), no dashboard or DNS server
 * runs, and the webhooks' certificate comes from cert-manager (a chart-made one changes on every
 * render, which Argo CD would apply on every sync).
 */
function chaosMesh(environment: Environment): ClusterAddon[] {
  if (!drillsEnabled(environment)) return [];
  return [
    {
      name: Addon.CHAOS_MESH,
      chart: CHARTS.chaosMesh,
      namespace: {
        name: CHAOS_MESH_NAMESPACE,
        enforce: PodSecurityLevel.PRIVILEGED,
        labels: {},
        reason: 'chaos-daemon is privileged (host PID, container runtime socket) and the controller adds SYS_PTRACE',
      },
      dependsOn: [Addon.CERT_MANAGER],
      values: {
        controllerManager: {
          enableFilterNamespace: true,
          replicaCount: controllerReplicas(environment),
          ...spreadReplicas(controllerReplicas(environment)),
        },
        chaosDaemon: {
          runtime: 'containerd',
          socketPath: '/run/containerd/containerd.sock',
          nodeSelector: { ...CHAOS_DAEMON_NODE_SELECTOR },
        },
        dashboard: { create: false },
        dnsServer: { create: false },
        webhook: { certManager: { enabled: true } },
      },
    },
  ];
}

/**
 * The add-ons of an environment, in dependency order (every add-on after those it depends on).
 * Without the mesh (dev) the Istio add-ons are left out.
 */
export function clusterAddons(environment: Environment): ClusterAddon[] {
  const replicas = controllerReplicas(environment);
  const addons: ClusterAddon[] = [
    kubePrometheusStack(environment),
    ...(environment.mesh.enabled ? istioAddons(environment) : []),
    {
      name: Addon.CERT_MANAGER,
      chart: CHARTS.certManager,
      namespace: restricted(CERT_MANAGER_NAMESPACE),
      dependsOn: [Addon.KUBE_PROMETHEUS_STACK],
      values: {
        // The chart's CRDs (crds.enabled replaces the deprecated installCRDs), kept if the release is removed.
        crds: { enabled: true, keep: true },
        // HTTP-01 challenges answered through the Gateway (a solver HTTPRoute per challenge).
        ...(environment.ingress.implementation === EdgeImplementation.GATEWAY
          ? {
              config: { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true },
            }
          : {}),
        replicaCount: replicas,
        ...spreadReplicas(replicas),
        webhook: { replicaCount: replicas, ...spreadReplicas(replicas), ...disruptionBudget(replicas) },
        ...disruptionBudget(replicas),
        prometheus: { enabled: true, servicemonitor: { enabled: true } },
        // A DNS-01 solver calls Cloud DNS or Route 53 as this identity (workload identity), not the node's.
        ...('identity' in environment.tls.issuer.solver
          ? { serviceAccount: { annotations: workloadIdentityAnnotations(environment.tls.issuer.solver.identity) } }
          : {}),
      },
    },
    {
      name: Addon.EXTERNAL_SECRETS,
      chart: CHARTS.externalSecrets,
      namespace: restricted(EXTERNAL_SECRETS_NAMESPACE),
      dependsOn: [Addon.KUBE_PROMETHEUS_STACK],
      values: {
        installCRDs: true,
        replicaCount: replicas,
        ...spreadReplicas(replicas),
        ...disruptionBudget(replicas),
        serviceMonitor: { enabled: true },
      },
    },
    { name: Addon.KEDA, chart: CHARTS.keda, namespace: restricted(KEDA_NAMESPACE), dependsOn: [], values: {} },
    {
      name: Addon.ARGO_ROLLOUTS,
      chart: CHARTS.argoRollouts,
      namespace: restricted(ARGO_ROLLOUTS_NAMESPACE),
      dependsOn: [Addon.KUBE_PROMETHEUS_STACK],
      values: {
        installCRDs: true,
        keepCRDs: true,
        controller: { replicas, ...spreadReplicas(replicas), metrics: { enabled: true, serviceMonitor: { enabled: true } } },
      },
    },
    environment.ingress.implementation === EdgeImplementation.GATEWAY ? nginxGatewayFabric(environment) : ingressNginx(environment),
    ...dataOperators(environment),
    ...chaosMesh(environment),
  ];
  return inDependencyOrder(addons.map(withChartFacts));
}

/** A copy of `values` with `value` merged in at `path`. */
function setAt(
  values: Readonly<Record<string, unknown>>,
  path: readonly string[],
  value: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return { ...values, ...value };
  const inner = values[key];
  const current = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
  return { ...values, [key]: setAt(current, rest, value) };
}

/**
 * The values the chart facts call for in the add-on's namespace: what brings a pod to the level the
 * namespace enforces, and, where the namespace injects Istio sidecars, what keeps them out of Jobs
 * (which would never complete) and gives injected pods a seccomp profile.
 */
function withChartFacts(addon: ClusterAddon): ClusterAddon {
  const facts = CHART_FACTS[addon.chart.chart];
  if (facts === undefined) throw new Error(`add-on ${addon.name}: no facts for chart ${addon.chart.chart} in lib/addons/chart-facts.ts`);
  const restrictedNamespace = addon.namespace.enforce === PodSecurityLevel.RESTRICTED;
  const injected = addon.namespace.labels['istio-injection'] === 'enabled';
  let values: Record<string, unknown> = { ...addon.values };
  for (const pod of facts.pods) {
    if (pod.restrictedBy !== undefined && restrictedNamespace && (pod.level !== PodSecurityLevel.RESTRICTED || injected)) {
      values = setAt(values, pod.restrictedBy.path, pod.restrictedBy.value);
    }
    if (injected && pod.kind === 'job' && pod.injectionOff !== undefined) {
      values = setAt(values, pod.injectionOff.path, { 'sidecar.istio.io/inject': 'false' });
    }
  }
  return { ...addon, values };
}
