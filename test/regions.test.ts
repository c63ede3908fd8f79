/**
 * Production regions: small overlays on prod, each synthesized to its own folder. The diff against
 * prod shows that an overlay carries only its differences; the standby keeps a warm floor that is
 * still a valid production plan.
 */
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../environments';
import prod from '../environments/prod';
import { diffObjects, ENV_PLACEHOLDER, formatDiff, normalizeForEnvironment, type ObjectDiff } from '../app/diff';
import { planEnvironment } from '../app/plan';
import { validationContext } from '../app/synthesize';
import { validate } from '../validation';
import type { Manifest } from '../lib/core/manifest';
import { environment, find, objects, rendered } from './helpers';
import type { HpaJson, WithSpec } from './k8s-json';

type Kustomization = WithSpec<{ readonly path: string }>;
type GitRepository = WithSpec<{ readonly ignore: string }>;
type ScaledObject = WithSpec<{ readonly minReplicaCount: number; readonly maxReplicaCount: number }>;
type Ingress = WithSpec<{ readonly rules: readonly { readonly host: string }[] }>;

/** Every registered region: the overlays of prod (whatever regions the model declares). */
const REGIONS = ENVIRONMENTS.filter((overlay) => overlay.extends === prod).map((overlay) => overlay.name);
const WEB = ['frontend', 'backend', 'ai'] as const;

/**
 * A region against its parent, object by object. The region's name (in instance labels, paths,
 * Flux and Argo CD names) is rewritten to the parent's, so what is left is what the overlay changes;
 * values the region inherits from the parent (its DNS project) stay as they are.
 */
function diffAgainstParent(parent: string, region: string): ObjectDiff {
  const asParent = (object: Manifest): Manifest => {
    const renamed = JSON.parse(JSON.stringify(normalizeForEnvironment(object, region)).split(ENV_PLACEHOLDER).join(parent)) as Manifest;
    // normalizeForEnvironment drops the namespace; both sides keep theirs (objects are matched by it).
    const { namespace } = object.metadata;
    return namespace === undefined ? renamed : { ...renamed, metadata: { ...renamed.metadata, namespace } };
  };
  const side = (name: string, map: (o: Manifest) => Manifest) =>
    rendered(name).objects.map((object) => ({ file: '', object: map(object) }));
  const key = (s: { object: Manifest }) => [s.object.kind, s.object.metadata.namespace, s.object.metadata.name].filter(Boolean).join('/');
  return diffObjects(
    `${parent} → ${region}`,
    side(parent, (o) => o),
    side(region, asParent),
    key,
  );
}

