/**
 * The mechanism TLS to Redis rests on (docs/design/redis-tls.md), proven with real redis-server
 * processes and a real Sentinel-aware TLS client (ioredis) that verifies host names, as our workers'
 * and KEDA's clients do: after a failover, Sentinel hands out the new master by the name a replica
 * announced, and the certificate names only host names, never pod IPs.
 *
 * One certificate names only DNS `localhost` (no IP SAN). A TLS-only primary with two replicas, three
 * TLS-only Sentinels with `resolve-hostnames` and `announce-hostnames`, monitoring the master as
 * `localhost`. The client writes, the primary is SIGKILLed, the Sentinels fail over, the client writes
 * again:
 *  - with `replica-announce-ip localhost` on every Redis (what our generator sets, as
 *    `replica-announce-ip <pod>.<headless service> FQDN` on each Redis pod, with `resolveHostnames` and
 *    `announceHostnames` on the Sentinels) and `sentinel announce-ip localhost` on every Sentinel (the
 *    generator's `sentinel announce-ip <pod>.<sentinel headless service> FQDN`, in a file the Sentinel's
 *    main config ends by including), Sentinel hands out `localhost` for the master and for the other
 *    Sentinels, and the write succeeds even when the one Sentinel the client was given is gone and it
 *    must use the Sentinels it was told of. Sentinel rewrites its main file (at start, on failover)
 *    under the include, and a Sentinel restarted on that file hands out the new master at once;
 *  - without them, Sentinel hands out the address the replica connected from (127.0.0.1) and the client
 *    refuses the new master's certificate (ERR_TLS_CERT_ALTNAME_INVALID): `announce-hostnames` alone
 *    does not carry a name Sentinel never learned. Sentinels list each other by IP too. This half shows
 *    the test can fail; without `sentinel announce-ip` alone, the client that knew one Sentinel finds
 *    no master once that one is gone (the Sentinels it was told of, by IP, fail its TLS check).
 *
 * Needs /usr/bin/redis-server (Debian's redis-server; scripts/install-redis.sh, run by `npm run
 * tools`, installs it): fails in CI without it, skipped with one line elsewhere.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { inCi } from '../app/verify/verify';
import {
  type Certificates,
  HOST,
  MASTER_NAME,
  makeCertificates,
  PASSWORD,
  pairs,
  REDIS_SERVER,
  SentinelSet,
  type SentinelSetOptions,
  waitFor,
  within,
} from './redis-sentinel-set';

const READY = inCi() || existsSync(REDIS_SERVER);
if (!READY) {
  console.warn(`test/redis-sentinel-tls.test.ts: skipped, no ${REDIS_SERVER} (scripts/install-redis.sh installs it; CI runs this)`);
}

/** How long the Sentinels may take to agree on a new master (down-after-milliseconds is 2000; it takes 2-4 s here). */
const FAILOVER_MS = 20_000;

/**
 * The client under test: finds the master through the Sentinels (`sentinelPorts`, and those they
 * report: ioredis's `updateSentinels` is left at its default, true), over TLS to both, trusting only
 * the test CA; Node verifies the host name it dials against the certificate. Reconnects every 250 ms;
 * a command waits through 20 failed reconnections (5 s) before it fails.
 */
function sentinelClient(set: SentinelSet, sentinelPorts = set.sentinelPorts): Redis {
  return new Redis({
    sentinels: sentinelPorts.map((port) => ({ host: HOST, port })),
    name: MASTER_NAME,
    password: PASSWORD,
    sentinelTLS: { ca: set.certs.ca },
    tls: { ca: set.certs.ca },
    enableTLSForSentinelMode: true,
    retryStrategy: () => 250,
    maxRetriesPerRequest: 20,
    lazyConnect: true,
  });
}

