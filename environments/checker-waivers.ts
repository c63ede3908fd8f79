/**
 * Waivers of the community checkers' findings (`npm run verify`), one object at a time, each with the
 * reason the rule does not apply to it. Environments list the objects they emit; a waiver that matches
 * nothing is reported, so these lists follow the output.
 *
 * Fixed in the generator instead, and so absent here: identical liveness and readiness probes on web
 * services (liveness is a TCP check), Argo CD's finalizer name without a path.
 */
import type { Waiver } from '../lib/validation/types';

type ObjectRef = `${string}/${string}`;

function waive(objects: readonly ObjectRef[], rules: readonly string[], reason: string): Waiver[] {
  return objects.flatMap((ref) => {
    const [kind, name] = ref.split('/') as [string, string];
    return rules.map((rule) => ({ kind, name, rule, reason }));
  });
}

/** The services' workloads, by kind: a Deployment, or a Rollout where a strategy needs one. */
export interface CheckedWorkloads {
  readonly workloads: readonly ObjectRef[];
  /** Workloads whose one health check is a command (queue workers). */
  readonly execProbed: readonly ObjectRef[];
  /** Workloads an autoscaler sizes that kube-score does not link to it (Rollouts behind a Service). */
  readonly autoscaledRollouts?: readonly ObjectRef[];
  /** HPAs whose floor is one pod on purpose. */
  readonly singlePodFloors?: readonly ObjectRef[];
  /** NetworkPolicies that select pods controllers create at run time. */
  readonly controllerPodPolicies: readonly ObjectRef[];
  /** The sandbox's runtime PodTemplate, when the environment has a sandbox. */
  readonly sandboxTemplate?: ObjectRef;
}

export function checkerWaivers(checked: CheckedWorkloads): Waiver[] {
  const images = [...checked.workloads, ...(checked.sandboxTemplate ? [checked.sandboxTemplate] : [])];
  return [
    ...waive(
      images,
      ['checkov/CKV_K8S_43'],
      'pinned by an immutable release tag; the model takes image.digest, which the release pipeline sets when it promotes a build',
    ),
    ...waive(
      checked.workloads,
      ['checkov/CKV_K8S_15', 'kube-score/container-image-pull-policy'],
      'IfNotPresent on purpose: tags are immutable, and Always would make every pod start (scale-up, node loss) depend on the registry answering',
    ),
    ...(checked.sandboxTemplate
      ? [
          ...waive(
            [checked.sandboxTemplate],
            ['checkov/CKV_K8S_15'],
            "IfNotPresent on purpose: the runtime image's tag is immutable and sandbox pods must start when the registry is slow",
          ),
          ...waive(
            [checked.sandboxTemplate],
            ['checkov/CKV_K8S_8', 'checkov/CKV_K8S_9'],
            "a template for user projects' runtime pods: the project defines its own health checks when it is deployed",
          ),
        ]
      : []),
    ...waive(
      checked.workloads,
      ['kube-score/deployment-has-host-podantiaffinity'],
      'spread across hosts by a topologySpreadConstraint on kubernetes.io/hostname (maxSkew 1), which kube-score does not read',
    ),
    ...waive(
      checked.execProbed,
      ['kube-score/pod-probes-identical'],
      "a queue worker's one health command serves both probes (no Service routes to it); liveness waits twice as long before it restarts",
    ),
    ...waive(
      checked.autoscaledRollouts ?? [],
      ['kube-score/deployment-replicas'],
      'spec.replicas is left to the HorizontalPodAutoscaler (its floor is at least 2), which kube-score only links to Deployments',
    ),
    ...waive(
      checked.singlePodFloors ?? [],
      ['kube-score/horizontalpodautoscaler-replicas'],
      'a floor of one pod on purpose: this environment trades availability for cost',
    ),
    ...waive(
      checked.controllerPodPolicies,
      ['kube-score/networkpolicy-targets-pod'],
      'selects pods a controller creates at run time (operators, the Gateway, analysis Jobs, user projects), which kube-score cannot see in the files',
    ),
  ];
}
