/**
 * What verify found, and the waivers that excuse some of it. A finding carries the tool's own rule id;
 * a waiver for it is declared in the environment file like every other waiver
 * (`{ kind, name, rule: '<tool>/<rule id>', reason }`), for one object. The API server's rejections and
 * warnings, and a stale dist/, are never waivable: they are fixed in the generator.
 */
import { isCheckerWaiver, UNWAIVABLE_CHECKERS, WAIVABLE_CHECKERS, waiverTool } from '../../lib/validation/checker-waivers';
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

function kindAndName(object: string): [string, string] {
  return [object.slice(0, object.indexOf('/')), object.slice(object.lastIndexOf('/') + 1)];
}

/**
 * Splits findings into those still open and those waived. A waiver matches one object by kind and
 * name and one rule exactly; a waiver of an unwaivable tool is itself an error; a waiver that matches
 * nothing is a warning (remove it). Waivers of the in-process validator's rules are not verify's and
 * are left alone.
 */
export function applyVerifyWaivers(
  environment: string,
  findings: readonly Finding[],
  waivers: readonly Waiver[],
): { open: Finding[]; waived: WaivedFinding[] } {
  const open: Finding[] = [];
  const waived: WaivedFinding[] = [];
  const active = new Map<string, { waiver: Waiver; index: number; used: boolean }>();
  waivers.forEach((waiver, index) => {
    if (!isCheckerWaiver(waiver)) return;
    const where = `${waiver.kind}/${waiver.name}`;
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
    active.set(`${waiver.kind}\u0000${waiver.name}\u0000${waiver.rule}`, { waiver, index, used: false });
  });
  for (const finding of findings) {
    const [kind, name] = kindAndName(finding.object);
    const hit = active.get(`${kind}\u0000${name}\u0000${qualifiedRule(finding)}`);
    if (!hit || (UNWAIVABLE_TOOLS as readonly string[]).includes(finding.tool)) {
      open.push(finding);
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
      object: `${waiver.kind}/${waiver.name}`,
      message: `waivers[${index}]: waiver of ${waiver.rule} for ${waiver.kind}/${waiver.name} matches no finding (remove it)`,
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
