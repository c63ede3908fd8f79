/**
 * One failing and one passing fixture for every rule id, table-driven so that a rule added to the
 * registry without a case here fails the suite.
 */
import { describe, expect, it } from 'vitest';
import { RULE_IDS, runRules } from '../../validation/rules/all';
import type { Manifest } from '../../lib/core/manifest';
import type { ValidationContext } from '../../validation/types';
import {
  DEV,
  NS,
  PROD,
  byName,
  findings,
  goodDeployment,
  goodPdb,
  goodPlatform,
  goodService,
  goodServiceAccount,
  labels,
  platformWith,
  selectorLabels,
  type M,
} from '../fixtures/rules/factories';
import { platformWithData } from '../fixtures/rules/data-layer';
import { dataClients } from '../fixtures/rules/data-clients';
import { DISK_PRESSURE, NODE_DISK, alertRule, monitoringStack } from '../fixtures/rules/alert-sources';
import { defaultServiceAccount, goodSandbox, launcherRole, limitRange, projectTemplate, sandboxNamespace } from '../fixtures/rules/sandbox';

interface Case {
  /** Objects that must produce at least one finding of the rule. */
  readonly fail: () => M[];
  /** Objects (a variation on the good platform) that must produce none. */
  readonly pass: () => M[];
  readonly ctx?: ValidationContext;
  readonly passCtx?: ValidationContext;
  /** Expected path and message fragment of the first finding. */
  readonly path: string;
  readonly message: string | RegExp;
}

const backendContainer = (o: M): M => o.spec.template.spec.containers[0];

/** Producers and consumers of secrets, for the ref/secret-* and related cases. */
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: NS, labels: labels(name), ...extra });
const externalSecret = (name: string, keys: string[], store = 'vault'): M => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: meta(name),
  spec: {
    secretStoreRef: { name: store, kind: 'ClusterSecretStore' },
    target: { name },
    data: keys.map((key) => ({ secretKey: key, remoteRef: { key: `platform/${key}` } })),
  },
});
const clusterStore = (name: string, namespaces: string[]): M => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterSecretStore',
  metadata: { name, labels: labels(name) },
  spec: { provider: { vault: { server: 'http://vault:8200' } }, conditions: [{ namespaces }] },
});
const mountSecret = (secret: string, items?: string[]) =>
  platformWith('Deployment', 'backend', (o) => {
    o.spec.template.spec.volumes = [
      ...(o.spec.template.spec.volumes ?? []),
      { name: 'creds', secret: { secretName: secret, ...(items ? { items: items.map((key) => ({ key, path: key })) } : {}) } },
    ];
  });
const certificate = (issuer: string): M => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: meta('public'),
  spec: { secretName: 'public-tls', dnsNames: ['app.example.com'], issuerRef: { name: issuer, kind: 'ClusterIssuer' } },
});
const authenticatedScaledObject = (auth: string): M => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: meta('queue-worker'),
  spec: {
    scaleTargetRef: { name: 'queue-worker' },
    triggers: [{ type: 'redis', metadata: { listName: 'celery' }, authenticationRef: { name: auth } }],
  },
});
const serviceMonitor = (selector: Record<string, string>, port: string): M => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: meta('backend'),
  spec: { selector: { matchLabels: selector }, endpoints: [{ port, path: '/metrics' }] },
});

/** A namespace the set creates, and a policy denying every pod of it the given directions. */
const addonNamespace = (name: string): M => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
});
const denyEvery = (namespace: string, policyTypes: string[]): M => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny', namespace, labels: labels('default-deny') },
  spec: { podSelector: {}, policyTypes },
});

/** A mesh namespace, a blue-green Rollout and its gate, an HTTP-01 issuer and a store, for the defect classes. */
const meshNamespace = (): M => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'istio-injection': 'enabled' } } });
const proxyConfig = (drain: string) => ({
  'proxy.istio.io/config': JSON.stringify({ holdApplicationUntilProxyStarts: true, terminationDrainDuration: drain }),
});
const injectedPlatform = (drain: string | undefined): M[] =>
  platformWith('Deployment', 'backend', (o) => {
    o.spec.template.spec.terminationGracePeriodSeconds = 30;
    if (drain !== undefined) o.spec.template.metadata.annotations = proxyConfig(drain);
  })
    .filter((o: M) => ['backend'].includes(o.metadata.name))
    .concat([meshNamespace()]);
const blueGreenRollout = (templates: string[]): M => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: meta('backend'),
  spec: {
    selector: { matchLabels: selectorLabels('backend') },
    template: { metadata: { labels: labels('backend') }, spec: {} },
    strategy: {
      blueGreen: {
        activeService: 'backend',
        previewService: 'backend-preview',
        prePromotionAnalysis: { templates: templates.map((templateName) => ({ templateName })), args: [] },
      },
    },
  },
});
const gateTemplate = (name: string, withJob: boolean): M => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: meta(name),
  spec: {
    metrics: [
      ...(withJob ? [{ name: 'smoke-traffic', provider: { job: { spec: { template: { spec: {} } } } } }] : []),
      {
        name: 'success-rate',
        successCondition: 'len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.99',
        provider: { prometheus: { address: 'http://prometheus:9090', query: 'up' } },
      },
    ],
  },
});
const http01Issuer = (): M => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'ClusterIssuer',
  metadata: { name: 'letsencrypt', labels: labels('letsencrypt') },
  spec: { acme: { solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }] } },
});
const solverPolicy = (port: number): M => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: meta('acme-http01-solver'),
  spec: {
    podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port }] }],
  },
});
const gcpStore = (): M => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterSecretStore',
  metadata: { name: 'gcp', labels: labels('gcp') },
  spec: { provider: { gcpsm: { projectId: 'platform-prod' } }, conditions: [{ namespaces: [NS] }] },
});
const helmApplication = (options: string[], config: Record<string, string> = {}): M => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'ingress-nginx', namespace: 'argocd', labels: labels('ingress-nginx') },
  spec: {
    project: 'prod',
    source: {
      repoURL: 'https://kubernetes.github.io/ingress-nginx',
      chart: 'ingress-nginx',
      targetRevision: '4.13.3',
      helm: { valuesObject: { controller: { config } } },
    },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'ingress-nginx' },
    syncPolicy: { syncOptions: options },
  },
});
/** The Gateway's rate limit stating `stated` requests a minute, with one rule (`undefined`: states none). */
const rateLimit = (stated: number | undefined, rule: Record<string, unknown>): M => ({
  apiVersion: 'gateway.nginx.org/v1alpha1',
  kind: 'RateLimitPolicy',
  metadata: {
    name: 'public',
    namespace: EDGE,
    labels: labels('public'),
    ...(stated === undefined ? {} : { annotations: { 'platform/requests-per-minute': String(stated) } }),
  },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
    rateLimit: { rejectCode: 429, local: { rules: [{ key: '$binary_remote_addr', ...rule }] } },
  },
});
const loadBalancer = (extra: { spec?: Record<string, unknown>; annotations?: Record<string, string> } = {}): M => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'public-lb',
    namespace: EDGE,
    labels: labels('public-lb'),
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  },
  spec: { type: 'LoadBalancer', selector: { app: 'x' }, ports: [{ port: 443 }], ...extra.spec },
});
/**
 * An ACME issuer answering HTTP-01 on the Gateway edge/public, cert-manager installed into cert-manager,
 * and the Gateway's pods isolated by a policy admitting `from` on port 80 (`undefined`: no cert-manager install).
 */
