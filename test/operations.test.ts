/**
 * Operations and security (CAP-05, DAT-01, DAT-05, SEC-06, SEC-08, SEC-10, OPS-02): queue autoscaling, network isolation from the
 * service graph, secrets by reference, certificates and tracing.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEnvironment } from '../charts';
import { environmentNames, loadEnvironmentFile } from '../environments';
import { renderEnvironment } from '../app/render';
import { storePorts } from '../charts/resolve-data-store';
import { GOOGLE_APIS } from '../lib/gke-network';
import { environment, find, nonEmpty, objects, rendered, workload } from './helpers';
import type { NetworkPolicyJson, WithSpec } from './k8s-json';

type ScaledObject = WithSpec<{
  readonly minReplicaCount?: number;
  readonly maxReplicaCount?: number;
  readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  readonly triggers: readonly {
    readonly type: string;
    readonly metadata: Readonly<Record<string, string>>;
    readonly authenticationRef?: { readonly name: string };
  }[];
}>;

type TriggerAuthentication = WithSpec<{
  readonly secretTargetRef: readonly { readonly parameter: string; readonly name: string; readonly key: string }[];
}>;

type ExternalSecret = WithSpec<{
  readonly secretStoreRef: { readonly name: string; readonly kind: string };
  readonly data: readonly { readonly secretKey: string; readonly remoteRef: { readonly key: string } }[];
  readonly target: { readonly template?: { readonly data: Readonly<Record<string, string>> } };
}>;

type ClusterSecretStore = WithSpec<{
  readonly provider: { readonly gcpsm?: { readonly projectID: string }; readonly vault?: Readonly<Record<string, unknown>> };
  readonly conditions?: readonly { readonly namespaces: readonly string[] }[];
}>;

type Certificate = WithSpec<{
  readonly dnsNames: readonly string[];
  readonly issuerRef: { readonly name: string; readonly kind: string; readonly group?: string };
  readonly secretName: string;
}>;

type Gateway = WithSpec<{
  readonly listeners: readonly {
    readonly protocol: string;
    readonly tls?: { readonly certificateRefs: readonly { readonly group?: string; readonly kind?: string; readonly name: string }[] };
  }[];
}>;

type ClusterIssuer = WithSpec<{ readonly acme: { readonly solvers: readonly Readonly<Record<string, unknown>>[] } }>;

const fixture = (name: string) =>
  renderEnvironment(buildEnvironment(loadEnvironmentFile(join(__dirname, 'fixtures/environments', `${name}.yaml`))));

describe("the data layer's egress to Google follows the cluster's network (cluster.network)", () => {
  const egress = (env: ReturnType<typeof fixture>) =>
    find<NetworkPolicyJson>(env, 'NetworkPolicy', 'postgres-instances').spec.egress!.flatMap((rule) =>
      rule.to!.flatMap((peer) => (peer.ipBlock ? [`${peer.ipBlock.cidr}:${rule.ports!.map((p) => p.port).join(',')}`] : [])),
    );

  it('Dataplane V2 and private.googleapis.com (every environment here): 169.254.169.254:80 and 199.36.153.8/30:443', () => {
    const operated = environmentNames().filter((n) => environment(n).dataStores.postgres?.mode === 'operated');
    for (const name of nonEmpty(operated, 'environments operating PostgreSQL')) {
      const model = environment(name);
      expect(model.cluster.network, name).toEqual({ dataplane: 'dataplane-v2', googleApis: 'private' });
      const postgres = model.dataStores.postgres;
      if (postgres?.mode === 'operated' && postgres.engine === 'postgres' && postgres.backups !== undefined) {
        expect(egress(rendered(name)), name).toEqual(expect.arrayContaining(['199.36.153.8/30:443', '169.254.169.254/32:80']));
      }
    }
  });

  it('Calico and restricted.googleapis.com: 169.254.169.252:988 and 199.36.153.4/30:443, nothing of the other', () => {
    const found = egress(fixture('calico-restricted'));
    expect(found).toEqual(expect.arrayContaining(['199.36.153.4/30:443', '169.254.169.252/32:988']));
    expect(found.filter((e) => e.startsWith('169.254.169.254') || e.startsWith('199.36.153.8'))).toEqual([]);
  });
});

describe('queue workers scale on queue depth (CAP-05)', () => {
  // The numbers themselves (prod's floor, staging's ceiling, 100 tasks a replica) are pinned in
  // test/workloads.test.ts (CAP-01) and test/requirement-numbers.test.ts (CAP-05).
  it.each(['prod', 'staging', 'dev'])("%s: KEDA scales the worker over the model's range at its waiting tasks per replica", (name) => {
    const env = rendered(name);
    const worker = environment(name).services.worker;
    if (worker?.kind !== 'worker' || worker.queue === undefined) throw new Error(`${name}: services.worker is not a queue worker`);
    const { min, max } = worker.replicas;
    const perReplica = worker.queue.targetPerReplica;
    const scaled = find<ScaledObject>(env, 'ScaledObject', 'worker');
    expect(scaled.spec).toMatchObject({
      minReplicaCount: min,
      maxReplicaCount: max,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
    });
    // The broker is the environment's own Redis (operated): behind Sentinels KEDA asks them for the
    // master (redis-sentinel); a single node without Sentinels is reached at its master Service.
    const sentinels = Object.values(environment(name).dataStores).some(
      (s) => s.mode === 'operated' && s.engine === 'redis' && s.sentinels > 0,
    );
    expect(scaled.spec.triggers).toEqual([
      sentinels
        ? {
            type: 'redis-sentinel',
            metadata: {
              addresses: 'redis-sentinel.data.svc.cluster.local:26379',
              sentinelMaster: 'mymaster',
              listName: 'celery',
              listLength: String(perReplica),
              enableTLS: 'true',
            },
            authenticationRef: { name: 'worker-queue' },
          }
        : {
            type: 'redis',
            metadata: {
              address: 'redis-master.data.svc.cluster.local:6379',
              listName: 'celery',
              listLength: String(perReplica),
              enableTLS: 'true',
            },
            authenticationRef: { name: 'worker-queue' },
          },
    ]);
    expect(objects(env, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).not.toContain('worker');
  });

  it("reads the broker credentials from keys the worker's ExternalSecret writes", () => {
    const prod = rendered('prod');
    const auth = find<TriggerAuthentication>(prod, 'TriggerAuthentication', 'worker-queue');
    const secret = find<ExternalSecret>(prod, 'ExternalSecret', 'worker-secrets').spec;
    // Fetched keys and, merged beside them, the templated ones (the user name is written, not fetched).
    const written = [...secret.data.map((d) => d.secretKey), ...Object.keys(secret.target.template?.data ?? {})];
    for (const ref of nonEmpty(auth.spec.secretTargetRef, 'worker-queue secretTargetRef')) {
      expect(ref.name).toBe('worker-secrets');
      expect(written).toContain(ref.key);
    }
    // In-cluster Redis: the address is in the trigger; KEDA signs in as the worker's own ACL user and
    // verifies Redis's certificate against the data CA.
    expect(auth.spec.secretTargetRef.map((r) => [r.parameter, r.key])).toEqual([
      ['username', 'redis-url-username'],
      ['password', 'redis-password-worker'],
      ['ca', 'data-ca-cert'],
    ]);
  });

  it('can use RabbitMQ instead, chosen per environment', () => {
    const rabbit = fixture('rabbitmq-broker');
    expect(find<ScaledObject>(rabbit, 'ScaledObject', 'worker').spec.triggers[0]).toMatchObject({
      type: 'rabbitmq',
      metadata: { queueName: 'tasks', mode: 'QueueLength', value: '100' },
    });
    expect(find<TriggerAuthentication>(rabbit, 'TriggerAuthentication', 'worker-queue').spec.secretTargetRef).toEqual([
      { parameter: 'host', name: 'worker-secrets', key: 'queue-url' },
    ]);
  });

  it('gives a worker time to finish its task on shutdown', () => {
    expect(workload(rendered('prod'), 'worker').spec.template.spec.terminationGracePeriodSeconds).toBe(330);
    expect(workload(rendered('prod'), 'backend').spec.template.spec.terminationGracePeriodSeconds).toBe(30);
  });
});

/** Ports each service may reach, by peer description, from its NetworkPolicy. */
function egressPorts(env: ReturnType<typeof rendered>, service: string): number[] {
  return find<NetworkPolicyJson>(env, 'NetworkPolicy', service)
    .spec.egress!.flatMap((rule) => rule.ports!.map((p) => p.port as number))
    .sort((a, b) => a - b);
}

