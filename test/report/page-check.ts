/**
 * Reads a report page in the headless browser as a reader sees it, and says what is wrong with it:
 * a console error or page error, a script or anything loaded from elsewhere (the page must stand
 * alone), a topology that did not draw, and every number that differs from the JSON of `plan` and
 * `verify` it was made from. An empty list is a good page.
 */
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import type { ObjectDiff } from '../../app/diff';
import type { PlanJson } from '../../app/plan';
import type { VerifyJson } from '../../app/report/inputs';

export interface ExpectedReport {
  readonly plans: readonly PlanJson[];
  /** @default - the page must say "verify not run" */
  readonly verify?: VerifyJson;
  readonly diffs: readonly ObjectDiff[];
  /** Per environment, the nodes of its Mermaid source: the drawing has at least this many. */
  readonly topologyNodes: Readonly<Record<string, number>>;
}

type Fields = Record<string, string>;

/** The little of the DOM the snapshot reads (the project compiles without the DOM library). */
interface El {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El> & { readonly length: number };
  getBoundingClientRect(): { readonly width: number; readonly height: number };
}
interface Doc extends El {
  readonly scripts: { readonly length: number };
  readonly body: { readonly textContent: string | null };
}

interface PageSnapshot {
  readonly scripts: number;
  readonly external: string[];
  readonly plan: Record<string, { totals: Fields; pools: Record<string, Fields> }>;
  readonly topology: Record<string, { svgs: number; nodes: number; width: number; height: number }>;
  readonly verify: { state: string | null; totals: Fields; environments: Record<string, Fields> };
  readonly diff: Record<string, Fields>;
  readonly text: string;
}

