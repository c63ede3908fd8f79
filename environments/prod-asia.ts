import { defineEnvironment } from './load';
import prod from './prod';

/**
 * Asia (asia-southeast1, Singapore): the warm standby, AVL-04's disaster-recovery region. It serves
 * the primary's public host so that failover is a routing change (AVL-04's runbook: point DNS at
 * the secondary), and keeps a minimum footprint that can grow to the primary's full size within the
 * recovery time objective (AVL-04: 15 minutes, 30 at most): two pods per web service, so
 * production's availability rules hold and nothing starts cold, and node pools that hold that floor
 * without adding a node. The ceilings are the primary's, so the HPAs (+100 % a minute) take a web
 * service from 2 to 40 pods in about five minutes; workers start from zero on the first queued task.
 * Promoting it is `role: 'active'` with the primary's floors.
 */
export default defineEnvironment({
  name: 'prod-asia',
  extends: prod,
  region: { name: 'asia-southeast1', role: 'standby' },
  nodePools: {
    frontend: { minNodes: 2 },
    backend: { minNodes: 2 },
    workers: { minNodes: 0 },
    // No project runs here until the region is promoted.
    sandbox: { minNodes: 0 },
  },
  services: {
    frontend: { replicas: { min: 2 } },
    backend: { replicas: { min: 2 } },
    ai: { replicas: { min: 2 } },
    worker: { replicas: { min: 0 }, queue: { scaleToZero: true } },
  },
  ingress: { replicas: 2 },
  // The region's own connection strings: they name its data stores' endpoints.
  // Its own identities: no other region's store reads its secrets, nor it theirs.
  secrets: {
    prefix: 'platform-prod-asia',
    store: {
      identities: {
        platform: 'eso-platform-asia@platform-prod.iam.gserviceaccount.com',
        data: 'eso-data-asia@platform-prod.iam.gserviceaccount.com',
      },
    },
  },
  dataStores: {
    mongodb: { cidrs: ['10.130.2.0/24'] },
    // DAT-04's DR standby: a replica cluster of one 2 vCPU / 8 GB instance, restored from the primary
    // region's archive and replaying it (RPO: archive_timeout plus the upload). Promoting the region
    // makes it a primary with its own archive; raise its size and instances with the role.
    postgres: {
      instances: 1,
      resources: { cpu: '2', memory: '8Gi' },
      // Its own identity: it writes this bucket and reads the peer's; it can touch no other region's archive.
      backups: {
        bucket: 'platform-prod-asia-postgres',
        credentials: { type: 'workload-identity', serviceAccount: 'pg-backup-asia@platform-prod.iam.gserviceaccount.com' },
      },
      replication: { region: 'us-west1', bucket: 'platform-prod-us-west-postgres' },
    },
  },
});
