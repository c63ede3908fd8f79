/**
 * `npm run report` in a real headless browser (Debian's Chromium through playwright-core): the page
 * loads with no console or page error and asks for nothing, the topology is drawn, and its numbers are
 * those of `npm run plan -- --format json` and of the verify report it was given. The same check fails
 * on pages that are wrong in one place each. Needs /usr/bin/chromium (`npm run tools` installs it):
 * always run in CI and in `npm test`, skipped with one line elsewhere when Chromium is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffDist } from '../../app/diff';
import type { PlanJson } from '../../app/plan';
import { chromiumPath, launchChromium } from '../../app/report/browser';
import { type ReportInputs, readVerifyJson } from '../../app/report/inputs';
import { reportPage } from '../../app/report/page';
import { buildReport } from '../../app/report/report';
import { graphOptions, topologyMermaid } from '../../app/graph';
import { renderEnvironments } from '../../app/synthesize';
import { inCi } from '../../app/verify/verify';
import { checkReportPage, type ExpectedReport, mermaidNodeCount } from './page-check';
import { HOSTILE, simulationFixture, verifyFixture } from './fixtures';

const root = join(__dirname, '..', '..');
const READY = inCi() || existsSync(chromiumPath());
if (!READY) {
  console.warn(
    `test/report/report.test.ts: skipped, no Chromium at ${chromiumPath()} (npm run tools installs it; npm test and CI run this)`,
  );
}

/** Two environments: one pool (dev) and many (prod), which keeps the run short. */
const ENVIRONMENTS = ['dev', 'prod'];

/** Runs a command; `plan` exits 1 when a pool's ceiling does not fit, after printing the whole plan (which the page shows). */
function run(command: string, args: readonly string[], statuses: readonly number[] = [0]) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(statuses, `${command} ${args.join(' ')}\n${result.stderr}`).toContain(result.status);
  return result.stdout;
}

const report = (...args: string[]) =>
  run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'app/report/main.ts', ...args]);

