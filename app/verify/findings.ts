/**
 * What verify found, and the waivers that excuse some of it. A finding carries the tool's own rule id;
 * a waiver for it names one object by kind, namespace and name
 * (`{ kind, namespace, name, rule: '<tool>/<rule id>', reason }`). The API server's rejections and
 * warnings, a stale dist/, and verify's own proof that a checker ran (coverage.ts) are never waivable:
 * they are fixed in the generator or in the checker's adapter.
 */
import { isCheckerWaiver, UNWAIVABLE_CHECKERS, WAIVABLE_CHECKERS, waiverObject, waiverTool } from '../../lib/validation/checker-waivers';

import type { Waiver } from '../../lib/validation/types';

export const WAIVABLE_TOOLS = WAIVABLE_CHECKERS;
export const UNWAIVABLE_TOOLS = UNWAIVABLE_CHECKERS;

export type ToolName = (typeof WAIVABLE_TOOLS)[number] | (typeof UNWAIVABLE_TOOLS)[number] | 'polaris';

export interface Finding {
  readonly environment: string;
  readonly tool: ToolName;
  /** The tool's own rule id (`container-image-pull-policy`, `CKV_K8S_43`, `IST0101`, `rejected`, ...). */
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  /** `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
  readonly object: string;
  /** Path under dist/<env>/, when known. */
  readonly file?: string;
  readonly message: string;
}

export interface WaivedFinding {
  readonly finding: Finding;
  readonly reason: string;
}

/** `<tool>/<rule>`: how a waiver names a finding's rule. */
export function qualifiedRule(finding: Pick<Finding, 'tool' | 'rule'>): string {
  return `${finding.tool}/${finding.rule}`;
}

/** verify's own findings that no waiver may excuse: a checker that failed, went blind or missed objects. */
function unwaivable(finding: Finding): boolean {
  return (
    (UNWAIVABLE_TOOLS as readonly string[]).includes(finding.tool) || (finding.tool === 'verify' && finding.rule.startsWith('checker-'))
  );
}

/**
 * Splits findings into those still open and those waived. A waiver matches one object by kind,
 * namespace and name, and one rule exactly; a waiver of an unwaivable tool is itself an error; a waiver
 * that matches nothing is reported (a failure in CI, see isFailure). Waivers of the in-process
 * validator's rules are not verify's and are left alone.
 */
export function applyVerifyWaivers(
  environment: string,
  findings: readonly Finding[],
  waivers: readonly Waiver[],
  /** The project's exceptions (exceptions.ts): the reason a rule does not apply to a finding's object. */
  exception: (finding: Finding) => string | undefined = () => undefined,
): { open: Finding[]; waived: WaivedFinding[] } {
  const open: Finding[] = [];
  const waived: WaivedFinding[] = [];
  const active = new Map<string, { waiver: Waiver; index: number; used: boolean }>();
  waivers.forEach((waiver, index) => {
    if (!isCheckerWaiver(waiver)) return;
    const where = waiverObject(waiver);
    const tool = waiverTool(waiver) ?? '';
    if ((UNWAIVABLE_TOOLS as readonly string[]).includes(tool)) {
      open.push({
        environment,
        tool: 'verify',
        rule: 'waiver-unwaivable',
        severity: 'error',
        object: where,
        message: `waivers[${index}]: ${waiver.rule} cannot be waived (${tool} findings are fixed in the generator)`,
      });
      return;
    }
    active.set(`${where}\u0000${waiver.rule}`, { waiver, index, used: false });
  });
  for (const finding of findings) {
    const hit = active.get(`${finding.object}\u0000${qualifiedRule(finding)}`);
    if (unwaivable(finding)) {
      open.push(finding);
      continue;
    }
    if (!hit) {
      const reason = exception(finding);
      if (reason === undefined) open.push(finding);
      else waived.push({ finding, reason });
      continue;
    }
    hit.used = true;
    waived.push({ finding, reason: hit.waiver.reason });
  }
  for (const { waiver, index, used } of active.values()) {
    if (used) continue;
    open.push({
      environment,
      tool: 'verify',
      rule: 'waiver-unused',
      severity: 'warning',
      object: waiverObject(waiver),
      message: `waivers[${index}]: waiver of ${waiver.rule} for ${waiverObject(waiver)} matches no finding (remove it)`,
    });
  }
  return { open, waived };
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.tool.localeCompare(b.tool) ||
    (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
    a.rule.localeCompare(b.rule) ||
    a.object.localeCompare(b.object) ||
    a.message.localeCompare(b.message)
  );
}
