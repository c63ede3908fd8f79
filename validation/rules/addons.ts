/**
 * How the cluster add-ons are installed (Flux HelmReleases, Argo CD Applications with a Helm source):
 * - gitops/server-side-apply: every Argo CD Application of a Helm chart syncs server-side. Client-side
 *   apply keeps the whole object in an annotation limited to 262144 bytes, which several charts' CRDs
 *   exceed (KEDA's ScaledJob, External Secrets' stores, the Prometheus operator's): their sync fails.
 * - edge/client-address: the NGINX ingress controller does not take the client's address from a
 *   header the client can write. `use-forwarded-headers: "true"` trusts X-Forwarded-For from every
 *   peer in `proxy-real-ip-cidr` (default 0.0.0.0/0): a client names its own address and escapes
 *   per-address rate limits. It is allowed only with `proxy-real-ip-cidr` set to the proxies' ranges.
 * - addon/kubernetes: every chart supports the cluster's Kubernetes minor (lib/addons/chart-facts.ts
 *   records each project's documented range); an unknown chart cannot be shown to, so it fails.
 * - addon/pod-admissible: every pod a chart runs (with the values given) is admitted by its namespace:
 *   its Pod Security level is at least the one the namespace enforces, and in a namespace with Istio
 *   injection a Job gets no sidecar (a classic sidecar never exits, so the Job, and the release waiting
 *   on it, never finish) and a pod has a pod-level seccomp profile for the containers Istio adds.
 * - addon/gateway-api: the Gateway API CRDs installed (Flux GitRepository, Argo CD Application of
 *   kubernetes-sigs/gateway-api) are of the minor every Gateway controller in the set is built on
 *   (lib/addons/chart-facts.ts `gatewayApi`). On another minor NGINX Gateway Fabric's GatewayClass reports
 *   SupportedVersion=False, and from v1.6 on the CRDs' safe-upgrades policy refuses to go back. A
 *   controller with no visible CRD install, or a CRD ref that is no release tag, cannot be shown to match: it fails.
 * - gitops/controller-owned: an Argo CD Application (which self-heals) ignores the fields the chart's
 *   own controllers change after install (webhook CA bundles, istiod's failurePolicy), or it would put
 *   them back on every sync and fight the controller forever.
 */
import { CHART_FACTS, type ChartFacts, type ValuesPath, gatewayApiMinor, showRange, supports } from '../../lib/addons/chart-facts';
import { GATEWAY_API_CRDS } from '../../lib/addons/chart-versions';
import { PodSecurityLevel } from '../../lib/pod-security';
import type { Violation } from '../types';
import { asArray, asObj, asString, show, violation, type Entry, type Model, type Obj, type RuleFamily } from './model';

export const SERVER_SIDE_APPLY = 'gitops/server-side-apply';
export const CLIENT_ADDRESS = 'edge/client-address';
export const ADDON_KUBERNETES = 'addon/kubernetes';
export const POD_ADMISSIBLE = 'addon/pod-admissible';
export const CONTROLLER_OWNED = 'gitops/controller-owned';
export const GATEWAY_API = 'addon/gateway-api';

/** A Helm release as either GitOps tool writes it: the chart's name, its values and where they are. */
export interface HelmInstall {
  readonly entry: Entry;
  readonly chart: string;
  readonly values: Obj;
  readonly valuesPath: string;
}

/** Every Helm release in the set: HelmReleases and Argo CD Applications with a chart source. */
export function helmInstalls(model: Model): HelmInstall[] {
  const releases = model.ofKind('helm.toolkit.fluxcd.io/HelmRelease').map((entry) => {
    const spec = asObj(entry.obj.spec) ?? {};
    return {
      entry,
      chart: asString(asObj(asObj(spec.chart)?.spec)?.chart) ?? '',
      values: asObj(spec.values) ?? {},
      valuesPath: 'spec.values',
    };
  });
  const applications = model.ofKind('argoproj.io/Application').flatMap((entry) => {
    const source = asObj(asObj(entry.obj.spec)?.source) ?? {};
    // An OCI source names the chart artifact itself: oci://<registry>/<path>/<chart>.
    const oci = /^oci:\/\/.+\/([^/]+)$/.exec(asString(source.repoURL) ?? '');
    const chart = asString(source.chart) ?? oci?.[1];
    if (chart === undefined) return [];
    return [{ entry, chart, values: asObj(asObj(source.helm)?.valuesObject) ?? {}, valuesPath: 'spec.source.helm.valuesObject' }];
  });
  return [...releases, ...applications];
}

