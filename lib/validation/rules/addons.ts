/**
 * How the cluster add-ons are installed (Flux HelmReleases, Argo CD Applications with a Helm source):
 * - gitops/server-side-apply: every Argo CD Application of a Helm chart syncs server-side. Client-side
 *   apply keeps the whole object in an annotation limited to 262144 bytes, which several charts' CRDs
 *   exceed (KEDA's ScaledJob, External Secrets' stores, the Prometheus operator's): their sync fails.
 * - edge/client-address: the NGINX ingress controller does not take the client's address from a
 *   header the client can write. `use-forwarded-headers: "true"` trusts X-Forwarded-For from every
 *   peer in `proxy-real-ip-cidr` (default 0.0.0.0/0): a client names its own address and escapes
 *   per-address rate limits. It is allowed only with `proxy-real-ip-cidr` set to the proxies' ranges.
 */
import type { Violation } from '../types';
import { asArray, asObj, asString, show, violation, type Entry, type Model, type Obj, type RuleFamily } from './model';

export const SERVER_SIDE_APPLY = 'gitops/server-side-apply';
export const CLIENT_ADDRESS = 'edge/client-address';

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
    const chart = asString(source.chart);
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

export const addonRules: RuleFamily = {
  ids: [SERVER_SIDE_APPLY, CLIENT_ADDRESS],
  check(model, _ctx, out) {
    checkServerSideApply(model, out);
    checkClientAddress(model, out);
  },
};
