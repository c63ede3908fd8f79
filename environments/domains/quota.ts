/** The namespace's resource quota. */
import { z } from 'zod';
import { strict } from './common';

export const quota = strict({
  /** Headroom over the autoscalers' maxima, percent, for rollouts' surge pods. */
  headroomPercent: z.number().int().min(0).max(400),
});
