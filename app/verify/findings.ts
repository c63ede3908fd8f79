/**
 * What verify found, and the waivers that excuse some of it. A finding carries the tool's own rule id;
 * a waiver for it names one object by kind, namespace and name
 * (`{ kind, namespace, name, rule: '<tool>/<rule id>', reason }`). The API server's rejections and
 * warnings, a stale dist/, and verify's own proof that a checker ran (coverage.ts) are never waivable:
 * they are fixed in the generator or in the checker's adapter.
 */
import {
  matchWaivers,
  namesTool,
  ruleTool,
  type Waiver,
  type WaiverScope,
  unusedWaiverMessage,
  waiverObject,
} from '../../lib/core/waivers';

/** Checkers whose findings a waiver may excuse, as they prefix a waiver's rule (`kube-score/<check>`). */
export const WAIVABLE_TOOLS = ['kubeconform', 'kube-score', 'pluto', 'kubectl-argo-rollouts', 'istioctl', 'checkov', 'verify'] as const;
/** Findings nobody may waive: the API server's and a stale dist/. */
export const UNWAIVABLE_TOOLS = ['apiserver', 'dist'] as const;

/** verify's waivers: those whose rule names a waivable checker first, matched on the object's namespace too. */
export const VERIFY_WAIVERS: WaiverScope = { tools: WAIVABLE_TOOLS, objects: 'exact' };

/** A waiver meant for verify: its rule names one of verify's tools first (an unwaivable one is refused, not ignored). */
export function isCheckerWaiver(waiver: Pick<Waiver, 'rule'>): boolean {
  return namesTool(waiver, [...WAIVABLE_TOOLS, ...UNWAIVABLE_TOOLS]);
}

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
  const refused = waivers.flatMap((waiver, index): Finding[] => {
    if (!namesTool(waiver, UNWAIVABLE_TOOLS)) return [];
    const tool = ruleTool(waiver.rule);
    return [
      {
        environment,
        tool: 'verify',
        rule: 'waiver-unwaivable',
        severity: 'error',
        object: waiverObject(waiver),
        message: `waivers[${index}]: ${waiver.rule} cannot be waived (${tool} findings are fixed in the generator)`,
      },
    ];
  });
  const match = matchWaivers(findings, waivers, VERIFY_WAIVERS, (finding) => ({
    rule: qualifiedRule(finding),
    object: finding.object,
    waivable: !unwaivable(finding),
  }));
  const waived: WaivedFinding[] = match.waived.map(({ finding, waiver }) => ({ finding, reason: waiver.reason }));
  const open: Finding[] = [...refused];
  for (const finding of match.open) {
    const reason = unwaivable(finding) ? undefined : exception(finding);
    if (reason === undefined) open.push(finding);
    else waived.push({ finding, reason });
  }
  for (const { waiver, index } of match.unused) {
    open.push({
      environment,
      tool: 'verify',
      rule: 'waiver-unused',
      severity: 'warning',
      object: waiverObject(waiver),
      message: unusedWaiverMessage({ waiver, index }),
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
