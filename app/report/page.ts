/**
 * The report as one HTML page that needs nothing else: styles inline, the topology as inline SVG, no
 * script, no link. Every number a reader compares with `plan` and `verify` is in an element that names
 * it (`data-field`, inside `data-environment` and `data-pool`), so the browser test reads the page as
 * people see it and checks it against the JSON the page was made from.
 */
import type { ObjectDiff } from '../diff';
import { showValue } from '../diff';
import type { PlanJson } from '../plan';
import type { SimulationVerdict } from '../simulate/plan-notes';
import type { Finding } from '../verify/findings';
import { type Html, html, trusted } from './html';
import type { ReportInputs, VerifyJson } from './inputs';

type Range = { readonly min: number; readonly max: number };

const sum = (values: readonly Range[]): Range => ({
  min: values.reduce((n, v) => n + v.min, 0),
  max: values.reduce((n, v) => n + v.max, 0),
});

/** `min – max` (one value when they are equal), each end in an element named `<field>.min` / `.max`. */
function range(field: string, r: Range, unit = ''): Html {
  const end = (which: 'min' | 'max') => html`${unit}<span data-field="${field}.${which}">${r[which]}</span>`;
  return html`${end('min')} – ${end('max')}`;
}

function value(field: string, v: number | string, unit = ''): Html {
  return html`${unit}<span data-field="${field}">${v}</span>`;
}

const CSS = `
:root { color-scheme: light; --line: #d0d7de; --muted: #57606a; --bad: #cf222e; --good: #1a7f37; --warn: #9a6700; }
body { font: 14px/1.45 Arial, "Liberation Sans", sans-serif; margin: 0 auto; max-width: 1400px; padding: 1rem 2rem 4rem; color: #1f2328; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid var(--line); padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { margin: 1.5rem 0 .4rem; } small, .muted { color: var(--muted); font-weight: normal; }
table { border-collapse: collapse; margin: .4rem 0 .8rem; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; } td.n { white-space: nowrap; }
.pass { color: var(--good); font-weight: bold; } .fail, .error { color: var(--bad); font-weight: bold; }
.not-run { color: var(--warn); font-weight: bold; } .warning { color: var(--warn); }
.topology { overflow-x: auto; border: 1px solid var(--line); padding: .5rem; margin: .5rem 0 1.5rem; }
.topology svg { min-width: 900px; height: auto; }
pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; font-size: 12px; }
code { font-size: 12px; } nav a { margin-right: 1rem; } ul.status { list-style: none; padding: 0; } ul.status li { margin: .2rem 0; }
`;

function verdictCell(verdict: SimulationVerdict | undefined, simulated: boolean): Html {
  if (!simulated) return html``;
  if (verdict === undefined || verdict.agrees === undefined) return html`<td data-field="simulation" class="not-run">not simulated</td>`;
  // The line says it all (`prod: pool backend: plan 11-19 nodes, the scheduler needed ...`); the row already names the pool.
  const detail = verdict.line.replace(/^[^:]+: pool [^:]+: /, '').replace(/: the simulation (agrees|DISAGREES)$/, '');
  return verdict.agrees
    ? html`<td data-field="simulation" class="pass">agrees<br><small>${detail}</small></td>`
    : html`<td data-field="simulation" class="fail">DISAGREES<br><small>${detail}</small></td>`;
}

