/**
 * Shared shapes of the validator. Every check works on plain manifest objects (what is written to
 * dist/), so it validates exactly what a GitOps controller will apply.
 */
import type { Dataplane, GoogleApisAccess } from '../lib/gke-network';
import type { Waiver } from '../lib/core/waivers';

export type { Waiver } from '../lib/core/waivers';

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
  /**
   * The waivers of this validator's rules, matched by kind, name and rule (lib/core/waivers.ts). The
   * caller leaves out those other checkers apply (app/synthesize.ts). @default []
   */
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
