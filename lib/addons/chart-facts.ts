/**
 * What each pinned add-on chart does, read from the chart's source at its pinned version (every entry
 * names the files it was read from): which pods it runs and where their Pod Security settings and
 * labels are set in its values, which fields its controllers change after install, and which
 * Kubernetes versions its project supports. The catalog builds each
 * add-on's values from these facts, and the validator checks the emitted HelmReleases and
 * Applications against them, so an add-on pod that its namespace would refuse, a Job that would
 * never finish behind a sidecar, or a cluster version an add-on does not support is caught at synth.
 *
 * What rendering the chart proves is not written here: `npm run verify` renders every add-on from the
 * offline chart mirror and admits its pods and objects on a real API server (app/verify/addons), which
 * also refuses an object too large for the install's apply. These facts are what a render cannot
 * know: where in the values a setting goes (the catalog must write it before anything is rendered),
 * which Kubernetes versions the project supports, and what its controllers change at run time. Synth
 * and the unit tests read them without the mirror; verify compares each one a render can show with the
 * rendered chart and fails where they differ (app/verify/addons/chart-facts-check.ts: appVersion,
 * clusterKinds, the Jobs among `pods`, injectionOff, the kinds `drifting` names).
 *
 * Update an entry whenever its chart's pinned version changes (lib/addons/chart-versions.ts).
 */
import { PodSecurityLevel } from '../pod-security';

/** Kubernetes minors as `major.minor` numbers, compared numerically (1.9 < 1.10). */
export interface KubernetesRange {
  /** Oldest supported minor, e.g. '1.33'. */
  readonly min: string;
  /** Newest supported minor. @default - no documented upper bound */
  readonly max?: string;
  /** Where the range is stated (a support table, or a test matrix where the project publishes no table). */
  readonly source: string;
}

/** A values path, e.g. ['controller', 'podSecurityContext']. */
export type ValuesPath = readonly string[];

/** One pod the chart runs with default values. */
export interface ChartPod {
  readonly name: string;
  /** `job`: runs to completion (a hook): a classic sidecar would keep it running forever. */
  readonly kind: 'workload' | 'job';
  /** The Pod Security level the pod meets with the chart's defaults. */
  readonly level: PodSecurityLevel;
  /**
   * The values that bring the pod to "restricted" when its default level is lower or when injected
   * containers need a pod-level seccomp profile: the path and the value to set there.
   * @default - nothing in the values makes it restricted
   */
  readonly restrictedBy?: { readonly path: ValuesPath; readonly value: Readonly<Record<string, unknown>> };
  /**
   * Where to put `sidecar.istio.io/inject: "false"` so that a Job in an injected namespace gets no
   * sidecar: a labels map (preferred: the injector's webhook is then never called) or, where the chart
   * offers no labels for the pod, an annotations map.
   * @default - the chart offers no way (the pod is never in an injected namespace, or the chart disables injection itself)
   */
  readonly injectionOff?: { readonly path: ValuesPath; readonly as: 'label' | 'annotation' };
  /** The chart disables injection for the pod itself. @default false */
  readonly injectionOffBuiltIn?: boolean;
  /**
   * The values switch that turns the pod off (`false` there: the chart renders no such pod).
   * @default - the pod always runs
   */
  readonly enabledBy?: ValuesPath;
}

/** A field a controller changes after install, which a GitOps tool must not revert. */
export interface DriftingField {
  readonly group: string;
  readonly kind: string;
  /** jq path expression of the field in every such object of the release. */
  readonly jqPath: string;
  readonly why: string;
}

