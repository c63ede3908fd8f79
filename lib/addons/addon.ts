/**
 * What a cluster add-on is, independent of the GitOps tool that installs it: a pinned chart, the
 * namespace it runs in, the add-ons that must be ready before it, and its values. Flux turns one into
 * a HelmRelease, Argo CD into an Application with a Helm source; both read the same object, so the two
 * installs cannot drift apart.
 */
import { podSecurityLabels, type PodSecurityLevel } from '../pod-security';
import type { PinnedChart } from './chart-versions';

/** The namespace an add-on runs in, and how it is admitted. */
export interface AddonNamespaceSpec {
  readonly name: string;
  /**
   * The level Pod Security Admission enforces; warnings and audit always use "restricted", so any
   * add-on pod that would not pass it stays visible. Undefined for namespaces the cluster owns
   * (kube-system), which this repository never labels.
   */
  readonly enforce?: PodSecurityLevel;
  /** Why the add-on cannot run under "restricted", when it cannot. */
  readonly reason?: string;
  /** Extra labels, e.g. sidecar injection for a controller that must be in the mesh. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface ClusterAddon {
  /** Helm release name, and the name of the HelmRelease or Application that installs it. */
  readonly name: string;
  readonly chart: PinnedChart;
  readonly namespace: AddonNamespaceSpec;
  /** Add-ons (by name) that must be installed and ready first: their CRDs, webhooks or CNI. */
  readonly dependsOn: readonly string[];
  /** Helm values. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** A cluster-scoped kind (Argo CD projects list the ones their Applications may create). */
export interface ClusterKind {
  /** API group, '' for the core group. */
  readonly group: string;
  readonly kind: string;
}

/** Labels of an add-on namespace: Pod Security (enforced level, always warned and audited at restricted) and any extras. */
export function addonNamespaceLabels(namespace: AddonNamespaceSpec, kubernetesVersion: string): Record<string, string> {
  if (namespace.enforce === undefined) return { ...namespace.labels };
  return { ...namespace.labels, ...podSecurityLabels(namespace.enforce, kubernetesVersion) };
}
