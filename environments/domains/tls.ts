/** The public certificate: its ACME issuer and how the challenge is answered. */
import { z } from 'zod';
import type { Environment as Env } from '../schema';
import { type Ctx, dnsLabel, strict } from './common';
import { awsRoleArn, gcpServiceAccount } from './secrets';

/** The ACME solvers, by their `type`. */
export const ACME_SOLVER_VARIANTS = [
  /** Proves control of each host through the NGINX ingress. */
  strict({ type: z.literal('http01') }),
  /** Google Cloud DNS, in the project that holds the zone, as cert-manager's Google service account (`identity`). */
  strict({ type: z.literal('dns01-clouddns'), project: z.string().min(1), identity: gcpServiceAccount }),
  /** AWS Route 53, through the region's API endpoint, as cert-manager's IAM role (`identity`). */
  strict({ type: z.literal('dns01-route53'), region: z.string().min(1), identity: awsRoleArn }),
] as const;

const acmeSolver = z.discriminatedUnion('type', ACME_SOLVER_VARIANTS, {
  error: () => 'must be one of the solvers: http01, dns01-clouddns (with project and identity), dns01-route53 (with region and identity)',
});

export const tls = strict({
  /** The cert-manager ClusterIssuer (SEC-10: Let's Encrypt, renewed automatically). */
  issuer: strict({
    name: dnsLabel,
    email: z.string().email(),
    server: z.string().url(),
    /** How the CA's challenge is answered: http01 through the ingress, or dns01 (wildcards need dns01). */
    solver: acmeSolver,
  }),
  /** A wildcard covering the hosts (SEC-10, e.g. *.eka-ai.in). @default - one name per host */
  wildcard: z
    .string()
    .regex(/^\*\.[a-z0-9.-]+$/, 'must be a wildcard such as *.example.com')
    .optional(),
});

/** A wildcard needs a DNS challenge. */
export function checkTls(env: Env, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  if (env.tls.wildcard !== undefined && env.tls.issuer.solver.type === 'http01') {
    issue(['tls', 'wildcard'], env.tls.wildcard, 'needs a dns01 solver: ACME issues wildcards only against DNS challenges');
  }
}
