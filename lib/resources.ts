/**
 * Container resources as Kubernetes wants them. One builder for every container the platform
 * defines (services, project pods) and one for figures it computes (quotas).
 */
import { k8s } from 'cdk8s-plus-28';
import type { ResourceAmounts } from './core/resource-amounts';

/** CPU, memory and ephemeral storage quantities, as an environment writes them. */
export interface ResourceSet {
  readonly cpu: string;
  readonly memory: string;
  readonly ephemeralStorage: string;
}

export interface ResourceSpec {
  readonly requests: ResourceSet;
  readonly limits: ResourceSet;
}

function quantities(set: ResourceSet): Record<string, k8s.Quantity> {
  return {
    cpu: k8s.Quantity.fromString(set.cpu),
    memory: k8s.Quantity.fromString(set.memory),
    'ephemeral-storage': k8s.Quantity.fromString(set.ephemeralStorage),
  };
}

/** A container's requests and limits, with the quantities as written. */
export function resourceRequirements(spec: ResourceSpec): k8s.ResourceRequirements {
  return { requests: quantities(spec.requests), limits: quantities(spec.limits) };
}

/** `2`, `1500m`. */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** The largest binary unit that states the value exactly: `2Gi`, `1152Mi`, `1000`. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (bytes % size === 0 && bytes >= size) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** A computed amount as a Kubernetes resource list (`cpu`, `memory`, `ephemeral-storage`). */
export function resourceList(a: ResourceAmounts): Record<string, k8s.Quantity> {
  return {
    cpu: k8s.Quantity.fromString(formatCpu(a.cpuMillis)),
    memory: k8s.Quantity.fromString(formatBytes(a.memoryBytes)),
    'ephemeral-storage': k8s.Quantity.fromString(formatBytes(a.ephemeralBytes)),
  };
}
