import { Construct } from 'constructs';
import {
  DestinationRule,
  VirtualService,
  type DestinationRuleSpecSubsets,
  type VirtualServiceSpecHttpRoute,
} from '../../imports/networking.istio.io';
import { TRAFFIC_DEFAULTS } from '../defaults';
import { PropChecks } from '../prop-checks';

/** A route's timeout and retries, and its circuit breaker (AVL-03). */
export interface TrafficPolicy {
  readonly timeoutSeconds: number;
  readonly retries: { readonly attempts: number; readonly perTryTimeoutSeconds: number };
  readonly connectionPool: {
    readonly maxConnections: number;
    readonly maxPendingRequests: number;
    readonly maxRequestsPerConnection: number;
  };
  readonly outlierDetection: {
    readonly consecutive5xxErrors: number;
    readonly intervalSeconds: number;
    readonly baseEjectionSeconds: number;
    readonly maxEjectionPercent: number;
  };
}

/** One share of a service's traffic: a DestinationRule subset and its weight on the route. */
export interface TrafficSplit {
  readonly subset: string;
  readonly weight: number;
  readonly selector: Readonly<Record<string, string>>;
}

export interface MeshRoutingProps {
  /** The VirtualService. */
  readonly virtualServiceName: string;
  /** The DestinationRule. */
  readonly destinationRuleName: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The Service's cluster host, e.g. `backend.platform.svc.cluster.local`. */
  readonly host: string;
  /** The Service's port the routes and the traffic policy apply to (1-65535). */
  readonly port: number;
  /** The named HTTP route (Argo Rollouts sets its weights for a canary). */
  readonly route: string;
  /** Subsets and weights; empty for a service without a split. */
  readonly splits: readonly TrafficSplit[];
  /** Timeouts, retries, connection pool and outlier detection of the route and its destination. @default TRAFFIC_DEFAULTS */
  readonly traffic?: TrafficPolicy;
}

/** Failures that happened before the request reached the app: the only ones safe to repeat. */
export const RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,reset';

/**
 * The route's retry policy. `attempts: 0` turns retries off, and must then stand alone: Istio's
 * validation refuses a per-try timeout or retry conditions beside it, and leaving `retries` out
 * would not disable them but apply Istio's default policy.
 */
export function retryPolicy(retries: TrafficPolicy['retries']): { attempts: number; perTryTimeout?: string; retryOn?: string } {
  if (retries.attempts === 0) return { attempts: 0 };
  return { attempts: retries.attempts, perTryTimeout: `${retries.perTryTimeoutSeconds}s`, retryOn: RETRY_ON };
}

/**
 * A service's Istio routing: a DestinationRule with its circuit breaker (connection-pool limits and
 * outlier detection) and subsets, and a VirtualService whose one named route carries the retries,
 * the timeout and the weights.
 */
export class MeshRouting extends Construct {
  readonly host: string;
  readonly subsets: readonly string[];

  constructor(scope: Construct, id: string, props: MeshRoutingProps) {
    super(scope, id);
    new PropChecks(this)
      .name('virtualServiceName', props.virtualServiceName)
      .name('destinationRuleName', props.destinationRuleName)
      .port('port', props.port);
    const traffic = props.traffic ?? TRAFFIC_DEFAULTS;
    this.host = props.host;
    this.subsets = props.splits.map((s) => s.subset);

    const subsets: DestinationRuleSpecSubsets[] = props.splits.map((s) => ({ name: s.subset, labels: { ...s.selector } }));
    new DestinationRule(this, 'DestinationRule', {
      metadata: { name: props.destinationRuleName, labels: props.labels },
      spec: {
        host: this.host,
        trafficPolicy: {
          connectionPool: {
            tcp: { maxConnections: traffic.connectionPool.maxConnections },
            http: {
              http1MaxPendingRequests: traffic.connectionPool.maxPendingRequests,
              maxRequestsPerConnection: traffic.connectionPool.maxRequestsPerConnection,
            },
          },
          outlierDetection: {
            consecutive5XxErrors: traffic.outlierDetection.consecutive5xxErrors,
            interval: `${traffic.outlierDetection.intervalSeconds}s`,
            baseEjectionTime: `${traffic.outlierDetection.baseEjectionSeconds}s`,
            maxEjectionPercent: traffic.outlierDetection.maxEjectionPercent,
          },
        },
        ...(subsets.length === 0 ? {} : { subsets }),
      },
    });

    const destination = (subset?: string) => ({
      host: this.host,
      port: { number: props.port },
      ...(subset === undefined ? {} : { subset }),
    });
    const route: VirtualServiceSpecHttpRoute[] =
      props.splits.length === 0
        ? [{ destination: destination() }]
        : props.splits.map((s) => ({ destination: destination(s.subset), weight: s.weight }));
    new VirtualService(this, 'VirtualService', {
      metadata: { name: props.virtualServiceName, labels: props.labels },
      spec: {
        hosts: [this.host],
        http: [
          {
            name: props.route,
            route,
            timeout: `${traffic.timeoutSeconds}s`,
            retries: retryPolicy(traffic.retries),
          },
        ],
      },
    });
  }
}
