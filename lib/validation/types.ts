/**
 * Shared shapes of the validator. Every check works on plain manifest objects (what is written to
 * dist/), so it validates exactly what a GitOps controller will apply.
 */
import type { Dataplane, GoogleApisAccess } from '../gke-network';

export type Severity = 'error' | 'warning';

/** One finding. `object` is `Kind/namespace/name` (or `Kind/name` when cluster-scoped). */
export interface Violation {
  readonly rule: string;
  readonly severity: Severity;
  readonly object: string;
  /** JSON-pointer-like field path inside the object, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly message: string;
}

/** A rule waived for one object, with the written reason the environment file must give. */
export interface Waiver {
  readonly kind: string;
  /** The object's namespace; absent only for a cluster-scoped object (a checker's waiver matches by it). */
  readonly namespace?: string;
  readonly name: string;
  readonly rule: string;
  readonly reason: string;
}

export interface ValidationContext {
  /** Environment name, for messages. */
  readonly environment: string;
  /** Production environments get the stricter availability rules (zone/host spread, HPA min >= 2). */
  readonly production: boolean;
  /** Namespace the NGINX ingress controller runs in. @default 'ingress-nginx' */
  readonly ingressControllerNamespace?: string;
  /** The cluster's Kubernetes minor, e.g. 1.35: every add-on must support it. @default - not checked */
  readonly kubernetesVersion?: string;
  /** How the cluster's network is built (environment cluster.network): GKE egress must match it. @default - not stated */
  readonly network?: { readonly dataplane: Dataplane; readonly googleApis: GoogleApisAccess };
  /** Node label whose value is the node pool name (environment cluster.nodePoolLabel). @default cloud.google.com/gke-nodepool */
  readonly nodePoolLabel?: string;
  readonly waivers?: readonly Waiver[];
}

export interface WaivedViolation {
  readonly violation: Violation;
  readonly reason: string;
}

export interface ValidationReport {
  readonly environment: string;
  readonly resources: number;
  readonly valid: number;
  readonly invalid: number;
  /** Errors and warnings that were not waived. */
  readonly violations: readonly Violation[];
  readonly waived: readonly WaivedViolation[];
  /** Count of unwaived violations per rule id. */
  readonly byRule: Readonly<Record<string, number>>;
}
