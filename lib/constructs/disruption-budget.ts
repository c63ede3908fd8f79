import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DISRUPTION_DEFAULTS } from '../defaults';
import { PropChecks } from '../prop-checks';

export interface DisruptionBudgetProps {
  /** The PodDisruptionBudget. */
  readonly name: string;
  /** Labels of the pods it protects. */
  readonly selector: Readonly<Record<string, string>>;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** Pods a voluntary disruption (a node drain) may take down at once. @default 1 */
  readonly maxUnavailable?: number;
}

/**
 * A PDB that protects availability without blocking node drains (AVL-01): `maxUnavailable` (never
 * `minAvailable`, which blocks every eviction when the autoscaler sits at its floor), and crash-looping
 * pods may always be evicted so that one bad pod cannot wedge a node upgrade.
 */
export class DisruptionBudget extends Construct {
  readonly maxUnavailable: number;

  constructor(scope: Construct, id: string, props: DisruptionBudgetProps) {
    super(scope, id);
    new PropChecks(this).name('name', props.name).nonEmpty('selector', props.selector);
    this.maxUnavailable = props.maxUnavailable ?? DISRUPTION_DEFAULTS.maxUnavailable;
    if (this.maxUnavailable < 1) {
      throw new Error(`${props.name}: maxUnavailable (${this.maxUnavailable}) must be at least 1, or no node could ever be drained`);
    }
    new k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(this.maxUnavailable),
        selector: { matchLabels: { ...props.selector } },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }
}
