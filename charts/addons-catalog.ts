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
 */
import type { Environment } from '../environments/schema';
import type { AddonNamespaceSpec, ClusterAddon } from '../lib/addons/addon';
import { CHARTS } from '../lib/addons/chart-versions';
import {
  Addon,
  ARGO_ROLLOUTS_NAMESPACE,
  CERT_MANAGER_NAMESPACE,
  ISTIO_CNI_NAMESPACE,
  ISTIO_NAMESPACE,
  KEDA_NAMESPACE,
} from '../lib/addons/names';
import { inDependencyOrder } from '../lib/addons/order';
import { clusterAddress } from '../lib/cluster-address';
import { NGINX_CLASS, nginxControllerSettings } from '../lib/edge-ingress';
import { PodSecurityLevel } from '../lib/pod-security';
import { EXTERNAL_SECRETS_NAMESPACE } from '../lib/secret-store';

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
function istioPlatform(environment: Environment): Record<string, unknown> {
  return environment.cluster.nodePoolLabel.startsWith('cloud.google.com/') ? { global: { platform: 'gke' } } : {};
}

/** Two replicas of a controller in production, so a node drain never takes its webhook away. */
function controllerReplicas(environment: Environment): number {
  return environment.tier === 'production' ? 2 : 1;
}

function restricted(name: string, labels: Record<string, string> = {}): AddonNamespaceSpec {
  return { name, enforce: PodSecurityLevel.RESTRICTED, labels };
}

function kubePrometheusStack(environment: Environment): ClusterAddon {
  return {
    name: Addon.KUBE_PROMETHEUS_STACK,
    chart: CHARTS.kubePrometheusStack,
    namespace: {
      name: monitoringNamespace(environment),
      enforce: PodSecurityLevel.PRIVILEGED,
      reason: 'node-exporter reads the host: hostNetwork, hostPID and hostPath mounts',
      labels: {},
    },
    dependsOn: [],
    values: {
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
  const istioSystem: AddonNamespaceSpec = {
    name: ISTIO_NAMESPACE,
    enforce: PodSecurityLevel.BASELINE,
    reason: "the charts' defaults do not set a seccomp profile on every pod",
    labels: {},
  };
  return [
    { name: Addon.ISTIO_BASE, chart: CHARTS.istioBase, namespace: istioSystem, dependsOn: [], values: {} },
    {
      name: Addon.ISTIO_CNI,
      chart: CHARTS.istioCni,
      // The CNI node agent sets up each pod's traffic redirection, so sidecar-injected pods need no
      // privileged istio-init container and keep Pod Security "restricted".
      namespace: { name: ISTIO_CNI_NAMESPACE, labels: {} },
      dependsOn: [Addon.ISTIO_BASE],
      values: { ...platform },
    },
    {
      name: Addon.ISTIOD,
      chart: CHARTS.istiod,
      namespace: istioSystem,
      // Injected pods must find the CNI agent ready, or they start without traffic redirection.
      dependsOn: [Addon.ISTIO_BASE, Addon.ISTIO_CNI],
      values: {
        ...platform,
        pilot: { cni: { enabled: true }, autoscaleMin: controllerReplicas(environment) },
        meshConfig: { trustDomain: environment.mesh.trustDomain },
      },
    },
  ];
}

function ingressNginx(environment: Environment): ClusterAddon {
  const { ingressNginx: size } = environment.addons;
  const { mesh } = environment;
  // Pod Security "restricted" at pod level: it covers the containers Istio injects, which set no
  // seccomp profile of their own (Istio < 1.28); the chart's own containers set theirs.
  const restrictedPod = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  return {
    name: Addon.INGRESS_NGINX,
    chart: CHARTS.ingressNginx,
    // In the mesh the controller carries a sidecar: its identity is what the services' authorization
    // policies allow, and its requests to them are mTLS.
    namespace: restricted(environment.ingress.controller.namespace, mesh.enabled ? { 'istio-injection': 'enabled' } : {}),
    dependsOn: [Addon.KUBE_PROMETHEUS_STACK, ...(mesh.enabled ? [Addon.ISTIOD] : [])],
    values: {
      controller: {
        replicaCount: size.replicas,
        // Memory is guaranteed (limit = request); CPU is not capped, since throttling the edge adds
        // latency to every request.
        resources: { requests: { cpu: size.cpu, memory: size.memory }, limits: { memory: size.memory } },
        podSecurityContext: restrictedPod,
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
        admissionWebhooks: {
          patch: {
            // The certificate Jobs run to completion: a sidecar would keep them running forever.
            labels: { 'sidecar.istio.io/inject': 'false' },
            securityContext: restrictedPod,
          },
        },
      },
      // The name the services' authorization policies allow.
      serviceAccount: { name: environment.ingress.controller.serviceAccount },
    },
  };
}

/**
 * The add-ons of an environment, in dependency order (every add-on after those it depends on).
 * Without the mesh (dev) the Istio add-ons are left out.
 */
export function clusterAddons(environment: Environment): ClusterAddon[] {
  const replicas = controllerReplicas(environment);
  const clusterStore = environment.secrets.scope === 'ClusterSecretStore';
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
        replicaCount: replicas,
        webhook: { replicaCount: replicas },
        prometheus: { enabled: true, servicemonitor: { enabled: true } },
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
        serviceMonitor: { enabled: true },
        // A ClusterSecretStore authenticates as the operator's own service account: same name.
        ...(clusterStore ? { serviceAccount: { name: environment.secrets.store.serviceAccount } } : {}),
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
        controller: { replicas, metrics: { enabled: true, serviceMonitor: { enabled: true } } },
      },
    },
    ingressNginx(environment),
  ];
  return inDependencyOrder(addons);
}