function planSection(plan: PlanJson, inputs: ReportInputs): Html {
  const simulated = inputs.simulation !== undefined;
  const verdicts = inputs.simulation?.verdicts.filter((v) => v.environment === plan.environment) ?? [];
  const pods = sum(plan.pools.map((p) => p.pods));
  const nodes = sum(plan.pools.map((p) => p.nodes));
  const users = plan.users === null ? html`` : html`, ${plan.users} users`;
  const pools = plan.pools.map(
    (p) => html`<tr data-pool="${p.name}">
<td>${p.name}</td><td>${p.machineType}${p.spot ? ' (spot)' : ''}</td>
<td class="n">${range('nodes', p.nodes)}</td><td class="n">${range('poolNodes', p.poolNodes)}</td>
<td class="n">${range('pods', p.pods)}</td><td class="n">${range('cpu', p.cpu)}</td><td class="n">${range('memory', p.memory)}</td>
<td class="${p.fits ? 'pass' : 'fail'}" data-field="fits">${p.fits ? 'yes' : 'NO'}</td>
<td class="n">${range('monthlyCost', p.monthlyCost, '$')}</td>
${verdictCell(
  verdicts.find((v) => v.pool === p.name),
  simulated,
)}</tr>`,
  );
  const workloads = plan.pools.map(
    (p) =>
      html`<tr><th colspan="5">pool ${p.name}</th></tr>${p.workloads.map(
        (w) => html`<tr><td>${w.kind}/${w.name}</td><td>${w.autoscaler}${w.strategy === undefined ? '' : `, ${w.strategy}`}</td>
<td class="n">${w.pods.min} – ${w.pods.max}</td><td class="n">${w.pod.cpu}</td><td class="n">${w.pod.memory}</td></tr>`,
      )}`,
  );
  return html`<section class="plan" data-environment="${plan.environment}" id="plan-${plan.environment}">
<h3>${plan.environment} <small>${plan.tier}${users}</small></h3>
<table class="totals"><tbody>
<tr><th>pods</th><td class="n">${range('pods', pods)}</td></tr>
<tr><th>nodes</th><td class="n">${range('nodes', nodes)}</td></tr>
<tr><th>monthly cost (USD, nodes and volumes)</th><td class="n">${range('monthlyCost', plan.monthlyCost, '$')}</td></tr>
${plan.costPerUser === null ? '' : html`<tr><th>cost per user (USD a month)</th><td class="n">${range('costPerUser', plan.costPerUser, '$')}</td></tr>`}
</tbody></table>
<table class="pools"><thead><tr><th>pool</th><th>machine</th><th class="n">nodes</th><th class="n">pool limits</th><th class="n">pods</th>
<th class="n">CPU requested (cores)</th><th class="n">memory requested (GiB)</th><th>ceiling fits</th><th class="n">USD a month</th>
${simulated ? html`<th>npm run simulate</th>` : ''}</tr></thead>
<tbody>${pools}</tbody></table>
${plan.errors.length === 0 ? '' : html`<ul class="errors">${plan.errors.map((e) => html`<li class="error">error: ${e}</li>`)}</ul>`}
${plan.notes.length === 0 ? '' : html`<ul class="notes">${plan.notes.map((n) => html`<li>${n}</li>`)}</ul>`}
<details><summary>workloads (${plan.pools.reduce((n, p) => n + p.workloads.length, 0)})</summary>
<table><thead><tr><th>workload</th><th>scaled by</th><th class="n">pods</th><th class="n">CPU per pod</th><th class="n">GiB per pod</th></tr></thead>
<tbody>${workloads}</tbody></table></details>
</section>`;
}

function topologySection(environment: string, mermaid: string, svg: string): Html {
  // The SVG is Mermaid's output under securityLevel 'strict' (labels sanitized), checked to hold no script (mermaid-svg.ts).
  return html`<section class="topology-env" data-environment="${environment}" id="topology-${environment}">
<h3>${environment}</h3>
<div class="topology">${trusted(svg)}</div>
<details><summary>Mermaid source (npm run graph -- --env ${environment})</summary><pre>${mermaid}</pre></details>
</section>`;
}

function findingRow(f: Finding): Html {
  return html`<tr><td>${f.environment}</td><td>${f.tool}</td><td><code>${f.rule}</code></td>
<td class="${f.severity}">${f.severity}</td><td><code>${f.object}</code>${f.file === undefined ? '' : html`<br><small>${f.file}</small>`}</td><td>${f.message}</td></tr>`;
}

const FINDING_HEAD = html`<thead><tr><th>environment</th><th>tool</th><th>rule</th><th>severity</th><th>object</th><th>message</th></tr></thead>`;

