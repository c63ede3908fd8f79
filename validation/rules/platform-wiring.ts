/**
 * Wiring between objects that a controller acts on, checked where a mistake is silent until traffic
 * or a controller fails:
 * - secrets/remote-key: an ExternalSecret's remote keys are valid names in its store's provider:
 *   Google Secret Manager secret IDs are letters, digits, "-" and "_" (at most 255); AWS Secrets
 *   Manager names letters, digits and "/_+=.@-" (at most 512). A key outside those is refused by the
 *   provider on every sync.
 * - ref/acme-solver: an ACME issuer that answers HTTP-01 challenges can be reached: cert-manager runs
 *   the solver pod (label acme.cert-manager.io/http01-solver, port 8089) in each Certificate's
 *   namespace, and a default-deny NetworkPolicy there must be opened for it.
 * - mesh/proxy-lifecycle: in a namespace with Istio injection, a long-running pod holds its app until
 *   the proxy is ready and keeps the proxy draining through most of its grace period
 *   (`proxy.istio.io/config` holdApplicationUntilProxyStarts and terminationDrainDuration), or the
 *   proxy exits after Istio's 5 s default and cuts connections a task or request still needs.
 */
import type { Violation } from '../types';
import {
  GK,
  asArray,
  asObj,
  asString,
  asStringMap,
  isObj,
  selectorMatches,
  show,
  violation,
  type Entry,
  type Model,
  type PodRef,
  type RuleFamily,
} from './model';

export const REMOTE_KEY = 'secrets/remote-key';
export const ACME_SOLVER = 'ref/acme-solver';
export const PROXY_LIFECYCLE = 'mesh/proxy-lifecycle';

const PROVIDER_KEYS: Readonly<Record<string, { readonly pattern: RegExp; readonly allowed: string }>> = {
  gcpsm: { pattern: /^[A-Za-z0-9_-]{1,255}$/, allowed: 'letters, digits, "-" and "_", at most 255 (Google Secret Manager secret IDs)' },
  aws: { pattern: /^[A-Za-z0-9/_+=.@-]{1,512}$/, allowed: 'letters, digits and /_+=.@-, at most 512 (AWS Secrets Manager names)' },
};

function storeProvider(model: Model, external: Entry): string | undefined {
  const ref = asObj(asObj(external.obj.spec)?.secretStoreRef);
  const name = asString(ref?.name);
  if (name === undefined) return undefined;
  const store =
    asString(ref?.kind) === 'ClusterSecretStore'
      ? model.get('external-secrets.io/ClusterSecretStore', '', name)
      : model.get('external-secrets.io/SecretStore', external.namespace, name);
  const provider = asObj(asObj(store?.obj.spec)?.provider);
  return provider === undefined ? undefined : Object.keys(provider)[0];
}

function checkRemoteKeys(model: Model, out: Violation[]): void {
  for (const external of model.ofKind('external-secrets.io/ExternalSecret')) {
    const provider = storeProvider(model, external);
    const rule = provider === undefined ? undefined : PROVIDER_KEYS[provider];
    if (rule === undefined) continue;
    asArray(asObj(external.obj.spec)?.data).forEach((item, i) => {
      const key = asString(asObj(asObj(item)?.remoteRef)?.key);
      if (key !== undefined && !rule.pattern.test(key)) {
        out.push(
          violation(
            REMOTE_KEY,
            external,
            `spec.data[${i}].remoteRef.key`,
            `key ${show(key)} is not a valid name in ${provider}: ${rule.allowed}`,
          ),
        );
      }
    });
  }
}

const SOLVER_LABEL = 'acme.cert-manager.io/http01-solver';
const SOLVER_PORT = 8089;

function http01(issuer: Entry | undefined): boolean {
  return asArray(asObj(asObj(issuer?.obj.spec)?.acme)?.solvers).some((s) => asObj(asObj(s)?.http01) !== undefined);
}

/** The NetworkPolicies of a namespace that select a pod with these labels and restrict its ingress. */
function ingressPolicies(model: Model, namespace: string, labels: Record<string, string>): Entry[] {
  return model.ofKind(GK.NetworkPolicy).filter((np) => {
    if (np.namespace !== namespace) return false;
    const spec = asObj(np.obj.spec) ?? {};
    const types = asArray(spec.policyTypes);
    return (types.length === 0 || types.includes('Ingress')) && selectorMatches(spec.podSelector ?? {}, labels);
  });
}

function allowsPort(policy: Entry, port: number): boolean {
  return asArray(asObj(policy.obj.spec)?.ingress).some((rule) => {
    const ports = asArray(asObj(rule)?.ports);
    return ports.length === 0 || ports.some((p) => asObj(p)?.port === port);
  });
}

