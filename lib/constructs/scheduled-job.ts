/**
 * A periodic job of the platform: a CronJob whose runs cannot pile up (its concurrency policy), hang
 * (the Job's deadline), or start long after their time (the starting deadline), and whose finished
 * Jobs are kept only as long as the history says.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PropChecks } from '../prop-checks';

export interface ScheduledJobProps {
  /** The CronJob's name. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Readonly<Record<string, string>>;
  /** Cron schedule (five fields or a descriptor such as @daily). */
  readonly schedule: string;
  /** IANA time zone the schedule is read in, e.g. `Etc/UTC`. */
  readonly timeZone: string;
  /** What a run due while the last one still runs does. */
  readonly concurrencyPolicy: 'Forbid' | 'Replace' | 'Allow';
  /** The longest one run may take, seconds (the Job's activeDeadlineSeconds). */
  readonly deadlineSeconds: number;
  /** How late a run may still start after its time, seconds. */
  readonly startingDeadlineSeconds: number;
  /** Retries of a failed run. */
  readonly backoffLimit: number;
  /** Finished Jobs kept, by outcome. */
  readonly history: { readonly successful: number; readonly failed: number };
  /** The pod template of each run; its restartPolicy must be Never or OnFailure. */
  readonly template: k8s.PodTemplateSpec;
}

export class ScheduledJob extends Construct {
  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .integer('deadlineSeconds', props.deadlineSeconds, 1)
      .integer('startingDeadlineSeconds', props.startingDeadlineSeconds, 0)
      .integer('backoffLimit', props.backoffLimit, 0)
      .integer('history.successful', props.history.successful, 0)
      .integer('history.failed', props.history.failed, 0);
    const restart = props.template.spec?.restartPolicy;
    if (restart !== 'Never' && restart !== 'OnFailure') {
      throw new Error(`${props.name}: a job's pods must have restartPolicy Never or OnFailure, got ${restart ?? 'Always (the default)'}`);
    }
    if (props.deadlineSeconds < 1 || props.startingDeadlineSeconds < 10) {
      throw new Error(
        `${props.name}: deadlineSeconds must be at least 1 and startingDeadlineSeconds at least 10 (the controller checks every 10 s)`,
      );
    }
    new k8s.KubeCronJob(this, 'Resource', {
      metadata: { name: props.name, labels: { ...props.labels } },
      spec: {
        schedule: props.schedule,
        timeZone: props.timeZone,
        concurrencyPolicy: props.concurrencyPolicy,
        startingDeadlineSeconds: props.startingDeadlineSeconds,
        successfulJobsHistoryLimit: props.history.successful,
        failedJobsHistoryLimit: props.history.failed,
        jobTemplate: {
          metadata: { labels: { ...props.labels } },
          spec: {
            activeDeadlineSeconds: props.deadlineSeconds,
            backoffLimit: props.backoffLimit,
            template: props.template,
          },
        },
      },
    });
  }
}
