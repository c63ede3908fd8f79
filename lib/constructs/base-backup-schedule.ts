import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ScheduledBackup } from '../../imports/postgresql.cnpg.io';
import { BARMAN_PLUGIN } from '../data-names';
import { PropChecks } from '../prop-checks';
import type { BindingJson } from '../binding-json';
import type { ScheduledBackupSpec } from '../../imports/postgresql.cnpg.io';

export interface BaseBackupScheduleProps {
  /** The ScheduledBackup. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The CloudNativePG Cluster. */
  readonly cluster: string;
  /** A base backup every this many hours (1-24), on the hour from midnight UTC. */
  readonly everyHours: number;
}

/**
 * Base backups of a cluster through the Barman Cloud plugin, every few hours (DAT-07: 6), the first
 * one as soon as the schedule exists. CloudNativePG's schedule has six fields, seconds first; its
 * `method` defaults to the deprecated in-tree barmanObjectStore, so the plugin is named explicitly.
 * Backups are taken from a standby when there is one, sparing the primary.
 */
export class BaseBackupSchedule extends Construct {
  readonly schedule: string;

  constructor(scope: Construct, id: string, props: BaseBackupScheduleProps) {
    super(scope, id);
    new PropChecks(this).name('name', props.name);
    if (!Number.isInteger(props.everyHours) || props.everyHours < 1 || props.everyHours > 24) {
      throw new Error(`${props.name}: everyHours (${props.everyHours}) must be a whole number of hours, 1-24`);
    }
    this.schedule = props.everyHours === 24 ? '0 0 0 * * *' : `0 0 */${props.everyHours} * * *`;
    new ApiObject(this, 'Resource', {
      ...ScheduledBackup.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        cluster: { name: props.cluster },
        schedule: this.schedule,
        method: 'plugin',
        pluginConfiguration: { name: BARMAN_PLUGIN },
        immediate: true,
        backupOwnerReference: 'self',
        target: 'prefer-standby',
      } satisfies BindingJson<ScheduledBackupSpec>,
    });
  }
}
