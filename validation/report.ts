/**
 * Human and machine summaries of validation reports, one block per environment, in the spirit of
 * kubeconform's `--summary` output.
 */
import type { ValidationReport, Violation } from './types';

function counts(report: ValidationReport): { errors: number; warnings: number } {
  let errors = 0;
  for (const v of report.violations) if (v.severity === 'error') errors++;
  return { errors, warnings: report.violations.length - errors };
}

function line(v: Violation): string {
  const label = v.severity === 'error' ? 'ERROR' : 'WARNING';
  return `${label} ${v.rule} ${v.object} ${v.path}: ${v.message}`;
}

function block(report: ValidationReport): string {
  const { errors, warnings } = counts(report);
  const lines = [
    `${report.environment}: ${report.resources} resources, ${report.valid} valid, ${report.invalid} invalid, ` +
      `${errors} errors, ${warnings} warnings, ${report.waived.length} waived`,
  ];
  for (const v of report.violations) lines.push(`  ${line(v)}`);
  for (const w of report.waived) {
    const v = w.violation;
    lines.push(`  WAIVED ${v.rule} ${v.object} ${v.path}: ${v.message} \u2014 ${w.reason}`);
  }
  const rules = Object.entries(report.byRule).sort(([a], [b]) => a.localeCompare(b));
  if (rules.length > 0) lines.push(`  by rule: ${rules.map(([rule, n]) => `${rule} ${n}`).join(', ')}`);
  return lines.join('\n');
}

/** Text summary: one block per environment, separated by blank lines. */
export function formatReport(reports: readonly ValidationReport[]): string {
  return `${reports.map(block).join('\n\n')}\n`;
}

/** JSON for `--output json`: every report with its error/warning counts, plus totals. */
export function reportJson(reports: readonly ValidationReport[]): string {
  const environments = reports.map((r) => ({ ...r, ...counts(r) }));
  const total = environments.reduce(
    (t, r) => ({
      resources: t.resources + r.resources,
      valid: t.valid + r.valid,
      invalid: t.invalid + r.invalid,
      errors: t.errors + r.errors,
      warnings: t.warnings + r.warnings,
      waived: t.waived + r.waived.length,
    }),
    { resources: 0, valid: 0, invalid: 0, errors: 0, warnings: 0, waived: 0 },
  );
  return `${JSON.stringify({ environments, total }, null, 2)}\n`;
}
