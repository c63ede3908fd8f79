/**
 * The upstream CustomResourceDefinitions we generate typed bindings for (see scripts/import.ts).
 *
 * Every URL is pinned to a commit SHA on raw.githubusercontent.com, so the bytes never change under
 * us. The commits are the ones recorded in ../shared/crds/SOURCES.md, which lets the offline mirror
 * stand in for the network with identical input (and therefore identical generated bindings).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

export interface CrdSource {
  /** Stable identifier, used for temp file names and log lines. */
  readonly id: string;
  /** Upstream GitHub repository (owner/name). */
  readonly project: string;
  /** Nearest upstream release, or "commit <sha>" when no tag could be established. */
  readonly release: string;
  /** Immutable (commit-pinned) URL of the CRD YAML. */
  readonly url: string;
  /** File name of the same YAML in the offline mirror directory. */
  readonly mirrorFile: string;
  /** CRD kinds (spec.names.kind) to keep from the file; other documents are dropped. */
  readonly kinds: readonly string[];
}

/** Upstream commit per project (from ../shared/crds/SOURCES.md, copied here so nothing reads it). */
const COMMITS = {
  'argoproj/argo-rollouts': '9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d',
  'istio/istio': '86c9f01fd735fb01d8192f5bcaf0d424afb7f14c',
  'kedacore/keda': '8b4f083ca8c8c2baf8477e322bd4d16ac4dfa09a',
  'prometheus-operator/prometheus-operator': '6adcebc5076c34f4f55f8f5f7b1e528929373ac7',
  'cert-manager/cert-manager': '2d0d7f7f74241a9cbf79f0e2a7bb247238ee09fd',
  'external-secrets/external-secrets': 'cc5bfbc2234ace9cb0caff4ea89c435cf517b27b',
  'fluxcd/source-controller': '39b711b111fa906c3db0a424e252a5d12e48646d',
  'fluxcd/kustomize-controller': '186fb3b29138ce82ff61ba1a9370b96a3dd598fe',
  'fluxcd/helm-controller': '0f61a8607a62be64638f2f912d9487e653960a6e',
  'argoproj/argo-cd': '37ee0097cf851bc2dd7665fc081bbce61a7e836e',
  // Tag v1.5.1: the Gateway API release NGINX Gateway Fabric 2.6.7 is built on (its go.mod).
  'kubernetes-sigs/gateway-api': 'e7677b70ae75d14a4448fba94870e7deea6cf0ad',
  'nginx/nginx-gateway-fabric': '5e34a17a8f7787e90f41d1af91258a556f0795b4',
  'cloudnative-pg/cloudnative-pg': '4b5e244a7d031f67e025c83c1555e7726ecbbfa1',
  'cloudnative-pg/plugin-barman-cloud': '1e13020fe5f09fd8fc29ea03828f7b61375b3721',
  'chaos-mesh/chaos-mesh': '60ec97f1fd5d5edb2fb5c722c8888e18b618d1a0',
  'OT-CONTAINER-KIT/redis-operator': 'ef33adb71ce1bffb0ab1fce593625c320dc6164e',
} as const;

type Project = keyof typeof COMMITS;

/** Builds a source whose URL is raw.githubusercontent.com/<project>/<commit>/<repoPath>. */
function pinned(id: string, project: Project, repoPath: string, mirrorFile: string, kinds: readonly string[], release?: string): CrdSource {
  const commit = COMMITS[project];
  return {
    id,
    project,
    release: release ?? `commit ${commit}`,
    url: `https://raw.githubusercontent.com/${project}/${commit}/${repoPath}`,
    mirrorFile,
    kinds,
  };
}