function checkServerSideApply(model: Model, out: Violation[]): void {
  for (const install of helmInstalls(model)) {
    if (install.entry.kind !== 'Application') continue;
    const options = asArray(asObj(asObj(install.entry.obj.spec)?.syncPolicy)?.syncOptions);
    if (!options.includes('ServerSideApply=true')) {
      out.push(
        violation(
          SERVER_SIDE_APPLY,
          install.entry,
          'spec.syncPolicy.syncOptions',
          `chart ${show(install.chart)} is applied client-side: a CRD larger than the last-applied annotation's 262144 bytes fails the sync; add ServerSideApply=true`,
        ),
      );
    }
  }
}

function checkClientAddress(model: Model, out: Violation[]): void {
  for (const install of helmInstalls(model)) {
    if (install.chart !== 'ingress-nginx') continue;
    const config = asObj(asObj(install.values.controller)?.config) ?? {};
    const trusted = asString(config['proxy-real-ip-cidr']);
    if (
      String(config['use-forwarded-headers']) === 'true' &&
      (trusted === undefined || trusted.split(',').some((c) => c.trim() === '0.0.0.0/0'))
    ) {
      out.push(
        violation(
          CLIENT_ADDRESS,
          install.entry,
          `${install.valuesPath}.controller.config["use-forwarded-headers"]`,
          `X-Forwarded-For is trusted from ${show(trusted ?? '0.0.0.0/0 (the default)')}: any client can set its own address and bypass per-address rate limits; behind a layer-4 load balancer leave it "false", behind a proxy set proxy-real-ip-cidr to the proxy's ranges`,
        ),
      );
    }
  }
}

function factsOf(install: HelmInstall, out: Violation[]): ChartFacts | undefined {
  const facts = CHART_FACTS[install.chart];
  if (facts === undefined) {
    out.push(
      violation(
        ADDON_KUBERNETES,
        install.entry,
        install.entry.kind === 'Application' ? 'spec.source.chart' : 'spec.chart.spec.chart',
        `no facts recorded for chart ${show(install.chart)} (lib/addons/chart-facts.ts): its supported Kubernetes versions and its pods cannot be checked`,
      ),
    );
  }
  return facts;
}

function checkKubernetes(install: HelmInstall, facts: ChartFacts, version: string | undefined, out: Violation[]): void {
  if (version === undefined || supports(facts.kubernetes, version)) return;
  out.push(
    violation(
      ADDON_KUBERNETES,
      install.entry,
      install.entry.kind === 'Application' ? 'spec.source.targetRevision' : 'spec.chart.spec.version',
      `the cluster runs Kubernetes ${version}, but ${facts.chart} ${facts.appVersion} supports ${showRange(facts.kubernetes)} (${facts.kubernetes.source})`,
    ),
  );
}

const LEVELS: readonly PodSecurityLevel[] = [PodSecurityLevel.PRIVILEGED, PodSecurityLevel.BASELINE, PodSecurityLevel.RESTRICTED];

function valueAt(values: Obj, path: ValuesPath): unknown {
  let node: unknown = values;
  for (const key of path) node = asObj(node)?.[key];
  return node;
}

function targetNamespace(install: HelmInstall): string | undefined {
  const spec = asObj(install.entry.obj.spec) ?? {};
  return install.entry.kind === 'Application' ? asString(asObj(spec.destination)?.namespace) : asString(spec.targetNamespace);
}

