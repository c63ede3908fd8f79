/**
 * gitops/stage-identity: a Flux Kustomization or HelmRelease without `spec.serviceAccountName` is
 * applied by kustomize-controller or helm-controller as themselves, and `flux install` binds both to
 * cluster-admin: a folder could then create any object, RBAC and webhooks included. Each must name a
 * ServiceAccount emitted in its own namespace (the controllers impersonate
 * system:serviceaccount:<namespace>:<name>), whose roles say what the stage may write.
 */
import type { Violation } from '../types';
import { asObj, asString, GK, type RuleFamily, show, violation } from './model';

export const STAGE_IDENTITY = 'gitops/stage-identity';

const APPLIERS = ['kustomize.toolkit.fluxcd.io/Kustomization', 'helm.toolkit.fluxcd.io/HelmRelease'];

export const fluxIdentityRules: RuleFamily = {
  ids: [STAGE_IDENTITY],
  check(model, _ctx, out: Violation[]) {
    for (const entry of APPLIERS.flatMap((gk) => model.ofKind(gk))) {
      const account = asString(asObj(entry.obj.spec)?.serviceAccountName);
      if (account === undefined) {
        out.push(
          violation(
            STAGE_IDENTITY,
            entry,
            'spec.serviceAccountName',
            `sets no serviceAccountName: Flux applies it as its own controller, which flux install binds to cluster-admin; name a ServiceAccount of ${entry.namespace} whose roles allow what this ${entry.kind} writes`,
          ),
        );
      } else if (model.get(GK.ServiceAccount, entry.namespace, account) === undefined) {
        out.push(
          violation(
            STAGE_IDENTITY,
            entry,
            'spec.serviceAccountName',
            `names ServiceAccount ${show(account)}, which is not emitted in namespace ${entry.namespace}: Flux's impersonation would fail, or use an account whose rights nobody reviewed`,
          ),
        );
      }
    }
  },
};
