/**
 * kube-score and checkov findings on an add-on that a value we set causes (attribution.ts), excused by
 * a rule over the two renders and the model, never by naming an add-on or an object: each rule reads
 * the finding's object as rendered with our values and with the chart's defaults, the environment's
 * tier and the chart's pinned facts, and says why the finding is no regression our values make. What
 * no rule excuses fails verify (or takes a per-object waiver in value-waivers.ts, which holds none).
 */
import type { Manifest } from '../../../lib/core/manifest';
import { at, list } from '../../../lib/core/plain';
import { type Finding, qualifiedRule } from '../findings';

export interface ValueExceptionContext {
  /** The finding's object rendered with our values, and with the chart's defaults (absent: ours only). */
  readonly ours: Manifest | undefined;
  readonly defaults: Manifest | undefined;
  /** Every object of the install as rendered with our values, and with the defaults. */
  readonly oursAll: readonly Manifest[];
  readonly defaultsAll: readonly Manifest[];
  readonly production: boolean;
  /** The chart's appVersion at its pinned version (lib/addons/chart-facts.ts). */
  readonly appVersion: string | undefined;
}

export interface ValueException {
  readonly id: string;
  /** The checks it can excuse, `<tool>/<check id>`. */
  readonly checks: readonly string[];
  /** The reason it excuses this finding, or undefined when it does not apply. */
  readonly applies: (finding: Finding, context: ValueExceptionContext) => string | undefined;
}

const replicas = (object: Manifest | undefined): number => Number(at(object, 'spec', 'replicas') ?? 1);

const podLabels = (object: Manifest | undefined): Record<string, string> =>
  (at(object, 'spec', 'template', 'metadata', 'labels') as Record<string, string> | undefined) ?? {};

const selects = (service: Manifest, labels: Record<string, string>): boolean => {
  const selector = (at(service, 'spec', 'selector') as Record<string, string> | undefined) ?? {};
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
};

/** A Service some ServiceMonitor of the same render selects by its labels: a scrape target. */
const scraped = (service: Manifest, all: readonly Manifest[]): boolean =>
  all
    .filter((o) => o.kind === 'ServiceMonitor')
    .some((monitor) => {
      const match = (at(monitor, 'spec', 'selector', 'matchLabels') as Record<string, string> | undefined) ?? {};
      const labels = (service.metadata.labels as Record<string, string> | undefined) ?? {};
      return Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => labels[k] === v);
    });

const imageTag = (image: string): string => image.split('@')[0]!.split('/').at(-1)!.split(':')[1] ?? '';

export const VALUE_EXCEPTIONS: readonly ValueException[] = [
  {
    // kube-score scores a Deployment's PodDisruptionBudget only from two replicas up
    // (score/disruptionbudget/disruptionbudget.go, v1.20.0). Its host anti-affinity, scored from two
    // replicas too, our values give wherever they add the second (charts/addons-catalog.ts spreadReplicas).
    id: 'second-replica-brings-the-check',
    checks: ['kube-score/deployment-has-poddisruptionbudget'],
    applies: (_finding, { ours, defaults }) =>
      defaults !== undefined && replicas(defaults) < 2 && replicas(ours) >= 2
        ? `our values run ${replicas(ours)} replicas where the chart runs ${replicas(defaults)}, which is what brings in a check kube-score skips below 2 replicas; the chart offers the rest no better (open in issue 18's note)`
        : undefined,
  },
  {
    // kube-score asks probes and two replicas of every pod a Service targets.
    id: 'only-a-scrape-target-selects-it',
    checks: ['kube-score/pod-probes', 'kube-score/deployment-replicas'],
    applies: (_finding, { ours, oursAll, defaultsAll }) => {
      const labels = podLabels(ours);
      const services = oursAll.filter((o) => o.kind === 'Service' && selects(o, labels));
      const added = services.filter((s) => !defaultsAll.some((d) => d.kind === 'Service' && d.metadata.name === s.metadata.name));
      return services.length > 0 && added.length === services.length && added.every((s) => scraped(s, oursAll))
        ? 'the only Services selecting it are metrics Services our values add for a ServiceMonitor (a scrape target, not traffic)'
        : undefined;
    },
  },
  {
    id: 'fewer-controllers-outside-production',
    checks: ['kube-score/deployment-replicas'],
    applies: (_finding, { ours, defaults, production }) =>
      !production && defaults !== undefined && replicas(ours) < replicas(defaults)
        ? `outside production the catalog runs ${replicas(ours)} controller replica(s) where the chart defaults to ${replicas(defaults)} (charts/addons-catalog.ts controllerReplicas)`
        : undefined,
  },
  {
    id: 'pinned-tag-pulled-if-not-present',
    checks: ['kube-score/container-image-pull-policy', 'checkov/CKV_K8S_15'],
    applies: (_finding, { ours, appVersion }) => {
      const containers = list(at(ours, 'spec', 'template', 'spec', 'containers'));
      const pulled = containers.filter((c) => at(c, 'imagePullPolicy') === 'IfNotPresent');
      const version = (appVersion ?? '').replace(/^v/, '');
      return version !== '' &&
        pulled.length > 0 &&
        pulled.every((c) => imageTag(String(at(c, 'image') ?? '')).replace(/^v/, '') === version)
        ? `IfNotPresent pulls only images tagged with the chart's pinned appVersion (${appVersion}): pulling that tag again on every start buys nothing`
        : undefined;
    },
  },
];

/** The findings a rule excuses, with the rule's id and reason, and those still open. */
export function exceptOurs(
  findings: readonly Finding[],
  context: (finding: Finding) => ValueExceptionContext,
  rules: readonly ValueException[] = VALUE_EXCEPTIONS,
): { open: Finding[]; excused: { finding: Finding; reason: string }[] } {
  const open: Finding[] = [];
  const excused: { finding: Finding; reason: string }[] = [];
  for (const finding of findings) {
    const check = qualifiedRule(finding);
    const reason = rules
      .filter((rule) => rule.checks.includes(check))
      .map((rule) => {
        const why = rule.applies(finding, context(finding));
        return why === undefined ? undefined : `${rule.id}: ${why}`;
      })
      .find((why) => why !== undefined);
    if (reason === undefined) open.push(finding);
    else excused.push({ finding, reason });
  }
  return { open, excused };
}
