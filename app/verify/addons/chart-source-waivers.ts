/**
 * Pinned charts (lib/addons/chart-versions.ts) whose source at the pinned version is not in the
 * offline chart mirror, each with the reason. A waiver names one chart at one version: bumping the
 * pin makes it stale, and a waiver that matches no install of any verified environment is reported.
 *
 * `substitute` renders another source of the same chart in its place (what the chart's release
 * would set in values is given, since a source tree leaves it empty); without it nothing of the
 * chart is rendered and its pods are proven by nothing but lib/addons/chart-facts.ts.
 */
export interface ChartSourceWaiver {
  readonly chart: string;
  readonly version: string;
  readonly reason: string;
  readonly substitute?: {
    /** Folder in the mirror, relative to it. */
    readonly folder: string;
    /** Values the release packaging sets that the source tree leaves empty. */
    readonly values: Readonly<Record<string, unknown>>;
  };
}

/** Istio 1.31.4's release charts are not available offline; the release-1.31 source tree is (../shared/charts/SOURCES.md). */
const ISTIO_RELEASE_BRANCH = 'istio-release-1.31-eed52ebb66ad';
const ISTIO_VERSION = '1.31.4';
/** A release build fills global.hub and global.tag (istio/release-builder); the source tree's are "". */
const ISTIO_RELEASE_VALUES = { global: { hub: 'docker.io/istio', tag: ISTIO_VERSION } };
const ISTIO_REASON =
  'the mirror has no Istio 1.31.4 release chart (the Go module proxy refuses non-semver istio.io/istio queries and the git mirror ends at 1.31.0-rc.0); rendered from branch release-1.31 at eed52ebb66ad (2026-08-27), the source istioctl is built from, with the release image hub and tag';

export const CHART_SOURCE_WAIVERS: readonly ChartSourceWaiver[] = [
  {
    chart: 'argo-rollouts',
    version: '2.43.0',
    reason:
      'argoproj/argo-helm tag argo-rollouts-2.43.0 is newer than the offline argo-helm mirror (newest argo-rollouts-2.41.0); no source of 2.43.0 could be found, so its pods are not rendered and only lib/addons/chart-facts.ts speaks for them',
  },
  ...['base', 'istiod', 'cni'].map(
    (chart): ChartSourceWaiver => ({
      chart,
      version: ISTIO_VERSION,
      reason: ISTIO_REASON,
      substitute: { folder: `${ISTIO_RELEASE_BRANCH}/${chart}`, values: ISTIO_RELEASE_VALUES },
    }),
  ),
];
