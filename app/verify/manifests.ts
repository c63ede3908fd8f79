/**
 * The synthesized output of one environment as verify checks it: every YAML file under dist/<env>/
 * (the apps at the root and every bundle sub-folder: add-ons, Flux, Argo CD), each object with the
 * file it came from. kustomization.yaml files are kustomize's own configuration, not objects for a
 * cluster, and are left out.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../../lib/core/manifest';

export interface SourcedManifest {
  /** Path under dist/<env>/, e.g. `addons/addons.yaml`. */
  readonly file: string;
  /** The bundle: '' for the apps at the root, else the sub-folder (`addons`, `flux`, `argocd`). */
  readonly bundle: string;
  readonly object: Manifest;
  /** The object's YAML exactly as written in the file (its document). */
  readonly text: string;
}

export interface EnvironmentOutput {
  readonly environment: string;
  /** Absolute dist/<env>/ folder. */
  readonly dir: string;
  /** Every manifest file under dir, relative, sorted. */
  readonly files: readonly string[];
  readonly objects: readonly SourcedManifest[];
}

function isManifestFile(file: string): boolean {
  return /\.ya?ml$/.test(file) && !/(^|\/)kustomization\.ya?ml$/.test(file);
}

/** Reads dist/<env>/; fails on unparseable YAML, naming the file. */
export function readEnvironmentOutput(distDir: string, environment: string): EnvironmentOutput {
  const dir = join(distDir, environment);
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: run \`npm run synth\``);
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => file.split('\\').join('/'))
    .filter(isManifestFile)
    .sort();
  const objects = files.flatMap((file) => {
    const bundle = file.includes('/') ? file.slice(0, file.indexOf('/')) : '';
    const source = readFileSync(join(dir, file), 'utf8');
    return parseAllDocuments(source).flatMap((doc) => {
      if (doc.errors.length > 0) throw new Error(`${join(dir, file)}: ${doc.errors[0]!.message.split('\n')[0]}`);
      const object = doc.toJS() as Manifest | null;
      const text = source.slice(doc.range[0], doc.range[2]);
      return object === null || object === undefined ? [] : [{ file, bundle, object, text }];
    });
  });
  return { environment, dir, files, objects };
}

/** `apiVersion` group: '' for the core group. */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}
