/**
 * Real redis-server processes for test/redis-sentinel-tls.test.ts: a private CA and one certificate
 * (openssl CLI), a TLS-only primary with two replicas and three TLS-only Sentinels, each process in a
 * temp dir of its own, on ports that were free on 127.0.0.1. Admin commands dial `localhost` over TLS
 * with the CA, so they verify host names as the client under test does.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const OPENSSL = '/usr/bin/openssl';
export const MASTER_NAME = 'mymaster';
export const PASSWORD = 'test-redis-password';
/** The only name the certificate carries, and the name every process and client dials. */
export const HOST = 'localhost';

export interface Certificates {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The CA in PEM, which clients trust. */
  readonly ca: string;
  /** The one certificate in PEM: server auth and client auth, DNS `localhost` only. */
  readonly cert: string;
}

/** A private CA and one certificate naming only DNS `localhost` (no IP SAN), made with the openssl CLI in `dir`. */
export function makeCertificates(dir: string): Certificates {
  const openssl = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    '-new',
    ...newKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=redis-sentinel-tls test CA',
  );
  openssl('req', '-new', ...newKey, '-keyout', 'redis.key', '-out', 'redis.csr', '-subj', '/CN=redis');
  writeFileSync(
    join(dir, 'redis.ext'),
    [
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth, clientAuth',
      `subjectAltName = DNS:${HOST}`,
      '',
    ].join('\n'),
  );
  openssl(...'x509 -req -in redis.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile redis.ext -out redis.crt'.split(' '));
  return {
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'redis.crt'),
    keyFile: join(dir, 'redis.key'),
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    cert: readFileSync(join(dir, 'redis.crt'), 'utf8'),
  };
}

/** `count` distinct ports that were free on 127.0.0.1: all held open together, then released. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Polls `probe` every 200 ms until it returns a value; fails after `timeoutMs` with the last reason. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof ProcessExited) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resolves with `promise`, or fails after `timeoutMs` naming `what`. */
export async function within<T>(what: string, timeoutMs: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Turns a flat `[key, value, key, value...]` reply (SENTINEL MASTER, SENTINEL REPLICAS) into a record. */
export function pairs(reply: unknown): Record<string, string> {
  const flat = reply as string[];
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]] = flat[i + 1];
  return record;
}

class ProcessExited extends Error {}

export interface RedisProcess {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** What it printed (its log goes to stdout), for failure messages. */
  readonly output: string[];
}

export interface SentinelSetOptions {
  /**
   * Every Redis sets `replica-announce-ip localhost`: the primary's INFO, and so Sentinel, names each
   * replica by the host name the certificate carries instead of the address it connected from.
   */
  readonly replicaAnnounceHostname: boolean;
  /**
   * Each Sentinel is configured in the shape our generator gives a Sentinel pod: its main config file
   * (the one Sentinel rewrites) ends with `include <its own file>`, and that file holds
   * `include <shared file>` (the shared file carries `tls-replication yes`) and `sentinel announce-ip
   * localhost`, so Sentinels gossip each other by the host name the certificate carries. Without it the
   * main file carries `tls-replication yes` itself, and Sentinels announce themselves by IP.
   */
  readonly sentinelAnnounceHostname: boolean;
}

/** A TLS-only primary with two replicas and three TLS-only Sentinels monitoring it as `localhost`. */
export class SentinelSet {
  readonly processes: RedisProcess[] = [];
  private ports: number[] = [];

  constructor(
    private readonly dir: string,
    readonly certs: Certificates,
    readonly options: SentinelSetOptions,
  ) {}

  get primaryPort(): number {
    return this.ports[0];
  }

  get redisPorts(): number[] {
    return this.ports.slice(0, 3);
  }

  get sentinelPorts(): number[] {
    return this.ports.slice(3);
  }

