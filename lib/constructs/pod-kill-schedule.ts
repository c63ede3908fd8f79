import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Schedule } from '../../imports/chaos-mesh.org';
import type { BindingJson } from '../binding-json';
import type { ScheduleSpec } from '../../imports/chaos-mesh.org';
import { PropChecks } from '../prop-checks';

/** A label requirement on the pods a drill may hit. */
export interface PodRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface PodKillScheduleProps {
  /** The Chaos Mesh Schedule. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** Five-field cron, UTC (Chaos Mesh's `timezone` value). */
  readonly cron: string;
  /** The only namespace whose pods it may kill, and where the Schedule is. */
  readonly namespace: string;
  /** Labels every pod it may kill carries. */
  readonly selector: Readonly<Record<string, string>>;
  /** Further requirements, positive ones (`In`) to keep primaries out. @default - none */
  readonly requirements?: readonly PodRequirement[];
  /** Seconds the killed pod gets to shut down. @default 30 */
  readonly gracePeriodSeconds?: number;
}

/**
 * A scheduled pod-kill drill (Chaos Mesh Schedule of a PodChaos, AVL-05): on each run one running pod
 * among those selected is deleted, as a node failure would. The selection is scoped by namespace and
 * labels, so it cannot reach beyond one service or store; data stores' primaries are kept out with a
 * positive match on the replica role. pod-kill is done by Chaos Mesh's controller through the API
 * (no chaos-daemon is involved) and, being a deletion rather than an eviction, bypasses PDBs: that is
 * the point of the drill. A run that finds no pod to kill does nothing and leaves its PodChaos behind
 * (Chaos Mesh's history limit keeps unfinished runs); the next run fires as scheduled.
 */
export class PodKillSchedule extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: PodKillScheduleProps) {
    super(scope, id);
    new PropChecks(this).name('name', props.name).integer('gracePeriodSeconds', props.gracePeriodSeconds ?? 0, 0);
    this.name = props.name;
    if (Object.keys(props.selector).length === 0) {
      throw new Error(`${props.name}: a pod-kill drill needs a label selector; an empty one would pick any pod of ${props.namespace}`);
    }
    const requirements = props.requirements ?? [];
    new ApiObject(this, 'Resource', {
      ...Schedule.GVK,
      // The Schedule lives beside the pods it may kill.
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        schedule: props.cron,
        type: 'PodChaos',
        // Allow, never Forbid (Chaos Mesh's default): pod-kill is one-shot, and a run whose selection is
        // empty (the workers scaled to zero, no replica Ready) gets no records and so never counts as
        // finished (controllers/common/records, controllers/utils/controller/finished.go, v2.8.3); with
        // Forbid the cron controller would then refuse every later run. A pod kill is done in seconds,
        // so runs a week or a month apart never overlap. Rule chaos/drill-fires.
        concurrencyPolicy: 'Allow',
        historyLimit: 3,
        // A run missed by more than ten minutes (the controller was down) is skipped, not run late.
        startingDeadlineSeconds: 600,
        podChaos: {
          action: 'pod-kill',
          mode: 'one',
          gracePeriod: props.gracePeriodSeconds ?? 30,
          selector: {
            namespaces: [props.namespace],
            labelSelectors: { ...props.selector },
            ...(requirements.length === 0
              ? {}
              : {
                  expressionSelectors: requirements.map((r) => ({
                    key: r.key,
                    operator: r.operator,
                    ...(r.values === undefined ? {} : { values: [...r.values] }),
                  })),
                }),
            podPhaseSelectors: ['Running'],
          },
        },
      } satisfies BindingJson<ScheduleSpec>,
    });
  }
}
