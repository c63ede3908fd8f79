/**
 * The project's exceptions to the community checkers' rules, stated once with their reason. Each
 * applies to an object by what the model and the output say about it (a pod template that spreads
 * across hosts, a Rollout sized by an autoscaler, a NetworkPolicy that selects pods a controller
 * creates at run time), never by a list of today's names: a service, store or environment added
 * tomorrow gets the same treatment. Per-object waivers written in an environment file remain for what
 * no rule here covers, and must name the object's namespace.
 */
import type { Environment } from '../../environments';
import { userLimitedServices } from '../../environments/schema';
import { ACME_HTTP01_SOLVER_LABEL } from '../../lib/constructs/acme-issuer';
import type { Manifest } from '../../lib/core/manifest';
import { userRateLimitName } from '../../lib/names';
import { at, isPlain, list } from '../../lib/core/plain';
import {
  containersOf,
  type Entry,
  GK,
  Model,
  type PodRef,
  RUNNING_KINDS,
  selectorMatches,
  asStringMap,
} from '../../validation/rules/model';
import { qualifiedRule, type Finding } from './findings';
import { addonPods } from '../../charts/addon-network-chart';
import { clusterAddons } from '../../charts/addons-catalog';

interface ExceptionContext {
  readonly environment: Environment;
  readonly model: Model;
  /** Labels of the pods controllers create at run time, by namespace (runtimePods). */
  readonly runtimePods: ReadonlyMap<string, readonly Readonly<Record<string, string>>[]>;
}

export interface ProjectException {
  /** `<tool>/<rule id>` of the findings it excuses. */
  readonly rules: readonly string[];
  readonly reason: string;
  applies(entry: Entry, context: ExceptionContext): boolean;
}

const podOf = (entry: Entry, model: Model): PodRef | undefined => model.pods.find((pod) => pod.entry === entry);

const containers = (entry: Entry, model: Model) => {
  const pod = podOf(entry, model);
  return pod ? containersOf(pod).map((c) => c.container) : [];
};

const hasPodTemplate = (entry: Entry, model: Model) => containers(entry, model).length > 0;

export const PROJECT_EXCEPTIONS: readonly ProjectException[] = [
  {
    rules: ['checkov/CKV_K8S_43'],
    reason:
      'outside production an image runs by the immutable tag the release pipeline just built; the schema requires image.digest in the production tier, where this exception does not apply',
    applies: (entry, { environment, model }) =>
      environment.tier !== 'production' && containers(entry, model).some((c) => !String(c.image ?? '').includes('@sha256:')),
  },
  {
    rules: ['checkov/CKV_K8S_15', 'kube-score/container-image-pull-policy'],
    reason:
      'IfNotPresent on purpose: images are pinned by an immutable tag or a digest, and Always would make every pod start (scale-up, node loss) depend on the registry answering',
    applies: (entry, { model }) => {
      const all = containers(entry, model);
      return all.length > 0 && all.every((c) => c.imagePullPolicy === 'IfNotPresent');
    },
  },
  {
    rules: ['kube-score/deployment-has-host-podantiaffinity'],
    reason: 'spread across hosts by a topologySpreadConstraint on kubernetes.io/hostname, which kube-score does not read',
    applies: (entry, { model }) =>
      list(podOf(entry, model)?.spec.topologySpreadConstraints).some((c) => at(c, 'topologyKey') === 'kubernetes.io/hostname'),
  },
  {
    rules: ['kube-score/pod-probes-identical'],
    reason:
      "a queue worker's one health command serves both probes (no Service routes to it, so readiness gates nothing); liveness waits longer before it restarts",
    applies: (entry, { model }) =>
      containers(entry, model).some((c) => {
        const readiness = at(c, 'readinessProbe', 'exec', 'command');
        return readiness !== undefined && JSON.stringify(readiness) === JSON.stringify(at(c, 'livenessProbe', 'exec', 'command'));
      }),
  },
  {
    rules: ['kube-score/deployment-replicas'],
    reason: 'spec.replicas is left to the autoscaler that sizes this Rollout, which kube-score links only to Deployments',
    applies: (entry, { model }) =>
      entry.gk === GK.Rollout && at(entry.obj, 'spec', 'replicas') === undefined && model.autoscalersOf(entry).length > 0,
  },
  {
    rules: ['kube-score/horizontalpodautoscaler-replicas'],
    reason:
      "a floor of one pod, as the environment's replicas.min says: outside production availability is traded for cost (the validator requires two in production)",
    applies: (entry, { environment }) =>
      environment.tier !== 'production' && entry.gk === GK.HPA && at(entry.obj, 'spec', 'minReplicas') === 1,
  },
  {
    rules: ['kube-score/networkpolicy-targets-pod'],
    reason:
      'selects pods a controller creates at run time (an operator, the Gateway, an analysis Job, cert-manager, the platform API), which kube-score cannot see in the files',
    applies: (entry, { runtimePods }) => {
      const selector = at(entry.obj, 'spec', 'podSelector');
      return entry.gk === GK.NetworkPolicy && (runtimePods.get(entry.namespace) ?? []).some((labels) => selectorMatches(selector, labels));
    },
  },
  {
    rules: ['checkov/CKV_K8S_8', 'checkov/CKV_K8S_9'],
    reason:
      'a PodTemplate for pods the platform starts at run time (user projects): the project defines its own health checks when it is deployed',
    applies: (entry, { model }) => entry.gk === GK.PodTemplate && hasPodTemplate(entry, model),
  },
  {
    rules: ['checkov/CKV_K8S_158'],
    reason:
      "a Flux stage's role (lib/gitops/stage-access.ts): RBAC lets it create and bind a Role it emits only with escalate and bind on that Role, granted by name (resourceNames) and nothing wider; the alternative, holding every permission of the Role itself, would give the stage those rights in every namespace",
    applies: (entry) =>
      entry.gk === 'rbac.authorization.k8s.io/ClusterRole' &&
      list(at(entry.obj, 'rules'))
        .filter((rule) => list(at(rule, 'verbs')).some((verb) => verb === 'escalate' || verb === 'bind' || verb === '*'))
        .every((rule) => list(at(rule, 'resourceNames')).length > 0 && !list(at(rule, 'verbs')).includes('*')),
  },
  {
    rules: ['istioctl/IST0133'],
    reason:
      "the EnvoyFilter of ingress.userRateLimit: Istio has no API for a local rate limit keyed on a verified token's claim, so the per-user count is Envoy's local rate limit added by an EnvoyFilter (lib/constructs/user-rate-limit.ts); test/verify/istio-user-limit.test.ts holds its typed config to the Envoy API istioctl 1.31 ships",
    applies: (entry, { environment }) =>
      entry.gk === 'networking.istio.io/EnvoyFilter' &&
      entry.namespace === environment.namespace &&
      userLimitedServices(environment).some((service) => userRateLimitName(service) === entry.name),
  },
];

