/**
 * Adding a service or a region is data: a synthetic web service, a synthetic queue worker and a
 * synthetic region join a copy of the model, and every invariant the registered environments keep
 * holds for them too. The invariants iterate over what the model declares, never over a list written
 * here, so the same checks run on the real environments.
 */
import { describe, expect, it } from 'vitest';
import { renderEnvironment, type RenderedEnvironment } from '../app/render';
import { validationContext } from '../app/synthesize';
import { buildEnvironment } from '../charts';
import { enabledServices } from '../charts/resolve-service';
import { callersOf } from '../charts/service-graph';
import { ENVIRONMENTS, type Environment, type EnvironmentOverlay } from '../environments';
import { resolveEnvironment } from '../environments/load';
import { platform } from '../environments/platform';
import prod from '../environments/prod';
import type { Manifest } from '../lib/core/manifest';
import { validate } from '../validation';
import { nonEmpty } from './helpers';
import type { HpaJson, Labels, WithSpec, WorkloadJson } from './k8s-json';

/** The platform base with a web service `search` (the frontend calls it) and a worker `mailer` on its own queue. */
function grownBase(): Record<string, unknown> {
  const backend = platform.services.backend!;
  const worker = platform.services.worker!;
  const frontend = platform.services.frontend!;
  if (backend.kind !== 'web' || worker.kind !== 'worker') throw new Error('the platform base changed its service kinds');
  return {
    ...platform,
    services: {
      ...platform.services,
      frontend: { ...frontend, calls: [...frontend.calls, 'search'] },
      search: {
        ...backend,
        component: 'search',
        // Production runs images by digest (the schema requires it there); the promoted build's digest.
        image: { ...backend.image, repository: `${backend.image.repository}-search`, digest: `sha256:${'a'.repeat(64)}` },
        // A new service declares a production-grade floor (HPA minimum 2 in production).
        replicas: { min: 2, max: 6 },
        calls: ['backend'],
      },
      mailer: {
        ...worker,
        component: 'mailer',
        image: { ...worker.image, repository: `${worker.image.repository}-mailer`, digest: `sha256:${'b'.repeat(64)}` },
        replicas: { min: 2, max: 10 },
        queue: { ...worker.queue, name: 'mail' },
      },
    },
  };
}

const base = grownBase();

/**
 * An environment that moves the services onto its own pools (dev has one) places the new ones as it
 * places their models: that is the one line adding a service asks of such an environment.
 */
function placed(overlay: EnvironmentOverlay): EnvironmentOverlay {
  // The services as the overlay or the nearest parent that places them declares them (a preview extends dev).
  let declaring: EnvironmentOverlay | undefined = overlay;
  while (declaring !== undefined && declaring.services === undefined) declaring = declaring.extends;
  const services = (declaring?.services ?? {}) as Record<string, { pool?: string } | null | undefined>;
  // An environment that removed the example's services (a platform of its own) removes the new ones too.
  if (services.backend === null || services.worker === null) {
    return { ...overlay, services: { ...overlay.services, search: null, mailer: null } } as EnvironmentOverlay;
  }
  const extra = {
    ...(services.backend?.pool === undefined ? {} : { search: { pool: services.backend.pool } }),
    ...(services.worker?.pool === undefined ? {} : { mailer: { pool: services.worker.pool } }),
  };
  return Object.keys(extra).length === 0 ? overlay : { ...overlay, services: { ...overlay.services, ...extra } };
}

/** Every registered environment on the grown model, and a new region beside them. */
const grown: Environment[] = [
  ...ENVIRONMENTS.map((overlay) => resolveEnvironment(placed(overlay), base)),
  resolveEnvironment(
    {
      name: 'prod-sa',
      extends: prod,
      region: { name: 'southamerica-east1', role: 'active' },
      ingress: { host: 'sa.example.com' },
      secrets: { prefix: 'platform-prod-sa' },
    },
    base,
  ),
];

/** KEDA's ScaledObject. */
type ScaledObject = WithSpec<{
  readonly scaleTargetRef: { readonly name: string };
  readonly triggers: readonly { readonly type: string; readonly metadata: Labels }[];
  readonly fallback?: { readonly behavior: string };
}>;
/** Istio's AuthorizationPolicy. */
type AuthorizationPolicy = WithSpec<{
  readonly rules: readonly { readonly from: readonly { readonly source: { readonly principals: readonly string[] } }[] }[];
}>;

function named<T extends Manifest = Manifest>(env: RenderedEnvironment, kind: string, name: string): T | undefined {
  return env.objects.find((o) => o.kind === kind && o.metadata.name === name) as T | undefined;
}

