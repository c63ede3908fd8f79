import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PodMonitor as PodMonitorResource } from '../../imports/monitoring.coreos.com';
import type { BindingJson } from '../binding-json';
import type { PodMonitorSpec } from '../../imports/monitoring.coreos.com';
import { PropChecks } from '../prop-checks';

export interface PodMonitorProps {
  /** The PodMonitor. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** Labels of the pods to scrape. */
  readonly selector: Readonly<Record<string, string>>;
  /** The pods' named metrics port. */
  readonly port: string;
  /** How often Prometheus scrapes each pod, a Prometheus duration. @default '30s' */
  readonly interval?: string;
}

/**
 * How Prometheus scrapes pods that no Service of ours fronts: the data stores' instances, poolers and
 * exporters, whose pods their operators create. CloudNativePG's own `monitoring.enablePodMonitor` is
 * deprecated in 1.30 (its docs: create the PodMonitor yourself), and the redis-operator makes none.
 */
export class PodMonitor extends Construct {
  readonly name: string;
  readonly interval: string;

  constructor(scope: Construct, id: string, props: PodMonitorProps) {
    super(scope, id);
    new PropChecks(this).name('name', props.name).nonEmpty('selector', props.selector);
    this.name = props.name;
    this.interval = props.interval ?? '30s';
    new ApiObject(this, 'Resource', {
      ...PodMonitorResource.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        podMetricsEndpoints: [{ port: props.port, interval: this.interval }],
      } satisfies BindingJson<PodMonitorSpec>,
    });
  }
}
