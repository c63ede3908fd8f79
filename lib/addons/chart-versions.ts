/**
 * Every Helm chart the cluster add-ons are installed from: the chart repository, the chart and the
 * exact version. This is the only place a version is written; upgrading an add-on is a one-line
 * change here, reviewed as a diff of dist/<env>/addons (Flux) or dist/<env>/argocd (Argo CD).
 *
 * Versions are exact (no ranges): a range would let the cluster move to a release nobody reviewed.
 * How each was established (this repository builds offline) is recorded beside it.
 */

/** A Helm chart repository: a name for the Flux HelmRepository object, and its URL. */
export interface ChartRepository {
  readonly name: string;
  readonly url: string;
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
  istio: { name: 'istio', url: 'https://istio-release.storage.googleapis.com/charts' },
  prometheusCommunity: { name: 'prometheus-community', url: 'https://prometheus-community.github.io/helm-charts' },
} as const satisfies Record<string, ChartRepository>;

/** Istio's base, istiod and cni charts are released together and must stay on one version. */
const ISTIO_VERSION = '1.26.2';

export const CHARTS = {
  // kubernetes/ingress-nginx charts/ingress-nginx/changelog/helm-chart-4.13.3.md (controller v1.13.3).
  ingressNginx: { repository: CHART_REPOSITORIES.ingressNginx, chart: 'ingress-nginx', version: '4.13.3' },
  // cert-manager/website release-notes-1.18.md, section v1.18.4. The chart version carries the "v".
  certManager: { repository: CHART_REPOSITORIES.jetstack, chart: 'cert-manager', version: 'v1.18.4' },
  // Serves external-secrets.io/v1 (the API the ClusterSecretStore uses; v1 is served from 0.16).
  // Seen in published install guides (`--version 0.19.2`); not checked against the chart index.
  externalSecrets: { repository: CHART_REPOSITORIES.externalSecrets, chart: 'external-secrets', version: '0.19.2' },
  // Seen in published install guides (`helm pull kedacore/keda --version 2.17.2`); not checked against the chart index.
  keda: { repository: CHART_REPOSITORIES.kedacore, chart: 'keda', version: '2.17.2' },
  // Seen in published install guides (`argo/argo-rollouts --version 2.40.5`); not checked against the chart index.
  argoRollouts: { repository: CHART_REPOSITORIES.argo, chart: 'argo-rollouts', version: '2.40.5' },
  // istio/istio.io content/en/news/releases/1.26.x/announcing-1.26.2.
  istioBase: { repository: CHART_REPOSITORIES.istio, chart: 'base', version: ISTIO_VERSION },
  istiod: { repository: CHART_REPOSITORIES.istio, chart: 'istiod', version: ISTIO_VERSION },
  istioCni: { repository: CHART_REPOSITORIES.istio, chart: 'cni', version: ISTIO_VERSION },
  // prometheus-community/helm-charts charts/kube-prometheus-stack/Chart.yaml (operator v0.88.0).
  kubePrometheusStack: { repository: CHART_REPOSITORIES.prometheusCommunity, chart: 'kube-prometheus-stack', version: '81.4.5' },
} as const satisfies Record<string, PinnedChart>;
