/**
 * Who talks to each pod of a pinned add-on chart, and where the pod connects, read from the chart's
 * source at its pinned version (its rendered pods' container ports and selector labels, its webhook
 * configurations, APIServices and ServiceMonitors, as `npm run verify` renders it from the mirror):
 * the facts the add-on namespaces' NetworkPolicies are derived from (charts/addon-network-chart.ts).
 *
 * Every pod of an add-on namespace may resolve names and reach the Kubernetes API (the namespace's
 * own allow-dns and allow-api-server: every add-on pod here is a controller, an operator or a hook
 * Job that talks to the API, which authorizes each by its ServiceAccount). What a pod needs beyond
 * that is listed here, by role rather than by address: the catalog resolves each role from the
 * environment (the API server's ranges, the Prometheus of `monitoring.prometheusUrl`, the secret
 * store and DNS-01 solver the environment names, the Google APIs range of `cluster.network`).
 *
 * Update an entry whenever its chart's pinned version changes (lib/addons/chart-versions.ts):
 * test/verify/addon-network-facts.test.ts renders prod's and dev's add-ons from the mirror and fails
 * when a rendered pod is selected by no fact (or two), a fact's port is not its pod's, or a webhook,
 * APIService or the chart's own ServiceMonitor/PodMonitor reaches a port its fact does not admit.
 */
import { PROMETHEUS_POD_LABELS } from '../network-peers';
import { CERT_MANAGER_CONTROLLER_LABELS, CNPG_OPERATOR_POD_LABELS, REDIS_OPERATOR_POD_LABELS } from './names';

/** Who opens connections to a port of an add-on pod. */
export const AddonCaller = {
  /** The control plane: admission webhooks, aggregated APIs (cluster.apiServer's ranges). */
  API_SERVER: 'api-server',
  /** The Prometheus server pods, scraping metrics. */
  PROMETHEUS: 'prometheus',
  /** The pods of the add-ons that query Prometheus (an add-on whose egress names `prometheus`). */
  PROMETHEUS_CLIENTS: 'prometheus-clients',
  /** Pods of the add-on's own namespace. */
  NAMESPACE: 'namespace',
  /** Pods of any namespace (sidecars asking istiod for configuration, Gateway agents). */
  CLUSTER: 'cluster',
  /** Any address: the public listeners of an edge controller. */
  ANYWHERE: 'anywhere',
} as const;
export type AddonCaller = (typeof AddonCaller)[keyof typeof AddonCaller];

/** Where an add-on pod connects, beyond DNS and the Kubernetes API. */
export const AddonDestination = {
  /** The Prometheus server (analysis runs, KEDA's Prometheus triggers). */
  PROMETHEUS: 'prometheus',
  /** Pods of the add-on's own namespace. */
  NAMESPACE: 'namespace',
  /** Pods of any namespace: what an operator operates, what a scraper scrapes, what a proxy proxies to. */
  CLUSTER: 'cluster',
  /** The nodes' own ports (the kubelet's metrics). */
  NODES: 'nodes',
  /** Public addresses (an ACME CA, the hosts of a self-check, alert receivers). */
  INTERNET: 'internet',
  /** The secret store the environment names (`secrets.store`), as the operator's cloud identity. */
  SECRET_STORE: 'secret-store',
  /** The DNS API of the environment's DNS-01 solver (`tls.issuer.solver`), when it is one. */
  DNS_SOLVER: 'dns-solver',
} as const;
export type AddonDestination = (typeof AddonDestination)[keyof typeof AddonDestination];

export interface AddonIngress {
  readonly from: AddonCaller;
  readonly ports: readonly number[];
}

export interface AddonEgress {
  readonly to: AddonDestination;
  /** @default - every port (the destination's own policies say which they admit) */
  readonly ports?: readonly number[];
}

/** One pod of the chart, as the network sees it. */
export interface PodNetwork {
  /** The pod's name in the chart's facts (CHART_FACTS pods): a pod the values turn off gets no policy. */
  readonly pod: string;
  /** Labels that select the pod and nothing else in its namespace, whatever the release is called. */
  readonly labels: Readonly<Record<string, string>>;
  readonly ingress: readonly AddonIngress[];
  /** @default - DNS and the Kubernetes API only */
  readonly egress?: readonly AddonEgress[];
}

