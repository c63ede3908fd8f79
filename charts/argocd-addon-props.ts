import type { Environment } from '../environments/schema';
import type { ClusterAddon } from '../lib/addons/addon';
import { addonNamespaceLabels } from '../lib/addons/addon';
import { CHART_FACTS } from '../lib/addons/chart-facts';
import type { ArgoCdApplicationProps } from '../lib/gitops/argocd-application';
import { FieldOwner } from '../lib/gitops/controller-owned-fields';
import { addonWave } from '../lib/gitops/sync-waves';
import { platformLabels } from '../lib/labels';

/**
 * What an Argo CD Application of one add-on carries wherever it is synced from (a cluster's own Argo CD,
 * charts/argocd-chart.ts, or the fleet's hub, charts/fleet-chart.ts): the chart and its values, its
 * namespace and that namespace's labels, its sync wave after what it depends on (`depth`), server-side
 * apply and the fields the chart's own controllers set after install.
 */
export function addonApplicationProps(
  environment: Environment,
  addon: ClusterAddon,
  depth: number,
): Pick<ArgoCdApplicationProps, 'source' | 'namespace' | 'wave' | 'managedNamespaceLabels' | 'serverSideApply' | 'ignore'> {
  return {
    source: { chart: addon.chart, releaseName: addon.name, values: addon.values },
    namespace: addon.namespace.name,
    wave: addonWave(depth),
    // kube-system is the cluster's: never created or relabelled from here.
    ...(addon.namespace.enforce === undefined
      ? {}
      : {
          managedNamespaceLabels: {
            ...platformLabels(environment, 'addons'),
            ...addonNamespaceLabels(addon.namespace, environment.cluster.kubernetesVersion),
          },
        }),
    // Several charts' CRDs are larger than client-side apply's last-applied annotation allows
    // (262144 bytes: KEDA's ScaledJob, External Secrets' stores, the Prometheus operator's): every
    // add-on syncs server-side, so no chart upgrade can start failing on it.
    serverSideApply: true,
    // Fields the chart's own controllers set after install (webhook CA bundles, istiod's failurePolicy).
    ignore: (CHART_FACTS[addon.chart.chart]?.drifting ?? []).map((field) => ({
      owner: FieldOwner.ADDON,
      group: field.group,
      kind: field.kind,
      jsonPointers: [],
      jqPathExpressions: [field.jqPath],
    })),
  };
}
