import { describe, expect, it } from 'vitest';
import { ServiceMonitor, type ServiceMonitorProps } from '../../lib/constructs/service-monitor';
import { only, synth } from './synth';

interface Relabeling {
  action?: string;
  sourceLabels: string[];
  regex: string;
  targetLabel?: string;
  replacement?: string;
}

interface ServiceMonitorObject {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    selector: { matchLabels: Record<string, string> };
    podTargetLabels: string[];
    endpoints: { port?: string; targetPort?: string; path: string; interval: string; relabelings: Relabeling[] }[];
  };
}

const selector = { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend-prod' };

const required = {
  name: 'backend',
  labels: { 'app.kubernetes.io/name': 'backend' },
  selector,
  serviceName: 'backend',
  metricsPath: '/metrics',
  metricsPort: 'metrics',
  mesh: false,
} satisfies ServiceMonitorProps;

const keepLive = { action: 'keep', sourceLabels: ['__meta_kubernetes_service_name'], regex: 'backend' };

function render(props: ServiceMonitorProps) {
  let monitor: ServiceMonitor | undefined;
  const objects = synth((chart) => {
    monitor = new ServiceMonitor(chart, 'monitor', props);
  });
  return { objects, resource: only<ServiceMonitorObject>(objects, 'ServiceMonitor'), monitor: monitor! };
}

describe('ServiceMonitor', () => {
  it('emits one ServiceMonitor outside the mesh', () => {
    expect(render(required).objects).toMatchSnapshot();
  });

  it('emits one ServiceMonitor in the mesh', () => {
    expect(render({ ...required, mesh: true }).objects).toMatchSnapshot();
  });

  it("selects the service's Services and labels series with the track", () => {
    const { resource } = render(required);
    expect(resource.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(resource.metadata).toEqual({ name: 'backend', labels: { 'app.kubernetes.io/name': 'backend' } });
    expect(resource.spec.selector).toEqual({ matchLabels: selector });
    expect(resource.spec.podTargetLabels).toEqual(['track']);
  });

  it('scrapes every 30 s by default', () => {
    const { resource, monitor } = render(required);
    expect(resource.spec.endpoints.map((e) => e.interval)).toEqual(['30s']);
    expect(monitor.interval).toBe('30s');
    expect(monitor.name).toBe('backend');
  });

  it("outside the mesh, scrapes the app's metrics path on the pods' metrics port, through the live Service only, never on a Service port", () => {
    expect(render(required).resource.spec.endpoints).toEqual([
      { targetPort: 'metrics', path: '/metrics', interval: '30s', relabelings: [keepLive] },
    ]);
  });

  it("in the mesh, scrapes Istio's merged metrics on the status port 15020", () => {
    expect(render({ ...required, mesh: true }).resource.spec.endpoints).toEqual([
      {
        port: 'http',
        path: '/stats/prometheus',
        interval: '30s',
        relabelings: [
          keepLive,
          { sourceLabels: ['__address__'], regex: '(.+):\\d+', targetLabel: '__address__', replacement: `\${1}:15020` },
        ],
      },
    ]);
  });

  it('takes every optional prop', () => {
    const props: Required<ServiceMonitorProps> = { ...required, interval: '15s', port: 'http2', mesh: true };
    const { resource, monitor } = render(props);
    expect(resource.spec.endpoints[0]!.interval).toBe('15s');
    expect(resource.spec.endpoints[0]!.port).toBe('http2');
    expect(monitor.interval).toBe('15s');
  });
});
