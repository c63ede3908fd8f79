/**
 * Fields of the emitted objects that another controller owns once they are in the cluster, found by
 * reading the objects themselves (not the environment file), so what the GitOps controllers are told
 * to leave alone is exactly what this repository emits:
 *
 * - Argo Rollouts sets the weights of the VirtualService routes a canary Rollout names, and adds its
 *   `rollouts-pod-template-hash` label to the stable and canary subsets of its DestinationRule
 *   (https://argoproj.github.io/argo-rollouts/features/traffic-management/istio/). We emit those
 *   weights (100/0), so a re-apply from git would put all traffic back on stable mid-canary.
 * - HPAs and KEDA own `spec.replicas` of the workloads they scale. We never emit it (checked here),
 *   so with server-side apply there is nothing to fight over; Argo CD is still told, because its
 *   diff would otherwise depend on how each field was last applied.
 */
import type { Manifest } from '../core/manifest';
import { at, groupOf, isPlain, list } from '../core/plain';

/** The label Argo Rollouts injects into a DestinationRule subset to pin it to a ReplicaSet. */
export const ROLLOUTS_POD_TEMPLATE_HASH = 'rollouts-pod-template-hash';

export const FieldOwner = { AUTOSCALER: 'autoscaler', ARGO_ROLLOUTS: 'argo-rollouts', ADDON: 'addon-controller' } as const;
export type FieldOwner = (typeof FieldOwner)[keyof typeof FieldOwner];

/** Fields of one object (or of every object of a kind) that a controller other than GitOps owns. */
export interface OwnedFields {
  readonly owner: FieldOwner;
  /** API group, '' for the core group. */
  readonly group: string;
  readonly kind: string;
  /** @default - every object of the kind */
  readonly name?: string;
  /** @default - every namespace */
  readonly namespace?: string;
  /** RFC 6901 pointers into the object as emitted (array positions are those of the emitted object). */
  readonly jsonPointers: readonly string[];
  /** The same fields as jq path expressions, selecting list items by name rather than position. */
  readonly jqPathExpressions: readonly string[];
}

/** A JSON string literal is a valid jq string literal. */
function jqString(text: string): string {
  return JSON.stringify(text);
}

/** The workloads an HPA or ScaledObject scales, as `group/kind/namespace/name`. */
function scaleTargets(objects: readonly Manifest[]): { group: string; kind: string; namespace: string | undefined; name: string }[] {
  return objects.flatMap((object) => {
    if (object.kind !== 'HorizontalPodAutoscaler' && object.kind !== 'ScaledObject') return [];
    const target = at(object, 'spec', 'scaleTargetRef');
    const name = at(target, 'name');
    if (typeof name !== 'string') return [];
    // KEDA's scaleTargetRef defaults to apps/v1 Deployment.
    const apiVersion = at(target, 'apiVersion');
    const kind = at(target, 'kind');
    return [
      {
        group: groupOf(typeof apiVersion === 'string' ? apiVersion : 'apps/v1'),
        kind: typeof kind === 'string' ? kind : 'Deployment',
        namespace: object.metadata.namespace,
        name,
      },
    ];
  });
}

/**
 * `spec.replicas` of every kind an autoscaler scales, one entry per kind.
 * @throws Error when a scaled workload sets spec.replicas itself: every sync would reset the count.
 */
export function autoscalerOwnedFields(objects: readonly Manifest[]): OwnedFields[] {
  const targets = scaleTargets(objects);
  for (const target of targets) {
    const workload = objects.find(
      (o) =>
        o.kind === target.kind &&
        groupOf(String(o.apiVersion)) === target.group &&
        o.metadata.name === target.name &&
        o.metadata.namespace === target.namespace,
    );
    if (workload !== undefined && at(workload, 'spec', 'replicas') !== undefined) {
      throw new Error(
        `${target.kind} ${target.namespace ?? ''}/${target.name} sets spec.replicas, but an autoscaler owns it: ` +
          'a GitOps sync would reset the count on every reconcile (leave spec.replicas out)',
      );
    }
  }
  const kinds = [...new Map(targets.map((t) => [`${t.group}/${t.kind}`, t])).values()];
  return kinds.map((t) => ({
    owner: FieldOwner.AUTOSCALER,
    group: t.group,
    kind: t.kind,
    jsonPointers: ['/spec/replicas'],
    jqPathExpressions: ['.spec.replicas'],
  }));
}

interface IstioRouting {
  readonly namespace: string | undefined;
  readonly virtualServices: readonly { readonly name: string; readonly routes: readonly string[] }[];
  readonly destinationRule?: { readonly name: string; readonly subsets: readonly string[] };
}

/** A `name` or `name.namespace` reference, resolved against the Rollout's namespace. */
function reference(ref: string, namespace: string | undefined): { name: string; namespace: string | undefined } {
  const dot = ref.indexOf('.');
  return dot < 0 ? { name: ref, namespace } : { name: ref.slice(0, dot), namespace: ref.slice(dot + 1) };
}