export interface ChartFacts {
  readonly chart: string;
  readonly appVersion: string;
  readonly kubernetes: KubernetesRange;
  readonly pods: readonly ChartPod[];
  readonly drifting: readonly DriftingField[];
  /**
   * The Gateway API release a Gateway controller is built on: it fully supports the CRDs of that minor
   * only (rule addon/gateway-api). @default - the chart runs no Gateway controller
   */
  readonly gatewayApi?: GatewayApiSupport;
  /**
   * The cluster-scoped kinds the chart creates with the values the catalog gives it (its `crds/` and
   * templates): what an Argo CD project of add-ons must allow (clusterResourceWhitelist), read from
   * `helm template` of the pinned chart as npm run verify renders it. A chart whose source verify
   * cannot render (argo-rollouts) from its templates at the pinned version.
   */
  readonly clusterKinds: readonly { readonly group: string; readonly kind: string }[];
  /** Where the facts were read. */
  readonly source: string;
}

/** The Gateway API release a controller implements, e.g. `v1.5.1`, and where that is stated. */
export interface GatewayApiSupport {
  readonly version: string;
  readonly source: string;
}

const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } as const;
const WEBHOOK_CA: DriftingField = {
  group: 'admissionregistration.k8s.io',
  kind: 'ValidatingWebhookConfiguration',
  jqPath: '.webhooks[]?.clientConfig.caBundle',
  why: 'the CA bundle is injected at run time',
};
const MUTATING_WEBHOOK_CA: DriftingField = { ...WEBHOOK_CA, kind: 'MutatingWebhookConfiguration' };