/** The labels the install's namespace gets: its Namespace object, or the Application's managed namespace metadata. */
function namespaceLabels(model: Model, install: HelmInstall): Record<string, string> | undefined {
  const name = targetNamespace(install);
  if (name === undefined) return undefined;
  const managed = asObj(asObj(asObj(asObj(install.entry.obj.spec)?.syncPolicy)?.managedNamespaceMetadata)?.labels);
  const object = asObj(model.get('/Namespace', '', name)?.obj.metadata)?.labels;
  const labels = asObj(managed ?? object);
  return labels === undefined
    ? undefined
    : (Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])) as Record<string, string>);
}

function checkPods(model: Model, install: HelmInstall, facts: ChartFacts, out: Violation[]): void {
  const labels = namespaceLabels(model, install);
  if (labels === undefined) return; // A namespace the cluster owns (kube-system): not ours to label or judge.
  const enforce = (labels['pod-security.kubernetes.io/enforce'] ?? PodSecurityLevel.PRIVILEGED) as PodSecurityLevel;
  const injected = labels['istio-injection'] === 'enabled';
  for (const pod of facts.pods) {
    if (pod.enabledBy !== undefined && valueAt(install.values, pod.enabledBy) === false) continue;
    const at = (path: ValuesPath) => `${install.valuesPath}.${path.join('.')}`;
    const set = pod.restrictedBy === undefined ? undefined : asObj(valueAt(install.values, pod.restrictedBy.path));
    const restricted =
      set !== undefined && Object.entries(pod.restrictedBy?.value ?? {}).every(([k, v]) => JSON.stringify(set[k]) === JSON.stringify(v));
    const level = restricted ? PodSecurityLevel.RESTRICTED : pod.level;
    if (LEVELS.indexOf(level) < LEVELS.indexOf(enforce)) {
      const fix =
        pod.restrictedBy === undefined
          ? 'no values make it pass: run it in a namespace that enforces less'
          : `set ${at(pod.restrictedBy.path)} to ${JSON.stringify(pod.restrictedBy.value)}`;
      out.push(
        violation(
          POD_ADMISSIBLE,
          install.entry,
          install.valuesPath,
          `pod ${pod.name} of ${facts.chart} meets Pod Security "${level}" but namespace ${targetNamespace(install)} enforces "${enforce}": ${fix}`,
        ),
      );
    }
    if (!injected || pod.injectionOffBuiltIn) continue;
    const off =
      pod.injectionOff === undefined ? undefined : asObj(valueAt(install.values, pod.injectionOff.path))?.['sidecar.istio.io/inject'];
    if (pod.kind === 'job' && off !== 'false') {
      const fix =
        pod.injectionOff === undefined
          ? 'the chart offers no way to keep the sidecar out: do not inject its namespace'
          : `set ${at(pod.injectionOff.path)}["sidecar.istio.io/inject"] to "false"`;
      out.push(
        violation(
          POD_ADMISSIBLE,
          install.entry,
          install.valuesPath,
          `Job ${pod.name} of ${facts.chart} would get an Istio sidecar in ${targetNamespace(install)} and never complete: ${fix}`,
        ),
      );
    }
    if (
      pod.kind === 'workload' &&
      off !== 'false' &&
      enforce === PodSecurityLevel.RESTRICTED &&
      pod.restrictedBy !== undefined &&
      !restricted
    ) {
      out.push(
        violation(
          POD_ADMISSIBLE,
          install.entry,
          at(pod.restrictedBy.path),
          `pod ${pod.name} of ${facts.chart} gets Istio's containers in ${targetNamespace(install)}, which carry no seccomp profile of their own: set ${at(pod.restrictedBy.path)} to ${JSON.stringify(pod.restrictedBy.value)}`,
        ),
      );
    }
  }
}

function checkControllerOwned(install: HelmInstall, facts: ChartFacts, out: Violation[]): void {
  if (install.entry.kind !== 'Application' || facts.drifting.length === 0) return;
  const spec = asObj(install.entry.obj.spec) ?? {};
  const ignored = asArray(spec.ignoreDifferences).map(asObj);
  const respected = asArray(asObj(spec.syncPolicy)?.syncOptions).includes('RespectIgnoreDifferences=true');
  for (const field of facts.drifting) {
    const covered = ignored.some((rule) => asString(rule?.kind) === field.kind && asArray(rule?.jqPathExpressions).includes(field.jqPath));
    if (!covered || !respected) {
      out.push(
        violation(
          CONTROLLER_OWNED,
          install.entry,
          'spec.ignoreDifferences',
          `${field.kind} ${field.jqPath} of ${facts.chart} is changed by its controller (${field.why}): ignore it (jqPathExpressions) with RespectIgnoreDifferences=true, or every sync reverts it`,
        ),
      );
    }
  }
}