  /** Starts the Redis servers, waits until both replicas are online, then the Sentinels, until each knows all the others. */
  async start(): Promise<void> {
    this.ports = await freePorts(6);
    const [primary, ...replicas] = this.redisPorts;
    this.spawn('redis-0', primary, this.redisConfig(primary));
    replicas.forEach((port, i) => {
      this.spawn(`redis-${i + 1}`, port, [...this.redisConfig(port), `replicaof ${HOST} ${primary}`]);
    });
    for (const port of this.redisPorts) await waitFor(`redis on ${port}`, 10_000, () => this.redis(port, ['PING']));
    await waitFor('two online replicas', 15_000, async () => {
      const info = String(await this.redis(primary, ['INFO', 'replication']));
      return (info.match(/^slave\d+:.*state=online/gm) ?? []).length === 2 ? info : undefined;
    });
    this.sentinelPorts.forEach((port, i) => {
      this.spawn(`sentinel-${i}`, port, this.sentinelConfig(port, i), ['--sentinel']);
    });
    for (const port of this.sentinelPorts) {
      await waitFor(`sentinel on ${port} to see 2 replicas and 2 other sentinels, linked to both`, 15_000, async () => {
        const master = pairs(await this.sentinel(port, ['SENTINEL', 'MASTER', MASTER_NAME]));
        // A Sentinel counts another from its first hello, but flags it `disconnected` until it has
        // linked to it; a client that asks for Sentinels meanwhile skips it (ioredis's updateSentinels).
        const peers = ((await this.sentinel(port, ['SENTINEL', 'SENTINELS', MASTER_NAME])) as unknown[]).map(pairs);
        const linked = peers.length === 2 && peers.every((peer) => peer.flags === 'sentinel');
        return master['num-slaves'] === '2' && master.flags === 'master' && linked ? master : undefined;
      });
    }
  }

  /** Kills every process this set started (SIGKILL), and waits for each to exit. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => kill(p.child)));
  }

  /** SIGKILLs the primary, as a lost node would. */
  async killPrimary(): Promise<void> {
    await kill(this.processes[0].child);
  }

  /** SIGTERMs Sentinel `index` (0-2), as Kubernetes stops a pod, and waits for it to exit. */
  async stopSentinel(index: number): Promise<void> {
    await kill(this.sentinelProcess(index).child, 'SIGTERM');
  }

  /** Starts Sentinel `index` again on the config file it left behind, and waits until it answers. */
  async restartSentinel(index: number): Promise<void> {
    const old = this.sentinelProcess(index);
    if (!exited(old.child)) throw new Error(`${old.name} is still running: stop it first`);
    this.processes.splice(this.processes.indexOf(old), 1);
    this.launch(old.name, old.port, this.sentinelConfigFile(index), ['--sentinel'], [...old.output, '--- restarted ---\n']);
    await waitFor(`${old.name} on ${old.port} to answer again`, 10_000, () => this.sentinel(old.port, ['PING']));
  }

  /** The file Sentinel `index`'s main config file ends by including (with `sentinelAnnounceHostname`). */
  sentinelAnnounceFile(index: number): string {
    return join(this.dir, `sentinel-${index}`, 'sentinel-announce.conf');
  }

  /** Sentinel `index`'s main config file, the one it rewrites. */
  sentinelConfigFile(index: number): string {
    const name = `sentinel-${index}`;
    return join(this.dir, name, `${name}.conf`);
  }

  /** A command to one Redis, over TLS to `localhost` with the password. */
  redis(port: number, args: [string, ...string[]]): Promise<unknown> {
    return this.command(port, args, PASSWORD);
  }

  /** A command to one Sentinel, over TLS to `localhost`. */
  sentinel(port: number, args: [string, ...string[]]): Promise<unknown> {
    return this.command(port, args);
  }

