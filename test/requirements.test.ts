/**
 * Requirements are cited by their stable ID in docs/requirements.md (`CAP-03`, `SEC-09` …), never by
 * the reference document they were taken from (`seed` and a number, which the repository does not
 * define): no file cites a seed, every ID cited exists, and every requirement is cited by the code
 * that implements it or marked not yet implemented.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const REQUIREMENTS = 'docs/requirements.md';

/** Where the project writes prose: code, tests, fixtures, docs. */
const SCANNED_FOLDERS = ['lib', 'validation', 'charts', 'environments', 'app', 'scripts', 'bench', 'test', 'docs'] as const;
const SCANNED_FILES = ['README.md', 'CONTRIBUTING.md'] as const;
/** The code: a requirement counts as implemented where one of these cites it. */
const CODE_FOLDERS = ['lib', 'validation', 'charts', 'environments', 'app', 'scripts'] as const;
const TEXT = /\.(?:[cm]?[jt]s|md|ya?ml|json|sh|snap|txt)$/;

/** A seed cited by number (the word, then three digits), also across a comment's line break. */
const SEED_CITATION = /\bseeds?\s*(?:\n\s*(?:\*|\/\/|#)?\s*)?0\d\d\b/gi;
const REQUIREMENT_ID = /\b(?:CAP|AVL|DEL|SEC|DAT|OPS)-\d{2}\b/g;
const REQUIREMENT_ROW = /^\| ((?:CAP|AVL|DEL|SEC|DAT|OPS)-\d{2}) \|(.*)$/gm;

function files(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && TEXT.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .filter((f) => !f.split('/').includes('node_modules'))
    .sort();
}

/** README's generated sections are written by `npm run readme` from the code, which this test reads. */
function handWritten(file: string): string {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return file === 'README.md' ? text.replace(/<!-- generated:([\w-]+) -->[\s\S]*?<!-- \/generated:\1 -->/g, '') : text;
}

function seedCitations(text: string): string[] {
  return [...text.matchAll(SEED_CITATION)].map((m) => m[0]);
}

/** The requirements docs/requirements.md states, by ID, with the rest of their row. */
function requirements(): Map<string, string> {
  const rows = [...readFileSync(join(ROOT, REQUIREMENTS), 'utf8').matchAll(REQUIREMENT_ROW)];
  return new Map(rows.map((m) => [m[1]!, m[2]!]));
}

const scanned = [...SCANNED_FOLDERS.flatMap(files), ...SCANNED_FILES].filter((f) => f !== REQUIREMENTS);
const code = CODE_FOLDERS.flatMap(files);

describe('requirements are cited by ID', () => {
  it('scans the project (the lists are not empty)', () => {
    expect(code.length).toBeGreaterThan(100);
    expect(scanned.length).toBeGreaterThan(code.length);
    expect(requirements().size).toBeGreaterThan(40);
  });

  it('detects a seed citation, also across a comment line break', () => {
    const seed = 'seed';
    expect(seedCitations(`/** 100 a minute (${seed} 004) */`)).toEqual([`${seed} 004`]);
    expect(seedCitations(`// ${seed}s 000 and 002`)).toHaveLength(1);
    expect(seedCitations(`/** by tier (${seed}\n * 002: 10,000) */`)).toHaveLength(1);
    expect(seedCitations('a random seed for rough.js; CAP-03')).toEqual([]);
  });

  it('no file cites a seed by number: cite the requirement ID of docs/requirements.md', () => {
    const found = scanned.flatMap((f) => seedCitations(handWritten(f)).map((c) => `${f}: ${c}`));
    expect(found).toEqual([]);
  });

  it('every requirement ID cited exists in docs/requirements.md', () => {
    const known = requirements();
    const cited = scanned.flatMap((f) => [...handWritten(f).matchAll(REQUIREMENT_ID)].map((m) => ({ f, id: m[0] })));
    expect(cited.length).toBeGreaterThan(100);
    expect(cited.filter((c) => !known.has(c.id)).map((c) => `${c.f}: ${c.id}`)).toEqual([]);
  });

  it('IDs are numbered in order within each area, with none skipped or repeated (append, never renumber)', () => {
    const ids = [...readFileSync(join(ROOT, REQUIREMENTS), 'utf8').matchAll(REQUIREMENT_ROW)].map((m) => m[1]!);
    const byArea = new Map<string, string[]>();
    for (const id of ids) byArea.set(id.slice(0, 3), [...(byArea.get(id.slice(0, 3)) ?? []), id]);
    expect(byArea.size).toBe(6);
    for (const [area, list] of byArea) {
      expect(list, area).toEqual(list.map((_, i) => `${area}-${String(i + 1).padStart(2, '0')}`));
    }
  });

  it('every requirement is cited by the code that implements it, or marked not yet implemented', () => {
    const cited = new Set(code.flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(REQUIREMENT_ID)].map((m) => m[0])));
    const uncited = [...requirements()].filter(([id, row]) => !cited.has(id) && !/not yet implemented/i.test(row)).map(([id]) => id);
    expect(uncited).toEqual([]);
  });
});
