/**
 * Names that cross objects. A Service, the Rollout that points at it, the VirtualService that routes
 * to it and the HPA that scales it all call these functions, so a rename cannot leave a dangling
 * reference.
 *
 * The rule: each name that crosses objects is made by one function, in the names module of its
 * domain, and nowhere else. This module holds the workloads', the mesh's and the edge's names and
 * the host of any Service; it is part of the kernel (.dependency-cruiser.cjs) because the model reads
 * it too. The data layer's names are in lib/data-names.ts, the GitOps objects' in lib/gitops/names.ts
 * and the add-ons' in lib/addons/names.ts: the constructs and charts of those domains use them and
 * the model never does, so they stay out of the kernel that every layer may import.
 */

/** The workload (Deployment or Rollout), its ServiceAccount and its main Service share this name. */
export function workloadName(service: string): string {
  return service;
}

export function serviceAccountName(service: string): string {
  return workloadName(service);
}

/** The Service that receives live traffic; for Rollouts, the active (blue-green) or stable (canary) one. */
export function serviceName(service: string): string {
  return workloadName(service);
}

/** Blue-green preview Service, where the new version is reachable before promotion. */
export function previewServiceName(service: string): string {
  return `${service}-preview`;
}

/** The DNS name of a Kubernetes Service in the cluster: a platform service's, a pooler's, an operator's. */
export function clusterHost(serviceObject: string, namespace: string): string {
  return `${serviceObject}.${namespace}.svc.cluster.local`;
}

/** The DNS name other workloads in the namespace use to call the service. */
export function serviceHost(service: string, namespace: string): string {
  return clusterHost(serviceName(service), namespace);
}

/** The named Service port of an HTTP service, and its container port name. */
export const HTTP_PORT_NAME = 'http';

/** What a web service's port speaks (environments: `services.<name>.protocol`). */
export type PortProtocol = 'http' | 'http2' | 'grpc';

/**
 * The Service and container port name of a protocol. Istio takes a port's protocol from its
 * appProtocol, else from the name's prefix before a `-` (ConvertProtocol, pkg/config/kube/conversion.go):
 * both say the same here.
 */
export function portName(protocol: PortProtocol): string {
  return protocol;
}

/**
 * The Service port's appProtocol: `kubernetes.io/h2c` is the Kubernetes standard name for HTTP/2 over
 * cleartext, which Istio reads as HTTP2; `grpc` and `http` are Istio's own.
 */
export function appProtocol(protocol: PortProtocol): string {
  return protocol === 'http2' ? 'kubernetes.io/h2c' : protocol;
}

/**
 * The container port a web service serves its Prometheus metrics on: apart from the port its Services,
 * and so its routes, reach, so a public route to `/` never publishes `/metrics`.
 */
export const METRICS_PORT_NAME = 'metrics';

/** The port the Services listen on; containers listen on their own port behind it. */
export const SERVICE_PORT = 80;

/** The main version of a service; other tracks run beside it with a weighted share of traffic. */
export const MAIN_TRACK = 'main';

/** The workload of one track: the main track keeps the service's name. */
export function trackWorkloadName(service: string, track: string): string {
  return track === MAIN_TRACK ? workloadName(service) : `${service}-${track}`;
}

export function virtualServiceName(service: string): string {
  return serviceName(service);
}

export function destinationRuleName(service: string): string {
  return serviceName(service);
}

/** The VirtualService HTTP route that carries a service's traffic; Argo Rollouts sets its weights. */
export const PRIMARY_ROUTE = 'primary';

/** DestinationRule subsets of a canary Rollout; Argo Rollouts pins each to a ReplicaSet hash. */
export const STABLE_SUBSET = 'stable';
export const CANARY_SUBSET = 'canary';

/** The DestinationRule subset of a weighted track. */
export function trackSubsetName(track: string): string {
  return track;
}

/** The Istio/SPIFFE identity of a ServiceAccount: what authorization policies allow. */
export function workloadPrincipal(trustDomain: string, namespace: string, account: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${account}`;
}

/** The Secret (written by an ExternalSecret) that holds one service's credentials. */
export function appSecretName(service: string): string {
  return `${service}-secrets`;
}

/** The KEDA TriggerAuthentication of a queue worker. */
export function queueAuthenticationName(service: string): string {
  return `${service}-queue`;
}

/** Where a service's secrets are mounted as files, one file per secret. */
export const SECRETS_MOUNT_PATH = '/var/run/secrets/app';

/** The ConfigMap of a service's non-secret configuration files. */
export function configMapName(service: string): string {
  return `${service}-config`;
}

/** Where a service's configuration files are mounted. */
export const CONFIG_MOUNT_PATH = '/etc/app';

/** The Secret holding the certificate of every public host (issued by cert-manager). */
export function publicTlsSecretName(environment: string): string {
  return `public-${environment}-tls`;
}

/** The cert-manager Certificate that writes `publicTlsSecretName`. */
export function publicCertificateName(environment: string): string {
  return `public-${environment}`;
}

/** The environment variable that tells a queue worker which queue it consumes (the one KEDA scales on). */
export const QUEUE_NAME_ENV = 'QUEUE_NAME';

/** Environment variables the platform sets itself: a service's own `env` may not use these names or prefixes. */
export const PLATFORM_ENV = { names: [QUEUE_NAME_ENV], prefixes: ['OTEL_'] } as const;

/** The identity and name of the pods that send a blue-green preview its smoke traffic. */
export const RELEASE_SMOKE = 'release-smoke';

/** The public Gateway and its GatewayClass (NGINX Gateway Fabric's). */
export const GATEWAY_NAME = 'public';
export const GATEWAY_CLASS = 'nginx';

/**
 * The ServiceAccount NGINX Gateway Fabric gives a Gateway's NGINX pods: `<gateway>-<class>`
 * (internal/framework/controller/resource.go). It is what the services' authorization policies allow.
 */
export function gatewayServiceAccount(gateway: string, gatewayClass: string): string {
  return `${gateway}-${gatewayClass}`;
}

/** The labels NGINX Gateway Fabric puts on a Gateway's NGINX pods, by which they are selected. */
export function gatewayPodSelector(gateway: string): Record<string, string> {
  return { 'gateway.networking.k8s.io/gateway-name': gateway };
}

/** The ServiceAccount of the retired ingress-nginx controller (its chart's `serviceAccount.name`). */
export const INGRESS_NGINX_SERVICE_ACCOUNT = 'ingress-nginx';

/** The labels the ingress-nginx chart gives its controller pods (release `ingress-nginx`). */
export const INGRESS_NGINX_POD_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'ingress-nginx',
  'app.kubernetes.io/instance': 'ingress-nginx',
  'app.kubernetes.io/component': 'controller',
};

/**
 * The Service in the edge's namespace that stands for a platform Service (ExternalName to its cluster
 * host): NGINX then connects to the Service's cluster address with its host, so Istio applies the
 * Service's routing and mTLS to public traffic.
 */
export function edgeUpstreamName(service: string): string {
  return service;
}

/**
 * The route (HTTPRoute or GRPCRoute) of a service at the edge: one per set of hosts that share the
 * same paths; the first is named after the service, the next `<service>-2`, `<service>-3`, ...
 */
export function edgeRouteName(service: string, group: number): string {
  return group === 0 ? service : `${service}-${group + 1}`;
}

/** The RequestAuthentication and EnvoyFilter that count a service's requests per verified user. */
export function userRateLimitName(service: string): string {
  return `${service}-users`;
}
