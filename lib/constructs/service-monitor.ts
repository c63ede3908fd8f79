/**
 * How Prometheus (run by the Prometheus Operator) scrapes one web service's metrics.
 *
 * Outside the mesh it scrapes `metricsPath` on the pods' named metrics port (`targetPort`), which no
 * Service exposes: the Service's endpoints find the pods, and Prometheus discovers every container
 * port of an endpoint's pod that no endpoint port is bound to as a target too (Prometheus
 * docs/configuration/configuration.md, `endpoints` and `endpointslice` roles). So the port the routes
 * reach never serves the metrics, and a public route to `/` cannot publish `/metrics`.
 *
 * Inside the mesh (STRICT mTLS) a Prometheus outside the mesh cannot open a plaintext connection to
 * the app port: the sidecar refuses it, and the namespace's allow-nothing AuthorizationPolicy would
 * deny it anyway. Istio's standard answer is metrics merging: the sidecar injector reads the pod's
 * `prometheus.io/port` and `prometheus.io/path` annotations, and the Istio agent serves the app's
 * metrics merged with Envoy's on its status port (15020, `/stats/prometheus`), in plaintext, outside
 * the inbound capture, so neither mTLS nor authorization policies apply to it. The alternatives are
 * worse: a PodMonitor has no typed binding or validator here, and scraping the app port over mTLS
 * needs Prometheus itself in the mesh with Istio's certificates mounted, plus an ALLOW rule for its
 * identity on every service. So under the mesh the ServiceMonitor still selects the Service and its
 * named port (Prometheus discovers one target per ready pod), then moves each target to the pod's
 * status port. The pods must carry `metricsMergeAnnotations`.
 */
import { Construct } from 'constructs';
import {
  ServiceMonitor as ServiceMonitorResource,
  ServiceMonitorSpecEndpointsRelabelingsAction,
  ServiceMonitorSpecEndpointsTargetPort,
  type ServiceMonitorSpecEndpoints,
} from '../../imports/monitoring.coreos.com';
import { ISTIO_MERGED_METRICS_PATH, ISTIO_STATUS_PORT } from '../istio-metrics';
import { TRACK_LABEL } from '../labels';
import { HTTP_PORT_NAME } from '../names';
import { PropChecks } from '../prop-checks';

export interface ServiceMonitorProps {
  /** The ServiceMonitor. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** Labels of the service's Services. */
  readonly selector: Readonly<Record<string, string>>;
  /** The live Service: a blue-green preview Service with the same labels is not scraped twice. */
  readonly serviceName: string;
  /** Where the app serves its metrics on its metrics port. */
  readonly metricsPath: string;
  /** The Service port whose endpoints find the pods (its name). @default 'http' */
  readonly port?: string;
  /** The pods' container port the app serves its metrics on (its name), which no Service exposes. */
  readonly metricsPort: string;
  /** The pods run an Istio sidecar (STRICT mTLS): scrape the merged metrics on the status port. */
  readonly mesh: boolean;
  /** How often Prometheus scrapes each pod, a Prometheus duration. @default '30s' */
  readonly interval?: string;
}

export class ServiceMonitor extends Construct {
  readonly name: string;
  readonly interval: string;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id);
    new PropChecks(this).name('name', props.name).name('serviceName', props.serviceName).nonEmpty('selector', props.selector);
    this.name = props.name;
    this.interval = props.interval ?? '30s';
    // The preview Service of a blue-green Rollout carries the same labels and the same pods; keeping
    // only the live Service's endpoints scrapes each pod once.
    const relabelings = [
      {
        action: ServiceMonitorSpecEndpointsRelabelingsAction.KEEP,
        sourceLabels: ['__meta_kubernetes_service_name'],
        regex: props.serviceName,
      },
    ];
    const endpoint: ServiceMonitorSpecEndpoints = props.mesh
      ? {
          port: props.port ?? HTTP_PORT_NAME,
          path: ISTIO_MERGED_METRICS_PATH,
          interval: this.interval,
          relabelings: [
            ...relabelings,
            // host:appPort → host:15020; `__address__` already brackets IPv6 hosts, so this covers both.
            { sourceLabels: ['__address__'], regex: '(.+):\\d+', targetLabel: '__address__', replacement: `\${1}:${ISTIO_STATUS_PORT}` },
          ],
        }
      : {
          targetPort: ServiceMonitorSpecEndpointsTargetPort.fromString(props.metricsPort),
          path: props.metricsPath,
          interval: this.interval,
          relabelings,
        };
    new ServiceMonitorResource(this, 'Resource', {
      metadata: { name: this.name, labels: props.labels },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        // Series carry the track, so a weighted track's behaviour can be compared with the main one.
        podTargetLabels: [TRACK_LABEL],
        endpoints: [endpoint],
      },
    });
  }
}
