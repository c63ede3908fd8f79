/**
 * `npm run verify` (OPS-04): the committed output of each selected environment, proven against a real API
 * server of the Kubernetes version the environment targets and the community's checkers.
 *
 * 1. the environments (the project's own loader) and the minors they target; every minor needs a
 *    pinned kube-apiserver;
 * 2. the tools (the installer; seconds when warm);
 * 3. dist/ must be what the generator writes now;
 * 4. per targeted minor: etcd + kube-apiserver; the pinned CRDs the output uses, Established;
 *    kubeconform schemas from that server's OpenAPI and the same CRDs; then per environment its
 *    namespaces, a server-side dry-run apply of every object, and every checker;
 * 5. waivers from the environment files; one report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { selectEnvironments, type Environment } from '../../environments';
import { dryRunApply, prepareNamespaces } from './admission';
import { type ApiServer, startApiServer } from './apiserver';
import { CHECKERS, type Checker, type CheckerContext, kubeconform, OFFLINE_CHECKERS, POLARIS_SKIPPED } from './checkers';
import { mergeAddonsReports, verifyAddonsIfMirrored, type AddonsReport } from './addons/verify-addons';
import { addonFailures } from './addons/report';
import { apiServerCanary } from './canary';
import { assessRun, failedRun } from './coverage';
import { customKinds, installCrds, pinnedCrds } from './crds';
import { projectExceptions } from './exceptions';
import { applyVerifyWaivers, compareFindings, type Finding, type ToolName, type WaivedFinding } from './findings';
import { readEnvironmentOutput } from './manifests';
import { serverOpenApi, writeKubeconformSchemas } from './schemas';
import { staleDist } from './stale';
import { apiserverVersions, ensureTools, pinnedVersions, ROOT } from './tools';
import { createWorkspace, type Workspace } from './workspace';

export interface VerifyOptions {
  /** @default - every registered environment */
  readonly environments?: readonly string[];
  /** @default '<repo>/dist' */
  readonly distDir?: string;
  /** Offline CRD mirror; undefined: the pinned URLs. */
  readonly crdMirror?: string;
  /** Offline chart mirror the add-ons are rendered from (app/verify/addons); undefined: a failing finding. */
  readonly chartMirror?: string;
  /** Compare dist/ with a fresh render first. @default true */
  readonly checkStale?: boolean;
  /** Progress lines (stderr in the CLI). @default - silent */
  readonly log?: (line: string) => void;
  /** See ApiServerOptions.handleSignals. @default true */
  readonly handleSignals?: boolean;
  /** Run the installer first. @default true */
  readonly installTools?: boolean;
  /** A waiver that matches nothing fails the run (in CI); else it only warns. @default - whether CI is set */
  readonly strictWaivers?: boolean;
}

/** CI=true (or any value but '' and 'false'), as CI services set it. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}

export interface ToolRun {
  readonly tool: ToolName;
  readonly version: string;
  readonly status: 'ran' | 'skipped';
  /** Why it was skipped. */
  readonly reason?: string;
  readonly seconds: number;
}

export interface EnvironmentVerdict {
  readonly environment: string;
  /** The minor the environment targets (cluster.kubernetesVersion). */
  readonly kubernetesVersion: string;
  /** What the API server reported, e.g. v1.35.4. */
  readonly server: string;
  readonly objects: number;
  /** Objects the API server admitted (a warning still counts as a finding). */
  readonly accepted: number;
  readonly namespaces: { readonly emitted: readonly string[]; readonly targeted: readonly string[] };
  readonly tools: readonly ToolRun[];
  /** Open findings: rejections, warnings, unwaived checker findings, waiver problems. */
  readonly findings: readonly Finding[];
  readonly waived: readonly WaivedFinding[];
}

export interface VerifyReport {
  readonly environments: readonly EnvironmentVerdict[];
  /** dist/ against a fresh render: one finding per stale environment. */
  readonly stale: readonly Finding[];
  /** Where the CRDs came from: the mirror folder or 'pinned URLs'. */
  readonly crdSource: string;
  readonly crds: readonly string[];
  readonly etcd: string;
  readonly seconds: number;
  /** Whether an unused waiver fails the run (in CI). */
  readonly strictWaivers: boolean;
  /** Every add-on rendered, injected and admitted (app/verify/addons). */
  readonly addons: AddonsReport;
}

