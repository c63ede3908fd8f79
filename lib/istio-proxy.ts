/**
 * Istio's injected proxy as the platform counts it: its resources (Istio's global.proxy.resources
 * defaults, unless a pod overrides them by annotation). The capacity plan and the namespace quota
 * both read these, so they cannot disagree about what a sidecar costs.
 */

/** What the injected proxy asks for unless the pod's annotations say otherwise. */
export const ISTIO_PROXY_DEFAULTS = { cpu: '100m', memory: '128Mi' } as const;

/** Annotations that override the proxy's requests on one pod. */
export const ISTIO_PROXY_CPU_ANNOTATION = 'sidecar.istio.io/proxyCPU';
export const ISTIO_PROXY_MEMORY_ANNOTATION = 'sidecar.istio.io/proxyMemory';

/**
 * The proxy's requests (as above) and limits (Istio's defaults: 2 CPU / 1 GiB). Quota admission counts
 * every container, injected ones included.
 */
export const ISTIO_PROXY_RESOURCES = {
  requests: { cpu: ISTIO_PROXY_DEFAULTS.cpu, memory: ISTIO_PROXY_DEFAULTS.memory },
  limits: { cpu: '2000m', memory: '1024Mi' },
} as const;

/** The pod annotation that overrides the proxy's configuration (ProxyConfig) for one pod. */
export const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';

/**
 * A pod's proxy lifecycle: the app starts only once the proxy is ready (its first connections would
 * otherwise fail), and on shutdown the proxy keeps serving for `drainSeconds` (Istio's default is 5 s,
 * after which a worker still finishing a task would lose its Redis and PostgreSQL connections).
 */
export function proxyLifecycleAnnotations(drainSeconds: number): Record<string, string> {
  return {
    [PROXY_CONFIG_ANNOTATION]: JSON.stringify({ holdApplicationUntilProxyStarts: true, terminationDrainDuration: `${drainSeconds}s` }),
  };
}
