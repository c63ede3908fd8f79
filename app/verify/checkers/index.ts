/** Every third-party checker verify runs, in report order, and the one it cannot run. */
import { argoRollouts } from './argo-rollouts';
import { checkov } from './checkov';
import { istioctl } from './istioctl';
import { kubeScore } from './kube-score';
import { kubeconform } from './kubeconform';
import { pluto } from './pluto';
import type { Checker } from './types';

export type { Checker, CheckerContext } from './types';

export const CHECKERS: readonly Checker[] = [kubeconform, kubeScore, pluto, argoRollouts, istioctl, checkov];

/** The checkers that need nothing from the API server (kubeconform needs its schemas). */
export const OFFLINE_CHECKERS: readonly Checker[] = CHECKERS.filter((checker) => checker !== kubeconform);

export { kubeconform };

/** Printed in every report, per environment. tools/README.md maps Polaris's checks to the ones that cover them. */
export const POLARIS_SKIPPED =
  'not run: the Go module proxy refuses every github.com/fairwindsops/polaris version (403, evidence in tools/README.md) and it has no PyPI, npm or Debian package; its checks are covered by kube-score, checkov and the in-process rules (mapping in tools/README.md)';
