/**
 * Where the verification tools live and which versions are pinned (tools/versions.env), and the one
 * way to get them: scripts/install-tools.sh (`npm run tools`), which returns in about a second when
 * every tool is already built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest folder above this file that holds tools/versions.env. */
export const ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tools', 'versions.env'))) return dir;
    if (dirname(dir) === dir) throw new Error(`tools/versions.env not found above ${from}`);
  }
}

export const TOOLS_DIR = process.env.TOOLS_DIR ? resolve(process.env.TOOLS_DIR) : join(ROOT, '.cache', 'tools');
export const BIN = join(TOOLS_DIR, 'bin');
const VERSIONS_FILE = join(ROOT, 'tools', 'versions.env');
const INSTALLER = join(ROOT, 'scripts', 'install-tools.sh');

/** Thrown when the tools are missing and cannot be installed; the message says what to run. */
export class ToolsMissingError extends Error {
  constructor(detail: string) {
    super(`verify tools are not installed: ${detail}. Run \`npm run tools\` (scripts/install-tools.sh; see tools/README.md)`);
    this.name = 'ToolsMissingError';
  }
}

/** The one reader of tools/versions.env (the installer sources it too): it parses the file and checks its keys. */
const VERSIONS_READER = join(ROOT, 'tools', 'versions.sh');

const read = new Map<string, Readonly<Record<string, string>>>();

/**
 * tools/versions.env as KEY → value, read by tools/versions.sh: every key it knows, literal values,
 * no expansion; every required key set.
 * @throws Error with the reader's message (`<file>:<line>: ...`) when the file is malformed
 */
export function readVersions(file = VERSIONS_FILE): Readonly<Record<string, string>> {
  const known = read.get(file);
  if (known !== undefined) return known;
  const result = spawnSync('bash', [VERSIONS_READER, file], { encoding: 'utf8' });
  if (result.error) throw new Error(`tools/versions.sh could not run (${result.error.message})`);
  if (result.status !== 0) throw new Error(result.stderr.trim() || `tools/versions.sh exited with ${result.status}`);
  const values = Object.fromEntries(
    result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  read.set(file, values);
  return values;
}

export interface PinnedVersions {
  /** Full Kubernetes versions with a pinned kube-apiserver, by minor: '1.35' → '1.35.4'. */
  readonly kubernetes: ReadonlyMap<string, string>;
  readonly etcd: string;
  readonly kubeconform: string;
  readonly kubeScore: string;
  readonly pluto: string;
  readonly argoRollouts: string;
  readonly istioctl: string;
  readonly checkov: string;
  /** Helm 4, which renders the add-on charts (app/verify/addons). */
  readonly helm: string;
  /** Empty: not installable (see tools/README.md). */
  readonly polaris: string;
}

export function pinnedVersions(values = readVersions()): PinnedVersions {
  // tools/versions.sh has checked that every required key is set; a key missing here is one it does not read.
  const need = (key: string): string => {
    const value = values[key];
    if (value === undefined) throw new Error(`tools/versions.sh does not read ${key}: add it to VERSION_KEYS`);
    return value;
  };
  const kubernetes = new Map(
    need('KUBERNETES_VERSIONS')
      .split(/\s+/)
      .filter((v) => v !== '')
      .map((v) => [v.split('.').slice(0, 2).join('.'), v] as const),
  );
  return {
    kubernetes,
    etcd: need('ETCD_VERSION'),
    kubeconform: need('KUBECONFORM_VERSION'),
    kubeScore: need('KUBE_SCORE_VERSION'),
    pluto: need('PLUTO_VERSION'),
    argoRollouts: need('ARGO_ROLLOUTS_VERSION'),
    istioctl: need('ISTIOCTL_VERSION_LABEL'),
    checkov: need('CHECKOV_VERSION'),
    helm: need('HELM_VERSION'),
    polaris: need('POLARIS_VERSION'),
  };
}

/**
 * The pinned full version for each targeted minor.
 * @throws Error naming each minor without a pinned kube-apiserver and the environments that target it
 */
export function apiserverVersions(targets: ReadonlyMap<string, readonly string[]>, pinned = pinnedVersions()): Map<string, string> {
  const missing = [...targets].filter(([minor]) => !pinned.kubernetes.has(minor));
  if (missing.length > 0) {
    const have = [...pinned.kubernetes.values()].join(', ') || 'none';
    throw new Error(
      missing
        .map(
          ([minor, envs]) =>
            `Kubernetes ${minor} (targeted by ${envs.join(', ')}: cluster.kubernetesVersion) has no pinned kube-apiserver; tools/versions.env KUBERNETES_VERSIONS has ${have}. Add the newest ${minor}.x patch that \`go list -m -versions k8s.io/kubernetes\` shows, generate tools/go/kube-apiserver-${minor} with tools/go/gen-wrapper.sh, then run \`npm run tools\``,
        )
        .join('\n'),
    );
  }
  return new Map([...targets.keys()].map((minor) => [minor, pinned.kubernetes.get(minor)!]));
}

/** Path of a tool in the cache; the kube-apiserver of one minor is `kube-apiserver-<minor>`. */
export function toolPath(name: string): string {
  return join(BIN, name);
}

/** Every binary verify runs, for the minors it needs. */
export function requiredBinaries(minors: Iterable<string>): string[] {
  return [
    ...[...minors].map((minor) => `kube-apiserver-${minor}`),
    'etcd',
    'kubeconform',
    'openapi2jsonschema',
    'kube-score',
    'pluto',
    'kubectl-argo-rollouts',
    'istioctl',
    'checkov',
    'helm',
  ];
}

/**
 * Runs the installer (a warm run takes about a second), then checks that every binary is there.
 * Its progress goes to stderr so that `--output json` stays parseable.
 * @throws ToolsMissingError when the installer fails or a binary is still missing
 */
export function ensureTools(minors: Iterable<string>, options: { readonly quiet?: boolean } = {}): void {
  const result = spawnSync('bash', [INSTALLER], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', options.quiet ? 'pipe' : process.stderr, options.quiet ? 'pipe' : process.stderr],
  });
  if (result.error) throw new ToolsMissingError(`scripts/install-tools.sh could not run (${result.error.message})`);
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new ToolsMissingError(`scripts/install-tools.sh exited with ${result.status}${tail ? `:\n${tail}\n` : ''}`);
  }
  const missing = requiredBinaries(minors).filter((name) => !existsSync(toolPath(name)));
  if (missing.length > 0) throw new ToolsMissingError(`missing in ${BIN}: ${missing.join(', ')}`);
}
