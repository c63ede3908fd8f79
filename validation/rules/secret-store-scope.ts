/**
 * secrets/store-per-namespace: whoever may create an ExternalSecret in a namespace reads everything
 * the stores that namespace can name may read. So each namespace reads its own store, as its own
 * identity:
 * - a ClusterSecretStore that admits several namespaces (several in `conditions`, a selector or a
 *   pattern, or no conditions at all: every namespace) reads all their secrets as one identity, so an
 *   editor of one namespace reads the others' secrets;
 * - two stores of different namespaces that read a cloud as the same identity (their ServiceAccounts'
 *   iam.gke.io/gcp-service-account or eks.amazonaws.com/role-arn) are one identity for both namespaces,
 *   whatever the stores are called.
 * Each identity's cloud grants (its namespace's secrets only) are cloud configuration (README "Secrets").
 */
import type { Violation } from '../types';
import { asArray, asObj, asString, type Entry, type RuleFamily, show, violation } from './model';
import { accountAnnotations, cloudStoreAuth } from './workload-identity';

export const STORE_PER_NAMESPACE = 'secrets/store-per-namespace';

const CLUSTER_STORE = 'external-secrets.io/ClusterSecretStore';
const STORE = 'external-secrets.io/SecretStore';

/** The namespaces a ClusterSecretStore admits: a list, or undefined for every namespace (or a selector or pattern). */
function admitted(entry: Entry): string[] | undefined {
  const conditions = asArray(asObj(entry.obj.spec)?.conditions).map((c) => asObj(c) ?? {});
  if (conditions.length === 0) return undefined;
  if (conditions.some((c) => c.namespaceSelector !== undefined || c.namespaceRegexes !== undefined)) return undefined;
  return [...new Set(conditions.flatMap((c) => asArray(c.namespaces).flatMap((n) => (asString(n) === undefined ? [] : [asString(n)!]))))];
}

export const secretStoreScopeRules: RuleFamily = {
  ids: [STORE_PER_NAMESPACE],
  check(model, _ctx, out: Violation[]) {
    for (const entry of model.ofKind(CLUSTER_STORE)) {
      const namespaces = admitted(entry);
      if (namespaces !== undefined && namespaces.length <= 1) continue;
      out.push(
        violation(
          STORE_PER_NAMESPACE,
          entry,
          'spec.conditions',
          `${namespaces === undefined ? 'admits every namespace (or any a selector or pattern matches)' : `admits namespaces ${namespaces.join(', ')}`}, which then read each other's secrets as one identity: give each namespace a SecretStore of its own, reading as that namespace's identity`,
        ),
      );
    }
    // Identity (annotation value) -> the first store reading as it.
    const readers = new Map<string, Entry>();
    for (const entry of [...model.ofKind(STORE), ...model.ofKind(CLUSTER_STORE)]) {
      const auth = cloudStoreAuth(entry);
      if (auth === undefined) continue;
      const identity = accountAnnotations(model, 'external-secrets', auth.namespace, auth.name)?.[auth.annotation];
      if (identity === undefined) continue;
      const first = readers.get(identity);
      if (first === undefined) {
        readers.set(identity, entry);
        continue;
      }
      if (first.namespace === entry.namespace) continue;
      out.push(
        violation(
          STORE_PER_NAMESPACE,
          entry,
          auth.path,
          `reads as ${show(identity)}, the identity ${first.id} reads as too: ${entry.namespace || 'the cluster'} and ${first.namespace || 'the cluster'} would read each other's secrets; give each namespace its own identity`,
        ),
      );
    }
  },
};
