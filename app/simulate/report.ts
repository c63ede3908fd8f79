/**
 * The simulation report in verify's formats: text for people (per environment: pods at the floor and
 * the ceiling, nodes per pool against the plan, the drills, then every finding with its rule, object
 * and phase), JSON for CI, and Markdown for a pull request.
 */
import type { SimFinding } from './findings';
import type { EnvironmentSimulation } from './simulate';

export interface SimulationReport {
  readonly environments: readonly EnvironmentSimulation[];
  readonly seconds: number;
  /** Whether an unused waiver fails the run (in CI). */
  readonly strictWaivers: boolean;
}

export function isFailure(finding: SimFinding, strictWaivers: boolean): boolean {
  if (finding.rule === 'waiver-unused') return strictWaivers;
  return finding.severity === 'error';
}

export function passed(report: SimulationReport): boolean {
  return report.environments.every((env) => !env.findings.some((f) => isFailure(f, report.strictWaivers)));
}

function findingLine(f: SimFinding): string {
  return `    ${f.severity === 'error' ? 'error  ' : 'warning'} ${f.rule}  ${f.object} [${f.phase}]: ${f.message}`;
}

function poolLine(p: EnvironmentSimulation['pools'][number]): string {
  return (
    `    ${p.pool.padEnd(10)} ${p.spot ? 'spot     ' : 'on-demand'}  plan ${p.plan.min}-${p.plan.max} nodes (pool ${p.minNodes}-${p.maxNodes}); ` +
    `the scheduler needed ${p.nodesAtMin} at min and ${p.nodesAtMax} at max: ${p.agrees ? 'agrees' : 'DISAGREES'}`
  );
}

export function formatSimulationText(report: SimulationReport): string {
  const lines: string[] = [];
  for (const env of report.environments) {
    lines.push(
      `== ${env.environment}: kube-apiserver, kube-scheduler, kube-controller-manager ${env.server}, KWOK; zones ${env.zones.join(', ')} (${env.seconds}s)`,
      `  pods: ${env.pods.min} at min, ${env.pods.max} at max`,
      '  nodes per pool:',
      ...env.pools.map(poolLine),
      '  drills (at min):',
      ...env.drills.map(
        (d) =>
          `    ${d.drill.padEnd(18)} ${d.nodes} nodes cordoned, ${d.evicted} pods evicted, ${d.blocked.length} blocked${d.blocked.length > 0 ? ` (${d.blocked.join(', ')})` : ''}, ${d.unplaceable.length} unplaceable (${d.seconds}s)`,
      ),
      `  stand-ins: ${env.standIns.length}`,
      ...env.standIns.map((s) => `    ${s}`),
      ...(env.skipped.length > 0 ? ['  not applied:', ...env.skipped.map((s) => `    ${s.object}: ${s.reason}`)] : []),
      `  findings: ${env.findings.length}`,
      ...env.findings.map(findingLine),
      ...(env.waived.length > 0
        ? ['  waived:', ...env.waived.map((w) => `    simulate/${w.finding.rule}  ${w.finding.object}: ${w.reason}`)]
        : []),
      '',
    );
  }
  const open = report.environments.flatMap((e) => e.findings);
  lines.push(
    `${passed(report) ? 'PASS' : 'FAIL'}: ${report.environments.length} environments, ${open.filter((f) => f.severity === 'error').length} errors, ${open.filter((f) => f.severity === 'warning').length} warnings, ${report.environments.reduce((n, e) => n + e.waived.length, 0)} waived (${report.seconds}s)`,
  );
  return lines.join('\n');
}

export function simulationJson(report: SimulationReport): string {
  return JSON.stringify({ passed: passed(report), ...report }, null, 2);
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatSimulationMarkdown(report: SimulationReport): string {
  const lines = [`## Simulation: ${passed(report) ? 'PASS' : 'FAIL'}`, ''];
  lines.push(
    '| environment | pods at min | pods at max | pools agreeing with the plan | drills | errors | warnings |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const env of report.environments) {
    const agreeing = env.pools.filter((p) => p.agrees).length;
    const drills = env.drills.map((d) => `${d.drill}: ${d.blocked.length} blocked, ${d.unplaceable.length} unplaceable`).join('; ');
    lines.push(
      `| ${env.environment} | ${env.pods.min} | ${env.pods.max} | ${agreeing}/${env.pools.length} | ${cell(drills)} | ${env.findings.filter((f) => f.severity === 'error').length} | ${env.findings.filter((f) => f.severity === 'warning').length} |`,
    );
  }
  for (const env of report.environments) {
    lines.push(
      '',
      `### ${env.environment}`,
      '',
      '| pool | plan nodes (min-max) | used at min | used at max | nodes at max | agrees |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const p of env.pools)
      lines.push(
        `| ${p.pool}${p.spot ? ' (spot)' : ''} | ${p.plan.min}-${p.plan.max} | ${p.nodesAtMin} | ${p.nodesAtMax} | ${p.agrees ? 'yes' : '**no**'} |`,
      );
    if (env.findings.length > 0) {
      lines.push('', '| severity | rule | object | phase | message |', '| --- | --- | --- | --- | --- |');
      for (const f of env.findings) lines.push(`| ${f.severity} | ${f.rule} | \`${f.object}\` | ${f.phase} | ${cell(f.message)} |`);
    }
  }
  return lines.join('\n');
}
