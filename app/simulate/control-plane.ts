/**
 * A control plane that acts, for `npm run simulate`: verify's etcd and kube-apiserver (app/verify/
 * apiserver.ts), plus kube-scheduler and kube-controller-manager of the same Kubernetes release and
 * KWOK's controller, which keeps Nodes that exist only as API objects Ready and marks the pods the
 * scheduler binds to them Running (its pod-fast stages), and finishes the pods that are deleted.
 *
 * The controller manager runs only the controllers the checks need: workloads (Deployment,
 * ReplicaSet, StatefulSet, DaemonSet, Job), the disruption controller (PDB status, which the Eviction
 * API reads), garbage collection, namespaces, ServiceAccounts and ResourceQuota. No HPA controller
 * (the simulation sets each workload's replicas through its scale subresource, as an autoscaler would),
 * no CronJob controller (the plan does not count periodic pods). The node lifecycle controller runs
 * with an hour's grace: it lifts the not-ready taint from Nodes KWOK made Ready, and never judges
 * KWOK's heartbeats within a run.
 *
 * The scheduler runs GKE's `optimize-utilization` idea: NodeResourcesFit scores MostAllocated, so
 * pods pack onto as few nodes as their constraints allow, and the nodes the scheduler used are the
 * nodes a cluster autoscaler would keep; every other plugin is the default profile's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type ApiServer, startApiServer } from '../verify/apiserver';
import { TOOLS_DIR, toolPath } from '../verify/tools';

export interface ControlPlane {
  readonly server: ApiServer;
  /** Names of the processes that run beside the API server, with their versions. */
  readonly components: readonly string[];
  /** The last lines of a component's log (for an error message). */
  logTail(component: string, lines?: number): string;
  stop(): Promise<void>;
}

/** KWOK's pod-fast and node-fast stages, copied from the module by scripts/install-tools.sh. */
export const KWOK_STAGES = join(TOOLS_DIR, 'share', 'kwok', 'stages.yaml');

/** The CRDs the Argo Rollouts controller watches, copied from its module by scripts/install-tools.sh. */
export const ARGO_ROLLOUTS_CRDS = join(TOOLS_DIR, 'share', 'argo-rollouts', 'crds.yaml');

/** A TCP port free on loopback now (the controllers' health and metrics listeners; two lanes run at once). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The annotation KWOK's controller manages nodes by (`--manage-nodes-with-annotation-selector`). */
export const KWOK_NODE_ANNOTATION = { 'kwok.x-k8s.io/node': 'fake' } as const;

const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'disruption-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'resourcequota-controller',
  'pod-garbage-collector-controller',
  // Lifts the not-ready taint the API server puts on every new Node (TaintNodesByCondition) once KWOK
  // reports it Ready; with a grace period longer than any run it never judges KWOK's heartbeats.
  'node-lifecycle-controller',
];

function schedulerConfig(kubeconfig: string): string {
  return JSON.stringify({
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    clientConnection: { kubeconfig, qps: 200, burst: 400 },
    leaderElection: { leaderElect: false },
    // A pod the scheduler could not place is retried a second after a node is added or freed, so a
    // settled cluster is one the scheduler has looked at again.
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 1,
    profiles: [
      {
        schedulerName: 'default-scheduler',
        pluginConfig: [
          {
            name: 'NodeResourcesFit',
            args: {
              scoringStrategy: {
                type: 'MostAllocated',
                resources: [
                  { name: 'cpu', weight: 1 },
                  { name: 'memory', weight: 1 },
                ],
              },
            },
          },
        ],
      },
    ],
  });
}

function start(binary: string, args: readonly string[], logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(binary, args, { stdio: ['ignore', log, log], detached: true });
    child.once('error', (error) => writeFileSync(logFile, `spawn ${binary}: ${error.message}\n`, { flag: 'a' }));
    return child;
  } finally {
    closeSync(log);
  }
}

async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface ControlPlaneOptions {
  /** Kubernetes minor: the binaries `kube-*-<minor>`. */
  readonly minor: string;
  readonly handleSignals?: boolean;
}

