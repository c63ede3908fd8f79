/**
 * What one pod asks the scheduler for, read from a synthesized pod template with the scheduler's own
 * rule: the sum of the app containers (plus sidecar init containers, which run alongside them), or
 * the largest plain init container if that is bigger, plus the RuntimeClass overhead.
 */
import { parseQuantity } from '../../lib/core/quantity';
import { isPlain, type Plain } from '../../lib/core/plain';
import { ISTIO_PROXY_CPU_ANNOTATION, ISTIO_PROXY_DEFAULTS, ISTIO_PROXY_MEMORY_ANNOTATION } from '../../lib/istio-proxy';

/** Requests of one pod: millicores, bytes, bytes. */
export interface PodRequests {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly ephemeralBytes: number;
}

const ZERO: PodRequests = { cpuMillis: 0, memoryBytes: 0, ephemeralBytes: 0 };


function list(value: unknown): Plain[] {
  return Array.isArray(value) ? value.filter(isPlain) : [];
}

/** A quantity field, or 0 when absent (an unset request is a request of zero to the scheduler). */
function quantity(set: unknown, key: string): number {
  const value = isPlain(set) ? set[key] : undefined;
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? parseQuantity(value) : 0;
}

function fromResourceList(set: unknown): PodRequests {
  return {
    cpuMillis: quantity(set, 'cpu') * 1000,
    memoryBytes: quantity(set, 'memory'),
    ephemeralBytes: quantity(set, 'ephemeral-storage'),
  };
}

/** Requests of a container; a limit without a request defaults the request to the limit, as the API server does. */
function containerRequests(container: Plain): PodRequests {
  const resources = isPlain(container.resources) ? container.resources : {};
  const requests = isPlain(resources.requests) ? resources.requests : {};
  return fromResourceList({ ...(isPlain(resources.limits) ? resources.limits : {}), ...requests });
}

export function addRequests(a: PodRequests, b: PodRequests): PodRequests {
  return {
    cpuMillis: a.cpuMillis + b.cpuMillis,
    memoryBytes: a.memoryBytes + b.memoryBytes,
    ephemeralBytes: a.ephemeralBytes + b.ephemeralBytes,
  };
}

export function scaleRequests(a: PodRequests, factor: number): PodRequests {
  return { cpuMillis: a.cpuMillis * factor, memoryBytes: a.memoryBytes * factor, ephemeralBytes: a.ephemeralBytes * factor };
}

function maxRequests(a: PodRequests, b: PodRequests): PodRequests {
  return {
    cpuMillis: Math.max(a.cpuMillis, b.cpuMillis),
    memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
    ephemeralBytes: Math.max(a.ephemeralBytes, b.ephemeralBytes),
  };
}


/**
 * The Istio sidecar is injected at admission, so it is not in the synthesized template; count it as
 * the injected container will ask: the template's proxy annotations, or Istio's defaults.
 */
function istioSidecar(template: Plain): PodRequests {
  const metadata = isPlain(template.metadata) ? template.metadata : {};
  const annotations = isPlain(metadata.annotations) ? metadata.annotations : {};
  return fromResourceList({
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
  if (!isPlain(template) || !isPlain(template.spec)) return ZERO;
  const spec = template.spec;
  const inits = list(spec.initContainers);
  // Sidecars (init containers with restartPolicy Always) keep running next to the app containers.
  const sidecars = inits.filter((c) => c.restartPolicy === 'Always');
  const running = [...list(spec.containers), ...sidecars].map(containerRequests).reduce(addRequests, ZERO);
  const largestInit = inits
    .filter((c) => c.restartPolicy !== 'Always')
    .map(containerRequests)
    .reduce(maxRequests, ZERO);
  const proxy = options.istioSidecar ? istioSidecar(template) : ZERO;
  return addRequests(addRequests(maxRequests(running, largestInit), fromResourceList(spec.overhead)), proxy);
}