export interface ChartNetwork {
  /**
   * The pods that take connections or connect beyond DNS and the API; a pod not listed (a hook Job)
   * is denied everything else by the namespace's default deny.
   */
  readonly pods: readonly PodNetwork[];
  /** Where the ports and labels were read. */
  readonly source: string;
}

/** The Alertmanager pods the Prometheus Operator runs (app.kubernetes.io/name "alertmanager"). */
const ALERTMANAGER_POD_LABELS = {
  'app.kubernetes.io/name': 'alertmanager',
  'app.kubernetes.io/managed-by': 'prometheus-operator',
} as const;

const { API_SERVER, PROMETHEUS, PROMETHEUS_CLIENTS, NAMESPACE, CLUSTER, ANYWHERE } = AddonCaller;

/** Network facts by chart name (the same keys as CHART_FACTS). */
export const CHART_NETWORK: Readonly<Record<string, ChartNetwork>> = {
  'kube-prometheus-stack': {
    pods: [
      {
        pod: 'operator',
        labels: { 'app.kubernetes.io/component': 'prometheus-operator' },
        // One port serves the admission webhook (PrometheusRules, AlertmanagerConfigs) and the metrics.
        ingress: [
          { from: API_SERVER, ports: [10250] },
          { from: PROMETHEUS, ports: [10250] },
        ],
      },
      {
        pod: 'kube-state-metrics',
        labels: { 'app.kubernetes.io/name': 'kube-state-metrics' },
        ingress: [{ from: PROMETHEUS, ports: [8080, 8081] }],
      },
      {
        pod: 'prometheus',
        labels: PROMETHEUS_POD_LABELS,
        // Its web port (queries, and its own metrics) and its config reloader's metrics.
        ingress: [
          { from: PROMETHEUS, ports: [9090, 8080] },
          { from: PROMETHEUS_CLIENTS, ports: [9090] },
        ],
        // It scrapes what the ServiceMonitors and PodMonitors of every namespace name (each target's
        // own policy admits the Prometheus pods on its metrics port alone), the kubelets' cAdvisor on
        // the nodes, and pushes alerts to Alertmanager.
        egress: [{ to: AddonDestination.CLUSTER }, { to: AddonDestination.NODES, ports: [10250] }],
      },
      {
        pod: 'alertmanager',
        labels: ALERTMANAGER_POD_LABELS,
        ingress: [{ from: PROMETHEUS, ports: [9093, 8080] }],
        // Its receivers (chat, paging) are services on the internet.
        egress: [{ to: AddonDestination.INTERNET, ports: [443] }],
      },
    ],
    source:
      'prometheus-community/helm-charts kube-prometheus-stack-88.5.3 (templates/prometheus-operator/deployment.yaml, service.yaml, admission-webhooks; charts/kube-state-metrics 8.4.0 deployment.yaml; templates/prometheus/prometheus.yaml, alertmanager/alertmanager.yaml portName http-web) and prometheus-operator v0.93.1 pkg/prometheus/server/statefulset.go (9090, reloader 8080)',
  },
  base: { pods: [], source: 'istio/istio release-1.31 manifests/charts/base: no pods' },
  istiod: {
    pods: [
      {
        pod: 'istiod',
        labels: { app: 'istiod' },
        // xDS (15010 plaintext, 15012 TLS, also the CA) from every sidecar and gateway of the mesh; the
        // injection and validation webhooks (Service 443 -> 15017) from the API server; monitoring 15014.
        ingress: [
          { from: CLUSTER, ports: [15010, 15012] },
          { from: API_SERVER, ports: [15017] },
          { from: PROMETHEUS, ports: [15014] },
        ],
      },
    ],
    source: 'istio/istio release-1.31 manifests/charts/istio-control/istio-discovery (templates/deployment.yaml, service.yaml)',
  },
  // The node agent runs in kube-system, which the cluster owns: no policies are emitted there.
  cni: { pods: [], source: 'istio/istio release-1.31 manifests/charts/istio-cni/templates/daemonset.yaml (kube-system)' },
  'cert-manager': {
    pods: [
      {
        pod: 'controller',
        labels: CERT_MANAGER_CONTROLLER_LABELS,
        ingress: [{ from: PROMETHEUS, ports: [9402] }],
        egress: [
          // The ACME CA's directory, and the HTTP-01 self-check of each challenge through the public
          // address (inside the cluster the load balancer's address leads to the Gateway's pods).
          { to: AddonDestination.INTERNET, ports: [80, 443] },
          { to: AddonDestination.CLUSTER, ports: [80] },
          { to: AddonDestination.DNS_SOLVER },
        ],
      },
      {
        pod: 'webhook',
        labels: { 'app.kubernetes.io/name': 'webhook', 'app.kubernetes.io/component': 'webhook' },
        // Service 443 -> https 10250.
        ingress: [
          { from: API_SERVER, ports: [10250] },
          { from: PROMETHEUS, ports: [9402] },
        ],
      },
      {
        pod: 'cainjector',
        labels: { 'app.kubernetes.io/name': 'cainjector', 'app.kubernetes.io/component': 'cainjector' },
        ingress: [{ from: PROMETHEUS, ports: [9402] }],
      },
    ],
    source:
      'cert-manager/cert-manager v1.21.2 deploy/charts/cert-manager (templates/deployment.yaml, webhook-deployment.yaml, webhook-service.yaml, cainjector-deployment.yaml, servicemonitor.yaml: http-metrics 9402)',
  },
  'external-secrets': {
    pods: [
      {
        pod: 'controller',
        labels: { 'app.kubernetes.io/name': 'external-secrets' },
        ingress: [{ from: PROMETHEUS, ports: [8080] }],
        egress: [{ to: AddonDestination.SECRET_STORE }],
      },
      {
        pod: 'webhook',
        labels: { 'app.kubernetes.io/name': 'external-secrets-webhook' },
        // Service 443 -> webhook 10250.
        ingress: [
          { from: API_SERVER, ports: [10250] },
          { from: PROMETHEUS, ports: [8080] },
        ],
      },
      {
        pod: 'cert-controller',
        labels: { 'app.kubernetes.io/name': 'external-secrets-cert-controller' },
        ingress: [{ from: PROMETHEUS, ports: [8080] }],
      },
    ],
    source:
      'external-secrets/external-secrets helm-chart-2.8.0 deploy/charts/external-secrets (templates/deployment.yaml, webhook-deployment.yaml, webhook-service.yaml, cert-controller-deployment.yaml; metrics 8080)',
  },
  keda: {
    pods: [
      {
        pod: 'operator',
        labels: { app: 'keda-operator' },
        // Its gRPC metrics service, which the metrics API server asks for each scaler's value.
        ingress: [{ from: NAMESPACE, ports: [9666] }],
        // Scalers read the queues (Redis in the data namespace admits KEDA on its ports) and Prometheus.
        egress: [{ to: AddonDestination.PROMETHEUS }, { to: AddonDestination.CLUSTER }],
      },
      {
        pod: 'metrics-apiserver',
        labels: { app: 'keda-operator-metrics-apiserver' },
        // The external metrics APIService (Service 443 -> 6443), and its metrics.
        ingress: [
          { from: API_SERVER, ports: [6443] },
          { from: PROMETHEUS, ports: [8080] },
        ],
        egress: [{ to: AddonDestination.NAMESPACE, ports: [9666] }],
      },
      { pod: 'admission-webhooks', labels: { app: 'keda-admission-webhooks' }, ingress: [{ from: API_SERVER, ports: [9443] }] },
    ],
    source:
      'kedacore/charts v2.20.2 keda/ (templates/manager/deployment.yaml metricsservice 9666, metrics-server/deployment.yaml and apiservice.yaml 6443, webhooks/deployment.yaml 9443)',
  },
  'argo-rollouts': {
    pods: [
      {
        pod: 'controller',
        labels: { 'app.kubernetes.io/name': 'argo-rollouts', 'app.kubernetes.io/component': 'rollouts-controller' },
        ingress: [{ from: PROMETHEUS, ports: [8090] }],
        // Analysis runs' Prometheus queries.
        egress: [{ to: AddonDestination.PROMETHEUS }],
      },
    ],
    source:
      'argoproj/argo-helm charts/argo-rollouts (values.yaml controller.containerPorts.metrics 8090, component rollouts-controller; templates/controller/deployment.yaml)',
  },
  'nginx-gateway-fabric': {
    pods: [
      {
        pod: 'control-plane',
        labels: { 'app.kubernetes.io/name': 'nginx-gateway-fabric' },
        // The agents of the NGINX pods it provisions in each Gateway's namespace (Service 443 -> 8443).
        ingress: [
          { from: CLUSTER, ports: [8443] },
          { from: PROMETHEUS, ports: [9113] },
        ],
      },
    ],
    source:
      'nginx/nginx-gateway-fabric v2.6.7 charts/nginx-gateway-fabric (templates/deployment.yaml agent-grpc 8443, metrics 9113; service.yaml)',
  },
  'cloudnative-pg': {
    pods: [
      {
        pod: 'operator',
        labels: CNPG_OPERATOR_POD_LABELS,
        // Service cnpg-webhook-service 443 -> webhook-server 9443.
        ingress: [
          { from: API_SERVER, ports: [9443] },
          { from: PROMETHEUS, ports: [8080] },
        ],
        // Each instance's status endpoint and PostgreSQL (the data namespace admits the operator on
        // them), and the Barman Cloud plugin beside it.
        egress: [
          { to: AddonDestination.CLUSTER, ports: [8000, 5432] },
          { to: AddonDestination.NAMESPACE, ports: [9090] },
        ],
      },
    ],
    source:
      'cloudnative-pg/charts cloudnative-pg-v0.29.0 charts/cloudnative-pg (templates/deployment.yaml: metrics 8080, webhook-server 9443; templates/webhook-service.yaml)',
  },
  'plugin-barman-cloud': {
    pods: [
      {
        pod: 'barman-cloud',
        labels: { 'app.kubernetes.io/name': 'plugin-barman-cloud' },
        // Its gRPC plugin service, which the CloudNativePG operator calls.
        ingress: [{ from: NAMESPACE, ports: [9090] }],
      },
    ],
    source: 'cloudnative-pg/charts plugin-barman-cloud-v0.7.0 charts/plugin-barman-cloud (templates/deployment.yaml, service.yaml: 9090)',
  },
  'redis-operator': {
    pods: [
      {
        pod: 'operator',
        labels: REDIS_OPERATOR_POD_LABELS,
        ingress: [{ from: PROMETHEUS, ports: [8080] }],
        // It configures replication and the Sentinels with a Redis client.
        egress: [{ to: AddonDestination.CLUSTER, ports: [6379, 26379] }],
      },
    ],
    source: 'OT-CONTAINER-KIT/redis-operator charts/redis-operator 0.26.1 (templates/operator-deployment.yaml: metrics 8080, probe 8081)',
  },
  'chaos-mesh': {
    pods: [
      {
        pod: 'controller-manager',
        labels: { 'app.kubernetes.io/name': 'chaos-mesh', 'app.kubernetes.io/component': 'controller-manager' },
        // Service 443 -> webhook 10250; http 10080 serves its metrics.
        ingress: [
          { from: API_SERVER, ports: [10250] },
          { from: PROMETHEUS, ports: [10080] },
        ],
        // The daemons' gRPC port, for chaos that enters a container (none here, and no daemon runs).
        egress: [{ to: AddonDestination.NAMESPACE, ports: [31767] }],
      },
      {
        pod: 'chaos-daemon',
        labels: { 'app.kubernetes.io/name': 'chaos-mesh', 'app.kubernetes.io/component': 'chaos-daemon' },
        ingress: [
          { from: NAMESPACE, ports: [31767] },
          { from: PROMETHEUS, ports: [31766] },
        ],
      },
    ],
    source:
      'chaos-mesh/chaos-mesh v2.8.3 helm/chaos-mesh (templates/controller-manager-deployment.yaml: webhook 10250, http 10080; chaos-daemon-daemonset.yaml: grpc 31767, http 31766)',
  },
  'ingress-nginx': {
    pods: [
      {
        pod: 'controller',
        labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
        // Clients through the load balancer (which keeps their address), the admission webhook 8443,
        // the metrics 10254.
        ingress: [
          { from: ANYWHERE, ports: [80, 443] },
          { from: API_SERVER, ports: [8443] },
          { from: PROMETHEUS, ports: [10254] },
        ],
        // The services it proxies to (their policies admit its pods on their ports).
        egress: [{ to: AddonDestination.CLUSTER }],
      },
    ],
    source:
      'kubernetes/ingress-nginx helm-chart-4.15.1 charts/ingress-nginx (values.yaml controller.containerPort, metrics.port 10254, admissionWebhooks.port 8443)',
  },
};