describe.each(environmentNames())('%s network isolation (DAT-01, SEC-06)', (name) => {
  const env = rendered(name);

  it('denies all ingress and egress by default, and allows DNS', () => {
    expect(find<NetworkPolicyJson>(env, 'NetworkPolicy', 'default-deny').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
    const dns = find<NetworkPolicyJson>(env, 'NetworkPolicy', 'allow-dns').spec.egress![0];
    expect(dns.ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
  });

  it('lets data store ports out only from the services that use them, and external ports from those that declare them', () => {
    const model = environment(name);
    const services = Object.entries(model.services).filter(([, s]) => s.enabled);
    const reaches = (port: number) => services.map(([s]) => s).filter((s) => egressPorts(env, s).includes(port));
    const storePortsOf = (store: string): number[] => {
      const spec = model.dataStores[store]!;
      return spec.mode === 'operated' ? storePorts(spec) : [spec.port];
    };
    const checked = Object.keys(model.dataStores).flatMap(storePortsOf);
    expect(checked.length).toBeGreaterThan(0);
    for (const port of checked) {
      const users = services.filter(([, s]) => s.uses.some((store) => storePortsOf(store).includes(port))).map(([s]) => s);
      expect(reaches(port), `${name}: port ${port}`).toEqual(users);
    }
    for (const port of new Set(services.flatMap(([, s]) => s.egress.map((e) => e.port)))) {
      expect(reaches(port), `${name}: port ${port}`).toEqual(
        services.filter(([, s]) => s.egress.some((e) => e.port === port)).map(([s]) => s),
      );
    }
  });
});

/** The example platform's own services (environments/platform.ts): the requirements' numbers are asserted where they run. */
const examplePlatform = environmentNames().filter((name) =>
  ['frontend', 'backend', 'ai', 'worker'].every((service) => environment(name).services[service]?.enabled),
);

describe.each(examplePlatform)('%s network isolation of the example services (DAT-01, SEC-06)', (name) => {
  const env = rendered(name);

  it('keeps the backend internal: reachable from the ingress controller and its declared callers only', () => {
    const from = find<NetworkPolicyJson>(env, 'NetworkPolicy', 'backend').spec.ingress!.map((rule) => [
      rule.from![0].namespaceSelector === undefined
        ? rule.from![0].podSelector!.matchLabels!['app.kubernetes.io/name']
        : `${rule.from![0].namespaceSelector.matchLabels!['kubernetes.io/metadata.name']}/${JSON.stringify(rule.from![0].podSelector?.matchLabels ?? {})}`,
      rule.ports!.map((p) => p.port),
    ]);
    expect(from.slice(0, 3)).toEqual([
      // The Gateway's NGINX pods, not everything in the edge namespace.
      [`${environment(name).ingress.namespace}/{"gateway.networking.k8s.io/gateway-name":"public"}`, [8001]],
      ['frontend', [8001]],
      ['worker', [8001]],
    ]);
    expect(find<NetworkPolicyJson>(env, 'NetworkPolicy', 'ai').spec.ingress![0].from).toEqual([
      { podSelector: { matchLabels: { 'app.kubernetes.io/instance': `backend-${name}`, 'app.kubernetes.io/name': 'backend' } } },
    ]);
    expect(find<NetworkPolicyJson>(env, 'NetworkPolicy', 'worker').spec.ingress).toEqual([]);
  });

  it("lets the AI service reach its model API on 443 through Google's private API range, and no other address", () => {
    const rule = find<NetworkPolicyJson>(env, 'NetworkPolicy', 'ai').spec.egress!.find((r) => r.ports![0].port === 443)!;
    expect(rule.to).toEqual([{ ipBlock: { cidr: GOOGLE_APIS[environment(name).cluster.network.googleApis].cidr } }]);
  });
});

describe('managed or in-cluster data stores', () => {
  it('allows egress to the provider ranges when managed (DAT-05)', () => {
    const rule = find<NetworkPolicyJson>(rendered('prod'), 'NetworkPolicy', 'backend').spec.egress!.find(
      (r) => r.ports![0].port === 27017,
    )!;
    expect(rule.to).toEqual([{ ipBlock: { cidr: '10.100.2.0/24' } }]);
  });

  it('allows egress to the pooler only when PostgreSQL is operated (DAT-06), and to the Redis pods and their Sentinels', () => {
    const egress = find<NetworkPolicyJson>(rendered('prod'), 'NetworkPolicy', 'backend').spec.egress!;
    const data = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } } };
    expect(egress.find((r) => r.ports![0].port === 5432)!.to).toEqual([
      { ...data, podSelector: { matchLabels: { 'cnpg.io/poolerName': 'postgres-pooler' } } },
    ]);
    const redis = egress.find((r) => r.ports!.some((p) => p.port === 6379))!;
    expect(redis.ports!.map((p) => p.port)).toEqual([26379, 6379]);
    expect(redis.to).toEqual([
      { ...data, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['redis', 'redis-sentinel'] }] } },
    ]);
    // Without Sentinels (dev) the Redis pods on 6379 only.
    const dev = find<NetworkPolicyJson>(rendered('dev'), 'NetworkPolicy', 'backend').spec.egress!.find((r) =>
      r.ports!.some((p) => p.port === 6379),
    )!;
    expect(dev.ports!.map((p) => p.port)).toEqual([6379]);
    expect(dev.to).toEqual([{ ...data, podSelector: { matchLabels: { app: 'redis', role: 'replication' } } }]);
  });

  it('allows egress to the store pods when in-cluster (DAT-01)', () => {
    const rule = find<NetworkPolicyJson>(fixture('in-cluster-stores'), 'NetworkPolicy', 'backend').spec.egress!.find(
      (r) => r.ports![0].port === 5432,
    )!;
    expect(rule.to).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgresql' } },
      },
    ]);
  });
});