/**
 * The labels of every pod a controller creates at run time from the output, by namespace: the
 * operators' pods and the Gateway's NGINX pods (the validator's model), pods started from a
 * PodTemplate, analysis Jobs' pods, cert-manager's HTTP-01 solver pods beside each Certificate an
 * HTTP-01 issuer signs, and (given the environment) the pods its add-ons' charts run.
 */
export function runtimePods(model: Model, environment?: Environment): Map<string, Record<string, string>[]> {
  const out = new Map<string, Record<string, string>[]>();
  const add = (namespace: string, labels: Record<string, string>) => out.set(namespace, [...(out.get(namespace) ?? []), labels]);
  // The add-ons' pods, which their charts run (their network facts): the add-on namespaces' policies select them.
  if (environment !== undefined) {
    for (const pod of addonPods(clusterAddons(environment))) add(pod.addon.namespace.name, { ...pod.network.labels });
  }
  for (const workload of model.workloads) {
    if (!RUNNING_KINDS.has(workload.entry.gk)) add(workload.entry.namespace, { ...workload.pod.labels });
  }
  for (const pod of model.pods) if (pod.entry.gk === GK.PodTemplate) add(pod.entry.namespace, { ...pod.labels });
  for (const template of [...model.ofKind(GK.AnalysisTemplate), ...model.ofKind(GK.ClusterAnalysisTemplate)]) {
    for (const metric of list(at(template.obj, 'spec', 'metrics'))) {
      const labels = at(metric, 'provider', 'job', 'spec', 'template', 'metadata', 'labels');
      if (isPlain(labels)) add(template.namespace, asStringMap(labels));
    }
  }
  const http01Issuers = new Set(
    [...model.ofKind('cert-manager.io/ClusterIssuer'), ...model.ofKind('cert-manager.io/Issuer')]
      .filter((issuer) => list(at(issuer.obj, 'spec', 'acme', 'solvers')).some((solver) => at(solver, 'http01') !== undefined))
      .map((issuer) => `${issuer.kind}/${issuer.kind === 'Issuer' ? issuer.namespace : ''}/${issuer.name}`),
  );
  for (const certificate of model.ofKind('cert-manager.io/Certificate')) {
    const ref = at(certificate.obj, 'spec', 'issuerRef');
    const kind = String(at(ref, 'kind') ?? 'Issuer');
    if (http01Issuers.has(`${kind}/${kind === 'Issuer' ? certificate.namespace : ''}/${String(at(ref, 'name'))}`)) {
      add(certificate.namespace, { ...ACME_HTTP01_SOLVER_LABEL });
    }
  }
  return out;
}

/** What excuses a finding: the exception's reason, or undefined. */
export type ExceptionMatcher = (finding: Finding) => string | undefined;

/** The project's exceptions for one environment's output. */
export function projectExceptions(environment: Environment, objects: readonly Manifest[]): ExceptionMatcher {
  const model = new Model(objects);
  const context: ExceptionContext = { environment, model, runtimePods: runtimePods(model, environment) };
  const byId = new Map(model.entries.map((entry) => [entry.id, entry]));
  return (finding) => {
    const entry = byId.get(finding.object);
    if (entry === undefined) return undefined;
    const rule = qualifiedRule(finding);
    return PROJECT_EXCEPTIONS.find((exception) => exception.rules.includes(rule) && exception.applies(entry, context))?.reason;
  };
}