describe.skipIf(!READY)('npm run report in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-'));
  const page = join(dir, 'report.html');
  const bare = join(dir, 'bare.html');
  const verifyFile = join(dir, 'verify.json');
  const simulationFile = join(dir, 'simulation.json');
  let browser: Browser;
  let expected: ExpectedReport;
  let bareInputs: ReportInputs;

  beforeAll(async () => {
    writeFileSync(verifyFile, verifyFixture(ENVIRONMENTS));
    const env = ENVIRONMENTS.flatMap((name) => ['--env', name]);
    // The plan as the CLI prints it (the bundle scripts/build.js runs).
    const plans = JSON.parse(
      run(process.execPath, ['scripts/build.js', '--run', 'main', 'plan', '--format', 'json', ...env], [0, 1]),
    ) as PlanJson[];
    const prodPools = plans.find((p) => p.environment === 'prod')!.pools.map((p) => p.name);
    writeFileSync(simulationFile, simulationFixture('prod', prodPools));
    report(...env, '--verify', verifyFile, '--simulation', simulationFile, '--out', page);
    // The same page without a verify report, built in this process (the CLI ran above).
    bareInputs = (await buildReport({ environments: ['dev'], out: bare })).inputs;
    const topologyNodes = Object.fromEntries(
      renderEnvironments({ environments: ENVIRONMENTS }).map((env) => [
        env.environment,
        mermaidNodeCount(topologyMermaid(env.objects, graphOptions(env.model))),
      ]),
    );
    expected = { plans, verify: readVerifyJson(verifyFile), diffs: diffDist({ environments: ENVIRONMENTS }), topologyNodes };
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no error, asks for nothing, draws the topology, and shows the numbers of plan and verify', async () => {
    expect(Object.keys(expected.topologyNodes)).toEqual(ENVIRONMENTS);
    expect(Object.values(expected.topologyNodes).every((n) => n > 5)).toBe(true);
    expect(await checkReportPage(browser, page, expected)).toEqual([]);
  });

  it('draws the same topology on every run (the CLI above and this process drew dev apart)', () => {
    const drawing = (file: string) => /<svg id="topology-svg-dev"[\s\S]*?<\/svg>(?=<\/div>)/.exec(readFileSync(file, 'utf8'))?.[0];
    expect(drawing(page)).toBeDefined();
    expect(drawing(page)).toBe(drawing(bare));
  });

  it('writes what the verify report says as text, never as markup', () => {
    const text = readFileSync(page, 'utf8');
    expect(text).not.toContain(HOSTILE);
    expect(text).toContain('&lt;script&gt;console.error(&quot;injected&quot;)&lt;/script&gt;');
  });

  it('gives the simulation verdict of each pool, and says which it did not simulate', () => {
    const text = readFileSync(page, 'utf8');
    expect(text.match(/data-field="simulation" class="pass"/g)).toHaveLength(1);
    expect(text.match(/data-field="simulation" class="fail"/g)).toHaveLength(1);
    expect(text).toMatch(/<tr data-pool="general">[\s\S]*?<td data-field="simulation" class="not-run">not simulated<\/td>/);
  });

  it('says "verify not run" without a verify report, and the same check holds', async () => {
    const { verify: _, ...withoutVerify } = expected;
    const dev = { ...withoutVerify, plans: expected.plans.slice(0, 1), diffs: expected.diffs.slice(0, 1) };
    expect(await checkReportPage(browser, bare, dev)).toEqual([]);
    // ...and the page made with one fails it when told none was given.
    expect(await checkReportPage(browser, page, { ...expected, verify: undefined })).toContain(
      "no verify report was given, but the page's verify state is fail",
    );
  });

  it('names the environments a verify report did not cover, and never writes a page into dist/', async () => {
    const verify = readVerifyJson(verifyFile);
    const onlyProd = { ...verify, environments: verify.environments.filter((e) => e.environment === 'prod') };
    const text = reportPage({ ...bareInputs, verify: { file: 'verify.json', report: onlyProd } }, ['<svg></svg>']);
    expect(text).toContain('verify did not cover dev: nothing here says they passed.');
    await expect(buildReport({ environments: ['dev'], out: 'dist/report.html' })).rejects.toThrow(
      'the report is never written into dist/, which only synth writes',
    );
  });

  describe('fails a page that is wrong in one place', () => {
    const tampered = (name: string, edit: (html: string) => string) => {
      const original = readFileSync(page, 'utf8');
      const changed = edit(original);
      expect(changed).not.toBe(original);
      const file = join(dir, `${name}.html`);
      writeFileSync(file, changed);
      return file;
    };

    it('fails a number that differs from the plan', async () => {
      const prod = expected.plans.find((p) => p.environment === 'prod')!;
      const pool = prod.pools[0]!;
      const file = tampered('number', (html) =>
        html.replace(
          new RegExp(`(<tr data-pool="${pool.name}">[\\s\\S]*?data-field="pods\\.max">)${pool.pods.max}<`),
          `$1${pool.pods.max + 1}<`,
        ),
      );
      expect(await checkReportPage(browser, file, expected)).toContain(
        `prod pool ${pool.name}: pods.max: the page shows "${pool.pods.max + 1}", the JSON says ${pool.pods.max}`,
      );
    });

    it('fails a verify count that differs from the verify report', async () => {
      const objects = expected.verify!.environments[0]!.objects;
      const file = tampered('verify', (html) => html.replace(`data-field="objects">${objects}<`, `data-field="objects">${objects - 1}<`));
      expect(await checkReportPage(browser, file, expected)).toContain(
        `verify dev: objects: the page shows "${objects - 1}", the JSON says ${objects}`,
      );
    });

    it('fails a console error', async () => {
      const file = tampered('console', (html) => html.replace('</body>', '<script>console.error("broken")</script></body>'));
      const problems = await checkReportPage(browser, file, expected);
      expect(problems).toContain('console error: broken');
      expect(problems).toContain('the page has 1 scripts: it needs none');
    });

    it('fails a page that loads something from elsewhere', async () => {
      const file = tampered('external', (html) =>
        html.replace('</head>', '<link rel="stylesheet" href="https://cdn.example.invalid/x.css"></head>'),
      );
      const problems = await checkReportPage(browser, file, expected);
      expect(problems).toContain('the page asked for https://cdn.example.invalid/x.css: it must stand alone');
    });

    it('fails a topology that was not drawn', async () => {
      const file = tampered('topology', (html) => html.replace(/<svg id="topology-svg-prod"[\s\S]*?<\/svg>(?=<\/div>)/, ''));
      expect(await checkReportPage(browser, file, expected)).toContain('prod: no topology drawing');
    });
  });
});
