/**
 * Waivers: a rule excused for one object of one environment, with the written reason, declared in an
 * environment's `waivers`. One matcher serves every checker that reads them (the in-process
 * validator, verify's community checkers, the simulation). Which waivers a checker applies is data
 * its caller passes (the rule namespace: the tools a waiver's rule may name first), so this module
 * knows no checker and depends on nothing.
 */

/** A rule waived for one object, with the written reason the environment file must give. */
export interface Waiver {
  readonly kind: string;
  /** The object's namespace; absent only for a cluster-scoped object (matched exactly where the scope says `exact`). */
  readonly namespace?: string;
  readonly name: string;
  /** The rule as the checker that applies the waiver names it: `pod/probes`, `kube-score/<check>`, `simulate/<rule>`. */
  readonly rule: string;
  readonly reason: string;
}

/** `Kind/namespace/name` of the object a waiver names, or `Kind/name` when it names no namespace (a cluster-scoped object). */
export function waiverObject(waiver: Pick<Waiver, 'kind' | 'namespace' | 'name'>): string {
  return waiver.namespace ? `${waiver.kind}/${waiver.namespace}/${waiver.name}` : `${waiver.kind}/${waiver.name}`;
}

/** The tool a rule names first (`kube-score` of `kube-score/pod-probes-identical`), if the rule has a `/`. */
export function ruleTool(rule: string): string | undefined {
  const slash = rule.indexOf('/');
  return slash < 0 ? undefined : rule.slice(0, slash);
}

/** Whether a waiver's rule names one of `tools` first. */
export function namesTool(waiver: Pick<Waiver, 'rule'>, tools: readonly string[]): boolean {
  const tool = ruleTool(waiver.rule);
  return tool !== undefined && tools.includes(tool);
}

/** `waivers[<index>]: waiver of <rule> for <object> matches no finding (remove it)`: how verify and the simulation report an unused waiver. */
export function unusedWaiverMessage({ waiver, index }: IndexedWaiver): string {
  return `waivers[${index}]: waiver of ${waiver.rule} for ${waiverObject(waiver)} matches no finding (remove it)`;
}

/** Which of an environment's waivers one checker applies, and how it compares their objects. */
export interface WaiverScope {
  /**
   * The tools a waiver's rule names first (`simulate` of `simulate/<rule>`) for the waivers this
   * checker applies; the others are another checker's and are left alone.
   * @default - every waiver given
   */
  readonly tools?: readonly string[];
  /**
   * `exact`: the waiver's `Kind/namespace/name` (`Kind/name` without a namespace) equals the finding's
   * object. `kind-and-name`: only the kind and the name are compared, in any namespace (the in-process
   * validator's waivers, which name no namespace).
   */
  readonly objects: 'exact' | 'kind-and-name';
}

/** What the matcher reads of a finding. */
export interface WaiverSubject {
  /** The finding's rule as a waiver names it (`kube-score/pod-probes-identical`). */
  readonly rule: string;
  /** `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
  readonly object: string;
  /** False for a finding no waiver may excuse: it stays open, and a waiver naming it stays unused. @default true */
  readonly waivable?: boolean;
}

/** One waiver, with its position in the environment's `waivers` (messages name `waivers[<index>]`). */
export interface IndexedWaiver {
  readonly waiver: Waiver;
  readonly index: number;
}

export interface WaiverMatch<F> {
  /** The findings no waiver excuses, in the order given. */
  readonly open: F[];
  /** The findings a waiver excuses, with that waiver (its reason is the finding's). */
  readonly waived: (IndexedWaiver & { readonly finding: F })[];
  /** The scope's waivers that excused nothing: each is reported (in CI, a failure) so stale waivers get removed. */
  readonly unused: IndexedWaiver[];
  /** The scope's waivers with no written reason: they excuse nothing, and the caller reports them. */
  readonly unreasoned: IndexedWaiver[];
}

/**
 * Matches findings against an environment's waivers. A waiver excuses the findings of exactly its rule
 * (no patterns) on its object, as the scope compares objects. When two waivers name the same object
 * and rule, the first applies and the second is neither used nor reported.
 */
export function matchWaivers<F>(
  findings: readonly F[],
  waivers: readonly Waiver[],
  scope: WaiverScope,
  subject: (finding: F) => WaiverSubject,
): WaiverMatch<F> {
  const key = (object: string, rule: string): string => {
    if (scope.objects === 'exact') return `${object}\u0000${rule}`;
    return `${object.slice(0, object.indexOf('/'))}\u0000${object.slice(object.lastIndexOf('/') + 1)}\u0000${rule}`;
  };
  const unreasoned: IndexedWaiver[] = [];
  const active = new Map<string, IndexedWaiver & { used: boolean }>();
  waivers.forEach((waiver, index) => {
    if (scope.tools !== undefined && !namesTool(waiver, scope.tools)) return;
    if (!waiver.reason || waiver.reason.trim() === '') {
      unreasoned.push({ waiver, index });
      return;
    }
    const at = key(waiverObject(waiver), waiver.rule);
    if (!active.has(at)) active.set(at, { waiver, index, used: false });
  });
  const open: F[] = [];
  const waived: (IndexedWaiver & { readonly finding: F })[] = [];
  for (const finding of findings) {
    const { rule, object, waivable = true } = subject(finding);
    const hit = waivable ? active.get(key(object, rule)) : undefined;
    if (hit === undefined) {
      open.push(finding);
      continue;
    }
    hit.used = true;
    waived.push({ finding, waiver: hit.waiver, index: hit.index });
  }
  const unused = [...active.values()].filter((entry) => !entry.used).map(({ waiver, index }) => ({ waiver, index }));
  return { open, waived, unused, unreasoned };
}
