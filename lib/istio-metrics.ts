/**
 * Istio metrics merging: the injector reads a pod's `prometheus.io/*` annotations and the Istio agent
 * serves the app's metrics merged with Envoy's on its status port, outside mTLS and authorization
 * (see service-monitor.ts for why the platform scrapes there under the mesh).
 */

/** The Istio agent's status port, where merged metrics are served (Istio's `statusPort` default). */
export const ISTIO_STATUS_PORT = 15020;

/** Path of the merged (app + Envoy + agent) metrics on the status port. */
export const ISTIO_MERGED_METRICS_PATH = '/stats/prometheus';

/**
 * Pod annotations that tell Istio's injector where the app serves its metrics (its metrics port, never
 * the one its routes reach), so the agent can merge
 * them (the injector then rewrites them to the status port). Without them, port 15020 serves only
 * Envoy's and the agent's own metrics.
 */
export function metricsMergeAnnotations(app: { readonly metricsPort: number; readonly metricsPath?: string }): Record<string, string> {
  if (app.metricsPath === undefined) return {};
  return { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(app.metricsPort), 'prometheus.io/path': app.metricsPath };
}
