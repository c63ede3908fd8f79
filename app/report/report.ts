/** `npm run report`: gathers the inputs (inputs.ts), draws the topology in Chromium, writes the page. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { launchChromium } from './browser';
import { collectInputs, type ReportInputs, type ReportOptions } from './inputs';
import { renderMermaid } from './mermaid-svg';
import { reportPage } from './page';

/** The page's default place: git-ignored, never in dist/, which holds only what synth writes. */
export const DEFAULT_REPORT = '.cache/report/report.html';

export interface BuildReportOptions extends ReportOptions {
  /** @default DEFAULT_REPORT */
  readonly out?: string;
}

function inside(parent: string, child: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Builds the page and writes it; returns where, and what it was made from. */
export async function buildReport(options: BuildReportOptions = {}): Promise<{ readonly file: string; readonly inputs: ReportInputs }> {
  const file = resolve(options.out ?? DEFAULT_REPORT);
  const distDir = options.distDir ?? 'dist';
  if (inside(distDir, file)) throw new Error(`--out ${options.out}: the report is never written into ${distDir}/, which only synth writes`);
  const inputs = collectInputs(options);
  const browser = await launchChromium();
  let svgs: string[];
  try {
    svgs = await renderMermaid(
      browser,
      inputs.topology.map((t) => ({ id: `topology-svg-${t.environment}`, source: t.mermaid })),
    );
  } finally {
    await browser.close();
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, reportPage(inputs, svgs));
  return { file, inputs };
}
