/**
 * The add-ons section of verify's report: per environment and add-on the chart, its version and
 * source, objects rendered, pods admitted, and the findings: failing ones in full, kube-score's and
 * checkov's counted by rule, and how many of those are upstream's (as with the chart's defaults) and how
 * many our values cause (failing unless waived: attribution.ts).
 */
import type { Finding } from '../findings';
import type { AddonsReport, AddonVerdict } from './verify-addons';

function line(finding: Finding): string {
  const where = finding.file ? ` (${finding.file})` : '';
  return `      ${finding.severity === 'error' ? 'error  ' : 'warning'} ${finding.tool}/${finding.rule}  ${finding.object}${where}: ${finding.message}`;
}

/** `kube-score 12 (container-resources 4, ...)`: counted findings per tool, rules by frequency. */
export function countedSummary(counted: readonly Finding[]): string {
  const byTool = new Map<string, Map<string, number>>();
  for (const f of counted) {
    const rules = byTool.get(f.tool) ?? new Map<string, number>();
    rules.set(f.rule, (rules.get(f.rule) ?? 0) + 1);
    byTool.set(f.tool, rules);
  }
  return [...byTool]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tool, rules]) => {
      const total = [...rules.values()].reduce((a, b) => a + b, 0);
      const top = [...rules].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      return `${tool} ${total} (${top.map(([rule, n]) => `${rule} ${n}`).join(', ')})`;
    })
    .join('; ');
}

function addonLines(addon: AddonVerdict): string[] {
  const head = `    ${addon.addon.padEnd(22)} ${addon.chart} ${addon.version}, ${addon.source}: ${addon.objects} objects (${addon.crds} CRDs), pods ${addon.podsAdmitted}/${addon.pods} admitted${addon.injected > 0 ? `, ${addon.injected} injected` : ''}, ${addon.findings.length} findings`;
  const lines = [head, ...addon.findings.map(line)];
  if (addon.waiver) lines.push(`      waived: ${addon.waiver}`);
  if (addon.counted.length > 0) lines.push(`      not failing: ${countedSummary(addon.counted)}`);
  if (addon.attribution) {
    const { upstream, ours, oursWaived } = addon.attribution;
    lines.push(
      `      kube-score and checkov: ${upstream} upstream's (as with the chart's defaults, counted), ${ours} caused by our values (failing)${oursWaived > 0 ? `, ${oursWaived} caused by our values and excused (a rule of value-exceptions.ts or a waiver)` : ''}`,
    );
  }
  return lines;
}

export function formatAddonsReport(report: AddonsReport): string[] {
  const lines = [
    `== add-ons: charts from ${report.mirror}, helm ${report.helm} (${report.renders.run} rendered, ${report.renders.cached} from cache, ${report.seconds.toFixed(1)}s)`,
  ];
  const environments = [...new Set(report.addons.map((a) => a.environment))];
  for (const environment of environments) {
    const addons = report.addons.filter((a) => a.environment === environment);
    const failing = addons.reduce((sum, a) => sum + a.findings.length, 0);
    lines.push(`  ${environment}: ${addons.length} add-ons, ${failing} findings`);
    for (const addon of addons) lines.push(...addonLines(addon));
  }
  if (report.findings.length > 0) {
    lines.push('  add-ons (not of one add-on):');
    lines.push(...report.findings.map(line));
  }
  return lines;
}

/** Findings that fail the run. */
export function addonFailures(report: AddonsReport): Finding[] {
  return [...report.findings, ...report.addons.flatMap((a) => a.findings)];
}

/** The add-ons' part of verify's last line. */
export function addonsSummary(report: AddonsReport): string {
  const sum = (f: (a: AddonVerdict) => number) => report.addons.reduce((n, a) => n + f(a), 0);
  const counted = sum((a) => a.counted.length);
  const upstream = sum((a) => a.attribution?.upstream ?? 0);
  const ours = sum((a) => (a.attribution?.ours ?? 0) + (a.attribution?.oursWaived ?? 0));
  return `add-ons: ${report.addons.length} installs, ${sum((a) => a.objects)} rendered objects, pods ${sum((a) => a.podsAdmitted)}/${sum((a) => a.pods)} admitted, ${addonFailures(report).length} findings, ${counted} counted (not failing); kube-score and checkov: ${upstream} upstream's, ${ours} caused by our values`;
}