/** Starts a set (certificates, 3 Redis, 3 Sentinels) for the enclosing describe and kills it afterwards. */
function useSentinelSet(options: SentinelSetOptions): () => SentinelSet {
  let dir = '';
  let set: SentinelSet | undefined;
  beforeAll(async () => {
    if (!existsSync(REDIS_SERVER)) {
      throw new Error(`no ${REDIS_SERVER}: run scripts/install-redis.sh (npm run tools), which installs Debian's redis-server`);
    }
    dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-tls-'));
    set = new SentinelSet(dir, makeCertificates(dir), options);
    try {
      await set.start();
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : error}\n${set.logs()}`);
    }
  }, 40_000);
  afterAll(async () => {
    await set?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (set === undefined) throw new Error('the Sentinel set did not start');
    onTestFailed(() => console.error(set?.logs()));
    return set;
  };
}

/** Writes through the client, SIGKILLs the primary and waits until every Sentinel hands out another master. */
async function writeThenFailOver(set: SentinelSet, client: Redis): Promise<{ host: string; port: number }> {
  await within('the first write', 10_000, client.set('key', 'before'));
  const [before] = await set.masterAddresses();
  expect(before).toBe(`${HOST}:${set.primaryPort}`);
  await set.killPrimary();
  return set.failedOverFrom(before, FAILOVER_MS);
}

function tlsErrorCode(error: Error): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function replicaNames(set: SentinelSet): Promise<string[]> {
  return set
    .sentinel(set.sentinelPorts[0], ['SENTINEL', 'REPLICAS', MASTER_NAME])
    .then((replies) => (replies as unknown[]).map((reply) => pairs(reply).ip).sort());
}

function expectLocalhostOnly(certs: Certificates) {
  expect(new X509Certificate(certs.cert).subjectAltName).toBe(`DNS:${HOST}`);
}

describe.skipIf(!READY)('Redis Sentinel over TLS, certificate naming only DNS localhost', () => {
  describe('replica-announce-ip localhost on every Redis and sentinel announce-ip localhost on every Sentinel (the fix)', () => {
    const sentinelSet = useSentinelSet({ replicaAnnounceHostname: true, sentinelAnnounceHostname: true });
    /** The master after the failover, for the restart that follows it. */
    let failedOver: { host: string; port: number } | undefined;

    it('configures each Sentinel as the generator does, and Sentinel keeps the include when it rewrites its main file', () => {
      const set = sentinelSet();
      set.sentinelPorts.forEach((_, i) => {
        const main = readFileSync(set.sentinelConfigFile(i), 'utf8');
        // A Sentinel rewrites its file as it starts: what we wrote stays, its own lines follow a marker.
        const [written, generated = ''] = main.split('\n# Generated by CONFIG REWRITE\n');
        expect(written.trimEnd().split('\n').at(-1)).toBe(`include ${set.sentinelAnnounceFile(i)}`);
        expect(readFileSync(set.sentinelAnnounceFile(i), 'utf8')).toMatch(
          /^include \S+\/redis-sentinel-additional\.conf\nsentinel announce-ip localhost\n$/,
        );
        // Both values from the include are copied below it: from now on the main file's own lines win.
        expect(generated).toMatch(/^tls-replication yes$/m);
        expect(generated).toMatch(/^sentinel announce-ip "localhost"$/m);
      });
    });

    it('has every Sentinel list the other two as localhost', async () => {
      const set = sentinelSet();
      for (const port of set.sentinelPorts) {
        const others = set.sentinelPorts.filter((other) => other !== port).map((other) => `${HOST}:${other}`);
        expect(await set.sentinelPeers(port)).toEqual(others.sort());
      }
    });

    it('hands out the new master as localhost after a failover, and the verifying client, which knew one Sentinel, writes to it through the Sentinels it was told of', async () => {
      const set = sentinelSet();
      expectLocalhostOnly(set.certs);
      expect(await replicaNames(set)).toEqual([HOST, HOST]);
      const [first, ...rest] = set.sentinelPorts;
      const client = sentinelClient(set, [first]);
      const errors: Error[] = [];
      client.on('error', (error: Error) => errors.push(error));
      client.on('sentinelError', (error: Error) => errors.push(error));
      try {
        await within('the first write', 10_000, client.set('key', 'before'));
        const [before] = await set.masterAddresses();
        expect(before).toBe(`${HOST}:${set.primaryPort}`);
        // The one Sentinel the client was given goes too: it must find the master through the others.
        await Promise.all([set.killPrimary(), set.stopSentinel(0)]);
        failedOver = await set.failedOverFrom(before, FAILOVER_MS, rest);
        expect(failedOver.host).toBe(HOST);
        expect(failedOver.port).not.toBe(set.primaryPort);
        await within('the write after the failover', 10_000, client.set('key', 'after')).catch((error: Error) => {
          const seen = [...new Set(errors.map((e) => e.message.replace(/ after \d+ms/, '')))];
          throw new Error(`${error.message}; the client's errors: ${seen.join(' | ')}`);
        });
        expect(await set.redis(failedOver.port, ['GET', 'key'])).toBe('after');
        expect(await set.redis(failedOver.port, ['ROLE'])).toEqual(expect.arrayContaining(['master']));
        expect(errors.map((error) => error.message).join('\n')).not.toMatch(/altnames|ERR_TLS_CERT_ALTNAME_INVALID/);
      } finally {
        client.disconnect();
      }
    }, 40_000);

    it('rewrites the main config file under the include, and a Sentinel restarted on it hands out the new master', async () => {
      const set = sentinelSet();
      if (failedOver === undefined) throw new Error('the failover above did not complete');
      const master = `${HOST}:${failedOver.port}`;
      const rewritten = readFileSync(set.sentinelConfigFile(1), 'utf8');
      expect(rewritten).toContain(`\nsentinel monitor ${MASTER_NAME} ${HOST} ${failedOver.port} 2\n`);
      expect(rewritten).toContain(`\nsentinel known-replica ${MASTER_NAME} ${HOST} ${set.primaryPort}\n`);
      expect(rewritten).toMatch(new RegExp(`^sentinel config-epoch ${MASTER_NAME} [1-9]\\d*$`, 'm'));
      await set.stopSentinel(1);
      await set.restartSentinel(1);
      // Its first answer, as soon as it answers, before gossip (every 2 s) could tell it: from its files.
      expect((await set.masterAddresses([set.sentinelPorts[1]]))[0]).toBe(master);
      // The one stopped through the failover comes back on its old file and learns the new master.
      await set.restartSentinel(0);
      await waitFor(`every Sentinel to hand out ${master}`, 15_000, async () =>
        (await set.masterAddresses()).every((address) => address === master) ? true : undefined,
      );
      // The announced name survived the rewrites and both restarts, and each file holds one include, once.
      for (const [i, port] of set.sentinelPorts.entries()) {
        const others = set.sentinelPorts.filter((other) => other !== port).map((other) => `${HOST}:${other}`);
        expect(await set.sentinelPeers(port)).toEqual(others.sort());
        const main = readFileSync(set.sentinelConfigFile(i), 'utf8');
        expect(main.split(/^include /m)).toHaveLength(2);
        expect(main.split('# Generated by CONFIG REWRITE')).toHaveLength(2);
      }
    }, 40_000);
  });

  describe('without replica-announce-ip or sentinel announce-ip (announce-hostnames alone)', () => {
    const sentinelSet = useSentinelSet({ replicaAnnounceHostname: false, sentinelAnnounceHostname: false });

    it('fails: has every Sentinel list the others by IP, which a client that discovers Sentinels would refuse', async () => {
      const set = sentinelSet();
      for (const port of set.sentinelPorts) {
        const peers = (await set.sentinelPeers(port)).map((peer) => peer.slice(0, peer.lastIndexOf(':')));
        expect(peers.map((host) => isIP(host) !== 0)).toEqual([true, true]);
      }
    });

    it('fails: hands out the new master by IP after a failover, and the verifying client refuses its certificate', async () => {
      const set = sentinelSet();
      expectLocalhostOnly(set.certs);
      expect((await replicaNames(set)).map((name) => isIP(name) !== 0)).toEqual([true, true]);
      const client = sentinelClient(set);
      const errors: Error[] = [];
      client.on('error', (error: Error) => errors.push(error));
      try {
        const master = await writeThenFailOver(set, client);
        expect(isIP(master.host)).not.toBe(0);
        // Settled at once, so that its failure is an outcome to assert, not an unhandled rejection.
        const write = client.set('key', 'after').then(
          () => undefined,
          (error: Error) => error,
        );
        const refused = await waitFor('the client to refuse the new master', 10_000, async () =>
          errors.find((error) => tlsErrorCode(error) === 'ERR_TLS_CERT_ALTNAME_INVALID'),
        );
        expect(refused.message).toBe(`Hostname/IP does not match certificate's altnames: IP: ${master.host} is not in the cert's list: `);
        const failed = await within('the write after the failover to fail', 10_000, write);
        expect(failed?.message).toMatch(/^Reached the max retries per request limit/);
        // The same master, dialled by the name its certificate carries, is fine: only the address was wrong.
        expect(await set.redis(master.port, ['ROLE'])).toEqual(expect.arrayContaining(['master']));
      } finally {
        client.disconnect();
      }
    }, 40_000);
  });
});
