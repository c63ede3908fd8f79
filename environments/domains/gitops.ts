/** The GitOps controller that syncs the environment, and the signatures its commits must carry. */
import { z } from 'zod';
import type { Environment as Env } from '../schema';
import { type Ctx, strict } from './common';

export const gitops = strict({
  /** Which controller syncs this environment's folder. */
  tool: z.enum(['flux', 'argocd', 'both']),
  repository: z.string().url(),
  branch: z.string().min(1),
  /**
   * Flux applies only commits signed by the team: the branch's HEAD must carry a signature by a key in
   * the Secret `<env>-git-signers` of flux-system (GitRepository `.spec.verify`), created at bootstrap
   * from the team's public keys (README). @default true
   */
  verifyCommits: z.boolean().default(true),
  /**
   * The GPG key ids (16 or 40 hex digits, as `gpg --list-keys --keyid-format long` prints them) of the
   * team's signing keys: with `verifyCommits`, Argo CD syncs this repository only when its HEAD commit
   * is signed by one of them (AppProject `spec.sourceIntegrity.git`, mode head). Their public keys must
   * be in Argo CD's GnuPG keyring (the argocd-gpg-keys-cm ConfigMap, README). Required where Argo CD
   * syncs and `verifyCommits` is on. @default - none
   */
  signingKeys: z
    .array(z.string().regex(/^([0-9A-F]{16}|[0-9A-F]{40})$/, 'must be a GPG key id: 16 or 40 upper-case hex digits, e.g. 4AEE18F83AFDEB23'))
    .default([]),
});

/** Argo CD verifies commits only against keys its project names. */
export function checkGitops(env: Env, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  if (env.gitops.verifyCommits && env.gitops.tool !== 'flux' && env.gitops.signingKeys.length === 0) {
    issue(
      ['gitops', 'signingKeys'],
      env.gitops.signingKeys,
      `must name at least one GPG key id: Argo CD (gitops.tool ${env.gitops.tool}) verifies the commits it syncs only against keys its project names (or set verifyCommits: false)`,
    );
  }
}
