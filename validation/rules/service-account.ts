/**
 * pod/service-account — pods run as a dedicated ServiceAccount, and do not mount its API token unless
 * they need it: a leaked token of the shared `default` account is a foothold into the API server.
 */
import type { Violation } from '../types';
import { GK, asObj, asString, show, violation, type RuleFamily } from './model';

export const SERVICE_ACCOUNT = 'pod/service-account';

export const serviceAccountRules: RuleFamily = {
  ids: [SERVICE_ACCOUNT],
  check(model, _ctx, out: Violation[]) {
    for (const pod of model.pods) {
      // `serviceAccount` is the deprecated alias the API still honours.
      const name = asString(pod.spec.serviceAccountName) ?? asString(pod.spec.serviceAccount);
      if (!name || name === 'default') {
        out.push(
          violation(
            SERVICE_ACCOUNT,
            pod.entry,
            `${pod.path}.serviceAccountName`,
            `serviceAccountName is ${show(name)} (must name a dedicated, non-default ServiceAccount)`,
          ),
        );
      }
      const automount = pod.spec.automountServiceAccountToken;
      if (automount === false) continue;
      const path = `${pod.path}.automountServiceAccountToken`;
      if (automount === true) {
        out.push(
          violation(
            SERVICE_ACCOUNT,
            pod.entry,
            path,
            'automountServiceAccountToken is true (must be false; waive with a reason if the pod calls the API)',
          ),
        );
        continue;
      }
      const account = name ? model.get(GK.ServiceAccount, pod.entry.namespace, name) : undefined;
      if (account && asObj(account.obj)?.automountServiceAccountToken === false) continue;
      const why = account
        ? `and ${account.id} does not set automountServiceAccountToken: false`
        : `and ServiceAccount ${show(name ?? 'default')} is not emitted with automountServiceAccountToken: false`;
      out.push(
        violation(
          SERVICE_ACCOUNT,
          pod.entry,
          path,
          `automountServiceAccountToken is unset on the pod ${why} (the token must not be mounted)`,
        ),
      );
    }
  },
};