function verifySection(inputs: ReportInputs): Html {
  const given = inputs.verify;
  if (given === undefined) {
    return html`<p class="not-run" data-verify="not-run"><strong>verify not run</strong>: no <code>--verify</code> report was given, so
nothing on this page says that the manifests passed kube-apiserver or the checkers. Run
<code>npm run verify -- --output json &gt; verify.json</code> and <code>npm run report -- --verify verify.json</code>.</p>`;
  }
  const report: VerifyJson = given.report;
  const t = report.totals;
  const covered = report.environments.map((e) => e.environment);
  const uncovered = inputs.environments.filter((name) => !covered.includes(name));
  const addonFindings = [...report.addons.findings, ...report.addons.addons.flatMap((a) => a.findings)];
  const findings = [...report.stale, ...report.environments.flatMap((e) => e.findings), ...addonFindings];
  const waived = report.environments.flatMap((e) => e.waived);
  const totalRow = (field: keyof typeof t, label: string) =>
    html`<tr><th>${label}</th><td class="n">${value(`totals.${field}`, t[field])}</td></tr>`;
  return html`<p data-verify="${report.passed ? 'pass' : 'fail'}">From <code>${given.file}</code>:
<span class="${report.passed ? 'pass' : 'fail'}">${report.passed ? 'PASS' : 'FAIL'}</span> (verify's own verdict, in ${report.seconds} s).</p>
${uncovered.length === 0 ? '' : html`<p class="not-run" data-verify-uncovered="${uncovered.join(' ')}">verify did not cover ${uncovered.join(', ')}: nothing here says they passed.</p>`}
<table class="totals"><tbody>
${totalRow('environments', 'environments')}${totalRow('objects', 'objects')}${totalRow('rejected', 'rejected by the API server')}
${totalRow('warnings', 'API server warnings')}${totalRow('findings', 'unwaived checker findings')}${totalRow('waived', 'waived findings')}
${totalRow('unusedWaivers', 'unused waivers')}${totalRow('stale', 'environments stale in dist/')}
</tbody></table>
<table class="verify-environments"><thead><tr><th>environment</th><th>Kubernetes</th><th class="n">objects</th><th class="n">accepted</th>
<th class="n">open findings</th><th class="n">waived</th><th>tools</th></tr></thead><tbody>
${report.environments.map(
  (e) => html`<tr data-environment="${e.environment}"><td>${e.environment}</td><td>${e.kubernetesVersion} <small>(${e.server})</small></td>
<td class="n">${value('objects', e.objects)}</td><td class="n">${value('accepted', e.accepted)}</td>
<td class="n">${value('findings', e.findings.length)}</td><td class="n">${value('waived', e.waived.length)}</td>
<td>${e.tools.map((run) => html`<span class="${run.status === 'ran' ? '' : 'not-run'}">${run.tool} ${run.version}${run.status === 'ran' ? '' : ` skipped: ${run.reason ?? ''}`}</span><br>`)}</td></tr>`,
)}
</tbody></table>
<p>Add-ons: ${value('addons.installs', report.addons.addons.length)} installs rendered with Helm ${report.addons.helm},
${value('addons.findings', addonFindings.length)} findings.</p>
<h3>Open findings (${findings.length})</h3>
${findings.length === 0 ? html`<p>none</p>` : html`<table class="findings">${FINDING_HEAD}<tbody>${findings.map(findingRow)}</tbody></table>`}
<h3>Waivers that matched (${waived.length})</h3>
${
  waived.length === 0
    ? html`<p>none</p>`
    : html`<table class="waivers"><thead><tr><th>environment</th><th>rule</th><th>object</th><th>reason</th></tr></thead><tbody>
${waived.map(
  (w) =>
    html`<tr><td>${w.finding.environment}</td><td><code>${w.finding.tool}/${w.finding.rule}</code></td><td><code>${w.finding.object}</code></td><td>${w.reason}</td></tr>`,
)}</tbody></table>`
}`;
}

