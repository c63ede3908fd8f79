/**
 * Istio's sidecar injection with the real injector: `istioctl kube-inject` (the pinned istioctl,
 * built from the same Istio source as the rendered istiod chart) given the injection template, the
 * values and the mesh config of the istiod the environment installs, taken from its rendered
 * ConfigMaps as `istioctl kube-inject --help` says to capture them from a cluster. The injector itself
 * honours each pod's `sidecar.istio.io/inject` label or annotation, and the mesh's policy.
 *
 * Which namespaces inject is the webhook's namespaceSelector, which kube-inject does not apply; it is
 * decided here from the labels the namespace gets: `istio-injection=enabled`, or an `istio.io/rev`
 * label without `istio-injection=disabled`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../../../lib/core/manifest';
import { toolPath } from '../tools';
import { parseRendered, type RenderedObject } from './render';

export function injectsSidecars(labels: Readonly<Record<string, string>> | undefined): boolean {
  if (labels === undefined) return false;
  if (labels['istio-injection'] === 'enabled') return true;
  return labels['istio-injection'] !== 'disabled' && labels['istio.io/rev'] !== undefined;
}

export interface InjectorConfig {
  /** ConfigMap istio-sidecar-injector[-<rev>] data.config */
  readonly template: string;
  /** ConfigMap istio-sidecar-injector[-<rev>] data.values */
  readonly values: string;
  /** ConfigMap istio[-<rev>] data.mesh */
  readonly mesh: string;
  /** Where it was found, for the report. */
  readonly from: string;
  /** The istiod revision ('' for the default one). */
  readonly revision: string;
}

const data = (object: Manifest): Record<string, unknown> => (object.data ?? {}) as Record<string, unknown>;

/** The injector configuration among rendered objects (istiod's ConfigMaps), or undefined. */
export function injectorConfig(objects: readonly { readonly object: Manifest }[], revision = ''): InjectorConfig | undefined {
  const suffix = revision === '' || revision === 'default' ? '' : `-${revision}`;
  const configMap = (name: string) =>
    objects.find(({ object }) => object.apiVersion === 'v1' && object.kind === 'ConfigMap' && object.metadata.name === name)?.object;
  const injector = configMap(`istio-sidecar-injector${suffix}`);
  const mesh = configMap(`istio${suffix}`);
  const template = injector && data(injector).config;
  const values = injector && data(injector).values;
  const meshText = mesh && data(mesh).mesh;
  if (typeof template !== 'string' || typeof values !== 'string' || typeof meshText !== 'string') return undefined;
  return {
    template,
    values,
    mesh: meshText,
    from: `ConfigMap/${injector!.metadata.namespace ?? ''}/${injector!.metadata.name}`,
    revision: suffix === '' ? '' : revision,
  };
}

const POD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController']);

/** Runs kube-inject over the pod-bearing objects; others pass unchanged. Sources are kept by position. */
export async function injectSidecars(
  objects: readonly RenderedObject[],
  config: InjectorConfig,
  timeoutSeconds = 120,
): Promise<RenderedObject[]> {
  const pods = objects.filter(({ object }) => POD_KINDS.has(object.kind));
  if (pods.length === 0) return [...objects];
  const work = mkdtempSync(join(tmpdir(), 'verify-inject-'));
  try {
    const input = join(work, 'in.yaml');
    writeFileSync(input, pods.map((p) => `---\n${JSON.stringify(p.object)}\n`).join(''));
    writeFileSync(join(work, 'template.yaml'), config.template);
    writeFileSync(join(work, 'values.json'), config.values);
    writeFileSync(join(work, 'mesh.yaml'), config.mesh);
    // No cluster: an empty kubeconfig, and the revision named (without one istioctl asks a cluster for
    // the default revision and waits for it).
    writeFileSync(join(work, 'kubeconfig'), '');
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        toolPath('istioctl'),
        [
          'kube-inject',
          '--revision',
          config.revision === '' ? 'default' : config.revision,
          '--filename',
          input,
          '--injectConfigFile',
          join(work, 'template.yaml'),
          '--valuesFile',
          join(work, 'values.json'),
          '--meshConfigFile',
          join(work, 'mesh.yaml'),
        ],
        {
          encoding: 'utf8',
          maxBuffer: 256 * 1024 * 1024,
          timeout: timeoutSeconds * 1000,
          killSignal: 'SIGKILL',
          env: { ...process.env, KUBECONFIG: join(work, 'kubeconfig') },
        },
        (error, stdout, stderr) =>
          error
            ? reject(new Error(`istioctl kube-inject (${config.from}): ${(stderr || error.message).trim().slice(0, 2000)}`))
            : resolve(stdout),
      );
    });
    const injected = parseRendered(output);
    if (injected.length !== pods.length) {
      throw new Error(`istioctl kube-inject returned ${injected.length} objects for ${pods.length} (${config.from})`);
    }
    let next = 0;
    return objects.map((item) => {
      if (!POD_KINDS.has(item.object.kind)) return item;
      const out = injected[next++]!;
      // kube-inject adds `creationTimestamp: null` and an empty status; the API server accepts both.
      return { object: out.object, source: item.source, text: out.text };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
