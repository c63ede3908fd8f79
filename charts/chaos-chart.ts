import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import {
  CNPG_LABELS,
  poolerLabels,
  poolerName,
  postgresInstanceLabels,
  REDIS_MASTER_ROLE,
  REDIS_REPLICA_ROLE,
  REDIS_ROLE_LABEL,
  redisLabels,
  redisName,
  redisSentinelName,
  sentinelLabels,
} from '../lib/data-names';
import { platformLabels, selectorLabels } from '../lib/labels';
import { PodKillSchedule, type PodRequirement } from '../lib/constructs/pod-kill-schedule';
import type { EnvironmentChartProps } from './chart-props';
import { operatedPostgres, operatedRedis, postgresClusterName } from './resolve-data-store';
import { enabledServices } from './resolve-service';

/** Whether the environment runs chaos drills (and so Chaos Mesh). */
export function drillsEnabled(environment: Pick<Environment, 'chaos'>): boolean {
  return environment.chaos.podKill !== 'off';
}

/** The first drill starts at 03:00 UTC; each further target ten minutes later, so one thing fails at a time. */
const FIRST_HOUR = 3;
const STAGGER_MINUTES = 10;

/** The cron of the `index`th drill: Mondays (weekly) or the 1st of the month (monthly), staggered. */
export function drillCron(frequency: 'weekly' | 'monthly', index: number): string {
  const offset = index * STAGGER_MINUTES;
  const at = `${offset % 60} ${FIRST_HOUR + Math.floor(offset / 60)}`;
  return frequency === 'weekly' ? `${at} * * 1` : `${at} 1 * *`;
}

/** One drill: where, whose pods, and what keeps a primary out. */
export interface Drill {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly requirements: readonly PodRequirement[];
}

/**
 * The drills of an environment, in order: each enabled service, then each data store's pods that may
 * be killed: PostgreSQL's standbys (`cnpg.io/instanceRole In [replica]`, never the primary, and a
 * positive match so that pods without the label are never picked) and its pooler, Redis's replicas
 * (`redis-role In [slave]`) and its Sentinels. `includePrimaries` drops the role requirement. A store
 * with a single instance has no replica to kill, and gets no drill unless primaries are included.
 */
export function drills(environment: Environment): Drill[] {
  const { includePrimaries } = environment.chaos;
  // A job's pod runs to completion on a schedule: killing it tests the Job's retries, not availability.
  const services = enabledServices(environment)
    .filter(([, spec]) => spec.kind !== 'job')
    .map(([service]) => ({
      name: `${service}-pod-kill`,
      namespace: environment.namespace,
      selector: selectorLabels({ name: service, environment: environment.name }),
      requirements: [],
    }));
  const postgres = operatedPostgres(environment).flatMap(([name, store]): Drill[] => {
    const cluster = postgresClusterName(name);
    const instances: Drill[] =
      store.instances > 1 || includePrimaries
        ? [
            {
              name: `${cluster}-pod-kill`,
              namespace: store.namespace,
              selector: postgresInstanceLabels(cluster),
              requirements: includePrimaries ? [] : [{ key: CNPG_LABELS.instanceRole, operator: 'In', values: ['replica'] }],
            },
          ]
        : [];
    const pooler = poolerName(name);
    return [...instances, { name: `${pooler}-pod-kill`, namespace: store.namespace, selector: poolerLabels(pooler), requirements: [] }];
  });
  const redis = operatedRedis(environment).flatMap(([name, store]): Drill[] => {
    const set = redisName(name);
    const replicas: Drill[] =
      store.nodes > 1 || includePrimaries
        ? [
            {
              name: `${set}-pod-kill`,
              namespace: store.namespace,
              selector: redisLabels(name),
              requirements: includePrimaries ? [] : [{ key: REDIS_ROLE_LABEL, operator: 'In', values: [REDIS_REPLICA_ROLE] }],
            },
          ]
        : [];
    const sentinels: Drill[] =
      store.sentinels > 0
        ? [{ name: `${redisSentinelName(name)}-pod-kill`, namespace: store.namespace, selector: sentinelLabels(name), requirements: [] }]
        : [];
    // The failover drill: the master goes, Sentinel promotes a replica, and the clients must follow it.
    const master: Drill[] =
      environment.chaos.failover && store.sentinels > 0
        ? [
            {
              name: `${set}-master-pod-kill`,
              namespace: store.namespace,
              selector: redisLabels(name),
              requirements: [{ key: REDIS_ROLE_LABEL, operator: 'In', values: [REDIS_MASTER_ROLE] }],
            },
          ]
        : [];
    return [...replicas, ...sentinels, ...master];
  });
  return [...services, ...postgres, ...redis];
}

/**
 * AVL-05's chaos drills as Chaos Mesh Schedules: weekly pod kills in staging, monthly in production
 * when the environment opts in (`chaos.podKill`), each scoped to one namespace and one set of labels.
 */
export class ChaosChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id);
    const { environment } = props;
    const frequency = environment.chaos.podKill;
    if (frequency === 'off') return;
    const labels = platformLabels(environment, 'chaos-drills');
    drills(environment).forEach((drill, index) => {
      new PodKillSchedule(this, drill.name, {
        name: drill.name,
        labels,
        cron: drillCron(frequency, index),
        namespace: drill.namespace,
        selector: drill.selector,
        requirements: drill.requirements,
      });
    });
  }
}