/** The invariants every service of every environment keeps, whatever the model declares. */
function checkInvariants(environment: Environment, rendered: RenderedEnvironment): void {
  const report = validate(rendered.objects, validationContext(environment));
  expect(
    report.violations.filter((v) => v.severity === 'error').map((v) => `${v.rule} ${v.object} ${v.path}: ${v.message}`),
    environment.name,
  ).toEqual([]);
  for (const [name, spec] of nonEmpty(enabledServices(environment), `${environment.name}: enabled services`)) {
    const at = `${environment.name}/${name}`;
    if (spec.kind === 'job') {
      // A job runs its pods from a CronJob: hardened like the others, with its own identity and policy.
      const cron = named<Manifest & { spec: { jobTemplate: { spec: { template: WorkloadJson['spec']['template'] } } } }>(
        rendered,
        'CronJob',
        name,
      );
      expect(cron, `${at}: CronJob`).toBeDefined();
      const jobPod = cron!.spec.jobTemplate.spec.template.spec;
      expect(jobPod.serviceAccountName, at).toBe(name);
      expect(jobPod.automountServiceAccountToken, at).toBe(false);
      expect(jobPod.securityContext, at).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(named(rendered, 'NetworkPolicy', name), `${at}: NetworkPolicy`).toBeDefined();
      continue;
    }
    const workload = (named<WorkloadJson>(rendered, 'Rollout', name) ?? named<WorkloadJson>(rendered, 'Deployment', name))!;
    expect(workload, `${at}: workload`).toBeDefined();
    // The autoscaler owns the count: no pinned replicas; a worker without a queue holds its fixed count.
    const fixed = spec.kind === 'worker' && spec.queue === undefined;
    expect(workload.spec.replicas, `${at}: spec.replicas`).toBe(fixed ? spec.replicas.min : undefined);
    const pod = workload.spec.template.spec;
    expect(pod.serviceAccountName, at).toBe(name);
    expect(pod.automountServiceAccountToken, at).toBe(false);
    expect(pod.securityContext, at).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const container of nonEmpty(pod.containers, `${at}: containers`)) {
      expect(container.securityContext, `${at}: ${container.name}`).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        readOnlyRootFilesystem: true,
      });
      expect(container.resources.requests, `${at}: ${container.name}`).toHaveProperty('cpu');
      expect(container.image, at).toMatch(/:[^:]+$/);
    }
    expect(named(rendered, 'ServiceAccount', name), `${at}: ServiceAccount`).toBeDefined();
    expect(named(rendered, 'PodDisruptionBudget', name), `${at}: PDB`).toBeDefined();
    expect(named(rendered, 'NetworkPolicy', name), `${at}: NetworkPolicy`).toBeDefined();
    // KEDA scales workers, and web services with a latency trigger (CPU and memory ride along); an HPA the rest.
    const keda = (spec.kind === 'worker' && spec.queue !== undefined) || (spec.kind === 'web' && spec.autoscaling.latency !== undefined);
    const scaledObject = named<ScaledObject>(rendered, 'ScaledObject', name);
    const scaler = keda ? scaledObject : named<HpaJson>(rendered, 'HorizontalPodAutoscaler', name);
    expect(scaler?.spec.scaleTargetRef.name, `${at}: autoscaler`).toBe(fixed ? undefined : name);
    if (spec.kind === 'web' && spec.autoscaling.latency !== undefined) {
      const latency = scaledObject!.spec.triggers.find((t) => t.type === 'prometheus');
      expect(latency!.metadata.threshold, `${at}: latency trigger`).toBe(String(spec.autoscaling.latency.p95Milliseconds));
      expect(scaledObject!.spec.fallback, `${at}: latency fallback`).toMatchObject({ behavior: 'currentReplicasIfHigher' });
    }
    if (spec.kind === 'web') expect(named(rendered, 'Service', name), `${at}: Service`).toBeDefined();
    if (spec.kind === 'worker' && spec.queue !== undefined) {
      const trigger = scaledObject!.spec.triggers[0];
      const env = Object.fromEntries(pod.containers[0].env!.map((e) => [e.name, e.value]));
      // The worker and its trigger read the same queue.
      expect(env.QUEUE_NAME, at).toBe(spec.queue.name);
      expect(trigger.metadata.listName ?? trigger.metadata.queueName, at).toBe(spec.queue.name);
    }
    if (environment.mesh.enabled && spec.kind === 'web') {
      const policy = named<AuthorizationPolicy>(rendered, 'AuthorizationPolicy', name)!;
      const principals = policy.spec.rules.flatMap((rule) => rule.from.flatMap((from) => from.source.principals));
      // Exactly the callers the service graph declares, and no one else.
      expect(principals.length, `${at}: principals`).toBe(callersOf(environment, name).length);
    }
  }
}

describe('a grown model: one more web service, one more worker, one more region', () => {
  it.each(grown.map((environment) => [environment.name, environment] as const))('%s keeps every invariant', (_, environment) => {
    const rendered = renderEnvironment(buildEnvironment(environment));
    checkInvariants(environment, rendered);
    // The new services are really there, wired into the graph (unless the environment removed them with the example's).
    if (environment.services.search === undefined) return;
    expect(named(rendered, 'HorizontalPodAutoscaler', 'search')).toBeDefined();
    expect(named(rendered, 'ScaledObject', 'mailer')).toBeDefined();
    if (environment.mesh.enabled) {
      const search = JSON.stringify(named(rendered, 'AuthorizationPolicy', 'search')!.spec);
      expect(search).toContain('/sa/frontend');
    }
  });
});

describe('the registered environments', () => {
  it.each(ENVIRONMENTS.map((overlay) => [overlay.name, overlay] as const))('%s keeps every invariant', (_, overlay) => {
    const environment = resolveEnvironment(overlay, platform as unknown as Record<string, unknown>);
    checkInvariants(environment, renderEnvironment(buildEnvironment(environment)));
  });
});
