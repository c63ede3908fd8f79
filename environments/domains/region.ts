/** A production region's place in the multi-region setup. */
import { z } from 'zod';
import { strict } from './common';

export const RegionRole = { PRIMARY: 'primary', ACTIVE: 'active', STANDBY: 'standby' } as const;

export const region = strict({
  /** The cloud region, e.g. us-west1. */
  name: z.string().regex(/^[a-z0-9-]+$/, 'must be a cloud region name such as us-west1'),
  /** primary takes writes; active serves traffic too; standby stays warm for failover. */
  role: z.enum([RegionRole.PRIMARY, RegionRole.ACTIVE, RegionRole.STANDBY]),
});
