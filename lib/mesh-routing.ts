import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { DestinationRule, VirtualService, type DestinationRuleSpecSubsets, type VirtualServiceSpecHttpRoute } from '../imports/networking.istio.io';
import { workloadSelector } from './labels';
import {
  CANARY_SUBSET,
  destinationRuleName,
  MAIN_TRACK,
  PRIMARY_ROUTE,
  SERVICE_PORT,
  serviceHost,
  serviceName,
  STABLE_SUBSET,
  trackSubsetName,
  virtualServiceName,
} from './names';
import { serviceOf } from './pod-template';

type Traffic = NonNullable<Environment['services'][string]['traffic']>;

/** Seed 001's circuit breaker, for services whose environment does not tune it. */
export const DEFAULT_TRAFFIC: Required<Traffic> = {
  timeoutSeconds: 15,
  retries: { attempts: 2, perTryTimeoutSeconds: 5 },
  connectionPool: { maxConnections: 1000, maxPendingRequests: 1000, maxRequestsPerConnection: 0 },
  outlierDetection: { consecutive5xxErrors: 5, intervalSeconds: 10, baseEjectionSeconds: 30, maxEjectionPercent: 50 },
};

export interface MeshRoutingProps {
  readonly environment: Environment;
  readonly service: string;
  readonly labels: Record<string, string>;
}

interface Split {
  readonly subset: string;
  readonly weight: number;
  readonly selector: Record<string, string>;
}

/**
 * How traffic to a service is split: a canary Rollout's stable/canary subsets (Argo Rollouts moves
 * the weights), weighted tracks (seed 002's 80/20), or no split at all.
 */
function splits(environment: Environment, service: string): Split[] {
  const spec = serviceOf(environment, service);
  const selector = (track: string) => workloadSelector({ name: service, environment: environment.name }, track);
  if (spec.strategy.type === 'canary') {
    // Both subsets select the Rollout's pods; Argo Rollouts adds each ReplicaSet's hash at run time.
    return [
      { subset: STABLE_SUBSET, weight: 100, selector: selector(MAIN_TRACK) },
      { subset: CANARY_SUBSET, weight: 0, selector: selector(MAIN_TRACK) },
    ];
  }
  const tracks = Object.entries(spec.tracks ?? {});
  if (tracks.length === 0) return [];
  const others = tracks.map(([track, t]) => ({ subset: trackSubsetName(track), weight: t.weight, selector: selector(track) }));
  const rest = 100 - others.reduce((sum, split) => sum + split.weight, 0);
  return [{ subset: trackSubsetName(MAIN_TRACK), weight: rest, selector: selector(MAIN_TRACK) }, ...others];
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
    const { environment, service } = props;
    const traffic = { ...DEFAULT_TRAFFIC, ...serviceOf(environment, service).traffic };
    this.host = serviceHost(serviceName(service), environment.namespace);
    const split = splits(environment, service);
    this.subsets = split.map((s) => s.subset);

    const subsets: DestinationRuleSpecSubsets[] = split.map((s) => ({ name: s.subset, labels: s.selector }));
    new DestinationRule(this, 'DestinationRule', {
      metadata: { name: destinationRuleName(service), labels: props.labels },
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
      port: { number: SERVICE_PORT },
      ...(subset === undefined ? {} : { subset }),
    });
    const route: VirtualServiceSpecHttpRoute[] =
      split.length === 0 ? [{ destination: destination() }] : split.map((s) => ({ destination: destination(s.subset), weight: s.weight }));
    new VirtualService(this, 'VirtualService', {
      metadata: { name: virtualServiceName(service), labels: props.labels },
      spec: {
        hosts: [this.host],
        http: [
          {
            name: PRIMARY_ROUTE,
            route,
            timeout: `${traffic.timeoutSeconds}s`,
            retries: {
              attempts: traffic.retries.attempts,
              perTryTimeout: `${traffic.retries.perTryTimeoutSeconds}s`,
              // Only failures that happened before the request reached the app are safe to repeat.
              retryOn: 'connect-failure,refused-stream,unavailable,cancelled,reset',
            },
          },
        ],
      },
    });
  }
}
