/**
 * Whether a checker's run can be trusted, before any of its findings are: it must have reported on
 * every object it was given (and on nothing else), caught its canary, and run without a sign of
 * trouble (exit status, error output, parse errors). Each failure is a `verify` finding that names
 * the checker and no waiver can excuse: a checker that went blind fails the run.
 */
import { manifestId } from '../../lib/core/manifest';
import type { Checker, CheckerResult } from './checkers/types';
import type { Finding } from './findings';

/** verify's own rules about a checker's run; never waivable. */
export const CHECKER_RULES = {
  failed: 'checker-failed',
  coverage: 'checker-coverage',
  blind: 'checker-blind',
} as const;

const LISTED = 8;

function list(ids: readonly string[]): string {
  return `${ids.slice(0, LISTED).join(', ')}${ids.length > LISTED ? ` and ${ids.length - LISTED} more` : ''}`;
}

export interface Assessment {
  /** The tool's findings on the environment's objects (the canary's removed). */
  readonly findings: readonly Finding[];
  /** Why the run cannot be trusted; empty when it can. */
  readonly failures: readonly Finding[];
}

export function assessRun(environment: string, checker: Checker, result: CheckerResult): Assessment {
  const failure = (rule: string, message: string): Finding => ({
    environment,
    tool: 'verify',
    rule,
    severity: 'error',
    object: `checker/${checker.tool}`,
    message,
  });
  const canaryIds = new Set(checker.canary.objects.map(manifestId));
  const failures: Finding[] = result.problems.map((problem) => failure(CHECKER_RULES.failed, problem));

  const caught = result.findings.some((f) => f.object === checker.canary.object && f.rule === checker.canary.rule);
  if (!caught) {
    failures.push(
      failure(
        CHECKER_RULES.blind,
        `${checker.tool} went blind: its canary ${checker.canary.object} (${checker.canary.breaks}) was given in the same run and did not get ${checker.canary.rule}`,
      ),
    );
  }

  const given = new Set(result.given);
  if (given.size === 0) failures.push(failure(CHECKER_RULES.coverage, `${checker.tool} was given no objects`));
  if (result.reported !== undefined) {
    const reported = new Set(result.reported);
    const unknown = [...reported].filter((id) => !given.has(id)).sort();
    if (unknown.length > 0) {
      failures.push(
        failure(CHECKER_RULES.coverage, `${checker.tool} reported on ${unknown.length} object(s) it was not given: ${list(unknown)}`),
      );
    }
    if (!result.reportsOnlyChecked) {
      const missed = [...given].filter((id) => !reported.has(id)).sort();
      if (missed.length > 0) {
        failures.push(
          failure(
            CHECKER_RULES.coverage,
            `${checker.tool} reported on ${given.size - missed.length} of the ${given.size} objects it was given; not on ${list(missed)}`,
          ),
        );
      }
    }
  }
  return { findings: result.findings.filter((f) => !canaryIds.has(f.object)), failures };
}

/** A checker that threw (could not start, timed out, printed what verify cannot read). */
export function failedRun(environment: string, checker: Checker, error: unknown): Finding {
  return {
    environment,
    tool: 'verify',
    rule: CHECKER_RULES.failed,
    severity: 'error',
    object: `checker/${checker.tool}`,
    message: error instanceof Error ? error.message : String(error),
  };
}
