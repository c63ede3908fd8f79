/**
 * gitops/source-pinned: what Flux applies is what was reviewed. A GitRepository must either verify the
 * signature of what it checks out (`.spec.verify`: the HEAD commit, or the tag, signed by a key in its
 * Secret) or name the exact commit (`.spec.ref.commit`, which source-controller checks out in preference
 * to every other ref field): a branch or tag alone can be moved by whoever can push to that repository.
 */
import type { Violation } from '../types';
import { asObj, asString, type RuleFamily, violation } from './model';

export const SOURCE_PINNED = 'gitops/source-pinned';

const COMMIT = /^[0-9a-f]{40}$/;

export const gitopsSourceRules: RuleFamily = {
  ids: [SOURCE_PINNED],
  check(model, _ctx, out: Violation[]) {
    for (const entry of model.ofKind('source.toolkit.fluxcd.io/GitRepository')) {
      const spec = asObj(entry.obj.spec) ?? {};
      const ref = asObj(spec.ref) ?? {};
      const verified = asObj(asObj(spec.verify)?.secretRef)?.name !== undefined;
      const commit = asString(ref.commit);
      if (verified || (commit !== undefined && COMMIT.test(commit))) continue;
      const moving = asString(ref.tag) !== undefined ? `tag ${asString(ref.tag)}` : `branch ${asString(ref.branch) ?? 'master'}`;
      out.push(
        violation(
          SOURCE_PINNED,
          entry,
          'spec.ref',
          `follows ${moving} of ${asString(spec.url) ?? 'its repository'} without verifying a signature (spec.verify) or naming a commit (spec.ref.commit): whoever can move that ref decides what Flux applies`,
        ),
      );
    }
  },
};