  /** The master's address each Sentinel on `ports` hands out (SENTINEL GET-MASTER-ADDR-BY-NAME), as `host:port`. */
  async masterAddresses(ports = this.sentinelPorts): Promise<string[]> {
    const replies = await Promise.all(ports.map((port) => this.sentinel(port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME])));
    return replies.map((reply) => (reply as string[]).join(':'));
  }

  /** The other Sentinels one Sentinel knows (SENTINEL SENTINELS), each as `host:port`, sorted. */
  async sentinelPeers(port: number): Promise<string[]> {
    const replies = (await this.sentinel(port, ['SENTINEL', 'SENTINELS', MASTER_NAME])) as unknown[];
    return replies.map((reply) => `${pairs(reply).ip}:${pairs(reply).port}`).sort();
  }

  /** Waits until every Sentinel on `ports` hands out a master other than `old`; returns it as host and port. */
  async failedOverFrom(old: string, timeoutMs: number, ports = this.sentinelPorts): Promise<{ host: string; port: number }> {
    const address = await waitFor(`Sentinels on ${ports.join(', ')} to hand out a master other than ${old}`, timeoutMs, async () => {
      const addresses = new Set(await this.masterAddresses(ports));
      const [only] = addresses;
      return addresses.size === 1 && only !== old ? only : undefined;
    });
    const colon = address.lastIndexOf(':');
    return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
  }

  /** The last lines each process printed, for a failure message. */
  logs(): string {
    return this.processes
      .map((p) => `--- ${p.name} (port ${p.port}) ---\n${p.output.join('').split('\n').slice(-15).join('\n')}`)
      .join('\n');
  }

  private tlsConfig(port: number): string[] {
    return [
      'port 0',
      `tls-port ${port}`,
      // Redis 7's own default: loopback, and ::1 only where it exists (where localhost may resolve to it).
      'bind 127.0.0.1 -::1',
      'daemonize no',
      'logfile ""',
      `tls-cert-file ${this.certs.certFile}`,
      `tls-key-file ${this.certs.keyFile}`,
      `tls-ca-cert-file ${this.certs.caFile}`,
      'tls-auth-clients optional',
    ];
  }

  private redisConfig(port: number): string[] {
    return [
      ...this.tlsConfig(port),
      'tls-replication yes',
      `requirepass ${PASSWORD}`,
      `masterauth ${PASSWORD}`,
      'save ""',
      'appendonly no',
      'repl-diskless-sync-delay 0',
      ...(this.options.replicaAnnounceHostname ? [`replica-announce-ip ${HOST}`] : []),
    ];
  }

  private sentinelConfig(port: number, index: number): string[] {
    return [
      ...this.tlsConfig(port),
      ...(this.options.sentinelAnnounceHostname ? [] : ['tls-replication yes']),
      // Before `monitor`, which names the master by host name.
      'sentinel resolve-hostnames yes',
      'sentinel announce-hostnames yes',
      `sentinel monitor ${MASTER_NAME} ${HOST} ${this.primaryPort} 2`,
      // Not 1000: Sentinel pings every min(down-after, 1000) ms, so at 1000 a new master that answers its
      // first PING a little late is marked down and, with a quorum, failed over again.
      `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
      `sentinel failover-timeout ${MASTER_NAME} 5000`,
      `sentinel auth-pass ${MASTER_NAME} ${PASSWORD}`,
      ...(this.options.sentinelAnnounceHostname ? [`include ${this.writeSentinelAnnounceFile(index)}`] : []),
    ];
  }

  /**
   * What the generator's init container writes for each Sentinel pod (there: the shared
   * `redis-sentinel-additional.conf` and `sentinel announce-ip <pod FQDN>`). No `sentinel announce-port`:
   * with `tls-replication yes` a Sentinel announces its `tls-port`, which here differs per Sentinel.
   */
  private writeSentinelAnnounceFile(index: number): string {
    const shared = join(this.dir, 'redis-sentinel-additional.conf');
    // Written once, before any Sentinel starts: rewriting it while one reads it can hand that one an
    // empty file, which Redis includes without a word (it then speaks plain text to the TLS-only master).
    if (!existsSync(shared)) writeFileSync(shared, 'tls-replication yes\n');
    const file = this.sentinelAnnounceFile(index);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, [`include ${shared}`, `sentinel announce-ip ${HOST}`, ''].join('\n'));
    return file;
  }

  private spawn(name: string, port: number, config: string[], args: string[] = []): void {
    const dir = join(this.dir, name);
    mkdirSync(dir, { recursive: true });
    // Each its own file: a Sentinel rewrites its config.
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, [`dir ${dir}`, ...config, ''].join('\n'));
    this.launch(name, port, file, args);
  }

  private sentinelProcess(index: number): RedisProcess {
    const found = this.processes.find((p) => p.name === `sentinel-${index}`);
    if (found === undefined) throw new Error(`no sentinel-${index}: the set has Sentinels 0-2`);
    return found;
  }

  private launch(name: string, port: number, file: string, args: string[], output: string[] = []): void {
    const dir = join(this.dir, name);
    const child = spawn(REDIS_SERVER, [file, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', (error) => output.push(`spawn failed: ${error.message}\n`));
    this.processes.push({ name, port, child, output });
  }

  private async command(port: number, args: [string, ...string[]], password?: string): Promise<unknown> {
    const target = this.processes.find((p) => p.port === port);
    if (target && exited(target.child)) {
      throw new ProcessExited(`${target.name} exited (${target.child.exitCode ?? target.child.signalCode}):\n${target.output.join('')}`);
    }
    const client = new Redis(adminOptions(this.certs.ca, port, password));
    client.on('error', () => {});
    try {
      await client.connect();
      return await client.call(...args);
    } finally {
      client.disconnect();
    }
  }
}

/** One connection, no retries, no offline queue: a probe that fails fast. */
function adminOptions(ca: string, port: number, password: string | undefined): RedisOptions {
  return {
    host: HOST,
    port,
    password,
    tls: { ca },
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  };
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.pid === undefined || exited(child)) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await gone;
}
