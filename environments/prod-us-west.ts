import { defineEnvironment } from './load';
import prod from './prod';

/**
 * US West (us-west1, Oregon): seed 004's primary region, the one that takes writes. It runs prod's
 * plan as it is (seed 000's pod table and pools); only the region and the private endpoints of its
 * data stores differ, and its PostgreSQL archive
 * feeds the DR replica cluster in the standby region (prod-asia).
 */
export default defineEnvironment({
  name: 'prod-us-west',
  extends: prod,
  region: { name: 'us-west1', role: 'primary' },
  // The region's own connection strings: they name its data stores' endpoints.
  secrets: { prefix: 'platform-prod-us-west' },
  dataStores: {
    mongodb: { cidrs: ['10.110.2.0/24'] },
    // The DR pair's primary: its WAL archive feeds the replica cluster in asia-southeast1.
    postgres: {
      // Its own identity: it writes this bucket and reads the peer's; it can touch no other region's archive.
      backups: {
        bucket: 'platform-prod-us-west-postgres',
        credentials: { type: 'workload-identity', serviceAccount: 'pg-backup-us-west@platform-prod.iam.gserviceaccount.com' },
      },
      replication: { region: 'asia-southeast1', bucket: 'platform-prod-asia-postgres' },
    },
  },
});
