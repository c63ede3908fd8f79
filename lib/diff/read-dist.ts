/**
 * Reads a committed dist/<env>/ folder back into objects with the `yaml` package, the same way the
 * fresh render's text is read, so that the comparison sees only what differs in the files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../validation/types';

/** An object and the file it came from (kustomization.yaml has no metadata; the file names it). */
export interface SourcedObject {
  readonly file: string;
  readonly object: Manifest;
}

/** Objects of one multi-document YAML text. @throws Error naming the file and line of a syntax error. */
export function parseObjects(file: string, text: string): SourcedObject[] {
  return parseAllDocuments(text, { prettyErrors: false }).flatMap((doc) => {
    const [error] = doc.errors;
    if (error) throw new Error(`${file}: ${error.message.split('\n')[0]}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return [];
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file}: a document is not a mapping`);
    return [{ file, object: value as Manifest }];
  });
}

/** Environments present in a dist folder (its subfolders). */
export function distEnvironments(distDir: string): string[] {
  if (!existsSync(distDir)) return [];
  return readdirSync(distDir)
    .filter((name) => statSync(join(distDir, name)).isDirectory())
    .sort();
}

/** Every object of dist/<env>/, file by file in name order; none when the folder does not exist. */
export function readDistEnvironment(distDir: string, environment: string): SourcedObject[] {
  const dir = join(distDir, environment);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .flatMap((name) => parseObjects(`${dir}/${name}`.replace(/^\.\//, ''), readFileSync(join(dir, name), 'utf8')).map((o) => ({ ...o, file: name })));
}
