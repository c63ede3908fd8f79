/**
 * The fleet: the clusters one management (hub) cluster drives with Argo CD ApplicationSets, and the
 * order a change reaches them. Which environments are members is a rule over the model (every
 * environment deployed from the hub's repository), not a list; the rollout order is data here and is
 * checked against the members at load: every member in exactly one step, no step without a member.
 */
import { z } from 'zod';
import { EnvironmentError, type EnvironmentIssue } from './load';
import type { Environment } from './schema';

/** Where a bad fleet value was set. */
export const FLEET_SOURCE = 'environments/fleet.ts';

/** The model's facts about a cluster the hub selects and orders it by, as cluster-secret labels. */
export const FleetLabelKey = { ENVIRONMENT: 'environment', REGION: 'region', TIER: 'tier', ROLE: 'role' } as const;
export type FleetLabelKey = (typeof FleetLabelKey)[keyof typeof FleetLabelKey];
const LABEL_KEYS = Object.values(FleetLabelKey) as [FleetLabelKey, ...FleetLabelKey[]];

/** The value of `region` and `role` on a cluster that is not a region of a multi-region environment. */
export const NO_REGION = 'none';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const dnsLabel = z.string().regex(DNS_LABEL, 'must be a DNS-1123 label: lowercase letters, digits and "-", at most 63 characters');

const rolloutStep = z
  .object({
    /** What the step is called in the plan, the report and errors. */
    name: dnsLabel,
    /**
     * The clusters of the step: every key must match (AND), a key matches any of its values (OR), as
     * Argo CD's RollingSync reads matchExpressions with the In operator.
     */
    match: z.partialRecord(z.enum(LABEL_KEYS), z.array(z.string().regex(LABEL_VALUE, 'must be a label value')).min(1)),
    /**
     * How many of the step's clusters sync at once: a count, or a percentage such as "25%" (Argo CD
     * rounds down with a floor of one). 0 holds the step until someone syncs it by hand. @default - all at once
     */
    maxUpdate: z.union([z.number().int().min(0), z.string().regex(/^(100|[1-9]?[0-9])%$/, 'must be a percentage such as 25%')]).optional(),
  })
  .strict()
  .refine((step) => Object.keys(step.match).length > 0, { message: 'must match on at least one label', path: ['match'] });

export const fleetSchema = z
  .object({
    /** The fleet's name: its AppProject, its ApplicationSet, the label its clusters carry. */
    name: dnsLabel,
    /** The environment whose cluster runs the hub's Argo CD. It must be an Argo CD environment. */
    hub: dnsLabel,
    /** The domain of the cluster-secret labels the generator selects by: `<labelDomain>/tier`. */
    labelDomain: z.string().regex(DNS_SUBDOMAIN, 'must be a DNS subdomain such as fleet.example.com'),
    /** Where the cluster's API address and credentials are in the hub's secret store: `<prefix>/<environment>`. */
    credentialsPrefix: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "-" and "_"'),
    /** The order a change reaches the clusters, each step gated on the previous one's health. */
    rollout: z.array(rolloutStep).min(1),
    /**
     * Preview environments per pull request: the registered environment every preview is made from
     * (environments/preview.ts), the fleet cluster they run on, and the label a pull request carries
     * to get one. A preview is named `pr-<number>` and removed when its pull request closes or loses the label.
     */
    previews: z
      .object({
        environment: dnsLabel,
        cluster: dnsLabel,
        label: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,48}$/, 'must be a pull request label such as preview'),
        /** How often the generator asks the Git host for pull requests, in seconds. */
        requeueAfterSeconds: z.number().int().min(30).max(3600),
      })
      .strict(),
  })
  .strict();

export type Fleet = z.infer<typeof fleetSchema>;
export type RolloutStep = Fleet['rollout'][number];

/**
 * Staging first (with dev: the clusters a change is rehearsed on), then the DR pair's primary region,
 * then every other production cluster one at a time.
 */
const FLEET: z.input<typeof fleetSchema> = {
  name: 'fleet',
  hub: 'staging',
  labelDomain: 'fleet.example.com',
  credentialsPrefix: 'argocd-cluster',
  rollout: [
    { name: 'pre-production', match: { tier: ['development', 'staging'] } },
    { name: 'dr-primary', match: { tier: ['production'], role: ['primary'] } },
    { name: 'production', match: { tier: ['production'], role: ['active', 'standby', NO_REGION] }, maxUpdate: 1 },
  ],
  previews: { environment: previewName(0), cluster: 'dev', label: 'preview', requeueAfterSeconds: 180 },
};

/** A pull request's preview environment: `pr-123`. */
export function previewName(pullRequest: number | string): string {
  return `pr-${pullRequest}`;
}

/** The labels the model gives a member's cluster (without the domain). */
export function clusterFacts(environment: Environment): Record<FleetLabelKey, string> {
  return {
    environment: environment.name,
    region: environment.region?.name ?? NO_REGION,
    tier: environment.tier,
    role: environment.region?.role ?? NO_REGION,
  };
}

/** A label key of the fleet: `fleet.example.com/tier`. */
export function fleetLabel(fleet: Fleet, key: FleetLabelKey | 'fleet'): string {
  return `${fleet.labelDomain}/${key}`;
}

/** Whether a rollout step selects the cluster (every key, any value). */
export function stepMatches(step: RolloutStep, facts: Record<FleetLabelKey, string>): boolean {
  return Object.entries(step.match).every(([key, values]) => values.includes(facts[key as FleetLabelKey]));
}

