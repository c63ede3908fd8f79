/**
 * What a platform engineer changes in week one is one entry in an environment file: plain settings,
 * configuration files, a command, a second queue worker's queue, a service switched off. And every
 * bad value is reported with the file that set it, every environment in one run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain, formatExplanation } from '../app/commands/explain';
import { loadSelected } from '../app/synthesize';
import {
  EnvironmentError,
  EnvironmentErrors,
  environmentNames,
  loadAll,
  loadEnvironment,
  loadEnvironmentFile,
  readEnvironmentFile,
  unregisteredEnvironmentFiles,
} from '../environments';
import dev from '../environments/dev';
import { resolveWithProvenance } from '../environments/load';
import { platform } from '../environments/platform';
import prod from '../environments/prod';
import prodEu from '../environments/prod-eu';
import { QUEUE_NAME_ENV } from '../lib/names';
import type { Manifest } from '../lib/core/manifest';
import { rendered, renderOverlay } from './helpers';

interface Container {
  readonly name: string;
  readonly env?: { name: string; value: string }[];
  readonly command?: string[];
  readonly args?: string[];
  readonly volumeMounts: { name: string; mountPath: string }[];
}
interface PodSpec {
  readonly containers: Container[];
  readonly volumes: { name: string; configMap?: { name: string } }[];
}

function podSpec(objects: readonly Manifest[], kind: string, name: string): PodSpec {
  const workload = objects.find((o) => o.kind === kind && o.metadata.name === name) as
    | { spec: { template: { spec: PodSpec } } }
    | undefined;
  if (!workload) throw new Error(`no ${kind} ${name}`);
  return workload.spec.template.spec;
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

const fixture = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'overlay-')), 'proposal.yaml');
  writeFileSync(file, text);
  return file;
};

describe('plain settings, configuration files and the command are data', () => {
  const env = renderOverlay({
    name: 'configured',
    extends: dev,
    services: {
      backend: {
        env: { LOG_LEVEL: 'debug', FEATURE_FLAGS: 'a,b' },
        config: { 'settings.toml': 'timeout = 5\n' },
        command: ['uvicorn'],
        args: ['app.main:app', '--port', '8001'],
      },
    },
  });
  const backend = podSpec(env.objects, 'Deployment', 'backend');
  const container = backend.containers[0]!;

  it('sets the environment variables before the platform’s own', () => {
    expect(container.env?.slice(0, 2)).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'FEATURE_FLAGS', value: 'a,b' },
    ]);
  });

  it('runs the command and arguments', () => {
    expect(container.command).toEqual(['uvicorn']);
    expect(container.args).toEqual(['app.main:app', '--port', '8001']);
  });

  it('mounts the configuration files from the service’s ConfigMap', () => {
    const configMap = env.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'backend-config') as
      | { data: Record<string, string> }
      | undefined;
    expect(configMap?.data).toEqual({ 'settings.toml': 'timeout = 5\n' });
    expect(backend.volumes.find((v) => v.name === 'config')?.configMap?.name).toBe('backend-config');
    expect(container.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/app', readOnly: true });
  });

  it('refuses a variable the platform sets itself', () => {
    expect(() => loadEnvironment({ name: 'clash', extends: dev, services: { worker: { env: { QUEUE_NAME: 'other' } } } })).toThrow(
      /services\.worker\.env\.QUEUE_NAME = "other": is set by the platform \(QUEUE_NAME, OTEL_\*\); choose another name/,
    );
    expect(() => loadEnvironment({ name: 'clash', extends: dev, services: { backend: { env: { OTEL_SERVICE_NAME: 'x' } } } })).toThrow(
      /services\.backend\.env\.OTEL_SERVICE_NAME/,
    );
  });
});

describe('a queue worker learns its queue from the same value KEDA scales on', () => {
  it.each(environmentNames())("%s: every worker's QUEUE_NAME is the queue its ScaledObject reads", (name) => {
    const env = rendered(name);
    const scaled = env.objects.filter((o) => o.kind === 'ScaledObject') as unknown as {
      metadata: { name: string };
      spec: { triggers: { metadata: Record<string, string> }[] };
    }[];
    // The queue workers' ScaledObjects (a web service's may scale on latency instead).
    const queues = scaled.filter((object) => object.spec.triggers.some((t) => t.metadata.listName ?? t.metadata.queueName));
    expect(queues.length).toBeGreaterThan(0);
    for (const object of queues) {
      const trigger = object.spec.triggers[0]!.metadata;
      const queue = trigger.listName ?? trigger.queueName;
      expect(podSpec(env.objects, 'Deployment', object.metadata.name).containers[0]!.env).toContainEqual({
        name: QUEUE_NAME_ENV,
        value: queue,
      });
    }
  });
  const env = renderOverlay({ name: 'emails', extends: dev, services: { worker: { queue: { name: 'emails' } } } });
  it('reads the queue name from QUEUE_NAME', () => {
    const worker = podSpec(env.objects, 'Deployment', 'worker');
    expect(worker.containers[0]!.env).toContainEqual({ name: QUEUE_NAME_ENV, value: 'emails' });
    const scaled = env.objects.find((o) => o.kind === 'ScaledObject') as unknown as {
      spec: { triggers: { metadata: { listName: string } }[] };
    };
    expect(scaled.spec.triggers[0]!.metadata.listName).toBe('emails');
  });
});

describe('a service switched off in one environment', () => {
  it('fails while another service still calls it, naming both', () => {
    expect(() => loadEnvironment({ name: 'no-ai', extends: dev, services: { ai: { enabled: false } } })).toThrow(
      // The call is declared in the platform base; the service is switched off in the environment.
      'no-ai (environments/platform.ts): services.backend.calls[0] = "ai": names services.ai, which is disabled in this environment (enabled: false): enable it, or remove the call from services.backend.calls',
    );
  });

  it('leaves no object of it behind, and nothing points at it', () => {
    const env = renderOverlay({ name: 'no-ai', extends: prod, services: { ai: { enabled: false }, backend: { calls: [] } } });
    const mentions = env.objects.filter(
      (o) => JSON.stringify(o).includes('"ai"') || o.metadata.name === 'ai' || o.metadata.name === 'ai-secrets',
    );
    expect(mentions.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    expect(env.objects.some((o) => o.kind === 'Rollout' && o.metadata.name === 'backend')).toBe(true);
  });

  it('cannot be the one the edge routes to', () => {
    expect(() =>
      loadEnvironment({
        name: 'no-api',
        extends: dev,
        services: { backend: { enabled: false }, frontend: { calls: [] }, worker: { calls: [] } },
      }),
    ).toThrow(/ingress\.apiService = "backend": services\.backend is disabled \(enabled: false\); must name an enabled web service/);
  });
});

describe('errors name the file that set the bad value', () => {
  it('a bad value in the platform base names platform.ts, not the environment', () => {
    const base = { ...platform, ingress: { ...platform.ingress, rateLimitPerMinute: 0 } } as unknown as Record<string, unknown>;
    const error = errorOf(() => resolveWithProvenance(dev, base));
    expect(error.message).toBe('dev (environments/platform.ts): ingress.rateLimitPerMinute = 0: must be at least 1');
  });

  it('a bad value in a parent names the parent', () => {
    const error = errorOf(() =>
      loadEnvironment({ name: 'child', extends: { ...prod, services: { backend: { replicas: { min: 50, max: 10 } } } } }),
    );
    expect(error.message).toContain('child (environments/prod.ts): services.backend.replicas.max = 10');
  });

  it('reports every bad environment of a run at once', () => {
    const error = errorOf(() =>
      loadAll(
        [
          { name: 'one', extends: dev, services: { backend: { replicas: { min: 3, max: 2 } } } },
          { name: 'two', extends: dev, ingress: { host: 'Bad_Host' } },
        ],
        loadEnvironment,
      ),
    );
    expect(error).toBeInstanceOf(EnvironmentErrors);
    expect(error.message.split('\n').map((line) => line.split(' ', 1)[0])).toEqual(['one', 'two']);
  });

  it('explain says where a value comes from: the region, its parent, the base or a default', () => {
    expect(formatExplanation(explain(prodEu, 'services.backend.replicas.max'))).toBe(
      'prod-eu: services.backend.replicas.max = 20  (environments/prod-eu.ts)',
    );
    expect(explain(prodEu, 'services.ai.strategy').sources).toContainEqual({
      path: 'services.ai.strategy.type',
      source: 'environments/prod.ts',
    });
    expect(explain(prodEu, 'services.backend.port').sources).toEqual([
      { path: 'services.backend.port', source: 'environments/platform.ts' },
    ]);
    expect(explain(prodEu, 'services.backend.autoscaling.cpuPercent')).toMatchObject({
      value: 70,
      sources: [{ source: 'lib/defaults.ts (default)' }],
    });
    expect(() => explain(prodEu, 'services.backend.replica')).toThrow(
      'prod-eu: services.backend.replica: services.backend has no "replica"; it has kind,',
    );
  });
});

describe('an overlay file', () => {
  it('must name its own environment: without a name it would take its parent’s and overwrite it', () => {
    const error = errorOf(() => readEnvironmentFile(fixture('extends: prod\nservices: { backend: { replicas: { min: 2 } } }\n')));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toMatch(/^\(unnamed environment\) \(.*proposal\.yaml\): name = \(missing\): is required/);
  });

  it('may not take a registered environment’s name', () => {
    const error = errorOf(() => loadEnvironmentFile(fixture('name: prod\nextends: prod\n')));
    expect(error.message).toMatch(/^prod \(.*\): name = "prod": must differ from the registered environments \(/);
    expect(error.message).toContain(`(${environmentNames().join(', ')})`);
  });

  it('is synthesized under its own name', () => {
    const [proposal] = loadSelected({ environmentFiles: [fixture('name: prod-proposal\nextends: prod\n')] });
    expect(proposal?.name).toBe('prod-proposal');
  });
});

describe('an environment file left out of the list', () => {
  it('is found, so a synth fails instead of silently skipping it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'environments-'));
    writeFileSync(join(dir, 'prod.ts'), "export default defineEnvironment({ name: 'prod' });\n");
    writeFileSync(join(dir, 'prod-sa.ts'), "export default defineEnvironment({ name: 'prod-sa', extends: prod });\n");
    writeFileSync(join(dir, 'helpers.ts'), 'export const x = 1;\n');
    expect(unregisteredEnvironmentFiles(dir)).toEqual([join(dir, 'prod-sa.ts')]);
  });

  it('has none in this repository', () => {
    expect(unregisteredEnvironmentFiles(join(__dirname, '..', 'environments'))).toEqual([]);
  });
});
