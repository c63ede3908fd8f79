/**
 * Node-hours into money. Cloud bills are monthly and cloud calculators use 730 hours a month
 * (8,760 hours a year / 12), so the plan does too.
 */
import type { MachineType, NodePool } from '../../environments/schema';

export const HOURS_PER_MONTH = 730;

/** Spot pools pay the spot list price; everything else on demand. */
export function hourlyPrice(pool: NodePool, machine: MachineType): number {
  return pool.spot ? machine.spotPricePerHour : machine.pricePerHour;
}

export function monthlyCost(nodes: number, pool: NodePool, machine: MachineType): number {
  return nodes * hourlyPrice(pool, machine) * HOURS_PER_MONTH;
}

/**
 * Monthly cost per expected user, the figure CAP-10 budgets against ($0.05 per user per month
 * at 100K users). Undefined when the environment declares no users.
 */
export function costPerUser(monthly: number, users: number | undefined): number | undefined {
  return users === undefined ? undefined : monthly / users;
}

/** CAP-10's budget: $0.05 per user per month (quoted at 100K users). */
export const COST_PER_USER_BUDGET = 0.05;

/** CAP-10: self-managed PostgreSQL on GKE at about $280 a month (against the managed offer's ~92 % more). */
export const SELF_MANAGED_POSTGRES_MONTHLY = 280;
