import { defineEnvironment } from './load';
import prod from './prod';

/**
 * EU (europe-west4, the EU region of AVL-06): an active region serving its own users
 * from its own host, so EU customers' data stays in the EU (GDPR, AVL-06). Sized by CAP-09's
 * ranges per region: API 5-20 pods, workers 5-30; the frontend and the AI service at
 * the API's floor and a ceiling their pools can hold.
 */
export default defineEnvironment({
  name: 'prod-eu',
  extends: prod,
  region: { name: 'europe-west4', role: 'active' },
  ingress: { host: 'eu.example.com' },
  nodePools: {
    frontend: { minNodes: 2, maxNodes: 8 },
    backend: { minNodes: 3, maxNodes: 12 },
    workers: { minNodes: 2, maxNodes: 10 },
  },
  services: {
    frontend: { replicas: { min: 5, max: 20 } },
    backend: { replicas: { min: 5, max: 20 } },
    ai: { replicas: { min: 2, max: 6 } },
    worker: { replicas: { min: 5, max: 30 } },
  },
  // The region's own connection strings: they name its data stores' endpoints.
  // Its own identities: no other region's store reads its secrets, nor it theirs.
  secrets: {
    prefix: 'platform-prod-eu',
    store: {
      identities: {
        platform: 'eso-platform-eu@platform-prod.iam.gserviceaccount.com',
        data: 'eso-data-eu@platform-prod.iam.gserviceaccount.com',
      },
    },
  },
  dataStores: {
    mongodb: { cidrs: ['10.120.2.0/24'] },
    // Its own primary and archive, in the EU: no cross-region replica (the data stays in the EU).
    postgres: {
      backups: {
        bucket: 'platform-prod-eu-postgres',
        // Its own identity: it writes this bucket only.
        credentials: { type: 'workload-identity', serviceAccount: 'pg-backup-eu@platform-prod.iam.gserviceaccount.com' },
      },
    },
  },
});
