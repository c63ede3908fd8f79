/**
 * A pod that no node of its pool can hold is refused when the model is loaded (issue 19 #8), by
 * `validate` and by `synth` before anything is written, naming the environment, the file, the field,
 * the value, the pool and what one of its nodes gives to pods. The check and the capacity plan read
 * one figure for a node (lib/node-allocatable.ts), and every pod the plan counts is a pod the check
 * sizes, with the same requests.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workloadsOf } from '../app/plan';
import { synthesize, validateEnvironments } from '../app/synthesize';
import { EnvironmentError, environmentNames } from '../environments';
import { modelPods, podTotal } from '../environments/pod-fit';
import { environment, rendered } from './helpers';

const fixture = (name: string) => join(__dirname, 'fixtures', 'pod-fit', `${name}.yaml`);

/** What one n2-standard-4 and one n2-standard-8 node of prod give to pods, as the plan prints them. */
const N2_4 =
  "a n2-standard-4 node of pool %POOL% gives pods 3.72 CPU / 12.912 GiB: allocatable 3.92 CPU / 13.302 GiB less the DaemonSets' 0.2 CPU / 0.391 GiB";
const N2_8 =
  "a n2-standard-8 node of pool data gives pods 7.71 CPU / 27.952 GiB: allocatable 7.91 CPU / 28.342 GiB less the DaemonSets' 0.2 CPU / 0.391 GiB";
const n2 = (pool: string) => N2_4.replace('%POOL%', pool);
const never = 'more than any node of its pool can hold, so it is never scheduled';

/** [fixture, the exact error line after the environment and file]: one per class of pod the model sizes. */
const TOO_BIG: readonly (readonly [string, string])[] = [
  [
    'service-cpu',
    `services.backend.resources.requests.cpu = "500": one pod of services.backend requests 500.1 CPU (with istio-proxy 100m), ${never}: ${n2('backend')}; request at most 3620m, or run it on a pool of larger machines`,
  ],
  [
    'service-memory',
    `services.worker.resources.requests.memory = "64Gi": one pod of services.worker requests 64.125 GiB (with istio-proxy 128Mi), ${never}: ${n2('workers')}; request at most 13093Mi, or run it on a pool of larger machines`,
  ],
  [
    'service-with-proxy',
    `services.frontend.resources.requests.cpu = "3700m": one pod of services.frontend requests 3.8 CPU (with istio-proxy 100m), ${never}: ${n2('frontend')}; request at most 3620m, or run it on a pool of larger machines`,
  ],
  [
    'postgres-memory',
    `dataStores.postgres.resources.memory = "32Gi": one pod of dataStores.postgres requests 32.25 GiB (with plugin-barman-cloud 256Mi), ${never}: ${N2_8}; request at most 28366Mi, or run it on a pool of larger machines`,
  ],
  [
    'pooler-cpu',
    `dataStores.postgres.pooler.resources.cpu = "8": one pod of dataStores.postgres.pooler requests 8 CPU, ${never}: ${N2_8}; request at most 7710m, or run it on a pool of larger machines`,
  ],
  [
    'redis-cpu',
    `dataStores.redis.resources.cpu = "8": one pod of dataStores.redis requests 8.05 CPU (with redis-exporter 50m), ${never}: ${N2_8}; request at most 7660m, or run it on a pool of larger machines`,
  ],
  [
    'edge-memory',
    `ingress.memory = "16Gi": one pod of ingress (the edge's NGINX pods) requests 16.125 GiB (with istio-proxy 128Mi), ${never}: ${n2('frontend')}; request at most 13093Mi, or run it on a pool of larger machines`,
  ],
];

function errorOf(run: () => unknown): EnvironmentError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return error as EnvironmentError;
  }
  throw new Error('expected the environment to be refused');
}

describe('a pod no node of its pool can hold', () => {
  it.each(TOO_BIG)('is refused by validate: %s', (name, expected) => {
    const error = errorOf(() => validateEnvironments({ environmentFiles: [fixture(name)] }));
    expect(error.issues).toHaveLength(1);
    expect(error.message).toBe(`${error.environment} (test/fixtures/pod-fit/${name}.yaml): ${expected}`);
  });

  describe('is refused by synth before anything is written', () => {
    const out = mkdtempSync(join(tmpdir(), 'pod-fit-'));
    afterAll(() => rmSync(out, { recursive: true, force: true }));
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .sort()
        .map((file) => {
          try {
            return `${file}\n${readFileSync(join(dir, file), 'utf8')}`;
          } catch {
            return file;
          }
        });

    it.each(TOO_BIG.map(([name]) => name))('%s', (name) => {
      cpSync(join(__dirname, '..', 'dist'), out, { recursive: true });
      const before = files(out);
      errorOf(() => synthesize({ environmentFiles: [fixture(name)], outDir: out }));
      expect(files(out)).toEqual(before);
    });
  });
});

describe.each(environmentNames())('%s', (name) => {
  it('sizes every pod the capacity plan counts, with the same requests and pool', () => {
    const env = environment(name);
    const workloads = workloadsOf(rendered(name).objects, env.cluster.nodePoolLabel);
    expect(workloads.length).toBeGreaterThan(0);
    const sizes = modelPods(env).map((pod) => {
      const total = podTotal(pod);
      return { pool: pod.pool, cpuMillis: Math.round(total.cpuMillis), memoryBytes: Math.round(total.memoryBytes) };
    });
    for (const w of workloads) {
      expect(sizes, `${w.kind}/${w.name}`).toContainEqual({
        pool: w.pool,
        cpuMillis: Math.round(w.pod.cpuMillis),
        memoryBytes: Math.round(w.pod.memoryBytes),
      });
    }
  });
});
