/**
 * Cron expressions as the data layer's controllers read them, to answer one question: how long can
 * it be between two runs? CloudNativePG's ScheduledBackup takes six fields (seconds first, robfig/cron
 * with seconds); Chaos Mesh's Schedule five (seconds optional). Both accept `*`, `*\/n`, `a-b`, `a-b/n`,
 * lists, month and weekday names, and the descriptors `@yearly`, `@monthly`, `@weekly`, `@daily`,
 * `@hourly` and `@every <duration>`. Day of month and day of week restrict together when both are set
 * (either matches), as in every cron.
 */

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** The first name stands for this number (months count from 1). */
  readonly nameBase?: number;
}

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23 };
const DAY: FieldSpec = { name: 'day of month', min: 1, max: 31 };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 };
// 7 is Sunday too in most crons; robfig allows 0-6 only, Chaos Mesh the same parser.
const WEEKDAY: FieldSpec = { name: 'day of week', min: 0, max: 6, names: WEEKDAYS, nameBase: 0 };

/** A cron expression that does not parse. */
export class CronError extends Error {}

function value(text: string, spec: FieldSpec, expr: string): number {
  const lower = text.toLowerCase();
  const named = spec.names?.indexOf(lower) ?? -1;
  const n = named >= 0 ? named + (spec.nameBase ?? 0) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
    throw new CronError(`"${expr}": ${spec.name} "${text}" must be ${spec.min}-${spec.max}`);
  }
  return n;
}

/** The values a field allows, and whether it was `*` (restricts nothing). */
function field(text: string, spec: FieldSpec, expr: string): { values: Set<number>; any: boolean } {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`"${expr}": ${spec.name} step "${stepText}" must be a positive integer`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = spec.min;
      hi = spec.max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      lo = value(a, spec, expr);
      hi = value(b, spec, expr);
      if (hi < lo) throw new CronError(`"${expr}": ${spec.name} range "${range}" runs backwards`);
    } else {
      lo = value(range, spec, expr);
      hi = stepText === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, any: text === '*' || text === '?' };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** `@every 6h30m` → seconds. */
function every(text: string, expr: string): number {
  const parts = [...text.matchAll(/(\d+)([smh])/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join('') !== text) {
    throw new CronError(`"${expr}": @every takes a duration such as 6h or 90m`);
  }
  return parts.reduce((sum, m) => sum + Number(m[1]) * DURATION_UNITS[m[2]!]!, 0);
}

export interface CronSchedule {
  /** Seconds of the day at which it fires, ascending. */
  readonly timesOfDay: readonly number[];
  /** Whether it fires on a given UTC date. */
  firesOn(date: Date): boolean;
}

/**
 * Parses an expression of five fields (minute first) or six (second first).
 * @throws CronError naming the field and what it allows.
 */
export function parseCron(expr: string): CronSchedule | { readonly everySeconds: number } {
  const trimmed = expr.trim();
  if (trimmed.startsWith('@every ')) return { everySeconds: every(trimmed.slice(7).trim(), expr) };
  const text = DESCRIPTORS[trimmed] ?? trimmed;
  const parts = text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    throw new CronError(`"${expr}": must have 5 fields (minute hour day month weekday) or 6 (with seconds first)`);
  }
  const [sec, min, hour, dom, month, dow] = (parts.length === 5 ? ['0', ...parts] : parts) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const seconds = field(sec, SECOND, expr).values;
  const minutes = field(min, MINUTE, expr).values;
  const hours = field(hour, HOUR, expr).values;
  const days = field(dom, DAY, expr);
  const months = field(month, MONTH, expr).values;
  const weekdays = field(dow, WEEKDAY, expr);
  const timesOfDay: number[] = [];
  for (const h of [...hours].sort((a, b) => a - b))
    for (const m of [...minutes].sort((a, b) => a - b))
      for (const s of [...seconds].sort((a, b) => a - b)) timesOfDay.push(h * 3600 + m * 60 + s);
  return {
    timesOfDay,
    firesOn(date: Date): boolean {
      if (!months.has(date.getUTCMonth() + 1)) return false;
      const dayOk = days.values.has(date.getUTCDate());
      const weekdayOk = weekdays.values.has(date.getUTCDay());
      // Both restricted: either matches. One restricted: that one decides.
      if (!days.any && !weekdays.any) return dayOk || weekdayOk;
      return dayOk && weekdayOk;
    },
  };
}

const DAY_SECONDS = 86_400;

/**
 * The longest time between two consecutive runs, seconds, over four years from 2024-01-01 (a leap
 * cycle, so February 29th and every weekday/date pairing occur). Infinity when it fires less than
 * twice in that time.
 */
export function longestGapSeconds(expr: string): number {
  const schedule = parseCron(expr);
  if ('everySeconds' in schedule) return schedule.everySeconds;
  if (schedule.timesOfDay.length === 0) return Number.POSITIVE_INFINITY;
  const times = schedule.timesOfDay;
  const first = times[0]!;
  const last = times[times.length - 1]!;
  // Within a day the gaps are the same every day it fires; between days they depend on the dates.
  let withinDay = 0;
  for (let i = 1; i < times.length; i++) withinDay = Math.max(withinDay, times[i]! - times[i - 1]!);
  const start = Date.UTC(2024, 0, 1);
  const days = 4 * 365 + 1;
  let previousDay: number | undefined;
  let firings = 0;
  let longest = 0;
  for (let d = 0; d < days; d++) {
    if (!schedule.firesOn(new Date(start + d * DAY_SECONDS * 1000))) continue;
    if (previousDay !== undefined) longest = Math.max(longest, (d - previousDay) * DAY_SECONDS + first - last);
    longest = Math.max(longest, withinDay);
    previousDay = d;
    firings += times.length;
  }
  // Once in four years (February 29th) or never: no gap within the horizon to speak of.
  return firings < 2 ? Number.POSITIVE_INFINITY : longest;
}
