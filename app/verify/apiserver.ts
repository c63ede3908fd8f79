/**
 * A real control plane for one Kubernetes version: etcd and kube-apiserver from the tools cache, on
 * loopback, on free ports, with a throwaway CA, serving certificate, service-account key and token,
 * all in one temp folder. `stop()` ends the watchdog, then kube-apiserver (its graceful shutdown
 * needs etcd), then etcd, then deletes the folder; it runs on every exit path: the caller's `finally`,
 * SIGINT/SIGTERM, an uncaught exception, process exit, and, if this process is killed outright, the
 * watchdog process, which notices within a second.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from './kube-client';
import { toolPath } from './tools';

export interface ApiServerOptions {
  /** Kubernetes minor, e.g. '1.35': runs `kube-apiserver-<minor>` from the tools cache. */
  readonly minor: string;
  /** Seconds to wait for etcd and then kube-apiserver to become ready. @default 120 */
  readonly timeoutSeconds?: number;
  /**
   * Stop on SIGINT/SIGTERM and uncaught exceptions (then exit). Off inside test workers, where the
   * test runner owns the process; the watchdog and afterAll still stop it there.
   * @default true
   */
  readonly handleSignals?: boolean;
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=...']. @default [] */
  readonly extraArgs?: readonly string[];
}

export interface ApiServer {
  readonly minor: string;
  /** What the server reports, e.g. 'v1.35.4'. */
  readonly gitVersion: string;
  readonly url: string;
  readonly client: KubeClient;
  /** A kubeconfig for kubectl and the other tools (cluster admin, this server only). */
  readonly kubeconfig: string;
  /** The temp folder (certificates, data, logs); deleted by stop(). */
  readonly dir: string;
  stop(): Promise<void>;
}

/** Servers started by this process and not yet stopped, for the exit handlers. */
const running = new Set<RunningServer>();

interface RunningServer {
  readonly processes: ChildProcess[];
  readonly dir: string;
  stopped: boolean;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

interface Pki {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly saKey: string;
  readonly saPub: string;
  readonly tokens: string;
  readonly token: string;
}

/** A one-day CA, a serving certificate for 127.0.0.1, a service-account key pair and an admin token. */
function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=verify-ca', '-keyout', 'ca.key', '-out', 'ca.crt'],
    dir,
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', 'apiserver.key', '-out', 'apiserver.csr'],
    dir,
  );
  writeFileSync(
    join(dir, 'apiserver.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    ['x509', '-req', '-in', 'apiserver.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1'].concat([
      '-extfile',
      'apiserver.ext',
      '-out',
      'apiserver.crt',
    ]),
    dir,
  );
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},verify-admin,verify-admin-uid,"system:masters"\n`, { mode: 0o600 });
  return {
    ca: join(dir, 'ca.crt'),
    cert: join(dir, 'apiserver.crt'),
    key: join(dir, 'apiserver.key'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
    tokens: join(dir, 'tokens.csv'),
    token,
  };
}

function startProcess(binary: string, args: readonly string[], logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    // Own process group: a Ctrl-C in the terminal reaches this process only, which then stops the
    // servers in order (kube-apiserver before etcd) instead of both dying at once.
    const child = spawn(binary, args, { stdio: ['ignore', log, log], detached: true });
    child.once('error', (error) => writeFileSync(logFile, `spawn ${binary}: ${error.message}\n`, { flag: 'a' }));
    if (child.pid === undefined) throw new Error(`could not start ${binary}`);
    return child;
  } finally {
    closeSync(log);
  }
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(
  what: string,
  process: ChildProcess,
  logFile: string,
  deadline: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  for (;;) {
    if (process.exitCode !== null || process.signalCode !== null) {
      throw new Error(
        `${what} exited (${process.exitCode ?? process.signalCode}) before it was ready; last lines of ${logFile}:\n${tail(logFile)}`,
      );
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready in time; last lines of ${logFile}:\n${tail(logFile)}`);
    await sleep(200);
  }
}

