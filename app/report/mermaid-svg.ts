/**
 * Mermaid source to SVG, at build time: mermaid's own browser bundle (the `mermaid` package, pinned in
 * package.json) runs in the headless Chromium (browser.ts) on an empty page that may load nothing, and
 * the SVG it returns is written into the report, which then needs no script at all.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export interface Diagram {
  /** The SVG's id, unique within the page (Mermaid scopes the diagram's styles by it). */
  readonly id: string;
  readonly source: string;
}

/**
 * Mermaid's settings: strict security (labels are sanitized, no click handlers), ids and shapes that
 * do not change between runs, and labels as SVG text in Arial's metrics (Liberation Sans in Debian's Chromium), so
 * the picture is one SVG any viewer draws the same.
 */
const MERMAID_CONFIG = {
  startOnLoad: false,
  securityLevel: 'strict',
  deterministicIds: true,
  // Mermaid draws shapes with rough.js, which takes a random seed unless one is given.
  handDrawnSeed: 1,
  htmlLabels: false,
  flowchart: { htmlLabels: false, useMaxWidth: true },
  fontFamily: 'Arial, "Liberation Sans", sans-serif',
  themeVariables: { fontFamily: 'Arial, "Liberation Sans", sans-serif' },
};

function mermaidBundle(): string {
  return readFileSync(require.resolve('mermaid/dist/mermaid.min.js'), 'utf8');
}

/** Each diagram as an `<svg>` element's markup, in order. */
export async function renderMermaid(browser: Browser, diagrams: readonly Diagram[]): Promise<string[]> {
  const page = await browser.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  // Offline by construction: anything the page asks for is refused and fails the render.
  await page.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  try {
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ content: mermaidBundle() });
    // tsx (npm run report) keeps function names with calls to its `__name` helper, which the page lacks.
    await page.evaluate('globalThis.__name = (f) => f');
    const svgs: string[] = [];
    for (const diagram of diagrams) {
      const result = await page.evaluate(
        async ({ id, source, config }) => {
          // biome-ignore lint/suspicious/noExplicitAny: the bundle's global, typed by its own package only in Node
          const mermaid = (globalThis as any).mermaid;
          mermaid.initialize({ ...config, deterministicIDSeed: id });
          try {
            return { svg: (await mermaid.render(id, source)).svg as string };
          } catch (error) {
            return { error: error instanceof Error ? error.message : String(error) };
          }
        },
        { id: diagram.id, source: diagram.source, config: MERMAID_CONFIG },
      );
      if ('error' in result) throw new Error(`Mermaid could not draw ${diagram.id}: ${result.error}`);
      if (!result.svg.startsWith('<svg') || /<script/i.test(result.svg)) throw new Error(`Mermaid returned no plain SVG for ${diagram.id}`);
      svgs.push(result.svg);
    }
    if (requests.length > 0) throw new Error(`drawing the topology asked for ${requests.join(', ')}; the report is built offline`);
    if (errors.length > 0) throw new Error(`drawing the topology logged errors: ${errors.join('; ')}`);
    return svgs;
  } finally {
    await page.close();
  }
}
