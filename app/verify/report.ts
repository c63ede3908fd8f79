/**
 * The verify report: text for people (grouped by environment, then tool; every finding with the
 * tool's rule id, the object and its file) and JSON for CI.
 */
import { addonsSummary, formatAddonsReport } from './addons/report';
import type { Finding } from './findings';
import { passed, type EnvironmentVerdict, type ToolRun, type VerifyReport } from './verify';

function findingLine(finding: Finding): string {
  const where = finding.file ? ` (${finding.file})` : '';
  return `    ${finding.severity === 'error' ? 'error  ' : 'warning'} ${finding.rule}  ${finding.object}${where}: ${finding.message}`;
}

function toolHeader(env: EnvironmentVerdict, run: ToolRun, open: readonly Finding[], waived: number): string {
  const name = `${run.tool} ${run.version}`.padEnd(34);
  if (run.status === 'skipped') return `  ${name} skipped: ${run.reason}`;
  if (run.tool === 'apiserver') {
    const rejected = open.filter((f) => f.rule !== 'warning').length;
    const warnings = open.filter((f) => f.rule === 'warning').length;
    return `  ${name} ${env.accepted} accepted, ${rejected} rejected, ${warnings} warnings (${run.seconds}s)`;
  }
  return `  ${name} ${open.length} finding${open.length === 1 ? '' : 's'}${waived > 0 ? `, ${waived} waived` : ''} (${run.seconds}s)`;
}

function environmentText(env: EnvironmentVerdict): string[] {
  const lines = [
    `== ${env.environment}: Kubernetes ${env.kubernetesVersion} (kube-apiserver ${env.server}), ${env.objects} objects`,
    `  namespaces: ${env.namespaces.emitted.join(', ') || 'none'} (as emitted)${env.namespaces.targeted.length > 0 ? `; ${env.namespaces.targeted.join(', ')} (created restricted)` : ''}`,
  ];
  const toolsWithRuns = new Set(env.tools.map((t) => t.tool));
  for (const run of env.tools) {
    const open = env.findings.filter((f) => f.tool === run.tool);
    const waived = env.waived.filter((w) => w.finding.tool === run.tool).length;
    lines.push(toolHeader(env, run, open, waived));
    lines.push(...open.map(findingLine));
  }
  const other = env.findings.filter((f) => !toolsWithRuns.has(f.tool));
  if (other.length > 0) {
    lines.push('  verify (namespaces, waivers)');
    lines.push(...other.map(findingLine));
  }
  if (env.waived.length > 0) {
    lines.push('  waived:');
    for (const { finding, reason } of env.waived) lines.push(`    ${finding.tool}/${finding.rule}  ${finding.object}: ${reason}`);
  }
  return lines;
}

const isUnusedWaiver = (finding: Finding) => finding.tool === 'verify' && finding.rule === 'waiver-unused';

export function totals(report: VerifyReport) {
  const all = report.environments.flatMap((env) => env.findings);
  return {
    environments: report.environments.length,
    objects: report.environments.reduce((sum, env) => sum + env.objects, 0),
    rejected: all.filter((f) => f.tool === 'apiserver' && f.rule !== 'warning').length,
    warnings: all.filter((f) => f.tool === 'apiserver' && f.rule === 'warning').length,
    findings: all.filter((f) => f.tool !== 'apiserver' && !isUnusedWaiver(f)).length,
    waived: report.environments.reduce((sum, env) => sum + env.waived.length, 0),
    unusedWaivers: all.filter(isUnusedWaiver).length,
    stale: report.stale.length,
  };
}

export function formatVerifyReport(report: VerifyReport): string {
  const t = totals(report);
  const lines = [
    `verify: ${report.crds.length} CRDs from ${report.crdSource}, etcd ${report.etcd}`,
    report.stale.length === 0 ? 'dist/: the same objects as a fresh render' : 'dist/: STALE',
    ...report.stale.map(findingLine),
    '',
  ];
  for (const env of report.environments) lines.push(...environmentText(env), '');
  lines.push(...formatAddonsReport(report.addons), '');
  lines.push(
    `${passed(report) ? 'PASS' : 'FAIL'}: ${t.environments} environments, ${t.objects} objects: ${t.rejected} rejected, ${t.warnings} API server warnings, ${t.findings} unwaived findings, ${t.waived} waived, ${t.unusedWaivers} unused waivers${t.unusedWaivers > 0 ? (report.strictWaivers ? ' (a failure in CI)' : ' (a warning outside CI)') : ''}${t.stale > 0 ? `, ${t.stale} stale in dist/` : ''}; ${addonsSummary(report.addons)} (${report.seconds}s)`,
  );
  return lines.join('\n');
}

export function verifyReportJson(report: VerifyReport): string {
  return JSON.stringify({ passed: passed(report), totals: totals(report), ...report }, null, 2);
}