function checkSolvers(model: Model, out: Violation[]): void {
  const solverPod = { [SOLVER_LABEL]: 'true' };
  for (const certificate of model.ofKind('cert-manager.io/Certificate')) {
    const ref = asObj(asObj(certificate.obj.spec)?.issuerRef);
    const name = asString(ref?.name) ?? '';
    const issuer =
      asString(ref?.kind) === 'ClusterIssuer'
        ? model.get('cert-manager.io/ClusterIssuer', '', name)
        : model.get('cert-manager.io/Issuer', certificate.namespace, name);
    if (!http01(issuer)) continue;
    const policies = ingressPolicies(model, certificate.namespace, solverPod);
    if (policies.length > 0 && !policies.some((p) => allowsPort(p, SOLVER_PORT))) {
      out.push(
        violation(
          ACME_SOLVER,
          certificate,
          'spec.issuerRef',
          `${issuer?.id ?? name} answers HTTP-01 challenges with a solver pod in ${certificate.namespace}, but ${policies.map((p) => p.id).join(', ')} admit nothing to its port ${SOLVER_PORT}: open it to the ingress controller for pods labelled ${SOLVER_LABEL}=true`,
        ),
      );
    }
  }
}

const PROXY_CONFIG = 'proxy.istio.io/config';
/** The drain must cover all but this much of the grace period: the last request or task still needs the proxy. */
const MAX_DRAIN_SHORTFALL_SECONDS = 30;

function injected(model: Model, pod: PodRef): boolean {
  const podLabels = pod.labels;
  if (podLabels['sidecar.istio.io/inject'] === 'false') return false;
  if (podLabels['sidecar.istio.io/inject'] === 'true') return true;
  const namespace = model.get(GK.Namespace, '', pod.entry.namespace);
  return asStringMap(asObj(namespace?.obj.metadata)?.labels)['istio-injection'] === 'enabled';
}

function seconds(duration: unknown): number | undefined {
  const match = typeof duration === 'string' ? /^(\d+(\.\d+)?)s$/.exec(duration) : null;
  return match ? Number(match[1]) : undefined;
}

function checkProxyLifecycle(model: Model, out: Violation[]): void {
  for (const pod of model.pods) {
    if (!pod.longRunning || !injected(model, pod)) continue;
    const annotations = asStringMap(asObj(asObj(metaOf(pod))?.annotations));
    const at = `${pod.metaPath}.annotations["${PROXY_CONFIG}"]`;
    const raw = annotations[PROXY_CONFIG];
    let config: Record<string, unknown> | undefined;
    try {
      config = raw === undefined ? undefined : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      config = undefined;
    }
    if (config === undefined || !isObj(config)) {
      out.push(
        violation(
          PROXY_LIFECYCLE,
          pod.entry,
          at,
          `no proxy configuration (JSON) in an injected pod: Istio's proxy drains for 5 s and exits while the app may still work; set holdApplicationUntilProxyStarts and terminationDrainDuration`,
        ),
      );
      continue;
    }
    if (config.holdApplicationUntilProxyStarts !== true) {
      out.push(
        violation(
          PROXY_LIFECYCLE,
          pod.entry,
          at,
          'holdApplicationUntilProxyStarts is not true: the app may start before its proxy and fail its first connections',
        ),
      );
    }
    const grace = typeof pod.spec.terminationGracePeriodSeconds === 'number' ? pod.spec.terminationGracePeriodSeconds : 30;
    const drain = seconds(config.terminationDrainDuration);
    if (drain === undefined || drain >= grace || drain < grace - MAX_DRAIN_SHORTFALL_SECONDS) {
      out.push(
        violation(
          PROXY_LIFECYCLE,
          pod.entry,
          at,
          `terminationDrainDuration ${show(config.terminationDrainDuration)} must be below the grace period (${grace}s) and no more than ${MAX_DRAIN_SHORTFALL_SECONDS}s short of it, so the proxy outlasts the work and exits before SIGKILL`,
        ),
      );
    }
  }
}

function metaOf(pod: PodRef): unknown {
  let node: unknown = pod.entry.obj;
  for (const key of pod.metaPath.split('.')) node = asObj(node)?.[key];
  return node;
}

export const platformWiringRules: RuleFamily = {
  ids: [REMOTE_KEY, ACME_SOLVER, PROXY_LIFECYCLE],
  check(model, _ctx, out) {
    checkRemoteKeys(model, out);
    checkSolvers(model, out);
    checkProxyLifecycle(model, out);
  },
};