/** A finding that fails the run: all of them, but an unused waiver only warns outside CI. */
export function isFailure(finding: Finding, strictWaivers: boolean): boolean {
  return strictWaivers || !(finding.tool === 'verify' && finding.rule === 'waiver-unused');
}

export function passed(report: VerifyReport): boolean {
  return (
    report.stale.length === 0 &&
    report.environments.every((env) => !env.findings.some((f) => isFailure(f, report.strictWaivers))) &&
    !addonFailures(report.addons).some((f) => isFailure(f, report.strictWaivers))
  );
}

const seconds = (start: number) => Math.round((Date.now() - start) / 100) / 10;

/** Environments grouped by the Kubernetes minor they target, in declaration order. */
function byMinor(environments: readonly Environment[]): Map<string, Environment[]> {
  const groups = new Map<string, Environment[]>();
  for (const env of environments) {
    const minor = env.cluster.kubernetesVersion;
    groups.set(minor, [...(groups.get(minor) ?? []), env]);
  }
  return groups;
}

interface CheckerRun {
  /** The tool's findings on the environment's objects, and verify's own when the run cannot be trusted. */
  readonly findings: readonly Finding[];
  readonly run: ToolRun;
}

/** Runs one checker and proves its run (coverage.ts): a failure to run is a finding, never an empty list. */
async function runChecker(checker: Checker, given: Omit<CheckerContext, 'canary'>): Promise<CheckerRun> {
  const began = Date.now();
  const context: CheckerContext = { ...given, canary: checker.canary.objects };
  const environment = context.workspace.environment;
  let findings: readonly Finding[];
  try {
    const assessed = assessRun(environment, checker, await checker.run(context));
    findings = [...assessed.findings, ...assessed.failures];
  } catch (error) {
    findings = [failedRun(environment, checker, error)];
  }
  return { findings, run: { tool: checker.tool, version: checker.version(pinnedVersions()), status: 'ran', seconds: seconds(began) } };
}

/** Starts the checkers that need no API server at once; awaited later. */
function startOfflineCheckers(workspace: Workspace, kubernetesVersion: string): Promise<CheckerRun[]> {
  const running = Promise.all(OFFLINE_CHECKERS.map((checker) => runChecker(checker, { workspace, kubernetesVersion, schemaLocation: '' })));
  // Awaited after admission; until then a failure must not count as unhandled.
  running.catch(() => {});
  return running;
}

async function verifyEnvironment(
  server: ApiServer,
  environment: Environment,
  workspace: Workspace,
  offline: Promise<CheckerRun[]>,
  context: { readonly kubernetesVersion: string; readonly schemaLocation: string; readonly log: (line: string) => void },
): Promise<EnvironmentVerdict> {
  const { log } = context;
  const { output } = workspace;
  const start = Date.now();
  const namespaces = await prepareNamespaces(server.client, environment.name, output.objects);
  const admission = await dryRunApply(server.client, environment.name, output.objects, server.gitVersion);
  const canary = await apiServerCanary(server.client, environment.name);
  const tools: ToolRun[] = [{ tool: 'apiserver', version: server.gitVersion, status: 'ran', seconds: seconds(start) }];
  log(
    `${environment.name}: ${admission.accepted}/${output.objects.length} admitted, ${admission.findings.length} rejections/warnings (${seconds(start)}s)`,
  );

  const checked = [
    await runChecker(kubeconform, { workspace, kubernetesVersion: context.kubernetesVersion, schemaLocation: context.schemaLocation }),
    ...(await offline),
  ];
  const order = CHECKERS.map((checker) => checker.tool);
  checked.sort((a, b) => order.indexOf(a.run.tool) - order.indexOf(b.run.tool));
  tools.push(...checked.map((c) => c.run));
  const polaris = pinnedVersions().polaris || '-';
  tools.push({ tool: 'polaris', version: polaris, status: 'skipped', reason: POLARIS_SKIPPED, seconds: 0 });
  log(`${environment.name}: ${checked.map((c) => `${c.run.tool} ${c.findings.length}`).join(', ')}`);

  const found = [...namespaces.findings, ...admission.findings, ...canary, ...checked.flatMap((c) => c.findings)];
  const exceptions = projectExceptions(
    environment,
    output.objects.map((o) => o.object),
  );
  const { open, waived } = applyVerifyWaivers(environment.name, found, environment.waivers, exceptions);
  open.sort(compareFindings);
  waived.sort((a, b) => compareFindings(a.finding, b.finding));
  return {
    environment: environment.name,
    kubernetesVersion: environment.cluster.kubernetesVersion,
    server: server.gitVersion,
    objects: output.objects.length,
    accepted: admission.accepted,
    namespaces: { emitted: namespaces.emitted, targeted: namespaces.targeted },
    tools,
    findings: open,
    waived,
  };
}

