/** The Istio mesh the namespace runs in. */
import { z } from 'zod';
import { strict } from './common';

export const mesh = strict({
  /** Run the namespace in the Istio mesh: sidecars, STRICT mTLS, deny-by-default authorization. */
  enabled: z.boolean(),
  /** Istio trust domain of workload identities. */
  trustDomain: z.string().min(1),
});
