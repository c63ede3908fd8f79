/**
 * A capacity plan as a person reads it (a terminal table), as a pull request shows it (Markdown),
 * and as a script reads it (JSON, rounded to the precision the inputs have).
 */
import type { CapacityPlan, PoolPlan, Range } from './capacity';
import { COST_PER_USER_BUDGET, SELF_MANAGED_POSTGRES_MONTHLY } from './cost';

export const PLAN_FORMATS = ['table', 'markdown', 'json'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function num(n: number, digits = 2): string {
  return round(n, digits).toLocaleString('en-US', { maximumFractionDigits: digits });
}

function span(r: Range, show: (n: number) => string = (n) => num(n)): string {
  return r.min === r.max ? show(r.min) : `${show(r.min)}-${show(r.max)}`;
}

const money = (n: number) => `$${num(n, 0)}`;

/**
 * What `npm run simulate` found for one pool (app/simulate/plan-notes.ts reads its report): whether it
 * agreed with the plan, and the nodes the scheduler needed at the floor and the ceiling. `agrees` is
 * undefined where the report does not cover the pool: nothing is assumed.
 */
export interface PoolVerdict {
  readonly environment: string;
  readonly pool: string;
  readonly agrees: boolean | undefined;
  readonly needed?: Range;
}

function verdictCell(verdict: PoolVerdict | undefined): string {
  if (verdict?.agrees === undefined || verdict.needed === undefined) return 'not simulated';
  return `${verdict.agrees ? 'agrees' : 'DISAGREES'}: needed ${span(verdict.needed)}`;
}

const verdictOf = (verdicts: readonly PoolVerdict[], plan: CapacityPlan, pool: PoolPlan) =>
  verdicts.find((v) => v.environment === plan.environment && v.pool === pool.name);

const HEADERS: string[] = [
  'pool',
  'machine',
  'per node (CPU / GiB)',
  'pods',
  'CPU req',
  'memory GiB',
  'ephemeral GiB',
  'nodes',
  'pool range',
  'fits',
  'monthly',
];

/** The pool table's header and rows, with the simulation's column when a report was given. */
function poolTable(
  plan: CapacityPlan,
  verdicts: readonly PoolVerdict[] | undefined,
): { header: string[]; rows: string[][]; total: string[] } {
  const simulated = verdicts !== undefined;
  return {
    header: simulated ? [...HEADERS, 'simulation'] : HEADERS,
    rows: plan.pools.map((p) => (simulated ? [...poolRow(p), verdictCell(verdictOf(verdicts, plan, p))] : poolRow(p))),
    total: simulated ? [...totalRow(plan), ''] : totalRow(plan),
  };
}

function poolRow(pool: PoolPlan): string[] {
  return [
    pool.name,
    `${pool.machineType}${pool.spot ? ' (spot)' : ''}`,
    `${num(pool.perNode.cpu)} / ${num(pool.perNode.memoryGiB)}`,
    span(pool.pods),
    span(pool.cpu),
    span(pool.memory),
    span(pool.ephemeralStorage),
    span(pool.nodes),
    `${pool.minNodes}-${pool.maxNodes}`,
    pool.fits ? 'yes' : 'NO',
    span(pool.monthlyCost, money),
  ];
}

function totalRow(plan: CapacityPlan): string[] {
  const sum = (pick: (p: PoolPlan) => Range): Range => ({
    min: plan.pools.reduce((s, p) => s + pick(p).min, 0),
    max: plan.pools.reduce((s, p) => s + pick(p).max, 0),
  });
  const fits = plan.pools.every((p) => p.fits);
  return [
    'total',
    '',
    '',
    span(sum((p) => p.pods)),
    span(sum((p) => p.cpu)),
    span(sum((p) => p.memory)),
    span(sum((p) => p.ephemeralStorage)),
    span(sum((p) => p.nodes)),
    '',
    fits ? 'yes' : 'NO',
    span(plan.monthlyCost, money),
  ];
}

const WORKLOAD_HEADERS = ['workload', 'pool', 'scaled by', 'pods', 'per pod (CPU / GiB)'];

const AUTOSCALER_LABEL: Readonly<Record<string, string>> = {
  HorizontalPodAutoscaler: 'HPA',
  ScaledObject: 'KEDA',
  NginxProxy: 'NginxProxy',
  operator: 'operator',
  ResourceQuota: 'quota',
  none: 'spec.replicas',
};

function workloadRows(plan: CapacityPlan): string[][] {
  return plan.pools.flatMap((pool) =>
    pool.workloads.map((w) => [
      `${w.kind}/${w.name}${w.strategy === undefined ? '' : ` (${w.strategy})`}`,
      pool.name,
      AUTOSCALER_LABEL[w.autoscaler] ?? w.autoscaler,
      span(w.pods),
      `${num(w.pod.cpu, 3)} / ${num(w.pod.memoryGiB, 3)}${w.istioSidecar ? ' incl. istio-proxy' : ''}`,
    ]),
  );
}

function summaryLines(plan: CapacityPlan): string[] {
  const perUser =
    plan.costPerUser === undefined
      ? 'cost per user: no expected users declared (environment.users)'
      : `cost per user: $${num(plan.costPerUser.min, 4)}-$${num(plan.costPerUser.max, 4)} a month for ${num(plan.users ?? 0, 0)} users ` +
        `(CAP-10 budget $${COST_PER_USER_BUDGET}: ${plan.costPerUser.max <= COST_PER_USER_BUDGET ? 'within' : plan.costPerUser.min <= COST_PER_USER_BUDGET ? 'within at the floor only' : 'over'})`;
  const disks = plan.storage.reduce((sum, v) => sum + v.monthlyCost, 0);
  const data = plan.dataLayer;
  const dataLine =
    data === undefined
      ? []
      : [
          `data layer: ${num(data.pods, 0)} pods (${num(data.cpu, 3)} CPU / ${num(data.memoryGiB, 3)} GiB requested), ${num(data.storageGiB, 0)} GiB of disks: ` +
            `${span(data.monthlyCost, money)} a month (nodes by requested CPU ${span(data.nodesMonthlyCost, money)} + disks ${money(data.storageMonthlyCost)})` +
            `${data.costPerUser === undefined ? '' : `, $${num(data.costPerUser.min, 4)}-$${num(data.costPerUser.max, 4)} per user`}; CAP-10: ${money(SELF_MANAGED_POSTGRES_MONTHLY)} for self-managed PostgreSQL`,
        ];
  return [
    `monthly cost: ${span(plan.monthlyCost, money)} (${plan.hoursPerMonth} h/month; spot pools at the spot price${disks > 0 ? `; persistent disks ${money(disks)}` : ''})`,
    perUser,
    ...dataLine,
    `per node: ${plan.formula} (${num(plan.daemonSetOverhead.cpu, 3)} CPU / ${num(plan.daemonSetOverhead.memoryGiB, 3)} GiB per node)`,
  ];
}

function alignedTable(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function planTable(plan: CapacityPlan, verdicts?: readonly PoolVerdict[]): string {
  const title = `${plan.environment} (${plan.tier}): requests and nodes at the autoscalers' min-max`;
  const pools = poolTable(plan, verdicts);
  const table = alignedTable([pools.header, ...pools.rows, pools.total]);
  const workloads = alignedTable([WORKLOAD_HEADERS, ...workloadRows(plan)]);
  const notes = plan.notes.map((n) => `note: ${n}`);
  // Errors are not repeated here: the CLI prints them on stderr, where a terminal user looks for them.
  return [title, '', table, '', workloads, '', ...summaryLines(plan), ...notes].join('\n');
}

function markdownRow(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

export function planMarkdown(plan: CapacityPlan, verdicts?: readonly PoolVerdict[]): string {
  const status = plan.errors.length === 0 ? 'every pool fits its maximum' : `**${plan.errors.length} pool error(s)**`;
  const pools = poolTable(plan, verdicts);
  const lines = [
    `### Capacity plan: ${plan.environment} (${plan.tier}) — ${status}`,
    '',
    markdownRow(pools.header),
    markdownRow(pools.header.map(() => '---')),
    ...pools.rows.map(markdownRow),
    markdownRow(pools.total.map((c) => (c === '' ? '' : `**${c}**`))),
    '',
    markdownRow(WORKLOAD_HEADERS),
    markdownRow(WORKLOAD_HEADERS.map(() => '---')),
    ...workloadRows(plan).map(markdownRow),
    '',
    ...summaryLines(plan).map((l) => `- ${l}`),
    ...plan.notes.map((n) => `- note: ${n}`),
    ...plan.errors.map((e) => `- :x: ${e}`),
  ];
  return lines.join('\n');
}

const r3 = (r: Range): Range => ({ min: round(r.min, 3), max: round(r.max, 3) });
const r2 = (r: Range): Range => ({ min: round(r.min, 2), max: round(r.max, 2) });

/** The plan as data (`plan --format json`): the shape `planJson` returns, which the report reads. */
export type PlanJson = ReturnType<typeof planJson>;

/** The plan as data; units: CPU in cores, memory and storage in GiB, money in USD a month. */
export function planJson(plan: CapacityPlan) {
  return planData(plan, undefined);
}

/** The simulation's verdict on one pool as the JSON carries it: null where the report did not cover it. */
function simulationField(verdict: PoolVerdict | undefined): { agrees: boolean | null; needed: Range | null } {
  return { agrees: verdict?.agrees ?? null, needed: verdict?.agrees === undefined ? null : (verdict.needed ?? null) };
}

function planData(plan: CapacityPlan, verdicts: readonly PoolVerdict[] | undefined) {
  return {
    environment: plan.environment,
    tier: plan.tier,
    users: plan.users ?? null,
    units: { cpu: 'cores', memory: 'GiB', ephemeralStorage: 'GiB', monthlyCost: 'USD/month' },
    formula: plan.formula,
    hoursPerMonth: plan.hoursPerMonth,
    pools: plan.pools.map((p) => ({
      name: p.name,
      machineType: p.machineType,
      spot: p.spot,
      pricePerHour: p.pricePerHour,
      perNode: { cpu: round(p.perNode.cpu, 3), memory: round(p.perNode.memoryGiB, 3) },
      poolNodes: { min: p.minNodes, max: p.maxNodes },
      nodes: p.nodes,
      pods: p.pods,
      cpu: r3(p.cpu),
      memory: r3(p.memory),
      ephemeralStorage: r3(p.ephemeralStorage),
      fits: p.fits,
      monthlyCost: r2(p.monthlyCost),
      ...(verdicts === undefined ? {} : { simulation: simulationField(verdictOf(verdicts, plan, p)) }),
      workloads: p.workloads.map((w) => ({
        kind: w.kind,
        name: w.name,
        autoscaler: w.autoscaler,
        istioSidecar: w.istioSidecar,
        ...(w.strategy === undefined ? {} : { strategy: w.strategy }),
        pods: w.pods,
        pod: { cpu: round(w.pod.cpu, 3), memory: round(w.pod.memoryGiB, 3), ephemeralStorage: round(w.pod.ephemeralStorageGiB, 3) },
      })),
    })),
    monthlyCost: r2(plan.monthlyCost),
    costPerUser: plan.costPerUser === undefined ? null : { min: round(plan.costPerUser.min, 4), max: round(plan.costPerUser.max, 4) },
    storage: plan.storage.map((v) => ({ ...v, sizeGiB: round(v.sizeGiB, 3), monthlyCost: round(v.monthlyCost, 2) })),
    dataLayer:
      plan.dataLayer === undefined
        ? null
        : {
            pods: plan.dataLayer.pods,
            cpu: round(plan.dataLayer.cpu, 3),
            memory: round(plan.dataLayer.memoryGiB, 3),
            storage: round(plan.dataLayer.storageGiB, 3),
            storageMonthlyCost: round(plan.dataLayer.storageMonthlyCost, 2),
            nodesMonthlyCost: r2(plan.dataLayer.nodesMonthlyCost),
            monthlyCost: r2(plan.dataLayer.monthlyCost),
            costPerUser:
              plan.dataLayer.costPerUser === undefined
                ? null
                : { min: round(plan.dataLayer.costPerUser.min, 4), max: round(plan.dataLayer.costPerUser.max, 4) },
          },
    errors: plan.errors,
    notes: plan.notes,
  };
}

/** The plans in one format; with a simulation's verdicts, each pool says whether it agreed. */
export function formatPlans(plans: readonly CapacityPlan[], format: PlanFormat, verdicts?: readonly PoolVerdict[]): string {
  if (format === 'json') {
    const json = plans.map((plan) => planData(plan, verdicts));
    return JSON.stringify(json.length === 1 ? json[0] : json, null, 2);
  }
  const render = format === 'markdown' ? planMarkdown : planTable;
  return plans.map((plan) => render(plan, verdicts)).join('\n\n');
}
