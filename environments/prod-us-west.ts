import { defineEnvironment } from './load';
import prod from './prod';

/**
 * US West (us-west1, Oregon): AVL-04's primary region, the one that takes writes. It runs prod's
 * plan as it is (CAP-01's pod table and CAP-02's pools); only the region and the private endpoints of its
 * data stores differ, and its PostgreSQL archive
 * feeds the DR replica cluster in the standby region (prod-asia).
 */
export default defineEnvironment({
  name: 'prod-us-west',
  extends: prod,
  region: { name: 'us-west1', role: 'primary' },
  // The region's own connection strings: they name its data stores' endpoints.
  // Its own identities: no other region's store reads its secrets, nor it theirs.
  secrets: {
    prefix: 'platform-prod-us-west',
    store: {
      identities: {
        platform: 'eso-platform-us-west@platform-prod.iam.gserviceaccount.com',
        data: 'eso-data-us-west@platform-prod.iam.gserviceaccount.com',
      },
    },
  },
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
