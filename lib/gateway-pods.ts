/**
 * The NGINX pods NGINX Gateway Fabric provisions for a Gateway, read from the Gateway and the
 * NginxProxy it names (spec.infrastructure.parametersRef): not objects of the output, but pods the
 * cluster runs, which PDBs and policies select and the capacity plan counts. NGF names the Deployment
 * and its ServiceAccount `<gateway>-<gatewayClass>`, labels the pods with the Gateway's name, and
 * copies `spec.infrastructure` labels and annotations onto them.
 */
import type { Manifest } from './core/manifest';
import { at, isPlain } from './core/plain';

export interface GatewayPods {
  readonly gateway: Manifest;
  readonly replicas: number;
  readonly labels: Readonly<Record<string, string>>;
  /** The pod template NGF renders, as far as scheduling and sizing go. */
  readonly template: {
    readonly metadata: { readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
    readonly spec: Record<string, unknown>;
  };
}

function strings(value: unknown): Record<string, string> {
  return isPlain(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {};
}

/** The NginxProxy a Gateway names, among the objects. */
export function nginxProxyOf(gateway: Manifest, objects: readonly Manifest[]): Manifest | undefined {
  const ref = at(gateway, 'spec', 'infrastructure', 'parametersRef');
  if (at(ref, 'kind') !== 'NginxProxy') return undefined;
  return objects.find(
    (o) =>
      o.kind === 'NginxProxy' && o.metadata.name === at(ref, 'name') && (o.metadata.namespace ?? '') === (gateway.metadata.namespace ?? ''),
  );
}

/** The pods of a Gateway parameterised by an NginxProxy; undefined without one (the plan cannot size them). */
export function gatewayPods(gateway: Manifest, proxy: Manifest | undefined): GatewayPods | undefined {
  if (proxy === undefined) return undefined;
  const deployment = at(proxy, 'spec', 'kubernetes', 'deployment');
  const replicas = at(deployment, 'replicas');
  const infrastructure = at(gateway, 'spec', 'infrastructure');
  const labels = {
    ...strings(at(infrastructure, 'labels')),
    'gateway.networking.k8s.io/gateway-name': gateway.metadata.name,
    'app.kubernetes.io/name': `${gateway.metadata.name}-${String(at(gateway, 'spec', 'gatewayClassName') ?? '')}`,
  };
  const pod = at(deployment, 'pod');
  const resources = at(deployment, 'container', 'resources');
  return {
    gateway,
    replicas: typeof replicas === 'number' ? replicas : 1,
    labels,
    template: {
      metadata: { labels, annotations: strings(at(infrastructure, 'annotations')) },
      spec: {
        ...(isPlain(pod) ? pod : {}),
        containers: [{ name: 'nginx', ...(isPlain(resources) ? { resources } : {}) }],
      },
    },
  };
}
