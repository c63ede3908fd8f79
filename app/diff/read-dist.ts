/**
 * Reads a committed dist/<env>/ folder back into objects with the `yaml` package, the same way the
 * fresh render's text is read, so that the comparison sees only what differs in the files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseManifests } from '../../validation/parse';
import { supportedKinds } from '../../validation/schema';
import type { Manifest } from '../../lib/core/manifest';
import { UserError } from '../../lib/core/user-error';

/** An object and the file it came from (kustomization.yaml has no metadata; the file names it). */
export interface SourcedObject {
  readonly file: string;
  readonly object: Manifest;
}

const KNOWN = new Set(supportedKinds());

/**
 * Objects of one multi-document YAML file. Manifests are read strictly (duplicate keys, unknown
 * kinds and malformed YAML fail with file:line:col); a kustomization.yaml is read as plain YAML.
 */
export function parseObjects(file: string, text: string): SourcedObject[] {
  if (basename(file) !== 'kustomization.yaml') {
    return parseManifests(text, file, { isKnownKind: (apiVersion, kind) => KNOWN.has(`${apiVersion}/${kind}`) }).map((object) => ({
      file,
      object,
    }));
  }
  return parseAllDocuments(text, { prettyErrors: false }).flatMap((doc) => {
    const [error] = doc.errors;
    if (error) throw new UserError(`${file}: ${error.message.split('\n')[0]}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return [];
    if (typeof value !== 'object' || Array.isArray(value)) throw new UserError(`${file}: a document is not a mapping`);
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

/** Every object of dist/<env>/ and its sub-folders, file by file in path order; none when the folder does not exist. */
export function readDistEnvironment(distDir: string, environment: string): SourcedObject[] {
  const dir = join(distDir, environment);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .flatMap((name) =>
      parseObjects(`${dir}/${name}`.replace(/^\.\//, ''), readFileSync(join(dir, name), 'utf8')).map((o) => ({
        ...o,
        file: relative(dir, join(dir, name)),
      })),
    );
}
