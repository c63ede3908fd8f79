/**
 * Throughput of the policy and reference rules, a benchmark (not a timed test): the whole validator
 * must do >10,000 resources/s on one core, so the rules alone must comfortably exceed that.
 * Cross-object lookups are indexed; an O(n^2) scan shows here long before production sizes.
 * Run: npx tsx bench/rules-bench.ts [copies]   (prints the rate and its ratio to the 10,000/s goal)
 */
import { performance } from 'node:perf_hooks';
import type { Manifest } from '../lib/core/manifest';
import { runRules } from '../validation/rules/all';
import { goodPlatform, type M, PROD } from '../test/fixtures/rules/factories';

/** `copies` renamed copies of the platform, spread over 20 namespaces. */
function bigSet(copies: number): M[] {
  const text = JSON.stringify(goodPlatform());
  const out: M[] = [];
  for (let i = 0; i < copies; i++) {
    const ns = `ns-${i % 20}`;
    // Suffixing every name and namespace keeps all references intact within one copy.
    const copy = JSON.parse(text.replace(/"platform"/g, `"${ns}"`).replace(/\.platform\b/g, `.${ns}`)) as M[];
    for (const o of copy) o.metadata.namespace = ns;
    out.push(...rename(copy, `-${i}`));
  }
  return out;
}

/** Renames the objects of one copy and every reference to them. */
function rename(objects: M[], suffix: string): M[] {
  const names = new Set(objects.map((o) => o.metadata.name as string));
  const walk = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    }
    if (typeof v === 'string' && key !== 'port' && key !== 'targetPort') {
      const [head, ...rest] = v.split('.');
      if (names.has(head!)) return [head + suffix, ...rest].join('.');
      if (key === 'app.kubernetes.io/instance' || key === 'app.kubernetes.io/name') return v + suffix;
    }
    return v;
  };
  return objects.map((o) => walk(o) as M);
}

/** The goal the whole validator has: resources a second on one core. */
const GOAL_PER_SECOND = 10_000;

function main(): void {
  const copies = Number(process.argv[2] ?? 500);
  const objects = bigSet(copies) as Manifest[];
  const findings = runRules(objects, PROD).length; // also warms up the JIT
  if (findings > 0) throw new Error(`the good platform has ${findings} findings at this size: the rules changed`);
  // Best of three: the machine is shared, and the goal is about steady-state throughput.
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    runRules(objects, PROD);
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  const rate = objects.length / best;
  console.log(
    `rules: ${objects.length} resources in ${(best * 1000).toFixed(0)} ms = ${Math.round(rate)}/s, ${(rate / GOAL_PER_SECOND).toFixed(1)}x the ${GOAL_PER_SECOND}/s goal`,
  );
}

main();