describe.each(examplePlatform)('%s secrets by reference', (name) => {
  const env = rendered(name);

  it('writes no Secret with data', () => {
    expect(objects(env, 'Secret')).toEqual([]);
  });

  it("sources each service's secrets from the store with an ExternalSecret and mounts them as files", () => {
    const storeName = environment(name).secrets.storeName;
    // Each namespace reads its own SecretStore, as its own identity.
    const store = objects<ClusterSecretStore>(env, 'SecretStore').find(
      (s) => s.metadata.name === storeName && s.metadata.namespace === environment(name).namespace,
    )!;
    for (const service of ['backend', 'ai', 'worker']) {
      const external = find<ExternalSecret>(env, 'ExternalSecret', `${service}-secrets`);
      expect(external.spec.secretStoreRef).toEqual({ name: store.metadata.name, kind: 'SecretStore' });
      // Google Secret Manager secret IDs allow no "/": <prefix>-<name> there, a path under the prefix elsewhere.
      const gcp = store.spec.provider.gcpsm !== undefined;
      // A DR pair's owner password is the pair's (one secret for both sides), under the shared prefix.
      const model = environment(name);
      const postgres = model.dataStores.postgres;
      const replication = postgres?.mode === 'operated' && postgres.engine === 'postgres' ? postgres.replication : undefined;
      const pair = model.region && replication ? `dr-${[model.region.name, replication.region].sort().join('-')}` : undefined;
      for (const d of nonEmpty(external.spec.data, `${name}: ${external.metadata.name} data`)) {
        if (pair !== undefined && d.secretKey === 'postgres-password') {
          expect(d.remoteRef.key).toBe(`${model.secrets.sharedPrefix}-postgres-password-${pair}`);
          continue;
        }
        // Under the environment's prefix (a preview reads dev's secrets: its prefix is dev's).
        expect(d.remoteRef.key).toBe(gcp ? `${model.secrets.prefix}-${d.secretKey}` : `${model.secrets.prefix}/${d.secretKey}`);
        if (gcp) expect(d.remoteRef.key).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
      }
      const pod = workload(env, service).spec.template.spec;
      expect(pod.volumes).toContainEqual({ name: 'secrets', secret: { secretName: `${service}-secrets`, defaultMode: 0o440 } });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'secrets', mountPath: '/var/run/secrets/app', readOnly: true });
      expect(JSON.stringify(pod.containers[0].env ?? [])).not.toContain('secretKeyRef');
    }
    expect(find<ExternalSecret>(env, 'ExternalSecret', 'ai-secrets').spec.data.map((d) => d.secretKey)).toContain('ai-provider-key');
  });
});

