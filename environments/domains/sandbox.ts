/** The namespace for untrusted user projects (SEC-09): gVisor pods on a pool of their own. */
import { z } from 'zod';
import { isQuantity, parseQuantity } from '../../lib/core/quantity';
import type { Environment as Env } from '../schema';
import { type Ctx, dnsLabel, image, MAX_REPLICAS, port, resources, strict } from './common';
import { DataStoreMode } from './data-stores';
import { ServiceKind, webServices } from './services';

export const sandbox = strict({
  /** The namespace user projects run in (SEC-09, e.g. bharatbuild-projects). */
  namespace: dnsLabel,
  image,
  /** Requests and limits of one project pod (SEC-12: 100m/256Mi up to 500m/1Gi). */
  resources,
  /** SEC-09: pods end after an hour. */
  activeDeadlineSeconds: z.number().int().min(60).max(86_400),
  /** Most project pods at once, and the namespace's total requests. */
  maxPods: z.number().int().min(1).max(MAX_REPLICAS, `must be at most ${MAX_REPLICAS}`),
  port,
  /**
   * The node pool project pods run on, a key of `nodePools`: a GKE Sandbox pool (`--sandbox
   * type=gvisor`), which GKE taints `sandbox.gke.io/runtime=gvisor:NoSchedule`, so nothing else lands
   * there; no service, data store or edge may name it (SEC-09: user projects get their own node group).
   */
  pool: dnsLabel,
  /**
   * The service that stamps project pods from the template (the platform API), a key of `services`: its
   * ServiceAccount gets the Role to create, read and delete pods in the namespace, and nothing more.
   */
  launcher: dnsLabel,
  /**
   * The kubelet's podPidsLimit on the sandbox's pool (GKE node system config kubeletConfig.podPidsLimit,
   * 1024 to 4194304): the most processes one project pod may run, so a fork bomb starves no neighbour.
   */
  podPidsLimit: z.number().int().min(1024).max(4_194_304).default(1024),
});

/** Projects never share the platform's namespace or its pools. */
export function checkSandbox(env: Env, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  if (env.sandbox !== undefined && env.sandbox.namespace === env.namespace) {
    issue(
      ['sandbox', 'namespace'],
      env.sandbox.namespace,
      "must differ from namespace: untrusted projects never share the platform's namespace",
    );
  }
  if (env.sandbox !== undefined) checkSandboxPool(env, env.sandbox.pool, ctx);
}

/**
 * The sandbox's pool holds project pods only: a GKE Sandbox pool (tainted by GKE), named by no service,
 * operated data store or the edge, so a container escape from a project lands beside no platform pod.
 */
function checkSandboxPool(env: Env, pool: string, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  const { launcher, image } = env.sandbox!;
  const launcherService = env.services[launcher];
  if (launcherService?.kind !== ServiceKind.WEB || !launcherService.enabled) {
    issue(
      ['sandbox', 'launcher'],
      launcher,
      `must name the enabled web service that launches project pods: ${webServices(env).join(', ')}`,
    );
  }
  const { requests, limits } = env.sandbox!.resources;
  for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
    const [request, limit] = [requests[key], limits[key]];
    if (isQuantity(request) && isQuantity(limit) && parseQuantity(request) !== parseQuantity(limit)) {
      issue(
        ['sandbox', 'resources', 'requests', key],
        request,
        `must equal resources.limits.${key} (${limit}): a project pod gets what it may use (Guaranteed), so it cannot burst into what other projects were promised`,
      );
    }
  }
  if (image.digest === undefined) {
    issue(
      ['sandbox', 'image', 'digest'],
      undefined,
      'is required: the sandbox admission policy admits the runtime image by digest only (sha256:<64 hex>), so a moved tag cannot run',
    );
  }
  if (!(pool in env.nodePools)) {
    issue(
      ['sandbox', 'pool'],
      pool,
      `must be a node pool of this environment: ${Object.keys(env.nodePools).join(', ') || '(none declared)'}`,
    );
    return;
  }
  const shared = 'is the sandbox pool (sandbox.pool): untrusted project code runs there; give this its own pool';
  for (const [name, svc] of Object.entries(env.services)) if (svc.pool === pool) issue(['services', name, 'pool'], pool, shared);
  for (const [name, store] of Object.entries(env.dataStores))
    if (store.mode === DataStoreMode.OPERATED && store.pool === pool) issue(['dataStores', name, 'pool'], pool, shared);
  if (env.ingress.pool === pool) issue(['ingress', 'pool'], pool, shared);
}