export async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
  const start = Date.now();
  const log = options.log ?? (() => {});
  const distDir = resolve(options.distDir ?? join(ROOT, 'dist'));
  const environments = selectEnvironments(options.environments);
  const groups = byMinor(environments);
  const versions = apiserverVersions(new Map([...groups].map(([minor, envs]) => [minor, envs.map((e) => e.name)])));
  if (options.installTools ?? true) {
    log(`tools: scripts/install-tools.sh`);
    ensureTools(versions.keys());
  }
  const names = environments.map((e) => e.name);
  let stale: Finding[] = [];
  if (options.checkStale ?? true) {
    log(`dist: comparing ${distDir} with a fresh render`);
    stale = staleDist(distDir, names);
  }
  const outputs = new Map(names.map((name) => [name, readEnvironmentOutput(distDir, name)]));
  const work = mkdtempSync(join(tmpdir(), 'verify-'));
  const verdicts: EnvironmentVerdict[] = [];
  const crdNames = new Set<string>();
  const addonReports: AddonsReport[] = [];
  try {
    for (const [minor, envs] of groups) {
      const fullVersion = versions.get(minor)!;
      const workspaces = new Map(envs.map((env) => [env.name, createWorkspace(work, outputs.get(env.name)!)]));
      const offline = new Map(envs.map((env) => [env.name, startOfflineCheckers(workspaces.get(env.name)!, fullVersion)]));
      const began = Date.now();
      const server = await startApiServer({ minor, handleSignals: options.handleSignals });
      try {
        log(`kube-apiserver ${server.gitVersion} and etcd ${pinnedVersions().etcd} ready in ${seconds(began)}s at ${server.url}`);
        const objects = envs.flatMap((env) => outputs.get(env.name)!.objects);
        const openapi = await serverOpenApi(server.client);
        const served = await server.client.served();
        const builtIn = new Set(objects.map((o) => `${o.object.apiVersion}/${o.object.kind}`).filter((id) => served.has(id)));
        const { crds } = await pinnedCrds(await customKinds(server.client, objects), options.crdMirror);
        await installCrds(server.client, crds);
        for (const crd of crds) crdNames.add(crd.name);
        log(`${crds.length} CRDs Established (${options.crdMirror ?? 'pinned URLs'})`);
        const schemaLocation = await writeKubeconformSchemas(join(work, `schemas-${minor}`), openapi, builtIn, crds);
        for (const env of envs) {
          verdicts.push(
            await verifyEnvironment(server, env, workspaces.get(env.name)!, offline.get(env.name)!, {
              kubernetesVersion: fullVersion,
              schemaLocation,
              log,
            }),
          );
        }
        // After the environments' own objects: the charts' CRDs replace the pinned ones on this server.
        addonReports.push(
          await verifyAddonsIfMirrored(
            server,
            envs.map((environment) => ({ environment, output: outputs.get(environment.name)! })),
            {
              mirror: options.chartMirror,
              crdMirror: options.crdMirror,
              work: join(work, `addons-${minor}`),
              kubernetesVersion: fullVersion,
              log,
            },
          ),
        );
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const order = new Map(names.map((name, index) => [name, index]));
  verdicts.sort((a, b) => order.get(a.environment)! - order.get(b.environment)!);
  return {
    environments: verdicts,
    stale,
    crdSource: options.crdMirror ?? 'pinned URLs',
    crds: [...crdNames].sort(),
    etcd: pinnedVersions().etcd,
    seconds: seconds(start),
    strictWaivers: options.strictWaivers ?? inCi(),
    addons: mergeAddonsReports(addonReports, options.environments === undefined),
  };
}