describe('secret stores: AWS, GCP and Vault are expressible', () => {
  it('uses Vault in dev and GCP Secret Manager in prod, a store in each namespace that reads it', () => {
    const stores = (name: string) =>
      objects<ClusterSecretStore>(rendered(name), 'SecretStore').filter((s) => s.metadata.name === 'platform-secrets');
    expect(objects(rendered('prod'), 'ClusterSecretStore')).toEqual([]);
    expect(stores('dev')[0]!.spec.provider.vault).toMatchObject({
      server: 'https://vault.vault.svc.cluster.local:8200',
      version: 'v2',
      // The token crosses the network: TLS, verified against the cluster's Vault CA.
      caProvider: { type: 'ConfigMap', name: 'vault-ca', key: 'ca.crt', namespace: 'vault' },
    });
    const prod = stores('prod');
    expect(prod.map((s) => s.spec.provider.gcpsm!.projectID)).toEqual(['platform-prod', 'platform-prod']);
    // The data stores' ExternalSecrets (their passwords) read a store of the data namespace.
    expect(prod.map((s) => s.metadata.namespace)).toEqual(['platform', 'data']);
    for (const s of prod) expect(s.spec.conditions).toBeUndefined();
  });
});

describe('certificates (SEC-10)', () => {
  it("issues prod a wildcard from Let's Encrypt over DNS, and the Gateway's HTTPS listeners serve its Secret", () => {
    const prod = rendered('prod');
    const certificate = find<Certificate>(prod, 'Certificate', 'public-prod');
    expect(certificate.spec.dnsNames).toEqual(['*.example.com']);
    expect(certificate.spec.issuerRef).toEqual({ name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    const https = find<Gateway>(prod, 'Gateway', 'public').spec.listeners.filter((l) => l.protocol === 'HTTPS');
    expect(https.length).toBeGreaterThan(0);
    for (const listener of https)
      expect(listener.tls!.certificateRefs).toEqual([{ group: '', kind: 'Secret', name: certificate.spec.secretName }]);
    expect(certificate.metadata.namespace).toBe(find(prod, 'Gateway', 'public').metadata.namespace);
    expect(find<ClusterIssuer>(prod, 'ClusterIssuer', 'letsencrypt').spec.acme.solvers).toEqual([
      { dns01: { cloudDNS: { project: 'platform-prod' } } },
    ]);
  });

  it('names every host when there is no wildcard, proven over HTTP', () => {
    const staging = rendered('staging');
    expect(find<Certificate>(staging, 'Certificate', 'public-staging').spec.dnsNames).toEqual([
      'staging.example.com',
      'api.staging.example.com',
    ]);
    // cert-manager attaches each solver's HTTPRoute to the Gateway's plain-HTTP listener.
    expect(find<ClusterIssuer>(staging, 'ClusterIssuer', 'letsencrypt').spec.acme.solvers).toEqual([
      {
        http01: {
          gatewayHTTPRoute: {
            parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'edge', sectionName: 'http' }],
            serviceType: 'ClusterIP',
          },
        },
      },
    ]);
  });
});

describe('tracing (OPS-02)', () => {
  it("points every service's OpenTelemetry SDK at the collector with the environment's sampling", () => {
    const env = (name: string, service: string) =>
      Object.fromEntries(
        workload(rendered(name), service).spec.template.spec.containers[0].env!.map((e): [string, string | undefined] => [e.name, e.value]),
      );
    expect(env('prod', 'backend')).toMatchObject({
      OTEL_SERVICE_NAME: 'backend',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger-collector.observability.svc.cluster.local:4317',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.version=1.0.0',
    });
    expect(env('dev', 'worker').OTEL_TRACES_SAMPLER_ARG).toBe('1');
  });
});
