/**
 * Bad input: every class of bad value is rejected with the environment, the field path, the value
 * and what is allowed, and a failed synth leaves the output folder exactly as it was.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvironmentError, environmentNames, loadEnvironmentFile, selectEnvironments, unregisteredEnvironmentFiles } from '../environments';
import { synthesize } from '../app/synthesize';
import { enabledWebServices } from '../charts/resolve-service';
import { environment, longRunning } from './helpers';

const fixture = (name: string) => join(__dirname, 'fixtures', 'environments', `${name}.yaml`);

/**
 * What a message lists is what the model declares, read here from the environment the fixture extends
 * (never written out), so a new environment, service, pool or store changes no expected message.
 */
const declared = (environment: string, pick: (env: ReturnType<typeof selectEnvironments>[number]) => object | readonly string[]) => {
  const picked = pick(selectEnvironments([environment])[0]!);
  const names = Array.isArray(picked) ? picked : Object.keys(picked);
  expect(names.length).toBeGreaterThan(0);
  return names.join(', ');
};
const webServices = (environment: string, except: string) =>
  declared(environment, (env) => enabledWebServices(env).flatMap(([name]) => (name === except ? [] : [name])));

/** [fixture, the exact first line of the error, or a pattern where it lists what the model declares]. */
const BAD_INPUT: readonly (readonly [string, string | RegExp])[] = [
  ['negative-range', 'bad-negative: services.backend.replicas.min = -1: must be at least 0'],
  ['zero-range', 'bad-zero: services.frontend.replicas.max = 0: must be at least 1'],
  [
    'zero-floor-web',
    'bad-floor: services.backend.replicas.min = 0: must be at least 1 unless the service is a queue worker with queue.scaleToZero: true',
  ],
  ['min-above-max', 'bad-range: services.backend.replicas.max = 4: must be at least replicas.min (5)'],
  ['request-above-limit', 'bad-request: services.ai.resources.requests.cpu = "5": must not exceed resources.limits.cpu (4000m)'],
  [
    'bad-quantity',
    'bad-quantity: services.worker.resources.limits.cpu = "1.5.0": must be a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi',
  ],
  [
    'unknown-service',
    /^bad-service: services\.billing\.kind = .*: must be one of the kinds: web .*; a service the base does not declare needs its kind and every field$/,
  ],
  [
    'unknown-machine-type',
    `bad-machine: nodePools.frontend.machineType = "n9-huge-512": must be a machine type of this environment: ${declared('prod', (env) => env.machineTypes)}`,
  ],
  [
    'unknown-pool',
    `bad-pool: services.frontend.pool = "gpu": must be a node pool of this environment: ${declared('prod', (env) => env.nodePools)}`,
  ],
  ['bad-strategy', 'bad-strategy: services.backend.strategy.type = "recreate": must be one of the strategies: rolling, blueGreen, canary'],
  ['bad-host', 'bad-host: ingress.host = "Not_A_Host": must be a fully qualified lowercase DNS name such as app.example.com'],
  ['latest-image', 'bad-image: services.frontend.image.tag = "latest": must pin a release; "latest" is not allowed'],
  ['bad-digest', 'bad-digest: services.frontend.image.digest = "sha256:abc": must be sha256: followed by 64 hex digits'],
  ['unknown-key', /^bad-key: services\.backend\.replica = 3: unknown key; allowed keys: kind, enabled, .*\breplicas\b/],
  [
    'bad-namespace',
    'bad-namespace: namespace = "Platform_NS": must be a DNS-1123 label: lowercase letters, digits and "-", at most 63 characters',
  ],
  ['missing-api-host', 'bad-api-host: ingress.apiHost = (missing): is required when ingress.routing is "host"'],
  ['waiver-without-reason', 'bad-waiver: waivers[0].reason = "": must explain why the rule does not apply (at least 10 characters)'],
  [
    'canary-weights-out-of-order',
    "bad-canary: services.ai.strategy.steps[2].weight = 20: must be above the previous step's weight (50): canary weights only rise",
  ],
  [
    'canary-without-mesh',
    'bad-canary-mesh: services.ai.strategy.type = "canary": needs mesh.enabled: the canary weight is set on the Istio VirtualService',
  ],
  [
    'worker-rollout',
    /^bad-worker: services\.worker\.strategy = \{"type":"blueGreen"\}: unknown key \(a worker takes no traffic and always rolls out: port, protocol, healthPath, .*metricsPath, metricsPort, strategy, .* are for web services\); allowed keys: /,
  ],
  [
    'unknown-callee',
    `bad-graph: services.frontend.calls[1] = "payments": must name another web service: ${webServices('prod', 'frontend')}`,
  ],
  [
    'tracks-over-100',
    'bad-tracks: services.frontend.tracks = 100: track weights must add up to less than 100: the main track keeps the rest',
  ],
  [
    'unknown-data-store',
    `bad-store: services.backend.uses[1] = "cassandra": must name a data store of this environment: ${declared('prod', (env) => env.dataStores)}`,
  ],
  [
    'wildcard-http01',
    'bad-wildcard: tls.wildcard = "*.example.com": needs a dns01 solver: ACME issues wildcards only against DNS challenges',
  ],
  ['replicas-overflow', 'bad-max: services.backend.replicas.max = 3000000000: must be at most 5000'],
  [
    'istio-reserved-port',
    'bad-port: services.backend.port = 15000: is reserved by the Istio sidecar: 15000 is in 15000-15090, where the proxy and its agent listen in every pod; choose another port',
  ],
  [
    'metrics-on-route-port',
    "bad-metrics-port: services.frontend.metricsPort = 3000: is the service's port (3000), which its Services and public routes reach: a route to / would publish /metrics; choose another port",
  ],
  ['solver-without-project', 'bad-solver: tls.issuer.solver.project = (missing): is required (string)'],
  ['unknown-dataplane', 'bad-dataplane: cluster.network.dataplane = "cilium": must be one of: dataplane-v2, calico'],
  [
    'shared-prefix-with-slash',
    'bad-shared-prefix: secrets.sharedPrefix = "platform/prod": must be letters, digits, "-" and "_" only for Google Secret Manager (secret IDs have no "/" or "."), e.g. platform-prod',
  ],
  ['wrong-types', 'bad-type: services.backend.replicas.min = "2": must be a number'],
  ['unknown-parent', `bad-parent: extends = "production": must name a known environment: ${environmentNames().join(', ')}`],
];