const http01Edge = (from: Record<string, unknown>[], certManager = true): M[] => [
  ...gatewayEdge(),
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name: 'letsencrypt', labels: labels('letsencrypt') },
    spec: {
      acme: {
        server: 'https://acme-v02.api.letsencrypt.org/directory',
        privateKeySecretRef: { name: 'letsencrypt' },
        solvers: [
          { http01: { gatewayHTTPRoute: { parentRefs: [{ kind: 'Gateway', name: 'public', namespace: EDGE, sectionName: 'http' }] } } },
        ],
      },
    },
  },
  ...(certManager
    ? [
        {
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          metadata: { name: 'cert-manager', namespace: 'flux-system', labels: labels('cert-manager') },
          spec: { chart: { spec: { chart: 'cert-manager', version: 'v1.21.2' } }, targetNamespace: 'cert-manager', values: {} },
        },
      ]
    : []),
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'public', namespace: EDGE, labels: labels('public') },
    spec: {
      podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } },
      policyTypes: ['Ingress'],
      ingress: [{ from, ports: [{ protocol: 'TCP', port: 80 }] }],
    },
  },
];
const CERT_MANAGER_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cert-manager' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' } },
};
/** An app's ExternalSecret writing a Redis connection URL. */
const redisClientSecret = (url: string): M => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: meta('worker-secrets'),
  spec: {
    secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
    target: { name: 'worker-secrets', template: { data: { 'redis-url': url } } },
    data: [{ secretKey: 'p', remoteRef: { key: 'platform/redis-password' } }],
  },
});
/** A policy letting the data namespace's pods out to one address and port. */
const googleEgress = (cidr: string, port: number): M => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'postgres-instances', namespace: 'data', labels: labels('postgres-instances') },
  spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr } }], ports: [{ protocol: 'TCP', port }] }] },
});
/** A weekly pod-kill drill of the workers, with `concurrencyPolicy` as given (`undefined`: absent). */
const drill = (concurrencyPolicy: string | undefined, action = 'pod-kill', duration?: string): M => ({
  apiVersion: 'chaos-mesh.org/v1alpha1',
  kind: 'Schedule',
  metadata: meta('worker-pod-kill'),
  spec: {
    schedule: '30 3 * * 1',
    type: 'PodChaos',
    ...(concurrencyPolicy === undefined ? {} : { concurrencyPolicy }),
    historyLimit: 3,
    podChaos: {
      action,
      mode: 'one',
      ...(duration === undefined ? {} : { duration }),
      selector: { namespaces: [NS], labelSelectors: { 'app.kubernetes.io/name': 'worker' } },
    },
  },
});
/** NGINX Gateway Fabric from Flux and the Gateway API CRDs at `tag` (`undefined`: no CRD source in the set). */
const gatewayController = (tag: string | undefined): M[] => [
  {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'nginx-gateway-fabric', namespace: 'flux-system', labels: labels('nginx-gateway-fabric') },
    spec: {
      chart: { spec: { chart: 'nginx-gateway-fabric', version: '2.6.7', sourceRef: { kind: 'HelmRepository', name: 'nginx' } } },
      targetNamespace: 'nginx-gateway',
      values: {},
    },
  },
  ...(tag === undefined
    ? []
    : [
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          metadata: { name: 'gateway-api', namespace: 'flux-system', labels: labels('gateway-api') },
          spec: { url: 'https://github.com/kubernetes-sigs/gateway-api', ref: { tag }, interval: '12h' },
        },
      ]),
];
const virtualService = (retries: Record<string, unknown>): M => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: meta('ai'),
  spec: { hosts: ['ai'], http: [{ name: 'primary', route: [{ destination: { host: 'ai' } }], timeout: '60s', retries }] },
});

/** A Gateway edge in its own namespace reaching the platform's backend through an ExternalName Service. */
const EDGE = 'edge';
interface EdgeOptions {
  readonly listenerHost?: string;
  readonly dnsResolver?: boolean;
  readonly seccompPatch?: boolean;
  readonly rewriteClientIP?: Record<string, unknown>;
}
const gatewayEdge = (options: EdgeOptions = {}): M[] => {
  const edgeMeta = (name: string) => ({ name, namespace: EDGE, labels: labels(name) });
  const podPatch = {
    type: 'StrategicMerge',
    value: { spec: { template: { spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } } } } },
  };
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: EDGE, labels: { 'istio-injection': 'enabled', 'pod-security.kubernetes.io/enforce': 'restricted' } },
    },
    {
      apiVersion: 'gateway.nginx.org/v1alpha2',
      kind: 'NginxProxy',
      metadata: edgeMeta('public'),
      spec: {
        ...(options.dnsResolver === false
          ? {}
          : { dnsResolver: { addresses: [{ type: 'Hostname', value: 'kube-dns.kube-system.svc.cluster.local' }] } }),
        ...(options.rewriteClientIP === undefined ? {} : { rewriteClientIP: options.rewriteClientIP }),
        kubernetes: {
          deployment: { replicas: 2, ...(options.seccompPatch === false ? {} : { patches: [podPatch] }) },
          service: { loadBalancerClass: 'networking.gke.io/l4-regional-external' },
        },
      },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: edgeMeta('public'),
      spec: {
        gatewayClassName: 'nginx',
        infrastructure: { parametersRef: { group: 'gateway.nginx.org', kind: 'NginxProxy', name: 'public' } },
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP' },
          {
            name: 'https',
            port: 443,
            protocol: 'HTTPS',
            hostname: options.listenerHost ?? 'app.example.com',
            tls: { certificateRefs: [{ name: 'public-tls' }] },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: edgeMeta('backend'),
      spec: { type: 'ExternalName', externalName: `backend.${NS}.svc.cluster.local`, ports: [{ name: 'http', port: 80 }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: edgeMeta('backend'),
      spec: {
        hostnames: ['app.example.com'],
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', sectionName: 'https' }],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'backend', port: 80 }] }],
      },
    },
  ];
};
/** An Argo CD Application of a chart into a namespace it labels. */
const chartApplication = (chart: string, values: Record<string, unknown>, namespaceLabels: Record<string, string>): M => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: chart, namespace: 'argocd', labels: labels(chart) },
  spec: {
    project: 'prod',
    source: { repoURL: 'https://example.com/charts', chart, targetRevision: '1.0.0', helm: { valuesObject: values } },
    destination: { server: 'https://kubernetes.default.svc', namespace: chart },
    syncPolicy: { syncOptions: ['ServerSideApply=true'], managedNamespaceMetadata: { labels: namespaceLabels } },
  },
});
const RESTRICTED_INJECTED = { 'pod-security.kubernetes.io/enforce': 'restricted', 'istio-injection': 'enabled' };

/** An Istio AuthorizationPolicy in the platform's namespace. */
const meshPolicy = (name: string, spec: Record<string, unknown>): M => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name, namespace: NS, labels: labels(name) },
  spec,
});
/** An EnvoyFilter adding Envoy's local rate limit to the backend's sidecar, with one descriptor action. */
const userLimit = (action: Record<string, unknown>): M => ({
  apiVersion: 'networking.istio.io/v1alpha3',
  kind: 'EnvoyFilter',
  metadata: { name: 'backend-users', namespace: NS, labels: labels('backend') },
  spec: {
    workloadSelector: { labels: selectorLabels('backend') },
    configPatches: [
      {
        applyTo: 'HTTP_FILTER',
        match: { context: 'SIDECAR_INBOUND' },
        patch: {
          operation: 'INSERT_BEFORE',
          value: {
            name: 'envoy.filters.http.local_ratelimit',
            typed_config: {
              stat_prefix: 'user_rate_limit',
              descriptors: [{ entries: [{ key: 'user' }] }],
              rate_limits: [{ actions: [action] }],
            },
          },
        },
      },
    ],
  },
});

const scrapePolicy = (peer: Record<string, unknown>): M => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'frontend', namespace: NS, labels: labels('frontend') },
  spec: {
    podSelector: { matchLabels: selectorLabels('frontend') },
    policyTypes: ['Ingress'],
    ingress: [{ from: [peer], ports: [{ protocol: 'TCP', port: 15020 }] }],
  },
});

/** Chaos Mesh from Flux, its daemon on the nodes `nodeSelector` selects (undefined: every node). */
const chaosMeshRelease = (nodeSelector: Record<string, string> | undefined): M => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'chaos-mesh', namespace: 'flux-system', labels: labels('chaos-mesh') },
  spec: {
    chart: { spec: { chart: 'chaos-mesh', version: '2.8.3', sourceRef: { kind: 'HelmRepository', name: 'chaos-mesh' } } },
    targetNamespace: 'chaos-mesh',
    values: { chaosDaemon: { runtime: 'containerd', ...(nodeSelector === undefined ? {} : { nodeSelector }) } },
  },
});

/** A ClusterSecretStore reading Google Secret Manager as the operator's ServiceAccount. */
const gcpIdentityStore = (): M => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterSecretStore',
  metadata: { name: 'platform-secrets', labels: labels('platform-secrets') },
  spec: {
    provider: {
      gcpsm: {
        projectId: 'platform-prod',
        auth: { workloadIdentity: { serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } },
      },
    },
    conditions: [{ namespaces: [NS] }],
  },
});
/** The external-secrets operator from Flux with its ServiceAccount's values. */
const externalSecretsRelease = (serviceAccount: Record<string, unknown>): M => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'external-secrets', namespace: 'flux-system', labels: labels('external-secrets') },
  spec: {
    chart: { spec: { chart: 'external-secrets', version: '2.8.0', sourceRef: { kind: 'HelmRepository', name: 'external-secrets' } } },
    targetNamespace: 'external-secrets',
    values: { serviceAccount },
  },
});
/** Gateway API's repository as a Flux source at `ref`. */
const gitSource = (ref: Record<string, string>): M => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name: 'gateway-api', namespace: 'flux-system' },
  spec: { interval: '12h', url: 'https://github.com/kubernetes-sigs/gateway-api', ref },
});

/** An injected namespace, the AI service's egress to `cidr` on 443, and (`registryOnly`) the namespace-wide Sidecar. */
const meshEgress = (cidr: string, registryOnly: boolean): M[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'istio-injection': 'enabled' } } },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'ai', namespace: NS, labels: labels('ai') },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr } }], ports: [{ protocol: 'TCP', port: 443 }] }] },
  },
  ...(registryOnly
    ? [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'Sidecar',
          metadata: { name: 'default', namespace: NS },
          spec: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
        },
      ]
    : []),
];

/** A namespace's GCP SecretStore and the ServiceAccount it reads as, bound to `identity`. */
const namespaceStore = (namespace: string, identity: string): M[] => [
  {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name: 'platform-secrets', namespace },
    spec: {
      provider: { gcpsm: { projectID: 'platform-prod', auth: { workloadIdentity: { serviceAccountRef: { name: 'external-secrets' } } } } },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'external-secrets', namespace, annotations: { 'iam.gke.io/gcp-service-account': identity } },
    automountServiceAccountToken: false,
  },
];