/** Nodes a Mermaid flowchart defines: `  id[...]`, `  id([...])`, ... (not subgraphs, not edges). */
export function mermaidNodeCount(source: string): number {
  return source.split('\n').filter((line) => /^\s+[A-Za-z0-9_]+(\[|\(|\{\{|>)/.test(line) && !/^\s*subgraph\b/.test(line)).length;
}

async function snapshot(browser: Browser, file: string): Promise<{ snap: PageSnapshot; errors: string[]; requests: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') && url === pathToFileURL(file).href) return route.continue();
    requests.push(url);
    return route.abort();
  });
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // Under tsx (not vitest) the callback below calls its `__name` helper, which the page lacks.
    await page.evaluate('globalThis.__name = (f) => f');
    const snap = await page.evaluate(() => {
      const document = (globalThis as unknown as { document: Doc }).document;
      const fields = (root: El | null): Record<string, string> =>
        Object.fromEntries(
          [...(root?.querySelectorAll('[data-field]') ?? [])].map((e) => [e.getAttribute('data-field')!, (e.textContent ?? '').trim()]),
        );
      const byEnvironment = <T>(selector: string, read: (e: El) => T) =>
        Object.fromEntries([...document.querySelectorAll(selector)].map((e) => [e.getAttribute('data-environment')!, read(e)]));
      const verifyState = document.querySelector('[data-verify]');
      return {
        scripts: document.scripts.length,
        external: [...document.querySelectorAll('[src], link[href], image[href], use[href]')].map(
          (e) => e.getAttribute('src') ?? e.getAttribute('href') ?? '',
        ),
        plan: byEnvironment('section.plan', (s) => ({
          totals: fields(s.querySelector('table.totals')),
          pools: Object.fromEntries([...s.querySelectorAll('tr[data-pool]')].map((r) => [r.getAttribute('data-pool')!, fields(r)])),
        })),
        topology: byEnvironment('section.topology-env', (s) => {
          const svg = s.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return {
            svgs: s.querySelectorAll('svg').length,
            nodes: svg?.querySelectorAll('g.node').length ?? 0,
            width: box?.width ?? 0,
            height: box?.height ?? 0,
          };
        }),
        verify: {
          state: verifyState?.getAttribute('data-verify') ?? null,
          totals: fields(document.querySelector('section.verify table.totals')),
          environments: Object.fromEntries(
            [...document.querySelectorAll('table.verify-environments tr[data-environment]')].map((r) => [
              r.getAttribute('data-environment')!,
              fields(r),
            ]),
          ),
        },
        diff: byEnvironment('section.diff', (s) => fields(s)),
        text: document.body.textContent ?? '',
      };
    });
    return { snap, errors, requests };
  } finally {
    await page.close();
  }
}

function compare(problems: string[], where: string, shown: Fields | undefined, expected: Record<string, number>): void {
  for (const [field, value] of Object.entries(expected)) {
    const text = shown?.[field];
    if (text !== String(value))
      problems.push(`${where} ${field}: the page shows ${text === undefined ? 'nothing' : `"${text}"`}, the JSON says ${value}`);
  }
}

const ends = (field: string, r: { min: number; max: number }) => ({ [`${field}.min`]: r.min, [`${field}.max`]: r.max });

/** What is wrong with the page at `file`, against the JSON it was made from; [] when nothing is. */
export async function checkReportPage(browser: Browser, file: string, expected: ExpectedReport): Promise<string[]> {
  const { snap, errors, requests } = await snapshot(browser, file);
  const problems = [...errors, ...requests.map((url) => `the page asked for ${url}: it must stand alone`)];
  if (snap.scripts > 0) problems.push(`the page has ${snap.scripts} scripts: it needs none`);
  for (const ref of snap.external.filter((r) => !r.startsWith('#'))) problems.push(`the page refers to ${ref}: it must stand alone`);

  for (const plan of expected.plans) {
    const shown = snap.plan[plan.environment];
    if (shown === undefined) {
      problems.push(`${plan.environment}: no plan on the page`);
      continue;
    }
    const total = (pick: (p: PlanJson['pools'][number]) => { min: number; max: number }) => ({
      min: plan.pools.reduce((n, p) => n + pick(p).min, 0),
      max: plan.pools.reduce((n, p) => n + pick(p).max, 0),
    });
    compare(problems, `${plan.environment} plan:`, shown.totals, {
      ...ends(
        'pods',
        total((p) => p.pods),
      ),
      ...ends(
        'nodes',
        total((p) => p.nodes),
      ),
      ...ends('monthlyCost', plan.monthlyCost),
      ...(plan.costPerUser === null ? {} : ends('costPerUser', plan.costPerUser)),
    });
    for (const pool of plan.pools) {
      compare(problems, `${plan.environment} pool ${pool.name}:`, shown.pools[pool.name], {
        ...ends('pods', pool.pods),
        ...ends('nodes', pool.nodes),
        ...ends('poolNodes', pool.poolNodes),
        ...ends('cpu', pool.cpu),
        ...ends('memory', pool.memory),
        ...ends('monthlyCost', pool.monthlyCost),
      });
    }
    const topology = snap.topology[plan.environment];
    const nodes = expected.topologyNodes[plan.environment] ?? 1;
    if (topology === undefined || topology.svgs !== 1) problems.push(`${plan.environment}: no topology drawing`);
    else if (topology.nodes < nodes)
      problems.push(`${plan.environment}: the drawing has ${topology.nodes} nodes, its Mermaid source ${nodes}`);
    else if (topology.width < 100 || topology.height < 50)
      problems.push(`${plan.environment}: the drawing is ${topology.width}×${topology.height} px`);
  }

  const verify = expected.verify;
  if (verify === undefined) {
    if (snap.verify.state !== 'not-run') problems.push(`no verify report was given, but the page's verify state is ${snap.verify.state}`);
    if (!/verify not run/.test(snap.text)) problems.push('no verify report was given, but the page does not say "verify not run"');
    if (/\bPASS\b/.test(snap.text)) problems.push('no verify report was given, but the page says PASS');
  } else {
    const state = verify.passed ? 'pass' : 'fail';
    if (snap.verify.state !== state) problems.push(`verify says ${state}, the page ${snap.verify.state}`);
    compare(
      problems,
      'verify totals:',
      Object.fromEntries(Object.entries(snap.verify.totals).map(([k, v]) => [k.replace(/^totals\./, ''), v])),
      verify.totals,
    );
    for (const env of verify.environments) {
      compare(problems, `verify ${env.environment}:`, snap.verify.environments[env.environment], {
        objects: env.objects,
        accepted: env.accepted,
        findings: env.findings.length,
        waived: env.waived.length,
      });
    }
  }

  expected.diffs.forEach((diff, i) => {
    const environment = expected.plans[i]?.environment ?? diff.title;
    compare(problems, `diff ${environment}:`, snap.diff[environment], {
      added: diff.added.length,
      removed: diff.removed.length,
      changed: diff.changed.length,
      unchanged: diff.unchanged,
    });
  });
  return problems;
}
