/**
 * identity/workload-identity: an add-on that calls a cloud API does so as a cloud identity bound to its
 * Kubernetes ServiceAccount (GKE Workload Identity: annotation iam.gke.io/gcp-service-account; EKS
 * IRSA: eks.amazonaws.com/role-arn), never by assumption: without the annotation GKE's metadata server
 * answers as the node's service account (or refuses), and AWS falls back to the node's instance role.
 * - an External Secrets store reading Google Secret Manager through workloadIdentity, or AWS through a
 *   ServiceAccount's token (jwt): the account it names, emitted here or the operator's own from its
 *   chart's values (serviceAccount.name and .annotations), must carry the annotation;
 * - a ClusterIssuer solving DNS-01 in Cloud DNS or Route 53 without a key: cert-manager's chart values
 *   (serviceAccount.annotations) must carry it.
 */
import { EKS_IDENTITY_ANNOTATION, GKE_IDENTITY_ANNOTATION } from '../../lib/workload-identity';
import type { Violation } from '../types';
import { helmInstalls } from './addons';
import { asArray, asObj, asString, asStringMap, type Entry, GK, type Model, type RuleFamily, show, violation } from './model';

export const WORKLOAD_IDENTITY = 'identity/workload-identity';

const STORES = ['external-secrets.io/ClusterSecretStore', 'external-secrets.io/SecretStore'];

/** The annotations of the account `name` in `namespace`: emitted, or the chart's own from its values. */
export function accountAnnotations(
  model: Model,
  chart: string,
  namespace: string | undefined,
  name: string | undefined,
): Record<string, string> | undefined {
  const emitted = namespace === undefined || name === undefined ? undefined : model.get(GK.ServiceAccount, namespace, name);
  if (emitted !== undefined) return asStringMap(emitted.obj.metadata.annotations);
  for (const install of helmInstalls(model).filter((i) => i.chart === chart)) {
    const account = asObj(install.values.serviceAccount) ?? {};
    if (name === undefined || asString(account.name) === name) return asStringMap(account.annotations);
  }
  return undefined;
}

/**
 * How a store reaches a cloud: the ServiceAccount it names (a SecretStore's always in its own namespace:
 * the operator ignores serviceAccountRef.namespace there), the identity annotation that account needs,
 * and the path of the reference. Undefined for a store that authenticates otherwise (Vault).
 */
export function cloudStoreAuth(
  entry: Entry,
): { readonly name?: string; readonly namespace?: string; readonly annotation: string; readonly path: string } | undefined {
  const provider = asObj(asObj(entry.obj.spec)?.provider) ?? {};
  const gcp = asObj(asObj(asObj(provider.gcpsm)?.auth)?.workloadIdentity);
  const aws = asObj(asObj(asObj(provider.aws)?.auth)?.jwt);
  const [auth, annotation, path] =
    gcp !== undefined
      ? [gcp, GKE_IDENTITY_ANNOTATION, 'spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef']
      : aws !== undefined
        ? [aws, EKS_IDENTITY_ANNOTATION, 'spec.provider.aws.auth.jwt.serviceAccountRef']
        : [undefined, '', ''];
  if (auth === undefined) return undefined;
  const ref = asObj(auth.serviceAccountRef) ?? {};
  const namespace = entry.kind === 'SecretStore' ? entry.namespace : asString(ref.namespace);
  return {
    ...(asString(ref.name) === undefined ? {} : { name: asString(ref.name)! }),
    ...(namespace === undefined ? {} : { namespace }),
    annotation,
    path,
  };
}

function checkStores(model: Model, out: Violation[]): void {
  for (const entry of STORES.flatMap((gk) => model.ofKind(gk))) {
    const auth = cloudStoreAuth(entry);
    if (auth === undefined) continue;
    const { name, namespace, annotation, path } = auth;
    const annotations = accountAnnotations(model, 'external-secrets', namespace, name);
    if (annotations?.[annotation] !== undefined) continue;
    out.push(
      violation(
        WORKLOAD_IDENTITY,
        entry,
        path,
        `reads the cloud as ServiceAccount ${show(name ?? '(none)')}${namespace === undefined ? '' : ` of ${namespace}`}, which ${annotations === undefined ? 'is neither emitted nor set in the external-secrets chart values' : `carries no ${annotation} annotation`}: it would act as the node's identity, or be refused; bind it to its own cloud identity`,
      ),
    );
  }
}

function checkIssuers(model: Model, out: Violation[], issuerOf: (entry: Entry) => readonly unknown[]): void {
  for (const entry of model.ofKind('cert-manager.io/ClusterIssuer')) {
    issuerOf(entry).forEach((solver, i) => {
      const dns01 = asObj(asObj(solver)?.dns01) ?? {};
      const cloudDns = asObj(dns01.cloudDNS);
      const route53 = asObj(dns01.route53);
      const keyless =
        (cloudDns !== undefined && cloudDns.serviceAccountSecretRef === undefined) ||
        (route53 !== undefined && route53.accessKeyIDSecretRef === undefined && route53.role === undefined);
      if (!keyless) return;
      const annotation = cloudDns !== undefined ? GKE_IDENTITY_ANNOTATION : EKS_IDENTITY_ANNOTATION;
      const annotations = accountAnnotations(model, 'cert-manager', undefined, undefined);
      if (annotations?.[annotation] !== undefined) return;
      out.push(
        violation(
          WORKLOAD_IDENTITY,
          entry,
          `spec.acme.solvers[${i}].dns01`,
          `answers DNS-01 in ${cloudDns !== undefined ? 'Cloud DNS' : 'Route 53'} without a key, as cert-manager's ServiceAccount, whose chart values set no ${annotation} annotation: it would act as the node's identity; bind it to its own cloud identity`,
        ),
      );
    });
  }
}

export const workloadIdentityRules: RuleFamily = {
  ids: [WORKLOAD_IDENTITY],
  check(model, _ctx, out) {
    checkStores(model, out);
    checkIssuers(model, out, (entry) => asArray(asObj(asObj(entry.obj.spec)?.acme)?.solvers));
  },
};