export const CRD_SOURCES: readonly CrdSource[] = [
  // Argo Rollouts: progressive delivery of the web/API tiers.
  pinned('argo-rollouts-rollout', 'argoproj/argo-rollouts', 'manifests/crds/rollout-crd.yaml', 'argoproj.io_rollouts.yaml', ['Rollout']),
  pinned(
    'argo-rollouts-analysistemplate',
    'argoproj/argo-rollouts',
    'manifests/crds/analysis-template-crd.yaml',
    'argoproj.io_analysistemplates.yaml',
    ['AnalysisTemplate'],
  ),

  // Istio ships every CRD in one multi-document file; we keep only the four we emit.
  pinned('istio-networking', 'istio/istio', 'manifests/charts/base/files/crd-all.gen.yaml', 'istio_crd-all.yaml', [
    'VirtualService',
    'DestinationRule',
    // The per-user rate limit: Envoy's local rate limit on the services' sidecars (lib/constructs/user-rate-limit.ts).
    'EnvoyFilter',
    // Outbound traffic to registered hosts only: the namespace's Sidecar and the external hosts' entries (lib/constructs/mesh-egress.ts).
    'ServiceEntry',
    'Sidecar',
  ]),
  pinned('istio-security', 'istio/istio', 'manifests/charts/base/files/crd-all.gen.yaml', 'istio_crd-all.yaml', [
    'PeerAuthentication',
    'AuthorizationPolicy',
    // The users' tokens, verified at the services' sidecars (lib/constructs/user-rate-limit.ts).
    'RequestAuthentication',
  ]),

  // KEDA: event-driven autoscaling of the Celery workers.
  pinned('keda-scaledobject', 'kedacore/keda', 'config/crd/bases/keda.sh_scaledobjects.yaml', 'keda.sh_scaledobjects.yaml', [
    'ScaledObject',
  ]),
  pinned(
    'keda-triggerauthentication',
    'kedacore/keda',
    'config/crd/bases/keda.sh_triggerauthentications.yaml',
    'keda.sh_triggerauthentications.yaml',
    ['TriggerAuthentication'],
  ),

  // prometheus-operator: scraping and alerting rules.
  pinned(
    'prometheus-servicemonitor',
    'prometheus-operator/prometheus-operator',
    'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml',
    'monitoring.coreos.com_servicemonitors.yaml',
    ['ServiceMonitor'],
  ),
  pinned(
    'prometheus-prometheusrule',
    'prometheus-operator/prometheus-operator',
    'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml',
    'monitoring.coreos.com_prometheusrules.yaml',
    ['PrometheusRule'],
  ),

  // cert-manager: TLS certificates.
  pinned(
    'cert-manager-certificate',
    'cert-manager/cert-manager',
    'deploy/crds/cert-manager.io_certificates.yaml',
    'cert-manager.io_certificates.yaml',
    ['Certificate'],
  ),
  pinned(
    'cert-manager-clusterissuer',
    'cert-manager/cert-manager',
    'deploy/crds/cert-manager.io_clusterissuers.yaml',
    'cert-manager.io_clusterissuers.yaml',
    ['ClusterIssuer'],
  ),
  // The data CA's namespaced Issuer: Redis's certificate (lib/constructs/ca-issuer.ts).
  pinned('cert-manager-issuer', 'cert-manager/cert-manager', 'deploy/crds/cert-manager.io_issuers.yaml', 'cert-manager.io_issuers.yaml', [
    'Issuer',
  ]),

  // external-secrets: secrets pulled from the cloud secret manager.
  pinned(
    'external-secrets-externalsecret',
    'external-secrets/external-secrets',
    'config/crds/bases/external-secrets.io_externalsecrets.yaml',
    'external-secrets.io_externalsecrets.yaml',
    ['ExternalSecret'],
  ),
  pinned(
    'external-secrets-secretstore',
    'external-secrets/external-secrets',
    'config/crds/bases/external-secrets.io_secretstores.yaml',
    'external-secrets.io_secretstores.yaml',
    ['SecretStore'],
  ),
  pinned(
    'external-secrets-clustersecretstore',
    'external-secrets/external-secrets',
    'config/crds/bases/external-secrets.io_clustersecretstores.yaml',
    'external-secrets.io_clustersecretstores.yaml',
    ['ClusterSecretStore'],
  ),

  // Flux: GitOps delivery.
  pinned(
    'flux-gitrepository',
    'fluxcd/source-controller',
    'config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml',
    'source.toolkit.fluxcd.io_gitrepositories.yaml',
    ['GitRepository'],
  ),
  pinned(
    'flux-helmrepository',
    'fluxcd/source-controller',
    'config/crd/bases/source.toolkit.fluxcd.io_helmrepositories.yaml',
    'source.toolkit.fluxcd.io_helmrepositories.yaml',
    ['HelmRepository'],
  ),
  pinned(
    'flux-kustomization',
    'fluxcd/kustomize-controller',
    'config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml',
    'kustomize.toolkit.fluxcd.io_kustomizations.yaml',
    ['Kustomization'],
  ),
  pinned(
    'flux-helmrelease',
    'fluxcd/helm-controller',
    'config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml',
    'helm.toolkit.fluxcd.io_helmreleases.yaml',
    ['HelmRelease'],
  ),

  // Argo CD: GitOps delivery (alternative to Flux).
  pinned('argo-cd-application', 'argoproj/argo-cd', 'manifests/crds/application-crd.yaml', 'argoproj.io_applications.yaml', [
    'Application',
  ]),
  pinned('argo-cd-applicationset', 'argoproj/argo-cd', 'manifests/crds/applicationset-crd.yaml', 'argoproj.io_applicationsets.yaml', [
    'ApplicationSet',
  ]),
  pinned('argo-cd-appproject', 'argoproj/argo-cd', 'manifests/crds/appproject-crd.yaml', 'argoproj.io_appprojects.yaml', ['AppProject']),

  // prometheus-operator: PodMonitors for pods without a Service (the data stores).
  pinned(
    'prometheus-podmonitor',
    'prometheus-operator/prometheus-operator',
    'example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml',
    'monitoring.coreos.com_podmonitors.yaml',
    ['PodMonitor'],
  ),

  // Gateway API (standard channel): the public edge. The release is the one the Gateway controller
  // supports (lib/addons/chart-facts.ts gatewayApi), the same tag its CRDs are installed from
  // (lib/addons/chart-versions.ts GATEWAY_API_CRDS); test/imports.test.ts holds the three together.
  pinned(
    'gateway-api-gateway',
    'kubernetes-sigs/gateway-api',
    'config/crd/standard/gateway.networking.k8s.io_gateways.yaml',
    'gateway-api-v1.5.1/gateway.networking.k8s.io_gateways.yaml',
    ['Gateway'],
    'v1.5.1',
  ),
  pinned(
    'gateway-api-grpcroute',
    'kubernetes-sigs/gateway-api',
    'config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml',
    'gateway-api-v1.5.1/gateway.networking.k8s.io_grpcroutes.yaml',
    ['GRPCRoute'],
    'v1.5.1',
  ),
  pinned(
    'gateway-api-httproute',
    'kubernetes-sigs/gateway-api',
    'config/crd/standard/gateway.networking.k8s.io_httproutes.yaml',
    'gateway-api-v1.5.1/gateway.networking.k8s.io_httproutes.yaml',
    ['HTTPRoute'],
    'v1.5.1',
  ),

  // NGINX Gateway Fabric: the edge's data plane settings and its rate limit.
  pinned(
    'ngf-nginxproxy',
    'nginx/nginx-gateway-fabric',
    'config/crd/bases/gateway.nginx.org_nginxproxies.yaml',
    'gateway.nginx.org_nginxproxies.yaml',
    ['NginxProxy'],
    'v2.6.7',
  ),
  pinned(
    'ngf-ratelimitpolicy',
    'nginx/nginx-gateway-fabric',
    'config/crd/bases/gateway.nginx.org_ratelimitpolicies.yaml',
    'gateway.nginx.org_ratelimitpolicies.yaml',
    ['RateLimitPolicy'],
    'v2.6.7',
  ),

  // CloudNativePG and its Barman Cloud plugin: PostgreSQL in the cluster.
  pinned(
    'cnpg-cluster',
    'cloudnative-pg/cloudnative-pg',
    'config/crd/bases/postgresql.cnpg.io_clusters.yaml',
    'postgresql.cnpg.io_clusters.yaml',
    ['Cluster'],
    'v1.30.0',
  ),
  pinned(
    'cnpg-pooler',
    'cloudnative-pg/cloudnative-pg',
    'config/crd/bases/postgresql.cnpg.io_poolers.yaml',
    'postgresql.cnpg.io_poolers.yaml',
    ['Pooler'],
    'v1.30.0',
  ),
  pinned(
    'cnpg-scheduledbackup',
    'cloudnative-pg/cloudnative-pg',
    'config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml',
    'postgresql.cnpg.io_scheduledbackups.yaml',
    ['ScheduledBackup'],
    'v1.30.0',
  ),
  pinned(
    'barman-objectstore',
    'cloudnative-pg/plugin-barman-cloud',
    'config/crd/bases/barmancloud.cnpg.io_objectstores.yaml',
    'barmancloud.cnpg.io_objectstores.yaml',
    ['ObjectStore'],
    'v0.14.0',
  ),

  // Chaos Mesh: scheduled chaos drills.
  pinned(
    'chaos-schedule',
    'chaos-mesh/chaos-mesh',
    'config/crd/bases/chaos-mesh.org_schedules.yaml',
    'chaos-mesh.org_schedules.yaml',
    ['Schedule'],
    'v2.8.3',
  ),

  // OT-CONTAINER-KIT redis-operator: Redis with replicas and Sentinel failover.
  pinned(
    'redis-replication',
    'OT-CONTAINER-KIT/redis-operator',
    'config/crd/bases/redis.redis.opstreelabs.in_redisreplications.yaml',
    'redis.redis.opstreelabs.in_redisreplications.yaml',
    ['RedisReplication'],
    'v0.26.0',
  ),
  // The Sentinels of a RedisReplication, standalone: the embedded ones get no TLS (docs/design/redis-tls.md).
  pinned(
    'redis-sentinel',
    'OT-CONTAINER-KIT/redis-operator',
    'config/crd/bases/redis.redis.opstreelabs.in_redissentinels.yaml',
    'redis.redis.opstreelabs.in_redissentinels.yaml',
    ['RedisSentinel'],
    'v0.26.0',
  ),
];

/** Reads the CRD YAML text: from `${mirrorDir}/${mirrorFile}` when mirrorDir is given, else fetches url. */
export async function readCrdSource(src: CrdSource, mirrorDir?: string): Promise<string> {
  if (mirrorDir !== undefined) {
    return readFile(path.join(mirrorDir, src.mirrorFile), 'utf8');
  }
  let res: Response;
  try {
    res = await fetch(src.url);
  } catch (err) {
    // Node's own message is just "fetch failed"; say what was being fetched and how to work offline.
    const cause = err instanceof Error ? err.message : String(err);
    throw new Error(`${src.id}: GET ${src.url} failed (${cause}); offline, pass --mirror DIR or set CRD_MIRROR`);
  }
  if (!res.ok) {
    throw new Error(`${src.id}: GET ${src.url} failed: ${res.status} ${res.statusText}`);
  }
  return res.text();
}
