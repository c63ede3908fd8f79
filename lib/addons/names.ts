/**
 * Names the add-ons are known by: their releases (what `dependsOn` refers to) and the namespaces they
 * run in (the cluster-scoped kinds their charts create are chart facts, lib/addons/chart-facts.ts).
 * The rule for names that cross objects is in lib/names.ts.
 */

/** Add-on names: the Helm release, HelmRelease and Application names, and what dependsOn refers to. */
export const Addon = {
  KUBE_PROMETHEUS_STACK: 'kube-prometheus-stack',
  ISTIO_BASE: 'istio-base',
  ISTIO_CNI: 'istio-cni',
  ISTIOD: 'istiod',
  CERT_MANAGER: 'cert-manager',
  EXTERNAL_SECRETS: 'external-secrets',
  KEDA: 'keda',
  ARGO_ROLLOUTS: 'argo-rollouts',
  INGRESS_NGINX: 'ingress-nginx',
  NGINX_GATEWAY_FABRIC: 'nginx-gateway-fabric',
  CLOUDNATIVE_PG: 'cloudnative-pg',
  BARMAN_CLOUD: 'plugin-barman-cloud',
  REDIS_OPERATOR: 'redis-operator',
  CHAOS_MESH: 'chaos-mesh',
} as const;

/** Istio's control plane namespace (the sidecars' network policies allow istiod there). */
export const ISTIO_NAMESPACE = 'istio-system';

/**
 * The Istio CNI node agent runs in kube-system: it needs host access (privileged), and on GKE only
 * kube-system has quota for its system-node-critical priority class.
 */
export const ISTIO_CNI_NAMESPACE = 'kube-system';

export const CERT_MANAGER_NAMESPACE = 'cert-manager';
/**
 * The labels of cert-manager's controller pod (its chart's selector labels, templates/deployment.yaml at
 * v1.21.2): the pod that checks an HTTP-01 challenge is reachable through the edge before the CA does.
 */
export const CERT_MANAGER_CONTROLLER_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'cert-manager',
  'app.kubernetes.io/component': 'controller',
};
export const KEDA_NAMESPACE = 'keda';
export const ARGO_ROLLOUTS_NAMESPACE = 'argo-rollouts';

/** NGINX Gateway Fabric's control plane (its data plane runs in the edge's namespace, one per Gateway). */
export const NGINX_GATEWAY_NAMESPACE = 'nginx-gateway';

/** CloudNativePG's operator, and the Barman Cloud plugin, which must run in the operator's namespace. */
export const CNPG_NAMESPACE = 'cnpg-system';
/** The labels of CloudNativePG's operator pod (its chart's selector labels). */
export const CNPG_OPERATOR_POD_LABELS: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'cloudnative-pg' };

export const REDIS_OPERATOR_NAMESPACE = 'redis-operator';
/** The labels of the redis-operator's pod (its chart's selector labels: `name: <redisOperator.name>`). */
export const REDIS_OPERATOR_POD_LABELS: Readonly<Record<string, string>> = { name: 'redis-operator' };

/** Chaos Mesh: its own namespace, the only one that admits its privileged chaos-daemon. */
export const CHAOS_MESH_NAMESPACE = 'chaos-mesh';
/** The namespace annotation Chaos Mesh requires of a target when `controllerManager.enableFilterNamespace` is on. */
export const CHAOS_INJECT_ANNOTATION = { 'chaos-mesh.org/inject': 'enabled' } as const;