/** An Argo CD project deploying to `namespaces` of the in-cluster server, verifying the platform repository's commits. */
const argoProject = (name: string, namespaces: string[], namespaced?: { group: string; kind: string }[]): M => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name, namespace: 'argocd' },
  spec: {
    sourceRepos: ['https://github.com/example/platform-manifests'],
    destinations: namespaces.map((namespace) => ({ server: 'https://kubernetes.default.svc', namespace })),
    clusterResourceBlacklist: [{ group: '*', kind: '*' }],
    ...(namespaced === undefined ? {} : { namespaceResourceWhitelist: namespaced }),
    sourceIntegrity: {
      git: {
        policies: [
          { repos: [{ url: 'https://github.com/example/platform-manifests' }], gpg: { mode: 'head', keys: ['7C2D41A9E05B38F6'] } },
        ],
      },
    },
  },
});

/** An Argo CD Application of `project` syncing a folder of the platform repository into `namespace`. */
const argoFolder = (name: string, project: string, namespace: string): M => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: {
    project,
    source: { repoURL: 'https://github.com/example/platform-manifests', targetRevision: 'main', path: `dist/prod/${name}` },
    destination: { server: 'https://kubernetes.default.svc', namespace },
  },
});

/** A Flux stage applied as `account` (undefined: as the controller). */
const fluxStage = (account: string | undefined): M => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'prod-apps', namespace: 'flux-system' },
  spec: {
    interval: '10m',
    path: './dist/prod',
    prune: true,
    sourceRef: { kind: 'GitRepository', name: 'prod' },
    ...(account === undefined ? {} : { serviceAccountName: account }),
  },
});

