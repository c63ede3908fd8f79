import { Construct } from 'constructs';
import {
  HelmRelease,
  HelmReleaseSpecChartSpecSourceRefKind,
  HelmReleaseSpecInstallCrds,
  HelmReleaseSpecUpgradeCrds,
} from '../../imports/helm.toolkit.fluxcd.io';
import { FLUX_NAMESPACE } from '../gitops/names';
import type { ClusterAddon } from './addon';

export interface FluxHelmReleaseProps {
  /** The add-on: its chart, pinned version, namespace and values. */
  readonly addon: ClusterAddon;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** How often helm-controller reconciles the release. @default '30m' */
  readonly interval?: string;
  /** Install and upgrade timeout, including waiting for the release's workloads. @default '10m' */
  readonly timeout?: string;
  /** Retries of a failed install or upgrade before giving up. @default 3 */
  readonly retries?: number;
  /** The ServiceAccount in flux-system helm-controller impersonates to install the chart. */
  readonly serviceAccountName: string;
}

/**
 * One add-on as a Flux HelmRelease. It lives in flux-system beside its HelmRepository and the other
 * releases, so `dependsOn` refers to them by name; the chart is installed into the add-on's own
 * namespace under the add-on's name (Flux would otherwise name it `<namespace>-<name>`, and charts
 * derive their object names from the release name).
 */
export class FluxHelmRelease extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: FluxHelmReleaseProps) {
    super(scope, id);
    const { addon } = props;
    const retries = props.retries ?? 3;
    this.name = addon.name;
    new HelmRelease(this, 'Resource', {
      metadata: { name: addon.name, namespace: FLUX_NAMESPACE, labels: props.labels },
      spec: {
        interval: props.interval ?? '30m',
        timeout: props.timeout ?? '10m',
        releaseName: addon.name,
        serviceAccountName: props.serviceAccountName,
        targetNamespace: addon.namespace.name,
        storageNamespace: addon.namespace.name,
        chart: {
          spec: {
            chart: addon.chart.chart,
            version: addon.chart.version,
            sourceRef: {
              kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY,
              name: addon.chart.repository.name,
              namespace: FLUX_NAMESPACE,
            },
          },
        },
        ...(addon.dependsOn.length > 0 ? { dependsOn: addon.dependsOn.map((name) => ({ name })) } : {}),
        // CRDs are created and upgraded with the chart: Helm alone never upgrades them.
        install: { crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE, remediation: { retries } },
        upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE, remediation: { retries, remediateLastFailure: true } },
        values: addon.values,
      },
    });
  }
}
