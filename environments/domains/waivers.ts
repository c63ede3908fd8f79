/** Per-object exceptions to a rule of the output's checks, each with its reason. */
import { z } from 'zod';
import { dnsLabel, strict } from './common';

/**
 * A rule waived for one object, with the reason. The project's own exceptions to the community
 * checkers are rules over the model (app/verify/exceptions.ts) and need no waiver here.
 */
export const waiver = strict({
  kind: z.string().min(1),
  /** The object's namespace; leave it out only for a cluster-scoped object. */
  namespace: dnsLabel.optional(),
  name: z.string().min(1),
  rule: z.string().min(1),
  reason: z.string().trim().min(10, 'must explain why the rule does not apply (at least 10 characters)'),
});
