/**
 * Every Helm chart the cluster add-ons are installed from: the chart repository, the chart and the
 * exact version. This is the only place a version is written; upgrading an add-on is a one-line
 * change here, reviewed as a diff of dist/<env>/addons (Flux) or dist/<env>/argocd (Argo CD).
 *
 * Versions are exact (no ranges): a range would let the cluster move to a release nobody reviewed.
 * How each was established (this repository builds offline) is recorded beside it.
 */

/**
 * A Helm chart repository: a name for the Flux HelmRepository object, its URL, and whether it is an
 * OCI registry (Flux then reads it as `type: oci`, Argo CD as an `oci://` source of the chart itself).
 */
export interface ChartRepository {
  readonly name: string;
  readonly url: string;
  /** @default false */
  readonly oci?: boolean;
}

/** One pinned chart. */
export interface PinnedChart {
  readonly repository: ChartRepository;
  readonly chart: string;
  readonly version: string;
}

export const CHART_REPOSITORIES = {
  ingressNginx: { name: 'ingress-nginx', url: 'https://kubernetes.github.io/ingress-nginx' },
  jetstack: { name: 'jetstack', url: 'https://charts.jetstack.io' },
  externalSecrets: { name: 'external-secrets', url: 'https://charts.external-secrets.io' },
  kedacore: { name: 'kedacore', url: 'https://kedacore.github.io/charts' },
  argo: { name: 'argo', url: 'https://argoproj.github.io/argo-helm' },
  // From 1.31 Istio publishes no more to istio-release.storage.googleapis.com (istio.io 1.31 upgrade notes).
  istio: { name: 'istio', url: 'https://blob.istio.io/istio-release/charts' },
  prometheusCommunity: { name: 'prometheus-community', url: 'https://prometheus-community.github.io/helm-charts' },
  nginx: { name: 'nginx', url: 'oci://ghcr.io/nginx/charts', oci: true },
  cnpg: { name: 'cnpg', url: 'https://cloudnative-pg.github.io/charts' },
  otContainerKit: { name: 'ot-helm', url: 'https://ot-container-kit.github.io/helm-charts' },
  chaosMesh: { name: 'chaos-mesh', url: 'https://charts.chaos-mesh.org' },
} as const satisfies Record<string, ChartRepository>;

/** Istio's base, istiod and cni charts are released together and must stay on one version. */
const ISTIO_VERSION = '1.31.4';

/**
 * How each version was established is noted beside it. Checked offline: a tag or module version in
 * the upstream repository (git mirrors, `go list -m -versions`); "not checked offline": only a
 * published announcement or third-party note was available here.
 */