const CRD = { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' };
const CLUSTER_RBAC = [
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];
const VALIDATING_WEBHOOK = { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' };
const MUTATING_WEBHOOK = { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' };

/** Facts by chart name. */
export const CHART_FACTS: Readonly<Record<string, ChartFacts>> = {
  'ingress-nginx': {
    chart: 'ingress-nginx',
    appVersion: '1.15.1',
    kubernetes: {
      min: '1.31',
      max: '1.35',
      source:
        'kubernetes/ingress-nginx README.md "Supported Versions table" at helm-chart-4.15.1, its final release (project retired March 2026)',
    },
    pods: [
      // Its own containers are restricted; the pod-level profile covers the ones Istio injects.
      {
        name: 'controller',
        kind: 'workload',
        level: PodSecurityLevel.RESTRICTED,
        restrictedBy: { path: ['controller', 'podSecurityContext'], value: RESTRICTED_POD },
      },
      {
        name: 'admission-create',
        kind: 'job',
        level: PodSecurityLevel.RESTRICTED,
        restrictedBy: { path: ['controller', 'admissionWebhooks', 'patch', 'securityContext'], value: RESTRICTED_POD },
        injectionOff: { path: ['controller', 'admissionWebhooks', 'patch', 'labels'], as: 'label' },
      },
      {
        name: 'admission-patch',
        kind: 'job',
        level: PodSecurityLevel.RESTRICTED,
        restrictedBy: { path: ['controller', 'admissionWebhooks', 'patch', 'securityContext'], value: RESTRICTED_POD },
        injectionOff: { path: ['controller', 'admissionWebhooks', 'patch', 'labels'], as: 'label' },
      },
    ],
    drifting: [WEBHOOK_CA],
    source:
      'kubernetes/ingress-nginx helm-chart-4.15.1 charts/ingress-nginx (values.yaml, templates/controller-deployment.yaml, templates/admission-webhooks/job-patch/*.yaml)',
    clusterKinds: [...CLUSTER_RBAC, VALIDATING_WEBHOOK, { group: 'networking.k8s.io', kind: 'IngressClass' }],
  },
  base: {
    chart: 'base',
    appVersion: '1.31.4',
    kubernetes: {
      min: '1.32',
      max: '1.37',
      source: 'istio.io data/compatibility/supportStatus.yml (1.31: 1.32-1.37); istioctl MinK8SVersion 32',
    },
    pods: [],
    drifting: [
      {
        ...WEBHOOK_CA,
        jqPath: '.webhooks[]?.failurePolicy',
        why: 'istiod switches its validating webhooks from Ignore to Fail once it serves',
      },
      WEBHOOK_CA,
    ],
    source: 'istio/istio release-1.31 manifests/charts/base (templates/defaultrevision-validatingwebhookconfiguration.yaml)',
    clusterKinds: [CRD, VALIDATING_WEBHOOK],
  },
  istiod: {
    chart: 'istiod',
    appVersion: '1.31.4',
    kubernetes: { min: '1.32', max: '1.37', source: 'istio.io data/compatibility/supportStatus.yml (1.31: 1.32-1.37)' },
    pods: [
      // No pod-level context; the container's seccomp comes from the top-level `seccompProfile` value.
      {
        name: 'istiod',
        kind: 'workload',
        level: PodSecurityLevel.BASELINE,
        restrictedBy: { path: ['seccompProfile'], value: { type: 'RuntimeDefault' } },
        injectionOffBuiltIn: true,
      },
    ],
    drifting: [
      {
        ...WEBHOOK_CA,
        jqPath: '.webhooks[]?.failurePolicy',
        why: 'istiod switches its validating webhooks from Ignore to Fail once it serves',
      },
      WEBHOOK_CA,
      MUTATING_WEBHOOK_CA,
    ],
    source:
      'istio/istio release-1.31 manifests/charts/istio-control/istio-discovery (templates/deployment.yaml, validatingwebhookconfiguration.yaml; pkg/webhooks/validation/controller)',
    clusterKinds: [...CLUSTER_RBAC, MUTATING_WEBHOOK, VALIDATING_WEBHOOK],
  },
  cni: {
    chart: 'cni',
    appVersion: '1.31.4',
    kubernetes: { min: '1.32', max: '1.37', source: 'istio.io data/compatibility/supportStatus.yml (1.31: 1.32-1.37)' },
    // The node agent edits each node's CNI configuration: host paths and capabilities no level but privileged allows.
    pods: [{ name: 'istio-cni-node', kind: 'workload', level: PodSecurityLevel.PRIVILEGED, injectionOffBuiltIn: true }],
    drifting: [],
    source: 'istio/istio release-1.31 manifests/charts/istio-cni/templates/daemonset.yaml',
    clusterKinds: [...CLUSTER_RBAC],
  },
  'cert-manager': {
    chart: 'cert-manager',
    appVersion: 'v1.21.2',
    kubernetes: {
      min: '1.33',
      max: '1.36',
      source: 'cert-manager.io/docs/releases (cert-manager/website content/docs/releases/README.md: 1.21 supports 1.33 -> 1.36)',
    },
    pods: [
      { name: 'controller', kind: 'workload', level: PodSecurityLevel.RESTRICTED, injectionOff: { path: ['podLabels'], as: 'label' } },
      {
        name: 'webhook',
        kind: 'workload',
        level: PodSecurityLevel.RESTRICTED,
        injectionOff: { path: ['webhook', 'podLabels'], as: 'label' },
      },
      {
        name: 'cainjector',
        kind: 'workload',
        level: PodSecurityLevel.RESTRICTED,
        injectionOff: { path: ['cainjector', 'podLabels'], as: 'label' },
      },
      {
        name: 'startupapicheck',
        kind: 'job',
        level: PodSecurityLevel.RESTRICTED,
        injectionOff: { path: ['startupapicheck', 'podLabels'], as: 'label' },
      },
    ],
    drifting: [WEBHOOK_CA, MUTATING_WEBHOOK_CA],
    source:
      'cert-manager/cert-manager v1.21.2 deploy/charts/cert-manager (values.yaml, templates/*-deployment.yaml, startupapicheck-job.yaml)',
    clusterKinds: [CRD, ...CLUSTER_RBAC, MUTATING_WEBHOOK, VALIDATING_WEBHOOK],
  },
  'external-secrets': {
    chart: 'external-secrets',
    appVersion: 'v2.8.0',
    kubernetes: { min: '1.35', max: '1.36', source: 'external-secrets docs/introduction/stability-support.md (2.8: 1.35-1.36)' },
    pods: [
      { name: 'controller', kind: 'workload', level: PodSecurityLevel.RESTRICTED },
      { name: 'webhook', kind: 'workload', level: PodSecurityLevel.RESTRICTED },
      { name: 'cert-controller', kind: 'workload', level: PodSecurityLevel.RESTRICTED },
    ],
    drifting: [WEBHOOK_CA],
    source:
      'external-secrets/external-secrets helm-chart-2.8.0 deploy/charts/external-secrets (values.yaml, templates/*deployment.yaml), deploy/crds/bundle.yaml',
    clusterKinds: [CRD, ...CLUSTER_RBAC, VALIDATING_WEBHOOK],
  },
  keda: {
    chart: 'keda',
    appVersion: '2.20.2',
    kubernetes: { min: '1.33', max: '1.35', source: 'kedacore/keda-docs content/docs/2.20/operate/cluster.md (v2.20: v1.33 - v1.35)' },
    pods: [
      { name: 'operator', kind: 'workload', level: PodSecurityLevel.RESTRICTED },
      { name: 'metrics-apiserver', kind: 'workload', level: PodSecurityLevel.RESTRICTED },
      { name: 'admission-webhooks', kind: 'workload', level: PodSecurityLevel.RESTRICTED },
    ],
    drifting: [
      WEBHOOK_CA,
      {
        group: 'apiregistration.k8s.io',
        kind: 'APIService',
        jqPath: '.spec.caBundle',
        why: 'the operator rotates its certificate and patches the CA bundle',
      },
    ],
    source:
      'kedacore/charts v2.20.2 keda/ (values.yaml, templates/manager, metrics-server, webhooks); kedacore/keda v2.20.2 pkg/certificates',
    clusterKinds: [CRD, ...CLUSTER_RBAC, VALIDATING_WEBHOOK, { group: 'apiregistration.k8s.io', kind: 'APIService' }],
  },
  'argo-rollouts': {
    chart: 'argo-rollouts',
    appVersion: 'v1.10.0',
    kubernetes: {
      min: '1.32',
      max: '1.35',
      source:
        'argoproj/argo-rollouts docs/installation.md points to the e2e matrix, .github/workflows/testing.yaml at release-1.10 (k3s 1.32-1.35); no support table is published',
    },
    pods: [{ name: 'controller', kind: 'workload', level: PodSecurityLevel.RESTRICTED }],
    drifting: [],
    source: 'argoproj/argo-helm charts/argo-rollouts (values.yaml, templates/controller/deployment.yaml)',
    clusterKinds: [CRD, ...CLUSTER_RBAC],
  },
  'kube-prometheus-stack': {
    chart: 'kube-prometheus-stack',
    appVersion: 'v0.93.1',
    kubernetes: {
      min: '1.25',
      source:
        'prometheus-operator Documentation/getting-started/compatibility.md (>= v0.84 requires Kubernetes >= 1.25; no upper bound); chart kubeVersion >=1.25.0-0',
    },
    pods: [
      { name: 'operator', kind: 'workload', level: PodSecurityLevel.RESTRICTED },
      { name: 'grafana', kind: 'workload', level: PodSecurityLevel.RESTRICTED, enabledBy: ['grafana', 'enabled'] },
      { name: 'kube-state-metrics', kind: 'workload', level: PodSecurityLevel.RESTRICTED },
      // Reads the host's /proc and /sys: no values make it pass baseline.
      { name: 'node-exporter', kind: 'workload', level: PodSecurityLevel.PRIVILEGED, enabledBy: ['nodeExporter', 'enabled'] },
      {
        name: 'admission-create',
        kind: 'job',
        level: PodSecurityLevel.RESTRICTED,
        injectionOff: { path: ['prometheusOperator', 'admissionWebhooks', 'patch', 'podAnnotations'], as: 'annotation' },
      },
      {
        name: 'admission-patch',
        kind: 'job',
        level: PodSecurityLevel.RESTRICTED,
        injectionOff: { path: ['prometheusOperator', 'admissionWebhooks', 'patch', 'podAnnotations'], as: 'annotation' },
      },
      { name: 'prometheus', kind: 'workload', level: PodSecurityLevel.RESTRICTED },
      { name: 'alertmanager', kind: 'workload', level: PodSecurityLevel.RESTRICTED },
    ],
    drifting: [WEBHOOK_CA, MUTATING_WEBHOOK_CA],
    source:
      'prometheus-community/helm-charts kube-prometheus-stack-88.5.3 (values.yaml, templates/prometheus-operator/admission-webhooks/job-patch, subcharts)',
    clusterKinds: [CRD, ...CLUSTER_RBAC, MUTATING_WEBHOOK, VALIDATING_WEBHOOK],
  },
  'nginx-gateway-fabric': {
    chart: 'nginx-gateway-fabric',
    appVersion: '2.6.7',
    kubernetes: {
      min: '1.31',
      source:
        'nginx/nginx-gateway-fabric README.md "Technical Specifications" at v2.6.7 (Kubernetes 1.31+, Gateway API 1.5.1); chart kubeVersion >= 1.31.0-0',
    },
    pods: [
      {
        name: 'control-plane',
        kind: 'workload',
        level: PodSecurityLevel.RESTRICTED,
        injectionOff: { path: ['nginxGateway', 'labels'], as: 'label' },
      },
      // The Job's pod takes no labels from the values, only annotations.
      {
        name: 'cert-generator',
        kind: 'job',
        level: PodSecurityLevel.RESTRICTED,
        injectionOff: { path: ['certGenerator', 'annotations'], as: 'annotation' },
      },
    ],
    drifting: [],
    gatewayApi: {
      version: 'v1.5.1',
      source:
        'nginx/nginx-gateway-fabric v2.6.7 go.mod (sigs.k8s.io/gateway-api v1.5.1) and README.md "Technical Specifications"; internal/controller/state/graph/gatewayclass.go validateCRDVersions: another minor of the CRDs\' bundle-version gives SupportedVersion=False',
    },
    source:
      'nginx/nginx-gateway-fabric v2.6.7 charts/nginx-gateway-fabric (templates/deployment.yaml, certs-job.yaml), internal/controller/provisioner/objects.go',
    clusterKinds: [CRD, ...CLUSTER_RBAC, { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' }],
  },
  'cloudnative-pg': {
    chart: 'cloudnative-pg',
    appVersion: '1.30.0',
    kubernetes: {
      min: '1.34',
      max: '1.36',
      source: 'cloudnative-pg/cloudnative-pg docs/src/supported_releases.md (1.30.x: Kubernetes 1.34, 1.35, 1.36)',
    },
    // podSecurityContext runAsNonRoot + RuntimeDefault, containerSecurityContext drops ALL, no escalation.
    pods: [{ name: 'operator', kind: 'workload', level: PodSecurityLevel.RESTRICTED }],
    // The operator makes its own webhook certificate and patches the CA bundle into both webhooks.
    drifting: [WEBHOOK_CA, MUTATING_WEBHOOK_CA],
    source:
      'cloudnative-pg/charts cloudnative-pg-v0.29.0 charts/cloudnative-pg (values.yaml, templates/deployment.yaml, templates/crds); CRD sizes from the v1.30.0 CRDs',
    clusterKinds: [CRD, ...CLUSTER_RBAC, MUTATING_WEBHOOK, VALIDATING_WEBHOOK],
  },
  'plugin-barman-cloud': {
    chart: 'plugin-barman-cloud',
    appVersion: 'v0.13.0',
    kubernetes: {
      min: '1.29',
      source:
        'cloudnative-pg/charts plugin-barman-cloud-v0.7.0 Chart.yaml kubeVersion >=1.29.0-0 (the plugin publishes no table; it runs beside CloudNativePG)',
    },
    pods: [{ name: 'barman-cloud', kind: 'workload', level: PodSecurityLevel.RESTRICTED }],
    drifting: [],
    source:
      'cloudnative-pg/charts plugin-barman-cloud-v0.7.0 charts/plugin-barman-cloud (values.yaml, templates/deployment.yaml, certificate.yaml)',
    clusterKinds: [CRD, ...CLUSTER_RBAC],
  },
  'redis-operator': {
    chart: 'redis-operator',
    appVersion: '0.26.0',
    kubernetes: {
      min: '1.29',
      source:
        'OT-CONTAINER-KIT/redis-operator v0.26.0: no support table is published; built against k8s.io/api v0.29 (go.mod), tested on kind (helm/kind-action) in .github/workflows/ci.yaml',
    },
    // securityContext and podSecurityContext are empty by default: no seccomp profile, capabilities kept.
    pods: [
      {
        name: 'operator',
        kind: 'workload',
        level: PodSecurityLevel.BASELINE,
        restrictedBy: {
          path: ['securityContext'],
          value: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      },
    ],
    drifting: [],
    source: 'OT-CONTAINER-KIT/redis-operator charts/redis-operator 0.26.1 (values.yaml, templates/operator-deployment.yaml, _helpers.tpl)',
    clusterKinds: [CRD, ...CLUSTER_RBAC],
  },
  'chaos-mesh': {
    chart: 'chaos-mesh',
    appVersion: 'v2.8.3',
    kubernetes: {
      min: '1.33',
      max: '1.35',
      source:
        'chaos-mesh/chaos-mesh .github/workflows/e2e_test.yml at v2.8.3 (kind v1.33.9, v1.34.5, v1.35.2); no support table is published for 2.8',
    },
    pods: [
      // Adds SYS_PTRACE to its container: beyond baseline.
      { name: 'controller-manager', kind: 'workload', level: PodSecurityLevel.PRIVILEGED },
      // Privileged, on the host's PID namespace and container runtime socket; always rendered.
      { name: 'chaos-daemon', kind: 'workload', level: PodSecurityLevel.PRIVILEGED },
      { name: 'chaos-dashboard', kind: 'workload', level: PodSecurityLevel.BASELINE, enabledBy: ['dashboard', 'create'] },
      { name: 'chaos-dns-server', kind: 'workload', level: PodSecurityLevel.BASELINE, enabledBy: ['dnsServer', 'create'] },
    ],
    // With webhook.certManager.enabled, cert-manager's CA injector writes the webhooks' CA bundle.
    drifting: [WEBHOOK_CA, MUTATING_WEBHOOK_CA],
    source:
      'chaos-mesh/chaos-mesh v2.8.3 helm/chaos-mesh (values.yaml, templates/controller-manager-deployment.yaml, chaos-daemon-daemonset.yaml, *-admission-webhooks.yaml)',
    clusterKinds: [CRD, ...CLUSTER_RBAC, MUTATING_WEBHOOK, VALIDATING_WEBHOOK],
  },
};

/** Compares two `major.minor` versions numerically. */
export function compareMinor(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** Whether a cluster's minor is within a chart's supported range. */
export function supports(range: KubernetesRange, version: string): boolean {
  return compareMinor(version, range.min) >= 0 && (range.max === undefined || compareMinor(version, range.max) <= 0);
}

/** `v1.5.1` -> `1.5`: the minor a Gateway API release belongs to; undefined when it is no release tag. */
export function gatewayApiMinor(version: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)\.\d+$/.exec(version);
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/** `1.33-1.36`, or `1.25+` without an upper bound. */
export function showRange(range: KubernetesRange): string {
  return range.max === undefined ? `${range.min}+` : `${range.min}-${range.max}`;
}

/**
 * The cluster-scoped kinds a set of add-ons writes: their charts' (CHART_FACTS clusterKinds), and
 * Namespace where the GitOps tool creates an add-on's namespace. Throws for a chart without facts.
 */
export function addonClusterKinds(
  addons: readonly { readonly chart: { readonly chart: string }; readonly createsNamespace: boolean }[],
): { group: string; kind: string }[] {
  return addons.flatMap((addon) => {
    const facts = CHART_FACTS[addon.chart.chart];
    if (facts === undefined) {
      throw new Error(
        `chart ${addon.chart.chart} has no entry in CHART_FACTS (lib/addons/chart-facts.ts): its cluster-scoped kinds are unknown`,
      );
    }
    return [...facts.clusterKinds, ...(addon.createsNamespace ? [{ group: '', kind: 'Namespace' }] : [])];
  });
}
