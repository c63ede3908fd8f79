import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import type { ClusterAddon } from '../lib/addons/addon';
import { AddonNamespace } from '../lib/addons/addon-namespace';
import { FluxHelmRelease } from '../lib/addons/flux-helm-release';
import { helmReleaseServiceAccountName } from '../lib/gitops/stage-access';
import { FluxHelmRepository } from '../lib/addons/flux-helm-repository';
import { platformLabels } from '../lib/labels';

export interface AddonsChartProps {
  readonly environment: Environment;
  /** The add-ons, in dependency order (charts/addons-catalog.ts). */
  readonly addons: readonly ClusterAddon[];
}

/** The items with distinct keys, first occurrence first. */
function distinct<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

/**
 * dist/<env>/addons for Flux: the add-ons' namespaces, the Helm repositories their charts come from,
 * and one HelmRelease per add-on, each depending on the add-ons it needs.
 */
export class AddonsChart extends Chart {
  constructor(scope: Construct, id: string, props: AddonsChartProps) {
    super(scope, id);
    const { environment, addons } = props;
    const labels = platformLabels(environment, 'addons');
    const namespaces = distinct(
      addons.map((addon) => addon.namespace).filter((namespace) => namespace.enforce !== undefined),
      (namespace) => namespace.name,
    );
    for (const namespace of namespaces) {
      const other = addons.find((a) => a.namespace.name === namespace.name && JSON.stringify(a.namespace) !== JSON.stringify(namespace));
      if (other)
        throw new Error(
          `${environment.name}: add-on "${other.name}" declares namespace "${namespace.name}" differently from another add-on in it`,
        );
      new AddonNamespace(this, `namespace-${namespace.name}`, {
        namespace,
        labels,
        kubernetesVersion: environment.cluster.kubernetesVersion,
      });
    }
    for (const repository of distinct(
      addons.map((addon) => addon.chart.repository),
      (r) => r.name,
    )) {
      new FluxHelmRepository(this, `repository-${repository.name}`, { repository, labels });
    }
    for (const addon of addons) {
      new FluxHelmRelease(this, `release-${addon.name}`, {
        addon,
        labels,
        serviceAccountName: helmReleaseServiceAccountName(environment.name),
      });
    }
  }
}