function alive(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, up to `graceMs` to exit, then SIGKILL. */
async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (!alive(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => alive(child) && child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function stopServer(server: RunningServer): Promise<void> {
  if (server.stopped) return;
  server.stopped = true;
  // Newest first: the watchdog (not needed once this runs), then kube-apiserver, whose graceful
  // shutdown needs etcd, then etcd.
  for (const child of [...server.processes].reverse()) await terminate(child, 10_000);
  rmSync(server.dir, { recursive: true, force: true });
  running.delete(server);
}

/** Last resort on process exit (no waiting possible): kill in order, delete the folder. */
function killNow(server: RunningServer): void {
  if (server.stopped) return;
  server.stopped = true;
  for (const child of [...server.processes].reverse()) if (alive(child)) child.kill('SIGKILL');
  rmSync(server.dir, { recursive: true, force: true });
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const server of running) killNow(server);
  });
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\nverify: ${signal}: stopping kube-apiserver and etcd`);
    Promise.all([...running].map(stopServer)).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('uncaughtException', (error) => {
    console.error(error);
    Promise.all([...running].map(stopServer)).finally(() => process.exit(1));
  });
}

/**
 * Kills the servers and deletes the folder if the process `pid` disappears without stopping them
 * (SIGKILL, a crashed test worker). Polls once a second; ends itself when the folder is gone.
 */
function startWatchdog(pid: number, dir: string, pids: () => readonly number[]): ChildProcess {
  const script = `
    while kill -0 ${pid} 2>/dev/null && [ -d "$1" ]; do sleep 1; done
    [ -d "$1" ] || exit 0
    for p in ${pids().join(' ')}; do kill -TERM "$p" 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 1; done; kill -KILL "$p" 2>/dev/null; done
    rm -rf "$1"`;
  const child = spawn('bash', ['-c', script, 'verify-watchdog', dir], { stdio: 'ignore', detached: true });
  child.unref();
  return child;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const deadline = () => Date.now() + (options.timeoutSeconds ?? 120) * 1000;
  const dir = mkdtempSync(join(tmpdir(), `verify-apiserver-${options.minor}-`));
  const server: RunningServer = { processes: [], dir, stopped: false };
  running.add(server);
  if (options.handleSignals ?? true) installExitHandlers();
  try {
    const pki = makePki(join(dir, 'pki'));
    const [etcdPort, peerPort, apiPort] = await freePorts(3);
    const etcdLog = join(dir, 'etcd.log');
    const etcd = startProcess(
      toolPath('etcd'),
      [
        '--name=verify',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=verify=http://127.0.0.1:${peerPort}`,
        '--initial-cluster-state=new',
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      etcdLog,
    );
    server.processes.push(etcd);
    await waitFor('etcd', etcd, etcdLog, deadline(), async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok);

    const apiLog = join(dir, 'kube-apiserver.log');
    const apiserver = startProcess(
      toolPath(`kube-apiserver-${options.minor}`),
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--tls-cert-file=${pki.cert}`,
        `--tls-private-key-file=${pki.key}`,
        `--client-ca-file=${pki.ca}`,
        `--token-auth-file=${pki.tokens}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        // No controller manager runs: the default reconciler would wait for endpoints forever.
        '--endpoint-reconciler-type=none',
        '--profiling=false',
        // As every real cluster runs (CNI and CSI daemons need it): privileged pods are then refused
        // or allowed by Pod Security in their namespace, the check verify is here to make.
        '--allow-privileged=true',
        ...(options.extraArgs ?? []),
      ],
      apiLog,
    );
    server.processes.push(apiserver);
    server.processes.push(startWatchdog(process.pid, dir, () => [apiserver.pid!, etcd.pid!]));

    const url = `https://127.0.0.1:${apiPort}`;
    const client = new KubeClient({ url, ca: readFileSync(pki.ca), token: pki.token });
    await waitFor('kube-apiserver', apiserver, apiLog, deadline(), async () => (await client.request('GET', '/readyz')).status === 200);
    const version = (await client.get('/version')) as { gitVersion?: string };
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'verify', cluster: { server: url, 'certificate-authority': pki.ca } }],
        users: [{ name: 'verify-admin', user: { token: pki.token } }],
        contexts: [{ name: 'verify', context: { cluster: 'verify', user: 'verify-admin' } }],
        'current-context': 'verify',
      }),
      { mode: 0o600 },
    );
    return {
      minor: options.minor,
      gitVersion: version.gitVersion ?? 'unknown',
      url,
      client,
      kubeconfig,
      dir,
      stop: () => stopServer(server),
    };
  } catch (error) {
    await stopServer(server);
    throw error;
  }
}
