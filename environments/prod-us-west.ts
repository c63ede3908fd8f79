import { defineEnvironment } from './load';
import prod from './prod';

/**
 * US West (us-west1, Oregon): seed 004's primary region, the one that takes writes. It runs prod's
 * plan as it is (seed 000's pod table and pools); only the region and the private endpoints of its
 * data stores differ.
 */
export default defineEnvironment({
  name: 'prod-us-west',
  extends: prod,
  region: { name: 'us-west1', role: 'primary' },
  // The region's own connection strings: they name its data stores' endpoints.
  secrets: { prefix: 'platform-prod-us-west' },
  dataStores: {
    postgres: { cidrs: ['10.110.0.0/24'] },
    redis: { cidrs: ['10.110.1.0/24'] },
    mongodb: { cidrs: ['10.110.2.0/24'] },
  },
});