/** Files that are not even well-formed: the error names the file and line. */
const MALFORMED: readonly (readonly [string, RegExp])[] = [
  ['malformed', /malformed\.yaml:6:1: Flow map in block collection must be sufficiently indented/],
  ['duplicate-key', /duplicate-key\.yaml:6:5: Map keys must be unique/],
];

describe('environment validation', () => {
  it.each(BAD_INPUT)('fails on %s', (name, expected) => {
    let error: unknown;
    try {
      loadEnvironmentFile(fixture(name));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    // Each message names the file that set the bad value: here, the fixture.
    const [first = ''] = (error as Error).message.split('\n');
    const source = ` (test/fixtures/environments/${name}.yaml)`;
    const [environment = ''] = first.split(':', 1);
    expect(environment).toMatch(new RegExp(`^[a-z-]+${source.replace(/[.()/]/g, '\\$&')}$`));
    const rest = first.replace(source, '');
    if (typeof expected === 'string') expect(rest).toBe(expected);
    else expect(rest).toMatch(expected);
  });

  it.each(MALFORMED)('fails on %s with the file and line', (name, expected) => {
    expect(() => loadEnvironmentFile(fixture(name))).toThrow(expected);
  });

  it("accepts a valid overlay and keeps its parent's values", () => {
    const preview = loadEnvironmentFile(fixture('valid-overlay'));
    expect(preview.ingress.host).toBe('preview.example.com');
    expect(longRunning(preview.services.backend).replicas).toEqual(longRunning(environment('prod').services.backend).replicas);
  });

  it('fails on an unknown environment name, listing the known ones', () => {
    expect(() => selectEnvironments(['production'])).toThrow(`unknown environment "production"; known: ${environmentNames().join(', ')}`);
  });

  it('loads every registered environment, in order, and every environment file is registered', () => {
    expect(environmentNames().length).toBeGreaterThan(0);
    expect(selectEnvironments().map((env) => env.name)).toEqual(environmentNames());
    expect(unregisteredEnvironmentFiles(join(__dirname, '..', 'environments'))).toEqual([]);
  });
});

describe('a failed synth', () => {
  const out = mkdtempSync(join(tmpdir(), 'synth-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const snapshot = (dir: string) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .sort()
      .map((file) => {
        try {
          return `${file}\n${readFileSync(join(dir, file), 'utf8')}`;
        } catch {
          return file; // a folder
        }
      });

  it.each([...BAD_INPUT, ...MALFORMED].map(([name]) => name))('leaves the output folder unchanged on %s', (name) => {
    cpSync(join(__dirname, '..', 'dist'), out, { recursive: true });
    const before = snapshot(out);
    expect(() => synthesize({ environmentFiles: [fixture('valid-overlay'), fixture(name)], outDir: out })).toThrow();
    expect(snapshot(out)).toEqual(before);
  });

  it('writes nothing of the good environments when one is bad', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'synth-empty-'));
    expect(() => synthesize({ environmentFiles: [fixture('valid-overlay'), fixture('min-above-max')], outDir: fresh })).toThrow();
    expect(readdirSync(fresh)).toEqual([]);
    rmSync(fresh, { recursive: true });
  });
});
