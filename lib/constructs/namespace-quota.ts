/**
 * A namespace's ResourceQuota and LimitRange. The figures are worked out by whoever knows the
 * namespace's workloads (charts/platform-quota.ts for the platform namespace, the sandbox for its own).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { ResourceAmounts } from '../core/resource-amounts';
import { resourceList } from '../resources';

/** The `hard` figures of a ResourceQuota. */
export interface QuotaFigures {
  readonly pods: number;
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

/** What a LimitRange gives a container that declares nothing, and the most any container may set. */
export interface ContainerLimits {
  readonly defaultRequest: ResourceAmounts;
  readonly default: ResourceAmounts;
  readonly max: ResourceAmounts;
  /**
   * Every container's limit equals its request (LimitRange maxLimitRequestRatio 1 for cpu and memory):
   * its pods are Guaranteed and cannot burst into what others were promised. @default false
   */
  readonly requestEqualsLimit?: boolean;
}

export interface NamespaceQuotaProps {
  /** The namespace the ResourceQuota and the LimitRange hold. */
  readonly namespace: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The namespace's totals: pods, and the sum of requests and of limits. */
  readonly quota: QuotaFigures;
  /** The LimitRange's per-container defaults and maximum. */
  readonly containers: ContainerLimits;
  /** Extra object-count limits, e.g. `{ 'services.loadbalancers': 0 }`. @default - none */
  readonly counts?: Readonly<Record<string, number>>;
  /**
   * Name of the ResourceQuota and the LimitRange.
   * @default - the namespace's name (unique across namespaces, so tools that match objects by kind
   * and name across environments never confuse two namespaces' quotas)
   */
  readonly name?: string;
}

/**
 * A ResourceQuota on pods, requests and limits (cpu, memory, ephemeral-storage), and a LimitRange
 * that defaults and caps every container. The LimitRange makes the quota enforceable: once a
 * namespace has a compute quota, the API refuses containers without requests and limits, and the
 * defaults fill those in instead.
 */
export class NamespaceQuota extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: NamespaceQuotaProps) {
    super(scope, id);
    this.name = props.name ?? props.namespace;
    const { quota, containers } = props;
    const hard: Record<string, k8s.Quantity> = { pods: k8s.Quantity.fromString(String(quota.pods)) };
    for (const [side, set] of [
      ['requests', quota.requests],
      ['limits', quota.limits],
    ] as const) {
      for (const [resource, value] of Object.entries(resourceList(set))) hard[`${side}.${resource}`] = value;
    }
    for (const [resource, count] of Object.entries(props.counts ?? {})) hard[resource] = k8s.Quantity.fromString(String(count));
    const metadata = { name: this.name, namespace: props.namespace, labels: props.labels };
    new k8s.KubeResourceQuota(this, 'ResourceQuota', { metadata, spec: { hard } });
    new k8s.KubeLimitRange(this, 'LimitRange', {
      metadata,
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: resourceList(containers.defaultRequest),
            default: resourceList(containers.default),
            max: resourceList(containers.max),
            ...(containers.requestEqualsLimit
              ? { maxLimitRequestRatio: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1') } }
              : {}),
          },
        ],
      },
    });
  }
}