describe('regions', () => {
  it('are registered overlays of prod, each with its cloud region and role', () => {
    expect(REGIONS.length).toBeGreaterThan(0);
    for (const name of REGIONS) expect(environment(name).region, name).toBeDefined();
    // The example's three regions, each with its role (a new region adds its own line to no list here).
    expect(environment('prod-us-west').region).toEqual({ name: 'us-west1', role: 'primary' });
    expect(environment('prod-eu').region).toEqual({ name: 'europe-west4', role: 'active' });
    expect(environment('prod-asia').region).toEqual({ name: 'asia-southeast1', role: 'standby' });
    expect(environment('prod').region).toBeUndefined();
  });

  it('hold only region-level differences', () => {
    const allowed = ['name', 'extends', 'region', 'ingress', 'nodePools', 'services', 'secrets', 'dataStores', 'addons'];
    const overlays = ENVIRONMENTS.filter((overlay) => overlay.extends === prod);
    expect(overlays.length).toBeGreaterThan(0);
    for (const overlay of overlays) {
      expect(
        Object.keys(overlay).filter((key) => !allowed.includes(key)),
        overlay.name,
      ).toEqual([]);
    }
  });

  it('synthesize to their own folders and point their controllers there', () => {
    for (const name of REGIONS) {
      expect(rendered(name).environment).toBe(name);
      expect(find<Kustomization>(rendered(name), 'Kustomization', `${name}-apps`).spec.path).toBe(`./dist/${name}`);
      expect(find<GitRepository>(rendered(name), 'GitRepository', name).spec.ignore).toBe(`/*\n!/dist/${name}/\n`);
    }
  });

  it("reach their own region's data stores, with their own connection strings", () => {
    expect(REGIONS.map((name) => environment(name).secrets.prefix)).toEqual(REGIONS.map((name) => `platform-${name}`));
    // No two regions (nor a region and prod) share a managed store's address range or an archive bucket.
    const all = [...REGIONS, 'prod'];
    const cidrs = all.flatMap((name) =>
      Object.values(environment(name).dataStores).flatMap((store) => (store.mode === 'managed' ? store.cidrs : [])),
    );
    expect(cidrs.length).toBeGreaterThanOrEqual(all.length);
    expect(new Set(cidrs).size).toBe(cidrs.length);
    const buckets = all.flatMap((name) =>
      Object.values(environment(name).dataStores).flatMap((store) =>
        store.mode === 'operated' && store.engine === 'postgres' && store.backups !== undefined ? [store.backups.bucket] : [],
      ),
    );
    expect(buckets.length).toBeGreaterThanOrEqual(all.length);
    expect(new Set(buckets).size).toBe(buckets.length);
    // Nor a backup identity (issue 24 #9): one region's identity could otherwise overwrite or delete
    // every region's archive, the DR source included.
    const identities = all.flatMap((name) =>
      Object.values(environment(name).dataStores).flatMap((store) =>
        store.mode === 'operated' && store.engine === 'postgres' && store.backups?.credentials.type === 'workload-identity'
          ? [store.backups.credentials.serviceAccount]
          : [],
      ),
    );
    expect(identities.length).toBeGreaterThanOrEqual(all.length);
    expect(new Set(identities).size).toBe(identities.length);
    // The example's regions, by name.
    expect(environment('prod-eu').dataStores.mongodb).toMatchObject({ mode: 'managed', cidrs: ['10.120.2.0/24'] });
  });

  it.each(REGIONS)('%s passes the production validation and has a capacity plan that fits', (name) => {
    const env = environment(name);
    expect(env.tier).toBe('production');
    const report = validate(rendered(name).objects, validationContext(env));
    expect(report.violations.filter((v) => v.severity === 'error')).toEqual([]);
    expect(planEnvironment(env, rendered(name).objects).errors).toEqual([]);
  });
});

describe('the standby region (prod-asia)', () => {
  /** The replica range of a web service, whichever autoscaler owns it (the API's is KEDA's, with its latency trigger). */
  const hpa = (env: string, service: string) => {
    const scaled = objects<ScaledObject>(rendered(env), 'ScaledObject').find((o) => o.metadata.name === service);
    if (scaled !== undefined) return { minReplicas: scaled.spec.minReplicaCount, maxReplicas: scaled.spec.maxReplicaCount };
    return find<HpaJson>(rendered(env), 'HorizontalPodAutoscaler', service).spec;
  };

  it("keeps a warm floor of two pods per web service: above zero, and production's HPA minimum", () => {
    expect(WEB.map((s) => hpa('prod-asia', s).minReplicas)).toEqual([2, 2, 2]);
  });

  it("can grow to the primary's ceilings", () => {
    expect(WEB.map((s) => hpa('prod-asia', s).maxReplicas)).toEqual(WEB.map((s) => hpa('prod-us-west', s).maxReplicas));
    expect(find<ScaledObject>(rendered('prod-asia'), 'ScaledObject', 'worker').spec).toMatchObject({
      minReplicaCount: 0,
      maxReplicaCount: find<ScaledObject>(rendered('prod-us-west'), 'ScaledObject', 'worker').spec.maxReplicaCount,
    });
  });

  it("holds its floor on its pools' minimum nodes, so failover starts without waiting for nodes", () => {
    const plan = planEnvironment(environment('prod-asia'), rendered('prod-asia').objects);
    expect(plan.pools.map((pool) => [pool.name, pool.minNodes, pool.nodes.min, pool.maxNodes])).toEqual([
      ['frontend', 2, 2, 20],
      ['backend', 2, 2, 24],
      ['workers', 0, 0, 20],
      // The data layer: the DR replica cluster, the pooler and Redis, one node per zone.
      ['data', 3, 3, 4],
      // The user projects' GKE Sandbox pool, empty until the region is promoted.
      ['sandbox', 0, 0, 40],
    ]);
  });

  it("serves the primary's public host, so failover is a routing change", () => {
    const hosts = (env: string) => objects<Ingress>(rendered(env), 'Ingress').flatMap((i) => i.spec.rules.map((r) => r.host));
    expect(hosts('prod-asia')).toEqual(hosts('prod-us-west'));
  });
});

