/** The capacity and cost plan: re-exports only. */
export { ALLOCATABLE_FORMULA, EVICTION_THRESHOLD_BYTES, allocatable, kubeReserved, schedulable } from '../../lib/node-allocatable';
export { planEnvironment, type CapacityPlan, type PoolPlan, type Range, type WorkloadPlan } from './capacity';
export { COST_PER_USER_BUDGET, HOURS_PER_MONTH, costPerUser, monthlyCost } from './cost';
export { PLAN_FORMATS, formatPlans, planJson, planMarkdown, planTable, type PlanFormat, type PlanJson } from './format';
export { nodesByTotal, nodesNeeded, type PodGroup } from './packing';
export { podRequests, type PodRequests } from './pod-requests';
export { workloadsOf, type Workload } from './workloads';