const CASES: Record<string, Case> = {
  'sandbox/isolation': {
    fail: () => [sandboxNamespace(), projectTemplate((spec) => delete spec.runtimeClassName)],
    pass: () => [...goodPlatform(), ...goodSandbox()],
    path: 'template.spec.runtimeClassName',
    message: 'runtimeClassName is "unset" in namespace user-projects, which runs untrusted code',
  },
  'sandbox/admission': {
    fail: () => [sandboxNamespace(), projectTemplate(), defaultServiceAccount(), launcherRole()],
    pass: () => goodSandbox(),
    path: 'metadata.labels',
    message: 'namespace user-projects runs untrusted code but no ValidatingAdmissionPolicyBinding with validationActions Deny',
  },
  'net/scrape-from': {
    fail: () => [scrapePolicy({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } })],
    pass: () => [
      scrapePolicy({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      }),
    ],
    path: 'spec.ingress[0].from[0]',
    message: 'admits every pod of the namespaces it selects to port 15020',
  },
  'chaos/daemon-scope': {
    fail: () => [drill('Allow'), chaosMeshRelease(undefined)],
    pass: () => [drill('Allow'), chaosMeshRelease({ 'chaos-daemon': 'allowed' })],
    path: 'spec.values.chaosDaemon.nodeSelector',
    message:
      "runs the privileged chaos-daemon (host PID, the container runtime's socket) on every node, but every chaos here is a pod kill",
  },
  'mesh/registered-egress': {
    fail: () => meshEgress('0.0.0.0/0', false),
    pass: () => meshEgress('199.36.153.8/30', true),
    path: 'spec.egress[0].to[0].ipBlock.cidr',
    message:
      'lets pods of platform reach "0.0.0.0/0", every host there, and no Sidecar of platform sets outboundTrafficPolicy.mode REGISTRY_ONLY',
  },
  'secrets/store-per-namespace': {
    fail: () => [
      ...namespaceStore('platform', 'external-secrets@platform-prod.iam.gserviceaccount.com'),
      ...namespaceStore('data', 'external-secrets@platform-prod.iam.gserviceaccount.com'),
    ],
    pass: () => [
      ...namespaceStore('platform', 'eso-platform@platform-prod.iam.gserviceaccount.com'),
      ...namespaceStore('data', 'eso-data@platform-prod.iam.gserviceaccount.com'),
    ],
    path: 'spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef',
    message:
      'reads as "external-secrets@platform-prod.iam.gserviceaccount.com", the identity SecretStore/platform/platform-secrets reads as too: data and platform would read each other\'s secrets',
  },
  'identity/workload-identity': {
    fail: () => [gcpIdentityStore(), externalSecretsRelease({ name: 'external-secrets' })],
    pass: () => [
      gcpIdentityStore(),
      externalSecretsRelease({
        name: 'external-secrets',
        annotations: { 'iam.gke.io/gcp-service-account': 'external-secrets@platform-prod.iam.gserviceaccount.com' },
      }),
    ],
    path: 'spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef',
    message:
      'reads the cloud as ServiceAccount "external-secrets" of external-secrets, which carries no iam.gke.io/gcp-service-account annotation',
  },
  'data/redis-release': {
    fail: () =>
      platformWithData().map((o: M) =>
        o.kind === 'RedisReplication'
          ? { ...o, spec: { ...o.spec, kubernetesConfig: { ...o.spec.kubernetesConfig, image: 'quay.io/opstree/redis:v7.0.15' } } }
          : o,
      ),
    pass: () => platformWithData(),
    path: 'spec.kubernetesConfig.image',
    message: 'Redis 7.0 is end-of-life and has no fix for CVE-2025-49844',
  },
  'data/postgres-verify-full': {
    fail: () => dataClients({ postgresQuery: 'sslmode=require' }),
    pass: () => dataClients(),
    path: 'spec.target.template.data.database-url',
    message: 'connects to postgres-pooler.data.svc.cluster.local with sslmode=require and no sslrootcert',
  },
  'data/redis-tls': {
    fail: () => dataClients({ redisScheme: 'redis', redisQuery: '' }),
    pass: () => dataClients(),
    path: 'spec.target.template.data.redis-url',
    message: 'connects to redis-master.data.svc.cluster.local in plaintext (redis://)',
  },
  'data/redis-client-user': {
    fail: () => dataClients({ redisUser: '' }),
    pass: () => dataClients(),
    path: 'spec.target.template.data.redis-url',
    message: 'signs in to redis-master.data.svc.cluster.local as the default user (no user name)',
  },
  'gitops/source-pinned': {
    fail: () => [gitSource({ tag: 'v1.5.1' })],
    pass: () => [gitSource({ tag: 'v1.5.1', commit: 'e7677b70ae75d14a4448fba94870e7deea6cf0ad' })],
    path: 'spec.ref',
    message: 'follows tag v1.5.1 of https://github.com/kubernetes-sigs/gateway-api without verifying a signature',
  },
  'gitops/project-scope': {
    fail: () => [
      argoProject('prod', ['argocd', 'platform']),
      argoFolder('prod-gitops', 'prod', 'argocd'),
      argoFolder('prod-apps', 'prod', 'platform'),
    ],
    pass: () => [
      argoProject('prod-gitops', ['argocd'], [{ group: 'argoproj.io', kind: 'Application' }]),
      argoProject('prod-apps', ['platform'], [{ group: 'apps', kind: 'Deployment' }]),
      argoFolder('prod-gitops', 'prod-gitops', 'argocd'),
      argoFolder('prod-apps', 'prod-apps', 'platform'),
    ],
    path: 'spec.destinations',
    message: "deploys into Argo CD's namespace argocd, where a new Application may name any project, and also into in-cluster/platform",
  },
  'gitops/stage-identity': {
    fail: () => [fluxStage(undefined)],
    pass: () => [
      fluxStage('flux-prod-apps'),
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'flux-prod-apps', namespace: 'flux-system' } },
    ],
    path: 'spec.serviceAccountName',
    message: 'sets no serviceAccountName: Flux applies it as its own controller, which flux install binds to cluster-admin',
  },
  'sandbox/guaranteed': {
    fail: () => [sandboxNamespace(), projectTemplate(), limitRange(null)],
    pass: () => [sandboxNamespace(), projectTemplate(), limitRange()],
    path: 'metadata.name',
    message: 'namespace user-projects runs untrusted code but no LimitRange there sets maxLimitRequestRatio 1 for cpu and memory',
  },
  'monitoring/alert-source': {
    fail: () => [alertRule(NODE_DISK), monitoringStack({ nodeExporter: { enabled: false } })],
    pass: () => [alertRule(DISK_PRESSURE), monitoringStack({ nodeExporter: { enabled: false } })],
    path: 'spec.groups[0].rules[0].expr',
    message:
      "alert NodeDiskUsageHigh reads node_filesystem_avail_bytes, which only node-exporter exports, and kube-prometheus-stack's spec.values.nodeExporter.enabled is false",
  },
  'data/pooler-only': {
    fail: () => platformWithData({ backendToInstances: true }),
    pass: () => platformWithData(),
    path: 'spec.ingress[1].from[0]',
    message: "admits Deployment/platform/backend to cluster postgres's instances on PostgreSQL's port, past the pooler (postgres-pooler)",
  },
  'data/backup-rpo': {
    fail: () => platformWithData({ archiving: false }),
    pass: () => platformWithData({ archiving: false, backupSchedule: '0 */5 * * * *' }),
    path: 'spec.schedule',
    message:
      '"0 0 */6 * * *" leaves up to 6 h between base backups, and cluster postgres archives no WAL: its RPO of 5 min needs WAL archiving',
  },
  'data/store-pdb': {
    fail: () => platformWithData({ sentinelPdb: false }),
    pass: () => platformWithData(),
    path: 'spec.pdb',
    message: 'the sentinel pods of RedisSentinel redis (app=redis-sentinel, role=sentinel) have no PodDisruptionBudget',
  },
  'data/failover-client': {
    fail: () => [...platformWithData(), redisClientSecret('redis://:{{ .p }}@redis-master.data.svc.cluster.local:6379/0')],
    pass: () => [...platformWithData(), redisClientSecret('sentinel://:{{ .p }}@redis-sentinel.data.svc.cluster.local:26379/0')],
    path: 'spec.target.template.data.redis-url',
    message:
      'connects to redis-master.data, the Service of the pod of RedisReplication/data/redis labelled master, which the operator relabels on its own reconcile',
  },
  'data/operand-digest': {
    fail: () => platformWithData({ imageName: 'ghcr.io/cloudnative-pg/postgresql:18.6-standard-bookworm' }),
    pass: () => platformWithData(),
    path: 'spec.imageName',
    message:
      '"ghcr.io/cloudnative-pg/postgresql:18.6-standard-bookworm" names no digest: CloudNativePG\'s operand tags are rebuilt, so instances started at different times would run different builds',
  },
  'addon/kubernetes': {
    fail: () => [helmApplication(['ServerSideApply=true'])],
    pass: () => [helmApplication(['ServerSideApply=true'])],
    ctx: { ...PROD, kubernetesVersion: '1.36' },
    passCtx: { ...PROD, kubernetesVersion: '1.35' },
    path: 'spec.source.targetRevision',
    message: 'the cluster runs Kubernetes 1.36, but ingress-nginx 1.15.1 supports 1.31-1.35',
  },
  'addon/pod-admissible': {
    fail: () => [...goodPlatform(), ...gatewayEdge({ seccompPatch: false })],
    pass: () => [...goodPlatform(), ...gatewayEdge()],
    path: 'spec.kubernetes.deployment.patches',
    message:
      'the NGINX pods of Gateway/edge/public get Istio\'s containers in edge, which enforces "restricted", and none has a seccomp profile',
  },
  'gitops/controller-owned': {
    fail: () => [helmApplication(['ServerSideApply=true'])],
    pass: () => [
      (() => {
        const app = helmApplication(['ServerSideApply=true', 'RespectIgnoreDifferences=true']);
        app.spec.ignoreDifferences = [
          {
            group: 'admissionregistration.k8s.io',
            kind: 'ValidatingWebhookConfiguration',
            jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'],
          },
        ];
        return app;
      })(),
    ],
    path: 'spec.ignoreDifferences',
    message: 'ValidatingWebhookConfiguration .webhooks[]?.clientConfig.caBundle of ingress-nginx is changed by its controller',
  },
  'addon/gateway-api': {
    fail: () => gatewayController('v1.6.1'),
    pass: () => gatewayController('v1.5.1'),
    path: 'spec.ref.tag',
    message:
      /^the CRDs are Gateway API v1\.6\.1, but nginx-gateway-fabric 2\.6\.7 is built on v1\.5\.1 \(.*go\.mod.*\): its GatewayClass reports SupportedVersion=False; install v1\.5\.1$/,
  },
  'edge/rate-limit': {
    fail: () => [rateLimit(100, { rate: '100r/m', burst: 100, noDelay: true })],
    pass: () => [rateLimit(100, { rate: '80r/m', burst: 20, noDelay: true })],
    path: 'spec.rateLimit.local.rules[0]',
    message:
      'rate 100r/m with burst 100 (nodelay) admits up to 200 requests a minute, more than the 100 it states: keep rate plus the undelayed burst within 100',
  },
  'edge/load-balancer-class': {
    fail: () => [...gatewayEdge(), loadBalancer()],
    pass: () => [...gatewayEdge(), loadBalancer({ spec: { loadBalancerClass: 'networking.gke.io/l4-regional-external' } })],
    path: 'spec.loadBalancerClass',
    message: 'a LoadBalancer Service with neither a loadBalancerClass nor cloud.google.com/l4-rbs: "enabled"',
  },
  'net/in-cluster-peer': {
    fail: () => http01Edge([{ ipBlock: { cidr: '0.0.0.0/0' } }]),
    pass: () => http01Edge([{ ipBlock: { cidr: '0.0.0.0/0' } }, CERT_MANAGER_PEER]),
    path: 'spec.ingress',
    message:
      'NetworkPolicy/edge/public admit cert-manager\'s controller (cert-manager, {"app.kubernetes.io/name":"cert-manager","app.kubernetes.io/component":"controller"}) to Gateway/edge/public on port 80 by no selector',
  },
  'net/google-egress': {
    fail: () => [googleEgress('169.254.169.252/32', 988)],
    pass: () => [googleEgress('169.254.169.254/32', 80)],
    ctx: { ...PROD, network: { dataplane: 'dataplane-v2', googleApis: 'private' } },
    passCtx: { ...PROD, network: { dataplane: 'dataplane-v2', googleApis: 'private' } },
    path: 'spec.egress[0].to[0].ipBlock.cidr',
    message:
      "allows the metadata server as 169.254.169.252/32 port 988, but under dataplane-v2 policy sees it as 169.254.169.254/32 port 80: workload identity's token requests would be dropped",
  },
  'chaos/drill-fires': {
    fail: () => [drill('Forbid')],
    pass: () => [drill('Allow')],
    path: 'spec.concurrencyPolicy',
    message:
      'concurrencyPolicy is Forbid, and a PodChaos "pod-kill" run whose selector matches no pod gets no records and never finishes: no run is spawned after it, so the drill stops for good; set concurrencyPolicy: Allow',
  },
  'api/lifecycle': {
    fail: () => [
      { ...goodPdb('backend'), apiVersion: 'policy/v1beta1' },
      { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'legacy', namespace: NS, labels: labels('legacy') } },
    ],
    pass: () => [goodPdb('backend')],
    ctx: { ...PROD, kubernetesVersion: '1.35' },
    passCtx: { ...PROD, kubernetesVersion: '1.35' },
    path: 'apiVersion',
    message: '"policy/v1beta1" PodDisruptionBudget is not served by Kubernetes 1.35 (removed in 1.25): use policy/v1',
  },
  'edge/route-conflict': {
    fail: () => [
      ...goodPlatform(),
      ...gatewayEdge(),
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'other', namespace: EDGE, labels: labels('other') },
        spec: {
          hostnames: ['app.example.com'],
          parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', sectionName: 'https' }],
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'frontend', port: 80 }] }],
        },
      },
    ],
    pass: () => [...goodPlatform(), ...gatewayEdge()],
    path: 'spec.rules[0]',
    message: 'sends "/api" (PathPrefix) of app.example.com to other backends than HTTPRoute/edge/backend does',
  },
  'edge/unreachable': {
    fail: () => [...goodPlatform(), ...gatewayEdge(), meshPolicy('allow-nothing', {})],
    pass: () => [
      ...goodPlatform(),
      ...gatewayEdge(),
      meshPolicy('allow-nothing', {}),
      meshPolicy('backend', {
        selector: { matchLabels: selectorLabels('backend') },
        action: 'ALLOW',
        rules: [
          { from: [{ source: { principals: ['cluster.local/ns/edge/sa/public-nginx'] } }], to: [{ operation: { ports: ['8000'] } }] },
        ],
      }),
    ],
    path: 'spec.rules[0].backendRefs[0]',
    message: 'Istio authorization allows to no request from the edge (principal .../ns/edge/sa/public-nginx) on port 8000',
  },
  'net/unreachable-service': {
    fail: () => [...goodPlatform(), goodDeployment('orphan'), goodServiceAccount('orphan'), goodService('orphan')],
    pass: () => goodPlatform(),
    path: 'spec.ports[0]',
    message:
      'no NetworkPolicy admits anyone to Deployment/platform/orphan on port 8000: no route and no caller reaches Service/platform/orphan',
  },
  'edge/rate-limit-key': {
    fail: () => [rateLimit(100, { key: '$http_x_user_id', rate: '80r/m', burst: 20, noDelay: true })],
    pass: () => [rateLimit(100, { rate: '80r/m', burst: 20, noDelay: true })],
    path: 'spec.rateLimit.local.rules[0].key',
    message: 'keys on $http_x_user_id, which the client writes',
  },
  'mesh/user-rate-limit': {
    fail: () => [...goodPlatform(), userLimit({ request_headers: { header_name: 'x-user-id', descriptor_key: 'user' } })],
    pass: () => [
      ...goodPlatform(),
      userLimit({
        metadata: {
          descriptor_key: 'user',
          metadata_key: { key: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key: 'sub' }] },
        },
      }),
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'RequestAuthentication',
        metadata: { name: 'backend-users', namespace: NS, labels: labels('backend') },
        spec: {
          selector: { matchLabels: selectorLabels('backend') },
          jwtRules: [{ issuer: 'https://auth.example.com/', jwksUri: 'https://auth.example.com/jwks' }],
        },
      },
    ],
    path: 'spec.configPatches[0].patch.value.typed_config.rate_limits[0].actions[0]',
    message: 'counts by a request header: a client chooses that value',
  },
  'ref/route-parent': {
    fail: () => [...goodPlatform(), ...gatewayEdge({ listenerHost: 'www.example.com' })],
    pass: () => [...goodPlatform(), ...gatewayEdge()],
    path: 'spec.hostnames',
    message: 'the listeners of its parents serve "www.example.com" only, not "app.example.com"',
  },
  'ref/route-backend': {
    fail: () => [...goodPlatform(), ...gatewayEdge({ dnsResolver: false })],
    pass: () => [...goodPlatform(), ...gatewayEdge()],
    path: 'spec.rules[0].backendRefs[0].name',
    message: 'ExternalName Service/edge/backend needs a DNS resolver',
  },
  'edge/unmaintained': {
    fail: () => [helmApplication(['ServerSideApply=true'])],
    pass: () => [...goodPlatform(), ...gatewayEdge()],
    path: 'spec.source.helm.valuesObject',
    message: 'ingress-nginx was retired in March 2026 and gets no security fixes',
  },
  'istio/validation': {
    fail: () => [virtualService({ attempts: 0, perTryTimeout: '60s', retryOn: 'connect-failure' })],
    pass: () => [virtualService({ attempts: 0 })],
    path: 'spec.http[0].retries',
    message: 'http retry policy configured when attempts are set to 0 (disabled): perTryTimeout, retryOn must not be set',
  },
  'delivery/needs-data': {
    fail: () =>
      platformWith(
        'AnalysisTemplate',
        'success-rate',
        (o) => (o.spec.metrics[0].successCondition = 'len(result) == 0 || isNaN(result[0]) || result[0] >= 0.99'),
      ),
    pass: () => goodPlatform(),
    path: 'spec.metrics[0].successCondition',
    message: 'can succeed without data',
  },
  'delivery/preview-traffic': {
    fail: () => [blueGreenRollout(['preview-gate']), gateTemplate('preview-gate', false)],
    pass: () => [blueGreenRollout(['preview-gate']), gateTemplate('preview-gate', true)],
    path: 'spec.strategy.blueGreen.prePromotionAnalysis',
    message: 'no pre-promotion analysis sends the preview traffic (templates: preview-gate)',
  },
  'secrets/remote-key': {
    fail: () => [gcpStore(), externalSecret('backend-secrets', ['database-url'], 'gcp')],
    pass: () => [
      gcpStore(),
      {
        ...externalSecret('backend-secrets', ['database-url'], 'gcp'),
        spec: {
          ...externalSecret('backend-secrets', ['database-url'], 'gcp').spec,
          data: [{ secretKey: 'database-url', remoteRef: { key: 'platform-prod-database-url' } }],
        },
      },
    ],
    path: 'spec.data[0].remoteRef.key',
    message: 'key "platform/database-url" is not a valid name in gcpsm',
  },
  'ref/acme-solver': {
    fail: () => [...goodPlatform(), http01Issuer(), certificate('letsencrypt')],
    pass: () => [...goodPlatform(), http01Issuer(), certificate('letsencrypt'), solverPolicy(8089)],
    path: 'spec.issuerRef',
    message:
      /answers HTTP-01 challenges with a solver pod in platform, but .*NetworkPolicy\/platform\/default-deny.* admit nothing to its port 8089/,
  },
  'mesh/proxy-lifecycle': {
    fail: () => injectedPlatform(undefined),
    pass: () => injectedPlatform('20s'),
    path: 'spec.template.metadata.annotations["proxy.istio.io/config"]',
    message: 'no proxy configuration (JSON) in an injected pod',
  },
  'gitops/server-side-apply': {
    fail: () => [helmApplication(['CreateNamespace=true'])],
    pass: () => [helmApplication(['CreateNamespace=true', 'ServerSideApply=true'])],
    path: 'spec.syncPolicy.syncOptions',
    message: 'chart "ingress-nginx" is applied client-side',
  },
  'edge/client-address': {
    fail: () => [helmApplication(['ServerSideApply=true'], { 'use-forwarded-headers': 'true' })],
    pass: () => [
      helmApplication(['ServerSideApply=true'], { 'use-forwarded-headers': 'true', 'proxy-real-ip-cidr': '130.211.0.0/22,35.191.0.0/16' }),
    ],
    path: 'spec.source.helm.valuesObject.controller.config["use-forwarded-headers"]',
    message: 'X-Forwarded-For is trusted from "0.0.0.0/0 (the default)"',
  },
  'ref/secret-source': {
    fail: () => [
      ...mountSecret('backend-secrets', ['database-url']),
      externalSecret('backend-secrets', ['redis-url']),
      clusterStore('vault', [NS]),
    ],
    pass: () => [
      ...mountSecret('backend-secrets', ['database-url']),
      externalSecret('backend-secrets', ['database-url']),
      clusterStore('vault', [NS]),
    ],
    path: 'spec.template.spec.volumes[1].secret.secretName',
    message: 'key "database-url" of Secret "backend-secrets" is not written by ExternalSecret/platform/backend-secrets (keys: redis-url)',
  },
  'ref/secret-store': {
    fail: () => [...goodPlatform(), externalSecret('backend-secrets', ['database-url']), clusterStore('vault', ['other'])],
    pass: () => [...goodPlatform(), externalSecret('backend-secrets', ['database-url']), clusterStore('vault', [NS])],
    path: 'spec.secretStoreRef',
    message: 'ClusterSecretStore/vault does not admit namespace platform (spec.conditions)',
  },
  'ref/certificate-issuer': {
    fail: () => [...goodPlatform(), certificate('letsencrypt')],
    pass: () => [
      ...goodPlatform(),
      certificate('letsencrypt'),
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'ClusterIssuer',
        metadata: { name: 'letsencrypt', labels: labels('letsencrypt') },
        spec: { acme: {} },
      },
    ],
    path: 'spec.issuerRef',
    message: 'ClusterIssuer "letsencrypt" does not exist',
  },
  'ref/trigger-auth': {
    fail: () => [...goodPlatform(), authenticatedScaledObject('queue')],
    pass: () => [
      ...goodPlatform(),
      authenticatedScaledObject('queue'),
      { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: meta('queue'), spec: { secretTargetRef: [] } },
    ],
    path: 'spec.triggers[0].authenticationRef',
    message: 'TriggerAuthentication "queue" does not exist',
  },
  'ref/service-monitor': {
    fail: () => [...goodPlatform(), serviceMonitor(labels('backend'), 'metrics')],
    pass: () => [...goodPlatform(), serviceMonitor(labels('backend'), 'http')],
    path: 'spec.endpoints[0].port',
    message: 'Service/platform/backend has no port named "metrics"',
  },
  'net/default-deny': {
    fail: () => [...goodPlatform(), addonNamespace('cert-manager'), denyEvery('cert-manager', ['Ingress'])],
    pass: () => [...goodPlatform(), addonNamespace('cert-manager'), denyEvery('cert-manager', ['Ingress', 'Egress'])],
    path: 'metadata.name',
    message: 'namespace cert-manager has no default-deny NetworkPolicy for Egress',
  },
  'edge/public-metrics': {
    // goodPlatform's Ingress routes /api to the backend's http port: scraping that port publishes the metrics.
    fail: () => [...goodPlatform(), serviceMonitor(labels('backend'), 'http')],
    pass: () => [
      ...platformWith('Deployment', 'backend', (o) => {
        backendContainer(o).ports.push({ name: 'metrics', containerPort: 9464, protocol: 'TCP' });
      }),
      {
        ...serviceMonitor(labels('backend'), 'http'),
        spec: { selector: { matchLabels: labels('backend') }, endpoints: [{ targetPort: 'metrics', path: '/metrics' }] },
      },
    ],
    path: 'spec.endpoints[0]',
    message: 'scrapes the metrics served on container port 8000 of Deployment/platform/backend, which Ingress/platform/web routes to',
  },
  'pod/resources': {
    fail: () => platformWith('Deployment', 'backend', (o) => delete backendContainer(o).resources.limits['ephemeral-storage']),
    pass: () =>
      platformWith('Deployment', 'backend', (o) => {
        // Same amount written two ways: 0.5 cores == 500m, 1Gi == 1024Mi.
        backendContainer(o).resources = {
          requests: { cpu: 0.5, memory: '1024Mi', 'ephemeral-storage': '1e8' },
          limits: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '100M' },
        };
      }),
    path: 'spec.template.spec.containers[0].resources.limits',
    message: 'missing ephemeral-storage limit (requests and limits are required for cpu, memory, ephemeral-storage)',
  },
  'pod/probes': {
    fail: () => platformWith('Deployment', 'backend', (o) => delete backendContainer(o).livenessProbe),
    pass: () => platformWith('Deployment', 'backend', (o) => (backendContainer(o).readinessProbe = { tcpSocket: { port: 8000 } })),
    path: 'spec.template.spec.containers[0].livenessProbe',
    message: 'container "backend" has no livenessProbe',
  },
  'pod/security-context': {
    fail: () => platformWith('Deployment', 'backend', (o) => (o.spec.template.spec.securityContext.runAsUser = 1000)),
    pass: () =>
      platformWith('Deployment', 'backend', (o) => {
        delete o.spec.template.spec.securityContext.runAsUser;
        backendContainer(o).securityContext.runAsUser = 20000;
        backendContainer(o).securityContext.capabilities.add = ['NET_BIND_SERVICE'];
      }),
    path: 'spec.template.spec.securityContext.runAsUser',
    message: 'container "backend": runAsUser is 1000 (must be set to a UID >= 10000 on the container or the pod)',
  },
  'pod/service-account': {
    fail: () => platformWith('Deployment', 'backend', (o) => (o.spec.template.spec.serviceAccountName = 'default')),
    // The pod leaves automount unset; the emitted ServiceAccount disables it.
    pass: () => platformWith('Deployment', 'backend', (o) => delete o.spec.template.spec.automountServiceAccountToken),
    path: 'spec.template.spec.serviceAccountName',
    message: 'serviceAccountName is "default"',
  },
  'pod/image-pinned': {
    fail: () => platformWith('Deployment', 'backend', (o) => (backendContainer(o).image = 'nginx:latest')),
    pass: () =>
      platformWith('Deployment', 'backend', (o) => {
        backendContainer(o).image = `registry.local:5000/nginx@sha256:${'a'.repeat(64)}`;
      }),
    path: 'spec.template.spec.containers[0].image',
    message: 'uses the latest tag',
  },
  'meta/recommended-labels': {
    fail: () => platformWith('Deployment', 'backend', (o) => delete o.spec.template.metadata.labels['app.kubernetes.io/part-of']),
    pass: () =>
      platformWith('Deployment', 'backend', (o) => {
        o.metadata.labels['app.kubernetes.io/version'] = '1.4.2';
        o.spec.template.metadata.labels['app.kubernetes.io/component'] = 'api';
      }),
    path: 'spec.template.metadata.labels',
    message: 'missing app.kubernetes.io/part-of',
  },
  'pdb/allows-drain': {
    fail: () => platformWith('PodDisruptionBudget', 'backend', (o) => (o.spec.maxUnavailable = 0)),
    pass: () => platformWith('PodDisruptionBudget', 'backend', (o) => (o.spec.maxUnavailable = '50%')),
    path: 'spec.maxUnavailable',
    message: 'maxUnavailable 0 never allows a disruption',
  },
  'pdb/unhealthy-eviction': {
    fail: () => platformWith('PodDisruptionBudget', 'backend', (o) => delete o.spec.unhealthyPodEvictionPolicy),
    pass: () => goodPlatform(),
    path: 'spec.unhealthyPodEvictionPolicy',
    message: 'unhealthyPodEvictionPolicy is unset',
  },
  'pod/spread': {
    fail: () => platformWith('Deployment', 'backend', (o) => o.spec.template.spec.topologySpreadConstraints.pop()),
    // Host spreading through required anti-affinity instead of a second constraint.
    pass: () =>
      platformWith('Deployment', 'backend', (o) => {
        o.spec.template.spec.topologySpreadConstraints.pop();
        o.spec.template.spec.affinity = {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels('backend') } },
            ],
          },
        };
      }),
    path: 'spec.template.spec.topologySpreadConstraints',
    message: 'missing kubernetes.io/hostname',
  },
  'hpa/min-replicas': {
    fail: () => platformWith('HorizontalPodAutoscaler', 'backend', (o) => (o.spec.minReplicas = 1)),
    pass: () => platformWith('HorizontalPodAutoscaler', 'backend', (o) => (o.spec.minReplicas = 1)),
    passCtx: DEV,
    path: 'spec.minReplicas',
    message: 'minReplicas is 1 (production HPAs need minReplicas >= 2)',
  },
  'secret/no-plain-data': {
    fail: () => [...goodPlatform(), secret({ stringData: { DATABASE_URL: 'postgres://u:p@db/app' } })],
    pass: () => [...goodPlatform(), secret({ type: 'Opaque' })],
    path: 'stringData',
    message: 'stringData keys [DATABASE_URL]',
  },
  'ref/service-selector': {
    fail: () => platformWith('Service', 'backend', (o) => (o.spec.selector['app.kubernetes.io/name'] = 'backnd')),
    pass: () => platformWith('Service', 'backend', (o) => (o.spec.selector = { 'app.kubernetes.io/name': 'backend' })),
    path: 'spec.selector',
    message: 'matches no workload',
  },
  'ref/service-target-port': {
    fail: () => platformWith('Service', 'backend', (o) => (o.spec.ports[0].targetPort = 'grpc')),
    pass: () => platformWith('Service', 'backend', (o) => (o.spec.ports[0].targetPort = 8000)),
    path: 'spec.ports[0].targetPort',
    message: 'targetPort "grpc" is not a container port of Deployment/platform/backend (declared: http=8000)',
  },
  'ref/workload-selector': {
    fail: () => platformWith('Deployment', 'backend', (o) => (o.spec.selector.matchLabels['app.kubernetes.io/instance'] = 'other')),
    pass: () =>
      platformWith('Deployment', 'backend', (o) => {
        o.spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['backend'] }] };
      }),
    path: 'spec.selector',
    message: 'does not match the pod template labels',
  },
  'ref/autoscaler-target': {
    fail: () => platformWith('HorizontalPodAutoscaler', 'backend', (o) => (o.spec.scaleTargetRef.name = 'backend-v2')),
    pass: () => goodPlatform(), // includes an HPA on a Rollout and a ScaledObject with the default kind
    path: 'spec.scaleTargetRef',
    message: 'scaleTargetRef apps/v1 Deployment/backend-v2 does not exist',
  },
  'ref/single-autoscaler': {
    fail: () => [...goodPlatform(), scaledObject('backend-queue', 'backend')],
    pass: () => goodPlatform(),
    path: 'spec.scaleTargetRef',
    message: 'Deployment/platform/backend is already scaled by HorizontalPodAutoscaler/platform/backend',
  },
  'autoscale/no-pinned-replicas': {
    fail: () => platformWith('Deployment', 'backend', (o) => (o.spec.replicas = 3)),
    // Not autoscaled, so pinning the count is the right thing to do.
    pass: () => [...goodPlatform(), { ...goodDeployment('static'), spec: { ...goodDeployment('static').spec, replicas: 3 } }],
    path: 'spec.replicas',
    message: 'spec.replicas is 3 but HorizontalPodAutoscaler/platform/backend owns the replica count',
  },
  'ref/pdb-fits': {
    fail: () =>
      platformWith('PodDisruptionBudget', 'backend', (o) => {
        delete o.spec.maxUnavailable;
        o.spec.minAvailable = 3; // the HPA minimum is 3
      }),
    pass: () =>
      platformWith('PodDisruptionBudget', 'backend', (o) => {
        delete o.spec.maxUnavailable;
        o.spec.minAvailable = 2;
      }),
    path: 'spec.minAvailable',
    message:
      'minAvailable 3 allows 0 disruptions at the minimum of 3 replicas of Deployment/platform/backend (HorizontalPodAutoscaler/platform/backend minReplicas 3)',
  },
  'ref/ingress-backend': {
    fail: () => platformWith('Ingress', 'web', (o) => (o.spec.rules[0].http.paths[0].backend.service.port = { name: 'https' })),
    pass: () => platformWith('Ingress', 'web', (o) => (o.spec.rules[0].http.paths[0].backend.service.port = { number: 80 })),
    path: 'spec.rules[0].http.paths[0].backend.service.port',
    message: 'backend port "https" is not a port of Service/platform/backend (declared: http=80)',
  },
  'ref/network-policy-ingress': {
    fail: () => withControllerNamespace('kube-system'),
    pass: () => withControllerNamespace('kube-system'),
    passCtx: { ...PROD, ingressControllerNamespace: 'kube-system' },
    path: 'spec.rules[0].http.paths[0].backend.service',
    message: 'none allows ingress from namespace ingress-nginx on port 8000/http',
  },
  'ref/mesh-hosts': {
    fail: () => platformWith('VirtualService', 'backend', (o) => (o.spec.http[0].route[0].destination.subset = 'v2')),
    pass: () =>
      platformWith('VirtualService', 'backend', (o) => (o.spec.http[0].route[0].destination.host = 'backend.platform.svc.cluster.local')),
    path: 'spec.http[0].route[0].destination.subset',
    message: 'subset "v2" of host "backend.platform" is defined by no DestinationRule (DestinationRule/platform/backend: [v1])',
  },
  'ref/route-weights': {
    fail: () => platformWith('VirtualService', 'frontend', (o) => (o.spec.http[0].route[0].weight = 90)),
    pass: () => platformWith('VirtualService', 'frontend', (o) => (o.spec.http[0].route = [o.spec.http[0].route[0]])),
    path: 'spec.http[0].route',
    message: 'destination weights [90,0] sum to 90 (must sum to 100)',
  },
  'ref/rollout-refs': {
    fail: () => platformWith('Rollout', 'frontend', (o) => (o.spec.strategy.canary.analysis.templates[0].templateName = 'error-rate')),
    pass: () => goodPlatform(),
    path: 'spec.strategy.canary.analysis.templates[0].templateName',
    message: 'AnalysisTemplate in namespace platform "error-rate" does not exist',
  },
  'ref/canary-weights': {
    fail: () => platformWith('Rollout', 'frontend', (o) => (o.spec.strategy.canary.steps[3].setWeight = 5)),
    pass: () => platformWith('Rollout', 'frontend', (o) => (o.spec.strategy.canary.steps[3].setWeight = 10)),
    path: 'spec.strategy.canary.steps[3].setWeight',
    message: "setWeight 5 is lower than the previous step's 10",
  },
};

