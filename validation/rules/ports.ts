/** Container-port lookups shared by the Service, Ingress and NetworkPolicy reference rules. */
import { asArray, containersOf, isObj, type PodRef } from './model';

export interface ContainerPort {
  readonly number: number;
  readonly name?: string;
  readonly protocol: string;
}

/** Ports of the pod's long-running containers (regular containers and native sidecars). */
export function podPorts(pod: PodRef): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const c of containersOf(pod)) {
    if (c.init && !c.sidecar) continue;
    for (const p of asArray(c.container.ports)) {
      if (!isObj(p) || typeof p.containerPort !== 'number') continue;
      out.push({
        number: p.containerPort,
        ...(typeof p.name === 'string' ? { name: p.name } : {}),
        protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
      });
    }
  }
  return out;
}

/** The container port a Service targetPort (number or name) resolves to, if any. */
export function resolveTargetPort(ports: readonly ContainerPort[], target: unknown): ContainerPort | undefined {
  if (typeof target === 'number') return ports.find((p) => p.number === target);
  if (typeof target === 'string') return ports.find((p) => p.name === target);
  return undefined;
}

export function showPorts(ports: readonly ContainerPort[]): string {
  if (ports.length === 0) return 'none';
  return ports.map((p) => (p.name ? `${p.name}=${p.number}` : String(p.number))).join(', ');
}
