import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { type Environment, userLimitedServices, type WebServiceSpec } from '../environments/schema';
import { platformLabels, selectorLabels, workloadSelector } from '../lib/labels';
import { MeshAuthorization } from '../lib/constructs/mesh-authorization';
import { MeshBaseline } from '../lib/constructs/mesh-baseline';
import { MeshEgress, type MeshEgressProps, type RegisteredHost } from '../lib/constructs/mesh-egress';
import { MeshRouting, type TrafficSplit } from '../lib/constructs/mesh-routing';
import { UserRateLimit } from '../lib/constructs/user-rate-limit';
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
  userRateLimitName,
  virtualServiceName,
} from '../lib/names';
import type { EnvironmentChartProps } from './chart-props';
import { enabledServices, enabledWebServices, serviceLabels, serviceSpec } from './resolve-service';
import { externalRanges } from './network-chart';
import { callerPrincipal, callersOf } from './service-graph';

/**
 * How traffic to a service is split: a canary Rollout's stable/canary subsets (Argo Rollouts moves
 * the weights), weighted tracks (DEL-03's 80/20), or no split at all.
 */
export function trafficSplits(environment: Environment, service: string, spec: WebServiceSpec): TrafficSplit[] {
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
 * What the namespace's services reach outside the cluster, as the mesh registers it (lib/constructs/mesh-egress.ts):
 * each external endpoint's hosts (TLS on 443, told apart by SNI; other ports by their address ranges),
 * each managed data store a service uses (plain TCP to its ranges), and the services whose endpoint is
 * any host (`hosts: ['*']`), whose sidecars pass unregistered hosts through.
 */
export function externalHosts(environment: Environment): Pick<MeshEgressProps, 'hosts' | 'anyHost'> {
  const hosts: RegisteredHost[] = [];
  const anyHost: { name: string; selector: Record<string, string> }[] = [];
  const stores = new Set<string>();
  for (const [service, spec] of enabledServices(environment)) {
    for (const endpoint of spec.egress) {
      if (endpoint.hosts.includes('*')) {
        anyHost.push({ name: service, selector: selectorLabels({ name: service, environment: environment.name }) });
        continue;
      }
      const ranges = externalRanges(environment, endpoint);
      if (endpoint.port !== 443 && ranges.includes('0.0.0.0/0')) {
        throw new Error(
          `${environment.name}: services.${service}.egress ${endpoint.name}: port ${endpoint.port} is not TLS on 443, so the mesh tells its hosts apart by address only; give its cidrs`,
        );
      }
      hosts.push({
        name: `${service}-${endpoint.name}`,
        hosts: endpoint.hosts,
        port: endpoint.port,
        ...(endpoint.port === 443 ? { protocol: 'tls' as const } : { protocol: 'tcp' as const, addresses: ranges }),
      });
    }
    for (const name of spec.uses) if (environment.dataStores[name]?.mode === 'managed') stores.add(name);
  }
  for (const name of [...stores].sort()) {
    const store = environment.dataStores[name]!;
    if (store.mode !== 'managed') continue;
    hosts.push({
      name: `${name}-managed`,
      hosts: [`${name}.managed.internal`],
      port: store.port,
      protocol: 'tcp',
      addresses: store.cidrs,
    });
  }
  return { hosts, anyHost };
}

/**
 * Istio for the namespace: STRICT mTLS, deny by default, an allow policy per service from the
 * service graph, and each web service's routing and circuit breaker.
 */
export class MeshChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const { environment } = props;
    new MeshBaseline(this, 'Baseline', { labels: platformLabels(environment, 'mesh') });
    // Outbound through the sidecars to registered hosts only: the services' external endpoints and managed stores.
    new MeshEgress(this, 'Egress', { labels: platformLabels(environment, 'mesh'), ...externalHosts(environment) });
    for (const [service, spec] of enabledWebServices(environment)) {
      const labels = serviceLabels(environment, service);
      new MeshRouting(this, `${service}-routing`, {
        virtualServiceName: virtualServiceName(service),
        destinationRuleName: destinationRuleName(service),
        labels,
        host: serviceHost(serviceName(service), environment.namespace),
        port: SERVICE_PORT,
        route: PRIMARY_ROUTE,
        splits: trafficSplits(environment, service, spec),
        traffic: spec.traffic,
      });
      new MeshAuthorization(this, `${service}-authorization`, {
        name: serviceName(service),
        labels,
        selector: selectorLabels({ name: service, environment: environment.name }),
        principals: callersOf(environment, service).map((caller) => callerPrincipal(environment, caller)),
        port: spec.port,
      });
    }
    // Requests a minute per verified user, counted by the sidecars of the services it names.
    const { identity, userRateLimit } = environment.ingress;
    if (identity !== undefined && userRateLimit !== undefined) {
      for (const service of userLimitedServices(environment)) {
        const spec = serviceSpec(environment, service);
        if (spec.kind !== 'web')
          throw new Error(`${environment.name}: ingress.userRateLimit counts at services.${service}, which is not a web service`);
        new UserRateLimit(this, `${service}-users`, {
          name: userRateLimitName(service),
          labels: serviceLabels(environment, service),
          selector: selectorLabels({ name: service, environment: environment.name }),
          port: spec.port,
          issuer: identity.issuer,
          jwksUri: identity.jwksUri,
          audiences: identity.audiences,
          userClaim: identity.userClaim,
          requestsPerMinute: userRateLimit.requestsPerMinute,
          ...(userRateLimit.tiers === undefined ? {} : { tiers: userRateLimit.tiers }),
          trackedUsers: userRateLimit.trackedUsers,
        });
      }
    }
  }
}
