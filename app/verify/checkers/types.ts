/**
 * What every checker adapter gets and returns. A checker never says "nothing found" by default: it
 * returns what the tool reported on, the objects it gave the tool, and every sign that the tool did not
 * run as expected (exit status, error output, output that does not have the shape we read). verify
 * then proves coverage and the canary (coverage.ts) before it trusts the findings.
 */
import type { Manifest } from '../../../lib/core/manifest';
import type { Finding, ToolName } from '../findings';
import type { PinnedVersions } from '../tools';
import type { Workspace } from '../workspace';

export interface CheckerContext {
  readonly workspace: Workspace;
  /** The full Kubernetes version the environment is checked against, e.g. '1.35.4'. */
  readonly kubernetesVersion: string;
  /** kubeconform's -schema-location for that version (built-in kinds and the pinned CRDs). */
  readonly schemaLocation: string;
  /**
   * The canary objects given to the tool in the same run: the checker's own (`Checker.canary.objects`);
   * a test gives harmless ones to prove that a tool that misses its canary fails the run.
   */
  readonly canary: readonly Manifest[];
}

/**
 * A known-bad object set, given to the tool in the same run as the environment's objects (in a file
 * and a namespace of its own), and the finding the tool must report on it. A tool that misses it has
 * gone blind: verify fails naming it.
 */
export interface Canary {
  readonly objects: readonly Manifest[];
  /** The tool's rule id that must be reported on `object`. */
  readonly rule: string;
  /** `Kind/namespace/name` of the canary object the finding must name. */
  readonly object: string;
  /** What the canary breaks, for the failure message. */
  readonly breaks: string;
}

export interface CheckerResult {
  /** Every finding the tool reported, the canary's included. */
  readonly findings: readonly Finding[];
  /** The objects given to the tool (`Kind/namespace/name`), the canary's included. */
  readonly given: readonly string[];
  /**
   * The objects the tool says it judged. Undefined for a tool that lists only what it found (istioctl):
   * its coverage rests on the canary in the same invocation and on an error-free run.
   */
  readonly reported?: readonly string[];
  /**
   * The tool names only objects it has a check for (checkov), so `reported` is a subset of `given`;
   * its own count of what it parsed is checked by the adapter (a problem when it differs).
   */
  readonly reportsOnlyChecked?: boolean;
  /** Why the run cannot be trusted: an unexpected exit status, error output, parse errors. */
  readonly problems: readonly string[];
}

export interface Checker {
  readonly tool: ToolName;
  version(pinned: PinnedVersions): string;
  /** The known-bad objects this tool must catch on every run. */
  readonly canary: Canary;
  run(context: CheckerContext): Promise<CheckerResult>;
}