function istioRoutingOf(rollout: Manifest): IstioRouting | undefined {
  const istio = at(rollout, 'spec', 'strategy', 'canary', 'trafficRouting', 'istio');
  if (!isPlain(istio)) return undefined;
  const refs = [istio.virtualService, ...list(istio.virtualServices)].filter(isPlain);
  const virtualServices = refs.flatMap((ref) =>
    typeof ref.name === 'string' ? [{ name: ref.name, routes: list(ref.routes).filter((r): r is string => typeof r === 'string') }] : [],
  );
  const rule = istio.destinationRule;
  const destinationRule =
    isPlain(rule) && typeof rule.name === 'string'
      ? { name: rule.name, subsets: [rule.canarySubsetName, rule.stableSubsetName].filter((s): s is string => typeof s === 'string') }
      : undefined;
  return { namespace: rollout.metadata.namespace, virtualServices, ...(destinationRule ? { destinationRule } : {}) };
}

function find(objects: readonly Manifest[], kind: string, name: string, namespace: string | undefined): Manifest {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
  if (found === undefined) throw new Error(`a Rollout routes through ${kind} ${namespace ?? ''}/${name}, which is not emitted`);
  return found;
}

function virtualServiceFields(
  objects: readonly Manifest[],
  ref: { name: string; routes: readonly string[] },
  namespace: string | undefined,
): OwnedFields {
  const { name, namespace: ns } = reference(ref.name, namespace);
  const http = list(at(find(objects, 'VirtualService', name, ns), 'spec', 'http'));
  // Argo Rollouts allows leaving `routes` out when the VirtualService has a single HTTP route.
  const routeNames = ref.routes.length > 0 ? ref.routes : http.length === 1 ? [String(at(http[0], 'name') ?? '')] : [];
  const jsonPointers = routeNames.flatMap((routeName) => {
    const index = http.findIndex((route) => at(route, 'name') === routeName);
    if (index < 0) throw new Error(`VirtualService ${ns ?? ''}/${name} has no HTTP route "${routeName}" for its Rollout to weight`);
    return list(at(http[index], 'route')).map((_destination, position) => `/spec/http/${index}/route/${position}/weight`);
  });
  return {
    owner: FieldOwner.ARGO_ROLLOUTS,
    group: 'networking.istio.io',
    kind: 'VirtualService',
    name,
    ...(ns === undefined ? {} : { namespace: ns }),
    jsonPointers,
    jqPathExpressions: routeNames.map((routeName) => `.spec.http[] | select(.name == ${jqString(routeName)}) | .route[].weight`),
  };
}

function destinationRuleFields(
  objects: readonly Manifest[],
  rule: { name: string; subsets: readonly string[] },
  namespace: string | undefined,
): OwnedFields {
  const { name, namespace: ns } = reference(rule.name, namespace);
  const subsets = list(at(find(objects, 'DestinationRule', name, ns), 'spec', 'subsets'));
  const indices = rule.subsets.map((subset) => {
    const index = subsets.findIndex((s) => at(s, 'name') === subset);
    if (index < 0) throw new Error(`DestinationRule ${ns ?? ''}/${name} has no subset "${subset}" for its Rollout to pin`);
    return index;
  });
  const jsonPointers = indices.sort((a, b) => a - b).map((index) => `/spec/subsets/${index}/labels/${ROLLOUTS_POD_TEMPLATE_HASH}`);
  const bySubset = rule.subsets.map((subset) => `.name == ${jqString(subset)}`).join(' or ');
  return {
    owner: FieldOwner.ARGO_ROLLOUTS,
    group: 'networking.istio.io',
    kind: 'DestinationRule',
    name,
    ...(ns === undefined ? {} : { namespace: ns }),
    jsonPointers,
    jqPathExpressions: [`.spec.subsets[] | select(${bySubset}) | .labels[${jqString(ROLLOUTS_POD_TEMPLATE_HASH)}]`],
  };
}

/** The VirtualService weights and DestinationRule subset labels every canary Rollout with Istio routing manages. */
export function rolloutOwnedFields(objects: readonly Manifest[]): OwnedFields[] {
  return objects
    .filter((object) => object.kind === 'Rollout')
    .flatMap((rollout) => {
      const routing = istioRoutingOf(rollout);
      if (routing === undefined) return [];
      return [
        ...routing.virtualServices.map((vs) => virtualServiceFields(objects, vs, routing.namespace)),
        ...(routing.destinationRule ? [destinationRuleFields(objects, routing.destinationRule, routing.namespace)] : []),
      ];
    });
}

/** Everything other controllers own in these objects: what Argo CD must not diff. */
export function controllerOwnedFields(objects: readonly Manifest[]): OwnedFields[] {
  return [...autoscalerOwnedFields(objects), ...rolloutOwnedFields(objects)];
}
