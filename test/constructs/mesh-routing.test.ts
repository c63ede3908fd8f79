import { describe, expect, it } from 'vitest';
import { TRAFFIC_DEFAULTS } from '../../lib/defaults';
import { MeshRouting, type MeshRoutingProps, type TrafficPolicy } from '../../lib/constructs/mesh-routing';
import { inventory, only, synth } from './synth';

interface Destination {
  host: string;
  port: { number: number };
  subset?: string;
}

interface DestinationRule {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    host: string;
    trafficPolicy: {
      connectionPool: { tcp: { maxConnections: number }; http: { http1MaxPendingRequests: number; maxRequestsPerConnection: number } };
      outlierDetection: { consecutive5xxErrors: number; interval: string; baseEjectionTime: string; maxEjectionPercent: number };
    };
    subsets?: { name: string; labels: Record<string, string> }[];
  };
}

interface VirtualService {
  apiVersion: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    hosts: string[];
    http: {
      name: string;
      route: { destination: Destination; weight?: number }[];
      timeout: string;
      retries: { attempts: number; perTryTimeout?: string; retryOn?: string };
    }[];
  };
}

const host = 'backend.platform.svc.cluster.local';
const labels = { 'app.kubernetes.io/name': 'backend' };

const required = {
  virtualServiceName: 'backend',
  destinationRuleName: 'backend',
  labels,
  host,
  port: 80,
  route: 'primary',
  splits: [],
} satisfies MeshRoutingProps;

const splits: MeshRoutingProps['splits'] = [
  { subset: 'stable', weight: 100, selector: { 'app.kubernetes.io/name': 'backend' } },
  { subset: 'canary', weight: 0, selector: { 'app.kubernetes.io/name': 'backend' } },
];

function render(props: MeshRoutingProps) {
  let routing: MeshRouting | undefined;
  const objects = synth((chart) => {
    routing = new MeshRouting(chart, 'routing', props);
  });
  return {
    objects,
    rule: only<DestinationRule>(objects, 'DestinationRule'),
    vs: only<VirtualService>(objects, 'VirtualService'),
    routing: routing!,
  };
}

describe('MeshRouting', () => {
  it('emits a DestinationRule and a VirtualService', () => {
    const { objects } = render(required);
    expect(inventory(objects)).toEqual(['DestinationRule/backend', 'VirtualService/backend']);
    expect(objects).toMatchSnapshot();
  });

  it("applies AVL-03's circuit breaker by default (TRAFFIC_DEFAULTS)", () => {
    const { rule } = render(required);
    expect(rule.apiVersion).toBe('networking.istio.io/v1');
    expect(rule.spec.host).toBe(host);
    expect(rule.spec.trafficPolicy).toEqual({
      connectionPool: { tcp: { maxConnections: 1000 }, http: { http1MaxPendingRequests: 1000, maxRequestsPerConnection: 0 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    });
  });

  it('times out after 15 s and retries twice, 5 s a try, by default (TRAFFIC_DEFAULTS)', () => {
    const [route] = render(required).vs.spec.http;
    expect(route!.timeout).toBe('15s');
    expect(route!.retries).toEqual({
      attempts: 2,
      perTryTimeout: '5s',
      retryOn: 'connect-failure,refused-stream,unavailable,cancelled,reset',
    });
  });

  it('retries only failures that never reached the app', () => {
    const [route] = render(required).vs.spec.http;
    const conditions = route!.retries.retryOn!.split(',');
    expect(conditions).not.toContain('5xx');
    expect(conditions).not.toContain('gateway-error');
  });

  it('routes everything to the host on one named route when there is no split', () => {
    const { vs, rule, routing } = render(required);
    expect(vs.spec.hosts).toEqual([host]);
    expect(vs.spec.http.map((r) => r.name)).toEqual(['primary']);
    expect(vs.spec.http[0]!.route).toEqual([{ destination: { host, port: { number: 80 } } }]);
    expect(rule.spec.subsets).toBeUndefined();
    expect(routing.subsets).toEqual([]);
    expect(routing.host).toBe(host);
  });

  it('weights each split onto its own subset', () => {
    const { vs, rule, routing } = render({ ...required, splits });
    expect(vs.spec.http[0]!.route).toEqual([
      { destination: { host, port: { number: 80 }, subset: 'stable' }, weight: 100 },
      { destination: { host, port: { number: 80 }, subset: 'canary' }, weight: 0 },
    ]);
    expect(rule.spec.subsets).toEqual([
      { name: 'stable', labels: { 'app.kubernetes.io/name': 'backend' } },
      { name: 'canary', labels: { 'app.kubernetes.io/name': 'backend' } },
    ]);
    expect(routing.subsets).toEqual(['stable', 'canary']);
  });

  it('takes every optional prop', () => {
    const traffic: TrafficPolicy = {
      timeoutSeconds: 60,
      retries: { attempts: 3, perTryTimeoutSeconds: 30 },
      connectionPool: { maxConnections: 100, maxPendingRequests: 50, maxRequestsPerConnection: 10 },
      outlierDetection: { consecutive5xxErrors: 3, intervalSeconds: 5, baseEjectionSeconds: 60, maxEjectionPercent: 20 },
    };
    const props: Required<MeshRoutingProps> = { ...required, splits, traffic };
    const { vs, rule } = render(props);
    expect(rule.spec.trafficPolicy).toEqual({
      connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 50, maxRequestsPerConnection: 10 } },
      outlierDetection: { consecutive5xxErrors: 3, interval: '5s', baseEjectionTime: '60s', maxEjectionPercent: 20 },
    });
    expect(vs.spec.http[0]!.timeout).toBe('60s');
    expect(vs.spec.http[0]!.retries).toEqual({
      attempts: 3,
      perTryTimeout: '30s',
      retryOn: 'connect-failure,refused-stream,unavailable,cancelled,reset',
    });
  });

  it('turns retries off with attempts 0 alone, as Istio requires', () => {
    const traffic: TrafficPolicy = { ...TRAFFIC_DEFAULTS, timeoutSeconds: 60, retries: { attempts: 0, perTryTimeoutSeconds: 30 } };
    const [route] = render({ ...required, traffic }).vs.spec.http;
    expect(route!.retries).toEqual({ attempts: 0 });
    expect(route!.timeout).toBe('60s');
  });
});