function diffSection(diff: ObjectDiff, environment: string): Html {
  const empty = diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
  const count = (field: 'added' | 'removed' | 'changed', n: number) => html`<span data-field="${field}">${n}</span> ${field}`;
  return html`<section class="diff" data-environment="${environment}" id="diff-${environment}">
<h3>${diff.title}</h3>
<p>${empty ? html`<strong>no changes</strong>, ` : ''}${count('added', diff.added.length)}, ${count('removed', diff.removed.length)},
${count('changed', diff.changed.length)}, <span data-field="unchanged">${diff.unchanged}</span> unchanged</p>
${diff.added.length === 0 ? '' : html`<details open><summary>added</summary><ul>${diff.added.map((k) => html`<li><code>+ ${k}</code></li>`)}</ul></details>`}
${diff.removed.length === 0 ? '' : html`<details open><summary>removed</summary><ul>${diff.removed.map((k) => html`<li><code>- ${k}</code></li>`)}</ul></details>`}
${
  diff.changed.length === 0
    ? ''
    : html`<details open><summary>changed</summary>${diff.changed.map(
        (o) =>
          html`<p><code>~ ${o.key}</code></p><table><tbody>${o.changes.map(
            (c) =>
              html`<tr><td><code>${c.path}</code></td><td><code>${showValue(c.from)}</code></td><td>→</td><td><code>${showValue(c.to)}</code></td></tr>`,
          )}</tbody></table>`,
      )}</details>`
}
</section>`;
}

/** The whole page. `svgs` are the topology's drawings, in the order of `inputs.topology`. */
export function reportPage(inputs: ReportInputs, svgs: readonly string[]): string {
  if (svgs.length !== inputs.topology.length) throw new Error(`${inputs.topology.length} topologies but ${svgs.length} drawings`);
  const verify = inputs.verify?.report;
  const changed = inputs.diffs.filter((d) => d.added.length + d.removed.length + d.changed.length > 0);
  const planErrors = inputs.plans.reduce((n, p) => n + p.errors.length, 0);
  const disagreements = inputs.simulation?.verdicts.filter((v) => v.agrees === false).length ?? 0;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Platform change report: ${inputs.environments.join(', ')}</title>
<style>${trusted(CSS)}</style></head>
<body>
<h1>Platform change report</h1>
<p class="muted">Environments: ${inputs.environments.join(', ')}. Written by <code>npm run report</code>.</p>
<ul class="status">
<li>Plan: ${planErrors === 0 ? html`<span class="pass">every pool's ceiling fits</span>` : html`<span class="fail">${planErrors} errors</span>`}</li>
<li>Simulation: ${
    inputs.simulation === undefined
      ? html`<span class="not-run" data-simulation="not-run">simulate not run</span> (no <code>--simulation</code> report)`
      : html`from <code>${inputs.simulation.file}</code>: ${
          disagreements === 0
            ? html`<span class="pass">agrees with every simulated pool</span>`
            : html`<span class="fail">${disagreements} pools DISAGREE</span>`
        }`
  }</li>
<li>Verify: ${
    verify === undefined
      ? html`<span class="not-run">verify not run</span>`
      : html`<span class="${verify.passed ? 'pass' : 'fail'}">${verify.passed ? 'PASS' : 'FAIL'}</span> (<code>${inputs.verify?.file}</code>)`
  }</li>
<li>Diff against <code>${inputs.distDir}/</code>: ${changed.length === 0 ? 'no changes' : `${changed.length} environments change: ${changed.map((d) => d.title).join('; ')}`}</li>
</ul>
<nav><a href="#plan">Plan</a><a href="#topology">Topology</a><a href="#verify">Verify</a><a href="#diff">Diff</a></nav>
<h2 id="plan">Capacity and cost plan <small>(npm run plan -- --format json)</small></h2>
${inputs.plans.map((plan) => planSection(plan, inputs))}
<h2 id="topology">Topology <small>(npm run graph, drawn with Mermaid)</small></h2>
${inputs.topology.map((t, i) => topologySection(t.environment, t.mermaid, svgs[i]!))}
<h2 id="verify">Verify: findings and waivers <small>(npm run verify -- --output json)</small></h2>
<section class="verify">${verifySection(inputs)}</section>
<h2 id="diff">Diff against the committed ${inputs.distDir}/ <small>(npm run diff)</small></h2>
${inputs.diffs.map((d, i) => diffSection(d, inputs.environments[i] ?? d.title))}
</body></html>
`;
  return page.text;
}