/** Where the set installs Gateway API's CRDs from: the object, the field and the git ref it names. */
interface GatewayApiCrdInstall {
  readonly entry: Entry;
  readonly path: string;
  readonly ref: string;
}

function gatewayApiCrdInstalls(model: Model): GatewayApiCrdInstall[] {
  const sameRepository = (url: string | undefined) => url?.replace(/\.git$/, '').replace(/\/$/, '') === GATEWAY_API_CRDS.repository;
  const flux = model.ofKind('source.toolkit.fluxcd.io/GitRepository').flatMap((entry) => {
    const spec = asObj(entry.obj.spec) ?? {};
    if (!sameRepository(asString(spec.url))) return [];
    const ref = asObj(spec.ref) ?? {};
    return [
      { entry, path: 'spec.ref.tag', ref: asString(ref.tag) ?? asString(ref.semver) ?? asString(ref.commit) ?? asString(ref.branch) ?? '' },
    ];
  });
  const argo = model.ofKind('argoproj.io/Application').flatMap((entry) => {
    const source = asObj(asObj(entry.obj.spec)?.source) ?? {};
    if (!sameRepository(asString(source.repoURL))) return [];
    const revision = asString(source.targetRevision) ?? '';
    // A commit is read as the tag it was pinned from.
    return [{ entry, path: 'spec.source.targetRevision', ref: revision === GATEWAY_API_CRDS.commit ? GATEWAY_API_CRDS.tag : revision }];
  });
  return [...flux, ...argo];
}

function checkGatewayApi(model: Model, out: Violation[]): void {
  const controllers = helmInstalls(model).flatMap((install) => {
    const facts = CHART_FACTS[install.chart];
    return facts?.gatewayApi === undefined ? [] : [{ install, facts, support: facts.gatewayApi }];
  });
  if (controllers.length === 0) return;
  const crds = gatewayApiCrdInstalls(model);
  if (crds.length === 0) {
    for (const { install, facts } of controllers) {
      out.push(
        violation(
          GATEWAY_API,
          install.entry,
          install.valuesPath,
          `${facts.chart} ${facts.appVersion} needs Gateway API ${facts.gatewayApi?.version}'s CRDs, but nothing in the set installs them from ${GATEWAY_API_CRDS.repository}: the version it gets cannot be shown`,
        ),
      );
    }
    return;
  }
  for (const crd of crds) {
    const installed = gatewayApiMinor(crd.ref);
    for (const { facts, support } of controllers) {
      if (installed !== undefined && installed === gatewayApiMinor(support.version)) continue;
      const what = installed === undefined ? `${show(crd.ref)}, which is no release tag` : `Gateway API ${crd.ref}`;
      out.push(
        violation(
          GATEWAY_API,
          crd.entry,
          crd.path,
          `the CRDs are ${what}, but ${facts.chart} ${facts.appVersion} is built on ${support.version} (${support.source}): its GatewayClass reports SupportedVersion=False; install ${support.version}`,
        ),
      );
    }
  }
}

export const addonRules: RuleFamily = {
  ids: [SERVER_SIDE_APPLY, CLIENT_ADDRESS, ADDON_KUBERNETES, POD_ADMISSIBLE, CONTROLLER_OWNED, GATEWAY_API],
  check(model, ctx, out) {
    checkServerSideApply(model, out);
    checkClientAddress(model, out);
    checkGatewayApi(model, out);
    for (const install of helmInstalls(model)) {
      const facts = factsOf(install, out);
      if (facts === undefined) continue;
      checkKubernetes(install, facts, ctx.kubernetesVersion, out);
      checkPods(model, install, facts, out);
      checkControllerOwned(install, facts, out);
    }
  },
};
