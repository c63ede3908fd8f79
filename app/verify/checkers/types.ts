/** What every checker adapter gets and returns. */
import type { Finding, ToolName } from '../findings';
import type { PinnedVersions } from '../tools';
import type { Workspace } from '../workspace';

export interface CheckerContext {
  readonly workspace: Workspace;
  /** The full Kubernetes version the environment is checked against, e.g. '1.35.4'. */
  readonly kubernetesVersion: string;
  /** kubeconform's -schema-location for that version (built-in kinds and the pinned CRDs). */
  readonly schemaLocation: string;
}

export interface Checker {
  readonly tool: ToolName;
  version(pinned: PinnedVersions): string;
  run(context: CheckerContext): Promise<Finding[]>;
}
