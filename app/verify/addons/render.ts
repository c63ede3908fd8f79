/**
 * `helm template` of one add-on as Flux's helm-controller or Argo CD's repo-server would install it:
 * the chart from the mirror, the release name and namespace, the values the HelmRelease or
 * Application carries (after the values a substitute source's release would set), the Kubernetes
 * version of the environment, the API versions the cluster serves, hooks included (both tools run
 * them), test hooks left out (neither runs them by default) and the chart's `crds/` included unless
 * the install skips them.
 *
 * Renders are kept in .cache/verify/helm/ (as parsed JSON) under a hash of everything that goes in
 * (helm version, every file of the chart folder, the arguments, the values), so a warm verify runs no
 * helm, and environments that install an add-on the same way share one render.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import type { Manifest } from '../../../lib/core/manifest';
import { ROOT, toolPath } from '../tools';

export interface RenderRequest {
  readonly chartDir: string;
  readonly releaseName: string;
  readonly namespace: string;
  /** Values files in order (later wins). */
  readonly values: readonly Readonly<Record<string, unknown>>[];
  /** e.g. v1.35.4 */
  readonly kubeVersion: string;
  /** `group/version` and `group/version/Kind` the cluster serves. */
  readonly apiVersions: readonly string[];
  readonly includeCrds: boolean;
  readonly helmVersion: string;
  /** Seconds helm may take. @default 120 */
  readonly timeoutSeconds?: number;
}

export interface RenderedObject {
  readonly object: Manifest;
  /** The template it came from (`# Source:`), e.g. `keda/templates/manager/deployment.yaml`. */
  readonly source: string;
  /** The document as helm printed it. */
  readonly text: string;
}

const CACHE = join(ROOT, '.cache', 'verify', 'helm');
const folderHashes = new Map<string, string>();
const rendered = new Map<string, RenderedObject[]>();

/** Hash of every file under a chart folder (path and content), once per process. */
function folderHash(dir: string): string {
  const known = folderHashes.get(dir);
  if (known) return known;
  const hash = createHash('sha256');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8', withFileTypes: false })
    .map((file) => String(file))
    .sort();
  for (const file of files) {
    const path = join(dir, file);
    let content: Buffer;
    try {
      content = readFileSync(path);
    } catch {
      continue; // a folder
    }
    hash
      .update(`${relative(dir, path)}\0`)
      .update(content)
      .update('\0');
  }
  const digest = hash.digest('hex');
  folderHashes.set(dir, digest);
  return digest;
}

function helmArgs(request: RenderRequest, valueFiles: readonly string[]): string[] {
  return [
    'template',
    request.releaseName,
    request.chartDir,
    '--namespace',
    request.namespace,
    '--kube-version',
    request.kubeVersion,
    '--skip-tests',
    ...(request.includeCrds ? ['--include-crds'] : []),
    ...(request.apiVersions.length > 0 ? ['--api-versions', [...request.apiVersions].sort().join(',')] : []),
    ...valueFiles.flatMap((file) => ['--values', file]),
  ];
}

function runHelm(args: readonly string[], timeoutSeconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      toolPath('helm'),
      [...args],
      {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: timeoutSeconds * 1000,
        killSignal: 'SIGKILL',
        // No repositories, registries or plugins of the user's: the chart is a local folder.
        env: {
          ...process.env,
          HELM_CONFIG_HOME: join(tmpdir(), 'verify-helm-config'),
          HELM_CACHE_HOME: join(tmpdir(), 'verify-helm-cache'),
        },
      },
      (error, stdout, stderr) => {
        if (error) {
          const why = (error as { killed?: boolean }).killed ? `timed out after ${timeoutSeconds}s` : (stderr || error.message).trim();
          reject(new Error(`helm ${args.slice(0, 3).join(' ')}: ${why.split('\n').slice(0, 10).join('\n')}`));
          return;
        }
        resolve(stdout);
      },
    );
  });
}

/** The documents of helm's output with the template each came from; empty documents dropped. */
export function parseRendered(output: string): RenderedObject[] {
  const objects: RenderedObject[] = [];
  for (const chunk of output.split(/^---[ \t]*$/m)) {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1]?.trim() ?? '';
    const parsed = parse(chunk) as unknown;
    if (parsed === null || parsed === undefined) continue;
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`helm output from ${source || '?'} is not an object`);
    const object = parsed as Manifest;
    if (typeof object.kind !== 'string' || typeof object.apiVersion !== 'string')
      throw new Error(`helm output from ${source || '?'} has no kind or apiVersion`);
    objects.push({ object, source, text: chunk.replace(/^\n+/, '') });
  }
  return objects;
}

/** Renders one install (or reads the same render from the cache). */
export async function renderChart(request: RenderRequest): Promise<{ objects: RenderedObject[]; cached: boolean }> {
  const key = createHash('sha256')
    .update(JSON.stringify([request.helmVersion, folderHash(request.chartDir), helmArgs(request, []), request.values]))
    .digest('hex');
  const known = rendered.get(key);
  if (known) return { objects: known, cached: true };
  const cached = join(CACHE, `${key}.json`);
  if (existsSync(cached)) {
    const objects = JSON.parse(readFileSync(cached, 'utf8')) as RenderedObject[];
    rendered.set(key, objects);
    return { objects, cached: true };
  }
  const work = mkdtempSync(join(tmpdir(), 'verify-helm-'));
  try {
    const files = request.values.map((values, index) => {
      const file = join(work, `values-${index}.json`);
      writeFileSync(file, JSON.stringify(values));
      return file;
    });
    const output = await runHelm(helmArgs(request, files), request.timeoutSeconds ?? 120);
    const objects = parseRendered(output);
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(`${cached}.${process.pid}.tmp`, JSON.stringify(objects));
    renameSync(`${cached}.${process.pid}.tmp`, cached);
    rendered.set(key, objects);
    return { objects, cached: false };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