export const CHARTS = {
  // Legacy edge only (ingress.implementation: ingress-nginx). kubernetes/ingress-nginx tag helm-chart-4.15.1
  // (2026-03-19), its final release: the project was retired in March 2026 and gets no security fixes.
  ingressNginx: { repository: CHART_REPOSITORIES.ingressNginx, chart: 'ingress-nginx', version: '4.15.1' },
  // Module github.com/cert-manager/cert-manager v1.21.2 (go list -m -versions). The chart version carries the "v".
  certManager: { repository: CHART_REPOSITORIES.jetstack, chart: 'cert-manager', version: 'v1.21.2' },
  // Tag helm-chart-2.8.0 in external-secrets/external-secrets: the newest minor whose documented range holds 1.35.
  externalSecrets: { repository: CHART_REPOSITORIES.externalSecrets, chart: 'external-secrets', version: '2.8.0' },
  // Tag v2.20.2 in kedacore/charts; module github.com/kedacore/keda/v2 v2.20.2.
  keda: { repository: CHART_REPOSITORIES.kedacore, chart: 'keda', version: '2.20.2' },
  // argo-helm argo-rollouts-2.43.0 ships Argo Rollouts v1.10.0 (module v1.10.0 checked; the chart tag is newer
  // than the offline argo-helm snapshot: not checked offline).
  argoRollouts: { repository: CHART_REPOSITORIES.argo, chart: 'argo-rollouts', version: '2.43.0' },
  // istio.io/api v1.31.4 (go list -m -versions); the charts carry the Istio version (not checked offline).
  istioBase: { repository: CHART_REPOSITORIES.istio, chart: 'base', version: ISTIO_VERSION },
  istiod: { repository: CHART_REPOSITORIES.istio, chart: 'istiod', version: ISTIO_VERSION },
  istioCni: { repository: CHART_REPOSITORIES.istio, chart: 'cni', version: ISTIO_VERSION },
  // Tag kube-prometheus-stack-88.5.3 in prometheus-community/helm-charts (prometheus-operator v0.93.1).
  kubePrometheusStack: { repository: CHART_REPOSITORIES.prometheusCommunity, chart: 'kube-prometheus-stack', version: '88.5.3' },
  // Tag v2.6.7 in nginx/nginx-gateway-fabric (charts/nginx-gateway-fabric, version 2.6.7).
  nginxGatewayFabric: { repository: CHART_REPOSITORIES.nginx, chart: 'nginx-gateway-fabric', version: '2.6.7' },
  // Tag cloudnative-pg-v0.29.0 in cloudnative-pg/charts: charts/cloudnative-pg/Chart.yaml version 0.29.0,
  // appVersion 1.30.0 (the operator whose CRDs imports/ was generated from).
  cloudnativePg: { repository: CHART_REPOSITORIES.cnpg, chart: 'cloudnative-pg', version: '0.29.0' },
  // Tag plugin-barman-cloud-v0.7.0 in cloudnative-pg/charts (appVersion v0.13.0), the newest chart in the
  // snapshot read here (2026-07-20); the ObjectStore CRD bindings are v0.14.0's, whose fields used here
  // are unchanged from v0.13.0. Chart 0.8.0 (plugin v0.15.0) is newer: not checked offline.
  barmanCloud: { repository: CHART_REPOSITORIES.cnpg, chart: 'plugin-barman-cloud', version: '0.7.0' },
  // OT-CONTAINER-KIT/redis-operator charts/redis-operator/Chart.yaml version 0.26.1, appVersion 0.26.0
  // (commit 0bc34813, 2026-08-20; chart 0.26.0 was never published with appVersion 0.26.0).
  redisOperator: { repository: CHART_REPOSITORIES.otContainerKit, chart: 'redis-operator', version: '0.26.1' },
  // Tag v2.8.3 in chaos-mesh/chaos-mesh: helm/chaos-mesh, published with the release's version.
  chaosMesh: { repository: CHART_REPOSITORIES.chaosMesh, chart: 'chaos-mesh', version: '2.8.3' },
} as const satisfies Record<string, PinnedChart>;

/** Manifests an add-on is installed from directly (no Helm chart): a folder of a git repository at a tag. */
export interface PinnedManifests {
  readonly name: string;
  readonly repository: string;
  readonly tag: string;
  /** The commit the tag named when it was pinned: what is checked out, so a moved tag changes nothing. */
  readonly commit: string;
  /** The folder, with its own kustomization.yaml. */
  readonly path: string;
  /**
   * The kinds the folder holds, every one cluster-scoped: what the stage that applies it may write (a
   * Flux stage's ClusterRole, an Argo CD project's clusterResourceWhitelist). test/argocd-projects.test.ts
   * reads them from the mirror's copy of the folder.
   */
  readonly kinds: readonly { readonly group: string; readonly kind: string }[];
}

/**
 * Gateway API's CRDs (standard channel and its safe-upgrades admission policy), which neither NGINX
 * Gateway Fabric's chart nor any other ships: `config/crd` of kubernetes-sigs/gateway-api at the tag
 * the CRD bindings were generated from (lib/core/crd-sources.ts). The tag is the release the Gateway
 * controller is built on (lib/addons/chart-facts.ts `gatewayApi`; rule addon/gateway-api): NGINX
 * Gateway Fabric 2.6.7 is built on v1.5.1 (go.mod; README "Technical Specifications") and compares the
 * CRDs' bundle-version minor with its own (internal/controller/state/graph/gatewayclass.go): on any other
 * minor its GatewayClass reports SupportedVersion=False. A newer release cannot simply be undone
 * either: v1.6's safe-upgrades policy refuses CRDs whose bundle-version is v1.0-v1.5.
 */
export const GATEWAY_API_CRDS: PinnedManifests = {
  name: 'gateway-api',
  repository: 'https://github.com/kubernetes-sigs/gateway-api',
  tag: 'v1.5.1',
  // kubernetes-sigs/gateway-api's v1.5.1 (../shared/crds/SOURCES.md).
  commit: 'e7677b70ae75d14a4448fba94870e7deea6cf0ad',
  path: 'config/crd',
  // Its CustomResourceDefinitions and the safe-upgrades ValidatingAdmissionPolicy with its binding
  // (gateway.networking.k8s.io_vap_safeupgrades.yaml).
  kinds: [
    { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
    { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicy' },
    { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicyBinding' },
  ],
};
