/**
 * The typed model of an environment, validated when it is loaded. Everything a chart needs to know
 * about dev, staging, prod or a region is here. Every number an environment may leave out has its
 * default in lib/defaults.ts, filled in by its domain's schema, so the resolved environment states
 * every value used.
 *
 * Each domain is a file of environments/domains/: its schema, its defaults, and its checks (those
 * that report on its fields, though they may read other domains). This file composes the domains
 * into the environment and runs their checks over the whole of it, in a fixed order. It imports the
 * domains in the order of their sections in docs/reference.md, which app/docs/reference.ts follows.
 *
 * Every object is strict: an unknown key is an error, because a typo'd key that silently does
 * nothing is how production drifts from what a reviewer approved.
 */
import { z } from 'zod';
import { dnsLabel, strict, Tier } from './domains/common';
import { RESERVED_TRACKS, STRATEGY_VARIANTS } from './domains/rollout';
import { ExternalVia } from './domains/egress';
import { checkLatencyScaling, checkPinnedImages, checkServices, service } from './domains/services';
import { checkNodePools, machineType, nodePool, storageClass } from './domains/capacity';
import { chaos, checkChaos } from './domains/chaos';
import { checkIngress, ingress } from './domains/ingress';
import { mesh } from './domains/mesh';
import { monitoring, slo } from './domains/monitoring';
import { checkDataStores, dataStore } from './domains/data-stores';
import { checkSecrets, secrets } from './domains/secrets';
import { checkTls, tls } from './domains/tls';
import { delivery } from './domains/delivery';
import { quota } from './domains/quota';
import { checkSandbox, sandbox } from './domains/sandbox';
import { checkGitops, gitops } from './domains/gitops';
import { region } from './domains/region';
import { cluster } from './domains/cluster';
import { waiver } from './domains/waivers';

export { dnsLabel, hostname, MAX_NODES, MAX_REPLICAS, Tier } from './domains/common';
export { ExternalVia, RESERVED_TRACKS, STRATEGY_VARIANTS };
export { Broker, ISTIO_RESERVED_PORTS, Protocol, SERVICE_VARIANTS, ServiceKind } from './domains/services';
export { EdgeImplementation, userLimitedServices } from './domains/ingress';
export { BACKUP_CREDENTIAL_VARIANTS, DATA_STORE_VARIANTS, DataStoreMode, OPERATED_STORE_VARIANTS } from './domains/data-stores';
export { SECRET_PROVIDER_VARIANTS } from './domains/secrets';
export { ACME_SOLVER_VARIANTS } from './domains/tls';
export { RegionRole } from './domains/region';

const environmentSchemaShape = strict({
  name: dnsLabel,
  /** Production tiers get the stricter availability rules. */
  tier: z.enum([Tier.DEVELOPMENT, Tier.STAGING, Tier.PRODUCTION]),
  /** app.kubernetes.io/part-of of every object. */
  partOf: dnsLabel,
  namespace: dnsLabel,
  /** Expected active users; the capacity plan reports cost per user when set. */
  users: z.number().int().positive().optional(),
  cluster,
  /** Machine types node pools may use, with their size and list prices. */
  machineTypes: z.record(z.string().min(1), machineType),
  /** Storage classes persistent volumes may use, with their list prices. */
  storageClasses: z.record(dnsLabel, storageClass),
  nodePools: z.record(dnsLabel, nodePool),
  services: z.record(dnsLabel, service),
  ingress,
  mesh,
  slo,
  monitoring,
  /** Data stores services use, by name. */
  dataStores: z.record(dnsLabel, dataStore),
  secrets,
  tls,
  /** How Rollouts judge a release. */
  delivery: delivery.prefault({}),
  quota,
  /** A namespace for untrusted user projects (SEC-09). @default - none */
  sandbox: sandbox.optional(),
  gitops,
  /** Set on production regions (overlays of prod). @default - not a region */
  region: region.optional(),
  /** Scheduled chaos drills. */
  chaos: chaos.prefault({}),
  /** Per-object exceptions to a rule, each with its reason. @default [] */
  waivers: z.array(waiver).default([]),
});

/** Each domain's checks, in the order their issues are reported. */
export const environmentSchema = environmentSchemaShape.superRefine((env, ctx) => {
  checkServices(env, ctx);
  checkNodePools(env, ctx);
  checkGitops(env, ctx);
  checkSecrets(env, ctx);
  checkSandbox(env, ctx);
  checkTls(env, ctx);
  checkIngress(env, ctx);
  checkDataStores(env, ctx);
  checkLatencyScaling(env, ctx);
  checkPinnedImages(env, ctx);
  checkChaos(env, ctx);
});

/** A fully resolved, validated environment: every default filled in. */
export type Environment = z.infer<typeof environmentSchema>;
/** What an environment file may write: defaults may be left out. */
export type EnvironmentInput = z.input<typeof environmentSchema>;
export type ServiceSpec = Environment['services'][string];
export type ExternalEndpoint = ServiceSpec['egress'][number];
export type WebServiceSpec = Extract<ServiceSpec, { kind: 'web' }>;
export type WorkerServiceSpec = Extract<ServiceSpec, { kind: 'worker' }>;
export type JobServiceSpec = Extract<ServiceSpec, { kind: 'job' }>;
/** A service that runs long-lived pods: a web service or a worker. */
export type LongRunningServiceSpec = WebServiceSpec | WorkerServiceSpec;
export type NodePool = Environment['nodePools'][string];
export type ResourceSet = ServiceSpec['resources']['requests'];
export type Strategy = WebServiceSpec['strategy'];
export type Traffic = WebServiceSpec['traffic'];
export type Autoscaling = WebServiceSpec['autoscaling'];
export type MachineType = Environment['machineTypes'][string];
export type DataStore = Environment['dataStores'][string];
export type Queue = NonNullable<WorkerServiceSpec['queue']>;
export type OperatedStore = Extract<DataStore, { mode: 'operated' }>;
export type OperatedPostgres = Extract<OperatedStore, { engine: 'postgres' }>;
export type OperatedRedis = Extract<OperatedStore, { engine: 'redis' }>;
export type BackupCredentials = NonNullable<OperatedPostgres['backups']>['credentials'];
export type Chaos = Environment['chaos'];