describe('prod-eu against prod', () => {
  const diff = diffAgainstParent('prod', 'prod-eu');

  it('adds and removes no object', () => {
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
  });

  // The secrets prefix is named after the region (platform-prod-eu), so the rename makes it equal.
  it("changes only replica ranges, the quota that follows from them, the data stores' ranges and the host", () => {
    // The quota of the platform namespace, whatever it is named.
    const quota = objects(rendered('prod'), 'ResourceQuota').find((q) => q.metadata.namespace === 'platform')!;
    expect(diff.changed.map((change) => change.key).sort()).toEqual(
      [
        `ResourceQuota/platform/${quota.metadata.name}`,
        // MongoDB stays managed: its private endpoint is the region's (and so is the mesh's entry for it).
        'NetworkPolicy/platform/backend',
        'NetworkPolicy/platform/ai',
        'ServiceEntry/platform/mongodb-managed',
        'HorizontalPodAutoscaler/platform/frontend',
        'ScaledObject/platform/backend',
        'HorizontalPodAutoscaler/platform/ai',
        'ScaledObject/platform/worker',
        // PostgreSQL archives to the region's own bucket, under the region's name.
        'ObjectStore/data/postgres-archive',
        'Cluster/data/postgres',
        'PrometheusRule/platform/platform-alerts',
        // Each namespace's secret store reads as the region's own identity for that namespace.
        'ServiceAccount/data/external-secrets',
        'ServiceAccount/platform/external-secrets',
        // The host: the Gateway's HTTPS listener and every route on it.
        'Gateway/edge/public',
        'HTTPRoute/edge/backend',
        'HTTPRoute/edge/frontend',
        'HTTPRoute/edge/public-https-redirect',
      ].sort(),
    );
  });

  it('reads as a short review', () => {
    expect(formatDiff(diff)).toMatchSnapshot();
  });
});

describe('prod-us-west against prod', () => {
  it("differs only in its data stores: the primary runs prod's plan, and its archive feeds the DR replica", () => {
    const diff = diffAgainstParent('prod', 'prod-us-west');
    expect(diff.added).toEqual(['ObjectStore/data/postgres-peer-archive']);
    expect(diff.removed).toEqual([]);
    expect(diff.changed.map((change) => change.key).sort()).toEqual([
      'Cluster/data/postgres',
      // The owner password is the DR pair's, not the region's: the cluster's and the apps' (backend, worker).
      'ExternalSecret/data/postgres-app-credentials',
      'ExternalSecret/platform/backend-secrets',
      'ExternalSecret/platform/worker-secrets',
      'NetworkPolicy/platform/ai',
      'NetworkPolicy/platform/backend',
      'ObjectStore/data/postgres-archive',
      'PrometheusRule/platform/platform-alerts',
      // Each namespace's secret store reads as the region's own identity for that namespace.
      'ServiceAccount/data/external-secrets',
      'ServiceAccount/platform/external-secrets',
      // MongoDB stays managed: the mesh's entry for it has the region's range.
      'ServiceEntry/platform/mongodb-managed',
    ]);
  });
});
