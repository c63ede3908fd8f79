/** How Argo Rollouts judge a release: the analyses and the smoke traffic of a blue-green preview. */
import { z } from 'zod';
import { ANALYSIS_DEFAULTS, SMOKE_IMAGE } from '../../lib/defaults';
import { image, strict } from './common';

/** How Rollouts judge a release (DEL-01, DEL-02). */
export const delivery = strict({
  /** Seconds between two measurements of an analysis. */
  analysisIntervalSeconds: z.number().int().min(10).max(3600).default(ANALYSIS_DEFAULTS.intervalSeconds),
  /** Measurements a blue-green preview must pass before it may be promoted. */
  prePromotionMeasurements: z.number().int().min(1).max(100).default(ANALYSIS_DEFAULTS.prePromotionMeasurements),
  /** Failed measurements that fail an analysis (and abort the rollout). */
  failureLimit: z.number().int().min(0).max(100).default(ANALYSIS_DEFAULTS.failureLimit),
  /** The image that sends a blue-green preview its smoke traffic (it runs `sh` and `curl`). */
  smokeImage: image.prefault({ ...SMOKE_IMAGE }),
});