/** The binaries the simulation runs, for a minor. */
export function simulationBinaries(minor: string): string[] {
  return [`kube-apiserver-${minor}`, 'etcd', `kube-scheduler-${minor}`, `kube-controller-manager-${minor}`, 'kwok', 'rollouts-controller'];
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const missing = simulationBinaries(options.minor).filter((name) => !existsSync(toolPath(name)));
  if (missing.length > 0) throw new Error(`missing in ${join(TOOLS_DIR, 'bin')}: ${missing.join(', ')}; run \`npm run tools\``);
  for (const file of [KWOK_STAGES, ARGO_ROLLOUTS_CRDS]) if (!existsSync(file)) throw new Error(`missing ${file}; run \`npm run tools\``);
  const server = await startApiServer({ minor: options.minor, handleSignals: options.handleSignals });
  const children = new Map<string, ChildProcess>();
  const logs = new Map<string, string>();
  const stop = async () => {
    for (const child of [...children.values()].reverse()) await terminate(child, 5_000);
    await server.stop();
  };
  try {
    const schedulerFile = join(server.dir, 'scheduler.json');
    writeFileSync(schedulerFile, schedulerConfig(server.kubeconfig));
    const run = (name: string, binary: string, args: readonly string[]) => {
      const log = join(server.dir, `${name}.log`);
      logs.set(name, log);
      const child = start(toolPath(binary), args, log);
      children.set(name, child);
      // If this process dies, the API server's watchdog stops the servers; these exit with it.
      return child;
    };
    run('kube-scheduler', `kube-scheduler-${options.minor}`, [`--config=${schedulerFile}`, '--secure-port=0', '-v=1']);
    run('kube-controller-manager', `kube-controller-manager-${options.minor}`, [
      `--kubeconfig=${server.kubeconfig}`,
      '--leader-elect=false',
      '--secure-port=0',
      `--controllers=${CONTROLLERS.join(',')}`,
      '--node-monitor-grace-period=3600s',
      '--concurrent-deployment-syncs=10',
      '--concurrent-replicaset-syncs=10',
      '--concurrent-statefulset-syncs=10',
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      '-v=1',
    ]);
    run('kwok', 'kwok', [
      `--kubeconfig=${server.kubeconfig}`,
      `--config=${KWOK_STAGES}`,
      `--manage-nodes-with-annotation-selector=${Object.entries(KWOK_NODE_ANNOTATION)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`,
      '--node-lease-duration-seconds=0',
      '--server-address=',
    ]);
    // Rollouts create and scale their own ReplicaSets, as in the cluster. The controller starts its
    // informers for every argoproj.io kind it serves, so the caller installs the ones no pinned source
    // gives (ARGO_ROLLOUTS_CRDS) before any Rollout is applied.
    run('argo-rollouts', 'rollouts-controller', [
      `--kubeconfig=${server.kubeconfig}`,
      '--leader-elect=false',
      `--healthzPort=${await freePort()}`,
      `--metricsPort=${await freePort()}`,
      '--qps=200',
      '--burst=400',
      '--loglevel=warn',
    ]);
    // If this process is killed outright, the API server's watchdog stops etcd and kube-apiserver;
    // this one stops the scheduler, the controller manager and KWOK.
    const pids = [...children.values()].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
    const watchdog = spawn(
      'bash',
      [
        '-c',
        `while kill -0 ${process.pid} 2>/dev/null && [ -d "$1" ]; do sleep 1; done; kill -KILL ${pids.join(' ')} 2>/dev/null; exit 0`,
        'simulate-watchdog',
        server.dir,
      ],
      { stdio: 'ignore', detached: true },
    );
    watchdog.unref();
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const [name, child] of children) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) at start:\n${tailOf(logs.get(name)!)}`);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    server,
    components: [...children.keys()],
    logTail: (component, lines) => tailOf(logs.get(component) ?? '', lines),
    stop,
  };
}

function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