/**
 * The members of the fleet: the environments deployed from the hub's repository and branch, the hub's
 * own included, except the previews' template (each pull request's preview is deployed by its own).
 */
export function fleetMembers(hub: Environment, environments: readonly Environment[], previewTemplate?: string): Environment[] {
  return environments.filter(
    (env) =>
      env.name !== previewTemplate &&
      env.partOf === hub.partOf &&
      env.gitops.repository === hub.gitops.repository &&
      env.gitops.branch === hub.gitops.branch,
  );
}

/** The members of each rollout step, in the fleet's order. */
export function rolloutPlan(fleet: Fleet, members: readonly Environment[]): { step: RolloutStep; members: Environment[] }[] {
  return fleet.rollout.map((step) => ({ step, members: members.filter((m) => stepMatches(step, clusterFacts(m))) }));
}

/**
 * Validates a fleet against the environments it would drive.
 * @throws EnvironmentError naming the fleet, the file, the field, the value and what is allowed
 */
export interface LoadedFleet {
  readonly fleet: Fleet;
  readonly hub: Environment;
  readonly members: Environment[];
  /** The environment previews are made from. */
  readonly preview: Environment;
}

export function checkFleet(input: unknown, environments: readonly Environment[]): LoadedFleet {
  const parsed = fleetSchema.safeParse(input);
  const name = typeof (input as { name?: unknown })?.name === 'string' ? String((input as { name: string }).name) : 'fleet';
  if (!parsed.success) {
    throw new EnvironmentError(
      name,
      parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        value: issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey], input),
        message: issue.message,
        source: FLEET_SOURCE,
      })),
    );
  }
  const fleet = parsed.data;
  const issues: EnvironmentIssue[] = [];
  const issue = (path: string, value: unknown, message: string) => issues.push({ path, value, message, source: FLEET_SOURCE });
  const hub = environments.find((env) => env.name === fleet.hub);
  if (hub === undefined) {
    issue('hub', fleet.hub, `must name an environment: ${environments.map((e) => e.name).join(', ')}`);
    throw new EnvironmentError(fleet.name, issues);
  }
  if (hub.gitops.tool === 'flux') {
    issue(
      'hub',
      fleet.hub,
      'must be an environment whose gitops.tool is argocd or both: the hub runs Argo CD and its ApplicationSet controller',
    );
  }
  // The clusters' credentials are read by a store of the hub's argocd namespace, as that namespace's own identity.
  if ('identities' in hub.secrets.store && hub.secrets.store.identities.argocd === undefined) {
    issue(
      'hub',
      fleet.hub,
      `must name the cloud identity its argocd namespace reads the clusters' credentials as (${hub.name}'s secrets.store.identities.argocd): no other namespace's identity may read them`,
    );
  }
  const preview = environments.find((env) => env.name === fleet.previews.environment);
  if (preview === undefined) {
    issue('previews.environment', fleet.previews.environment, `must name an environment: ${environments.map((e) => e.name).join(', ')}`);
  } else if (preview.tier !== 'development') {
    issue(
      'previews.environment',
      fleet.previews.environment,
      `must be a development-tier environment (it is ${preview.tier}): previews are dev overlays`,
    );
  } else if (preview.gitops.repository !== hub.gitops.repository) {
    issue('previews.environment', fleet.previews.environment, `must be deployed from the hub's repository (${hub.gitops.repository})`);
  }
  const members = fleetMembers(hub, environments, fleet.previews.environment);
  const previewCluster = members.find((m) => m.name === fleet.previews.cluster);
  if (previewCluster === undefined) {
    issue('previews.cluster', fleet.previews.cluster, `must be a cluster of the fleet: ${members.map((m) => m.name).join(', ')}`);
  } else if (previewCluster.tier === 'production') {
    issue('previews.cluster', fleet.previews.cluster, 'must not be a production cluster: previews run unreviewed code');
  }
  for (const member of members) {
    const facts = clusterFacts(member);
    const steps = fleet.rollout.filter((step) => stepMatches(step, facts)).map((step) => step.name);
    if (steps.length !== 1) {
      issue(
        'rollout',
        steps,
        `must put cluster ${member.name} (${LABEL_KEYS.map((k) => `${k}=${facts[k]}`).join(', ')}) in exactly one step, ` +
          (steps.length === 0
            ? 'it is in none: Argo CD would never sync it (an Application no step selects is left out of the rolling sync)'
            : 'it is in several: its place in the order would be ambiguous'),
      );
    }
  }
  fleet.rollout.forEach((step, index) => {
    if (!members.some((m) => stepMatches(step, clusterFacts(m)))) {
      issue(
        `rollout.${index}.match`,
        step.match,
        `selects no cluster of the fleet (${members.map((m) => m.name).join(', ')}): a step that gates nothing is a typo`,
      );
    }
  });
  const names = fleet.rollout.map((s) => s.name);
  names.forEach((stepName, index) => {
    if (names.indexOf(stepName) !== index) issue(`rollout.${index}.name`, stepName, 'must be unique among the steps');
  });
  if (issues.length > 0) throw new EnvironmentError(fleet.name, issues);
  if (issues.length > 0 || preview === undefined) throw new EnvironmentError(fleet.name, issues);
  return { fleet, hub, members, preview };
}

/** The fleet this repository drives. */
export function loadFleet(environments: readonly Environment[]): LoadedFleet {
  return checkFleet(FLEET, environments);
}

/** The fleet's declaration, for tests that change one value. */
export function fleetInput(): z.input<typeof fleetSchema> {
  return structuredClone(FLEET);
}