function secret(extra: Record<string, unknown>): M {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'backend-env', namespace: NS, labels: labels('backend') }, ...extra };
}

function scaledObject(name: string, target: string): M {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace: NS, labels: labels(name) },
    spec: { scaleTargetRef: { name: target }, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] },
  };
}

/** The allow rule admits a different controller namespace than the default ingress-nginx. */
function withControllerNamespace(ns: string): M[] {
  const objects = goodPlatform();
  byName(objects, 'NetworkPolicy', 'allow-ingress-controller').spec.ingress[0].from[0].namespaceSelector.matchLabels[
    'kubernetes.io/metadata.name'
  ] = ns;
  return objects;
}

describe('rule variants the table does not cover', () => {
  it("data/pooler-only: a cluster without a pooler, and a URL to the cluster's own Service, fail", () => {
    expect(findings(platformWithData({ pooler: false }), 'data/pooler-only')[0]?.message).toContain(
      'no Pooler fronts cluster "postgres": apps would connect to PostgreSQL directly',
    );
    const url = [
      ...platformWithData(),
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'backend-db', namespace: 'platform', labels: { 'app.kubernetes.io/name': 'backend' } },
        stringData: { 'database-url': 'postgresql://app@postgres-rw.data.svc.cluster.local:5432/app' },
      },
    ];
    expect(findings(url, 'data/pooler-only').map((v) => v.path)).toEqual(['stringData.database-url']);
  });

  it("data/backup-rpo: WAL shipped no more often than the RPO fails, CloudNativePG's 5-minute default included", () => {
    expect(findings(platformWithData({ archiveTimeout: '5min' }), 'data/backup-rpo')[0]?.message).toContain(
      'WAL is shipped at least every 5 min, not shorter than the RPO of 5 min',
    );
    expect(findings(platformWithData({ archiveTimeout: '299s' }), 'data/backup-rpo')).toEqual([]);
  });

  it("data/operand-digest: a Cluster naming no image runs the operator's default tag; a catalog must be in the set, by digest", () => {
    const withSpec = (edit: (spec: Record<string, unknown>) => void) =>
      platformWithData().map((o) => {
        if (o.kind !== 'Cluster') return o;
        const spec = { ...o.spec };
        edit(spec);
        return { ...o, spec };
      });
    const noImage = withSpec((spec) => delete spec.imageName);
    expect(findings(noImage, 'data/operand-digest')[0]?.message).toContain("names no image: the operator's default is a tag");
    const catalogRef = withSpec((spec) => {
      delete spec.imageName;
      spec.imageCatalogRef = {
        apiGroup: 'postgresql.cnpg.io',
        kind: 'ClusterImageCatalog',
        name: 'postgresql-standard-bookworm',
        major: 18,
      };
    });
    expect(findings(catalogRef, 'data/operand-digest')[0]?.message).toContain(
      'ClusterImageCatalog "postgresql-standard-bookworm" is not in the set',
    );
    const catalog = (image: string) => ({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ClusterImageCatalog',
      metadata: { name: 'postgresql-standard-bookworm' },
      spec: { images: [{ major: 18, image }] },
    });
    expect(
      findings([...catalogRef, catalog('ghcr.io/cloudnative-pg/postgresql:18.6-standard-bookworm')], 'data/operand-digest'),
    ).toHaveLength(1);
    const pinned =
      'ghcr.io/cloudnative-pg/postgresql:18.6-202608170814-standard-bookworm@sha256:9446e83aa490df3f14ebf5bf2f6002a1347728690ff38f35dd7a85b925a62468';
    expect(findings([...catalogRef, catalog(pinned)], 'data/operand-digest')).toEqual([]);
  });

  it("data/failover-client: KEDA's redis trigger on the master Service fails; the redis-sentinel trigger on the Sentinels passes", () => {
    const scaled = (type: string, metadata: Record<string, string>): M => ({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: meta('worker'),
      spec: { scaleTargetRef: { name: 'worker' }, triggers: [{ type, metadata: { listName: 'celery', listLength: '100', ...metadata } }] },
    });
    const found = findings(
      [...platformWithData(), scaled('redis', { address: 'redis-master.data.svc.cluster.local:6379' })],
      'data/failover-client',
    );
    expect(found.map((f) => f.path)).toEqual(['spec.triggers[0].metadata.address']);
    expect(
      findings(
        [
          ...platformWithData(),
          scaled('redis-sentinel', { addresses: 'redis-sentinel.data.svc.cluster.local:26379', sentinelMaster: 'mymaster' }),
        ],
        'data/failover-client',
      ),
    ).toEqual([]);
  });

  it('data/store-pdb: a single-instance Cluster must turn off its PDB (it could never allow an eviction); a replicated one must keep it', () => {
    const single = findings(platformWithData({ instances: 1 }), 'data/store-pdb');
    expect(single.map((f) => [f.object, f.path])).toEqual([['Cluster/data/postgres', 'spec.enablePDB']]);
    expect(single[0]!.message).toContain('its primary PDB (minAvailable 1 on the only pod) can never allow an eviction');
    expect(findings(platformWithData({ instances: 1, enablePDB: true }), 'data/store-pdb')).toHaveLength(1);
    expect(findings(platformWithData({ instances: 1, enablePDB: false }), 'data/store-pdb')).toEqual([]);
    const replicated = findings(platformWithData({ instances: 2, enablePDB: false }), 'data/store-pdb');
    expect(replicated.map((f) => f.path)).toEqual(['spec.enablePDB']);
    expect(replicated[0]!.message).toContain("turns off CloudNativePG's PodDisruptionBudget");
  });

  it('data/store-pdb: a pooler without a budget fails', () => {
    expect(findings(platformWithData({ poolerPdb: false }), 'data/store-pdb')[0]?.message).toContain(
      'the pooler pods of Pooler postgres-pooler (cnpg.io/poolerName=postgres-pooler, cnpg.io/podRole=pooler, cnpg.io/cluster=postgres) have no PodDisruptionBudget',
    );
  });

  const EDGE_CTX: ValidationContext = { ...PROD, ingressControllerNamespace: EDGE };

  it('addon/gateway-api: a controller with no CRD source in the set, or a CRD ref that is no release tag, fails', () => {
    const missing = findings(gatewayController(undefined), 'addon/gateway-api');
    expect(missing.map((f) => [f.object, f.path])).toEqual([['HelmRelease/flux-system/nginx-gateway-fabric', 'spec.values']]);
    expect(missing[0]!.message).toContain('nothing in the set installs them from https://github.com/kubernetes-sigs/gateway-api');
    expect(findings(gatewayController('main'), 'addon/gateway-api')[0]?.message).toContain('the CRDs are "main", which is no release tag');
    expect(findings(gatewayController('v1.5.0'), 'addon/gateway-api')).toEqual([]);
  });

  it('edge/rate-limit: a queued burst is delayed, not admitted; a limit stated nowhere or a rate NGINX cannot read fails', () => {
    expect(findings([rateLimit(100, { rate: '100r/m', burst: 100 })], 'edge/rate-limit')).toEqual([]);
    expect(findings([rateLimit(100, { rate: '100r/m', burst: 100, delay: 10 })], 'edge/rate-limit')[0]?.message).toContain(
      'admits up to 110 requests a minute',
    );
    expect(findings([rateLimit(100, { rate: '2r/s' })], 'edge/rate-limit')[0]?.message).toContain('admits up to 120 requests a minute');
    expect(findings([rateLimit(undefined, { rate: '80r/m', burst: 20, noDelay: true })], 'edge/rate-limit')[0]?.path).toBe(
      'metadata.annotations["platform/requests-per-minute"]',
    );
    expect(findings([rateLimit(100, { rate: '100/m' })], 'edge/rate-limit')[0]?.message).toBe(
      'rate "100/m" is not NGINX\'s <n>r/s or <n>r/m',
    );
  });

  it("edge/load-balancer-class: an NginxProxy's Service without a class fails; GKE's l4-rbs annotation counts for a Service", () => {
    const [proxy] = gatewayEdge().filter((o) => o.kind === 'NginxProxy');
    delete proxy.spec.kubernetes.service;
    expect(findings([proxy], 'edge/load-balancer-class').map((f) => f.path)).toEqual(['spec.kubernetes.service.loadBalancerClass']);
    expect(findings([loadBalancer({ annotations: { 'cloud.google.com/l4-rbs': 'enabled' } })], 'edge/load-balancer-class')).toEqual([]);
  });

  it('net/in-cluster-peer: a namespace selector alone admits; a selector of another namespace does not; no visible cert-manager fails', () => {
    expect(findings(http01Edge([{ namespaceSelector: CERT_MANAGER_PEER.namespaceSelector }]), 'net/in-cluster-peer')).toEqual([]);
    expect(
      findings(
        http01Edge([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]),
        'net/in-cluster-peer',
      ),
    ).toHaveLength(1);
    expect(findings(http01Edge([{ ipBlock: { cidr: '0.0.0.0/0' } }], false), 'net/in-cluster-peer')[0]?.message).toContain(
      'no cert-manager install in the set says where its controller runs',
    );
  });

  it('net/google-egress: the other Private Google Access domain fails, and so does any such address where no network is stated', () => {
    const restricted: ValidationContext = { ...PROD, network: { dataplane: 'calico', googleApis: 'restricted' } };
    expect(findings([googleEgress('199.36.153.8/30', 443)], 'net/google-egress', restricted)[0]?.message).toContain(
      "the cluster's DNS zone answers googleapis.com with restricted.googleapis.com (199.36.153.4/30)",
    );
    expect(
      findings([googleEgress('199.36.153.4/30', 443), googleEgress('169.254.169.252/32', 988)], 'net/google-egress', restricted),
    ).toEqual([]);
    expect(findings([googleEgress('169.254.169.254/32', 80)], 'net/google-egress', PROD)[0]?.message).toContain(
      'the environment states no cluster.network',
    );
    expect(findings([googleEgress('10.0.0.0/8', 443)], 'net/google-egress', PROD)).toEqual([]);
  });

  it("chaos/drill-fires: Chaos Mesh's default policy is Forbid; a chaos with a duration finishes even when it selected nothing", () => {
    expect(findings([drill(undefined)], 'chaos/drill-fires')[0]?.message).toContain('concurrencyPolicy is Forbid (the default)');
    expect(findings([drill('Forbid', 'container-kill')], 'chaos/drill-fires')).toHaveLength(1);
    expect(findings([drill('Forbid', 'pod-failure')], 'chaos/drill-fires')[0]?.message).toContain(
      'a PodChaos without a duration never finishes',
    );
    expect(findings([drill('Forbid', 'pod-failure', '30s')], 'chaos/drill-fires')).toEqual([]);
  });

  it('edge/client-address: NGF trusting every peer for the client address fails, trusting a proxy range passes', () => {
    const trusting = (value: string) =>
      gatewayEdge({ rewriteClientIP: { mode: 'XForwardedFor', trustedAddresses: [{ type: 'CIDR', value }] } });
    const found = findings(trusting('0.0.0.0/0'), 'edge/client-address');
    expect(found.map((f) => [f.object, f.path])).toEqual([['NginxProxy/edge/public', 'spec.rewriteClientIP.trustedAddresses']]);
    expect(found[0]!.message).toContain('sent by "0.0.0.0/0": any client can set its own address');
    expect(findings(gatewayEdge({ rewriteClientIP: { mode: 'ProxyProtocol' } }), 'edge/client-address')).toHaveLength(1);
    expect(findings(trusting('35.191.0.0/16'), 'edge/client-address')).toEqual([]);
  });

  it('ref/network-policy-ingress: an HTTPRoute backend behind policies that do not admit the edge namespace fails', () => {
    const onRoutes = (objects: M[]) =>
      findings(objects, 'ref/network-policy-ingress', EDGE_CTX).filter((f) => f.object.startsWith('HTTPRoute/'));
    const found = onRoutes([...goodPlatform(), ...gatewayEdge()]);
    expect(found.map((f) => [f.object, f.path])).toEqual([['HTTPRoute/edge/backend', 'spec.rules[0].backendRefs[0]']]);
    expect(found[0]!.message).toContain('none allows ingress from namespace edge on port 8000/http');
    expect(onRoutes([...withControllerNamespace(EDGE), ...gatewayEdge()])).toEqual([]);
  });

  it('ref/route-backend: an ExternalName that names no Service of the set, or a port the Service lacks, fails', () => {
    const edge = gatewayEdge();
    byName(edge, 'Service', 'backend').spec.externalName = 'backend.elsewhere.svc.cluster.local';
    expect(findings([...goodPlatform(), ...edge], 'ref/route-backend')[0]!.message).toContain(
      'points at "backend.elsewhere.svc.cluster.local", which is no Service of this set with port 80',
    );
    const wrongPort = gatewayEdge();
    byName(wrongPort, 'HTTPRoute', 'backend').spec.rules[0].backendRefs[0].port = 8080;
    expect(findings([...goodPlatform(), ...wrongPort], 'ref/route-backend')[0]!.message).toBe(
      'backend port 8080 is not a port of Service/edge/backend (declared: 80)',
    );
  });

  it('ref/route-parent: a missing Gateway or listener fails, naming what exists', () => {
    const edge = gatewayEdge();
    byName(edge, 'HTTPRoute', 'backend').spec.parentRefs[0].sectionName = 'https-1';
    expect(findings(edge, 'ref/route-parent')[0]!.message).toBe('Gateway/edge/public has no listener "https-1" (listeners: http, https)');
    byName(edge, 'HTTPRoute', 'backend').spec.parentRefs[0].name = 'private';
    expect(findings(edge, 'ref/route-parent')[0]!.message).toBe('parent Gateway "private" does not exist in namespace edge');
  });

  it('addon/pod-admissible: a chart pod below the namespace level fails unless the values turn it off', () => {
    const stack = (nodeExporter: boolean, namespaceLabels: Record<string, string>) =>
      chartApplication('kube-prometheus-stack', { nodeExporter: { enabled: nodeExporter } }, namespaceLabels);
    const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };
    expect(findings([stack(true, restricted)], 'addon/pod-admissible').map((f) => f.message)).toEqual([
      'pod node-exporter of kube-prometheus-stack meets Pod Security "privileged" but namespace kube-prometheus-stack enforces "restricted": no values make it pass: run it in a namespace that enforces less',
    ]);
    expect(findings([stack(false, restricted)], 'addon/pod-admissible')).toEqual([]);
  });

  it('addon/pod-admissible: a chart Job in an injected namespace fails without its sidecar turned off', () => {
    const messages = findings(
      [chartApplication('kube-prometheus-stack', { nodeExporter: { enabled: false } }, RESTRICTED_INJECTED)],
      'addon/pod-admissible',
    ).map((f) => f.message);
    expect(messages).toContain(
      'Job admission-create of kube-prometheus-stack would get an Istio sidecar in kube-prometheus-stack and never complete: set spec.source.helm.valuesObject.prometheusOperator.admissionWebhooks.patch.podAnnotations["sidecar.istio.io/inject"] to "false"',
    );
  });

  it('api/lifecycle: deprecated but served is refused too, and a removal counts from its minor', () => {
    const endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'legacy', namespace: NS, labels: labels('legacy') } };
    expect(findings([endpoints], 'api/lifecycle', { ...PROD, kubernetesVersion: '1.35' })[0]!.message).toBe(
      '"v1" Endpoints is deprecated in Kubernetes 1.35 (since 1.33) and will be removed: use discovery.k8s.io/v1 EndpointSlice',
    );
    expect(findings([endpoints], 'api/lifecycle', { ...PROD, kubernetesVersion: '1.32' })).toEqual([]);
    const flow = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', kind: 'FlowSchema', metadata: { name: 'x' } };
    expect(findings([flow], 'api/lifecycle', { ...PROD, kubernetesVersion: '1.32' })[0]!.message).toContain('removed in 1.32');
    expect(findings([flow], 'api/lifecycle', { ...PROD, kubernetesVersion: '1.31' })[0]!.message).toContain(
      'deprecated in Kubernetes 1.31 (since 1.29)',
    );
  });

  it('edge/unmaintained is a warning, on the chart and on every Ingress of class nginx', () => {
    const ingress = goodPlatform().filter((o: M) => o.kind === 'Ingress');
    ingress[0].spec.ingressClassName = 'nginx';
    const found = findings([helmApplication(['ServerSideApply=true']), ...ingress], 'edge/unmaintained');
    expect(found.map((f) => [f.severity, f.object])).toEqual([
      ['warning', 'Application/argocd/ingress-nginx'],
      ['warning', 'Ingress/platform/web'],
    ]);
  });
});

describe('the good platform', () => {
  it('passes every rule in production and in dev', () => {
    expect(runRules(goodPlatform() as Manifest[], PROD)).toEqual([]);
    expect(runRules(goodPlatform() as Manifest[], DEV)).toEqual([]);
  });

  it('registers exactly the documented rule ids', () => {
    expect([...RULE_IDS].sort()).toEqual(Object.keys(CASES).sort());
  });
});

describe.each(Object.entries(CASES))('%s', (rule, c) => {
  it('fails on its failing fixture, naming the path and the problem', () => {
    const found = findings(c.fail(), rule, c.ctx ?? PROD);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]!.path).toBe(c.path);
    if (typeof c.message === 'string') expect(found[0]!.message).toContain(c.message);
    else expect(found[0]!.message).toMatch(c.message);
  });

  it('passes on its passing fixture', () => {
    expect(findings(c.pass(), rule, c.passCtx ?? PROD)).toEqual([]);
  });
});
