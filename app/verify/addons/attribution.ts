/**
 * Whose choice a kube-score or checkov finding on a third-party chart is: upstream's, or ours.
 *
 * Each add-on is rendered twice, with the same chart, release name, namespace, Kubernetes version
 * and API versions: once with the values our HelmRelease or Application carries, once with the
 * chart's own defaults (plus, for a substitute source, what the chart's release would set). Both go
 * through the same injection and namespace defaulting, and both are checked by kube-score and
 * checkov. A finding of the first render that the defaults render does not have, by tool, check id
 * and object (`Kind/namespace/name`), is caused by a value we set: it fails verify unless
 * ADDON_VALUE_WAIVERS waives it for that object with the reason. One present in both renders is
 * upstream's choice: counted, not failing.
 *
 * Where one check reports several findings on one object (kube-score per container), a finding
 * whose message the defaults render also has is upstream's; the rest are ours only when the object
 * has more findings of that check with our values than with the defaults (a message that merely
 * quotes a value we changed, the same finding in other words, stays upstream's).
 */
import { matchWaivers, type Waiver } from '../../../lib/core/waivers';
import { type Finding, qualifiedRule, VERIFY_WAIVERS } from '../findings';

export interface Attribution {
  /** Present with the chart's defaults too: upstream's choices, counted. */
  readonly upstream: Finding[];
  /** Absent with the chart's defaults: caused by a value we set. */
  readonly ours: Finding[];
}

const checkKey = (f: Finding) => `${f.tool}\u0000${f.rule}\u0000${f.object}`;

/** Splits the findings of our render into upstream's and ours by the findings of the defaults render. */
export function attributeFindings(withOurValues: readonly Finding[], withDefaults: readonly Finding[]): Attribution {
  const defaultsByCheck = new Map<string, Finding[]>();
  for (const f of withDefaults) defaultsByCheck.set(checkKey(f), [...(defaultsByCheck.get(checkKey(f)) ?? []), f]);
  const oursByCheck = new Map<string, Finding[]>();
  for (const f of withOurValues) oursByCheck.set(checkKey(f), [...(oursByCheck.get(checkKey(f)) ?? []), f]);
  const upstream: Finding[] = [];
  const ours: Finding[] = [];
  for (const [key, found] of oursByCheck) {
    const before = defaultsByCheck.get(key) ?? [];
    const messages = new Set(before.map((f) => f.message));
    const same = found.filter((f) => messages.has(f.message));
    const reworded = found.filter((f) => !messages.has(f.message));
    // As many findings of this check as the defaults have are upstream's: exact messages first.
    const room = Math.max(0, before.length - same.length);
    upstream.push(...same, ...reworded.slice(0, room));
    ours.push(...reworded.slice(room));
  }
  return { upstream, ours };
}

/** The message of a finding our values cause: what the defaults render did not have. */
export function oursMessage(finding: Finding, chart: string): string {
  return `${finding.message} (caused by our values: ${chart} rendered with its default values has no ${qualifiedRule(finding)} finding on ${finding.object}; fix the values, add a rule over the renders to app/verify/addons/value-exceptions.ts, or as a last resort waive the object in value-waivers.ts with the reason)`;
}

/**
 * Our-value findings that a waiver of ADDON_VALUE_WAIVERS excuses, those still open, and the indexes
 * of the waivers used (a waiver no environment uses is reported, see unusedValueWaivers).
 */
export function waiveOurs(
  findings: readonly Finding[],
  waivers: readonly Waiver[],
): { open: Finding[]; waived: { finding: Finding; reason: string }[]; used: Set<number> } {
  const match = matchWaivers(findings, waivers, VERIFY_WAIVERS, (f) => ({ rule: qualifiedRule(f), object: f.object }));
  return {
    open: match.open,
    waived: match.waived.map(({ finding, waiver }) => ({ finding, reason: waiver.reason })),
    used: new Set(match.waived.map(({ index }) => index)),
  };
}
