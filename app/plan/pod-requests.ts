/**
 * What one pod asks the scheduler for, read from a synthesized pod template with the scheduler's own
 * rule: the sum of the app containers (plus sidecar init containers, which run alongside them), or
 * the largest plain init container if that is bigger, plus the RuntimeClass overhead.
 */
import { isPlain, list, type Plain } from '../../lib/core/plain';
import { addAmounts, amountsOfResourceList, maxAmounts, ZERO_AMOUNTS, type ResourceAmounts } from '../../lib/core/resource-amounts';
import { ISTIO_PROXY_CPU_ANNOTATION, ISTIO_PROXY_DEFAULTS, ISTIO_PROXY_MEMORY_ANNOTATION } from '../../lib/istio-proxy';

/** Requests of one pod: millicores, bytes, bytes. */
export type PodRequests = ResourceAmounts;

/** Requests of a container; a limit without a request defaults the request to the limit, as the API server does. */
function containerRequests(container: Plain): PodRequests {
  const resources = isPlain(container.resources) ? container.resources : {};
  const requests = isPlain(resources.requests) ? resources.requests : {};
  return amountsOfResourceList({ ...(isPlain(resources.limits) ? resources.limits : {}), ...requests });
}

/**
 * The Istio sidecar is injected at admission, so it is not in the synthesized template; count it as
 * the injected container will ask: the template's proxy annotations, or Istio's defaults.
 */
function istioSidecar(template: Plain): PodRequests {
  const metadata = isPlain(template.metadata) ? template.metadata : {};
  const annotations = isPlain(metadata.annotations) ? metadata.annotations : {};
  return amountsOfResourceList({
    cpu: annotations[ISTIO_PROXY_CPU_ANNOTATION] ?? ISTIO_PROXY_DEFAULTS.cpu,
    memory: annotations[ISTIO_PROXY_MEMORY_ANNOTATION] ?? ISTIO_PROXY_DEFAULTS.memory,
  });
}

export interface PodRequestOptions {
  /** Istio injects its proxy into this pod. @default false */
  readonly istioSidecar?: boolean;
}

/** Effective requests of a pod template (`spec.template` of a Deployment, Rollout, StatefulSet...). */
export function podRequests(template: unknown, options: PodRequestOptions = {}): PodRequests {
  if (!isPlain(template) || !isPlain(template.spec)) return ZERO_AMOUNTS;
  const spec = template.spec;
  const inits = list(spec.initContainers).filter(isPlain);
  // Sidecars (init containers with restartPolicy Always) keep running next to the app containers.
  const sidecars = inits.filter((c) => c.restartPolicy === 'Always');
  const running = [...list(spec.containers).filter(isPlain), ...sidecars].map(containerRequests).reduce(addAmounts, ZERO_AMOUNTS);
  const largestInit = inits
    .filter((c) => c.restartPolicy !== 'Always')
    .map(containerRequests)
    .reduce(maxAmounts, ZERO_AMOUNTS);
  const proxy = options.istioSidecar ? istioSidecar(template) : ZERO_AMOUNTS;
  return addAmounts(addAmounts(maxAmounts(running, largestInit), amountsOfResourceList(spec.overhead)), proxy);
}
