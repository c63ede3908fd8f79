import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ObjectStore } from '../../imports/barmancloud.cnpg.io';
import type { BindingJson } from '../binding-json';
import type { ObjectStoreSpec } from '../../imports/barmancloud.cnpg.io';

/** How barman authenticates to Cloud Storage: GKE workload identity, or a key in a Secret. */
export type ArchiveCredentials =
  | { readonly type: 'workload-identity' }
  | { readonly type: 'secret'; readonly name: string; readonly key: string };

export interface BarmanArchiveProps {
  /** The ObjectStore's name: what a Cluster's plugin parameters call `barmanObjectName`. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** `gs://<bucket>/<path>`. */
  readonly destinationPath: string;
  /** How the plugin authenticates to the bucket (GKE workload identity or a key Secret). */
  readonly credentials: ArchiveCredentials;
  /**
   * Keep backups and WAL this many days (barman's recovery window), enforced by the plugin's sidecar.
   * @default - none: an archive this cluster only reads (the DR peer's) is never pruned from here
   */
  readonly retentionDays?: number;
  /** Requests and limits of the plugin's sidecar in each instance pod. @default - none set */
  readonly sidecarResources?: { readonly cpu: string; readonly memory: string };
}

/**
 * A Barman Cloud plugin ObjectStore (barmancloud.cnpg.io/v1): where a CloudNativePG cluster archives
 * its WAL and base backups, or reads another cluster's. WAL is compressed with zstd and base backups
 * with snappy; credentials are never a Secret in git: workload identity, or a Secret an ExternalSecret
 * writes.
 */
export class BarmanArchive extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: BarmanArchiveProps) {
    super(scope, id);
    this.name = props.name;
    if (props.retentionDays !== undefined && (!Number.isInteger(props.retentionDays) || props.retentionDays < 1)) {
      throw new Error(`${props.name}: retentionDays (${props.retentionDays}) must be a whole number of days, at least 1`);
    }
    const googleCredentials =
      props.credentials.type === 'workload-identity'
        ? { gkeEnvironment: true }
        : { applicationCredentials: { name: props.credentials.name, key: props.credentials.key } };
    const resources = props.sidecarResources && { requests: { ...props.sidecarResources }, limits: { ...props.sidecarResources } };
    new ApiObject(this, 'Resource', {
      ...ObjectStore.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        ...(props.retentionDays === undefined ? {} : { retentionPolicy: `${props.retentionDays}d` }),
        configuration: {
          destinationPath: props.destinationPath,
          googleCredentials,
          wal: { compression: 'zstd', maxParallel: 4 },
          data: { compression: 'snappy', jobs: 2 },
        },
        ...(resources === undefined ? {} : { instanceSidecarConfiguration: { resources } }),
      } satisfies BindingJson<ObjectStoreSpec>,
    });
  }
}
