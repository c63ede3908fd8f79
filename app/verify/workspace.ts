/**
 * The files each checker reads for one environment, in a temp folder:
 * - `objects/NNNN.yaml`: one object per file, its document exactly as in dist/ (kubeconform, so that
 *   a result names exactly one object even when a name repeats across namespaces);
 * - `files/<path>`: the manifest files of dist/<env>/ as they are, kustomization.yaml left out
 *   (pluto, istioctl);
 * - `workloads.yaml`: every object, with each Argo Rollout also given as the Deployment it stands for
 *   and autoscaler targets pointed at it (kube-score, checkov). Neither checker reads argoproj.io
 *   Rollouts, so without this a Rollout's pod template would go unchecked and every Service, PDB
 *   and HPA in front of it would be reported as matching nothing. Findings on such a Deployment are
 *   reported on the Rollout.
 * - per checker, the files it is given beside those (`<tool>.yaml`), and its canary objects in files of
 *   their own (`canaries/<tool>/`).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { type Manifest, manifestId } from '../../lib/core/manifest';
import type { EnvironmentOutput, SourcedManifest } from './manifests';

const ROLLOUT = 'argoproj.io/v1alpha1/Rollout';

export interface Workspace {
  readonly environment: string;
  /** `<tmp>/<env>`. */
  readonly dir: string;
  readonly output: EnvironmentOutput;
  /** One file per object → the object. */
  readonly objectFiles: ReadonlyMap<string, SourcedManifest>;
  /** The copied manifest folder (`files/`). */
  readonly filesDir: string;
  /** `workloads.yaml` (see above). */
  readonly projectedFile: string;
  /** What `workloads.yaml` holds, in order. */
  readonly projected: readonly Manifest[];
  /** Writes objects as one YAML file in the workspace; returns its path. */
  writeFile(name: string, objects: readonly Manifest[]): string;
  /** Writes a checker's canary objects, one file each, under `canaries/<tool>/`; returns file → object. */
  canaryFiles(tool: string, objects: readonly Manifest[]): Map<string, Manifest>;
  /** The object a checker named by kind, namespace and name (a projected Deployment → its Rollout). */
  find(kind: string, namespace: string | undefined, name: string): SourcedManifest | undefined;
}

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

/** The Deployment a Rollout with a pod template stands for; undefined for a workloadRef Rollout. */
export function rolloutAsDeployment(rollout: Manifest): Manifest | undefined {
  const spec = (rollout.spec ?? {}) as Record<string, unknown>;
  if (spec.template === undefined) return undefined;
  const {
    strategy: _strategy,
    workloadRef: _ref,
    progressDeadlineAbort: _abort,
    analysis: _analysis,
    rollbackWindow: _window,
    ...rest
  } = spec;
  const { creationTimestamp: _ts, ...metadata } = rollout.metadata;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: rest };
}

/** An autoscaler targeting a Rollout, pointed at the Deployment projection instead. */
function retarget(object: Manifest): Manifest {
  const spec = object.spec as { scaleTargetRef?: { apiVersion?: string; kind?: string } } | undefined;
  const ref = spec?.scaleTargetRef;
  if (ref?.kind !== 'Rollout' || !String(ref.apiVersion ?? '').startsWith('argoproj.io/')) return object;
  return { ...object, spec: { ...spec, scaleTargetRef: { ...ref, apiVersion: 'apps/v1', kind: 'Deployment' } } };
}

export function createWorkspace(root: string, output: EnvironmentOutput): Workspace {
  const dir = join(root, output.environment);
  const objectsDir = join(dir, 'objects');
  const filesDir = join(dir, 'files');
  mkdirSync(objectsDir, { recursive: true });
  const objectFiles = new Map<string, SourcedManifest>();
  output.objects.forEach((item, index) => {
    const file = join(objectsDir, `${String(index).padStart(4, '0')}.yaml`);
    writeFileSync(file, item.text);
    objectFiles.set(file, item);
  });
  for (const file of output.files) {
    mkdirSync(dirname(join(filesDir, file)), { recursive: true });
    copyFileSync(join(output.dir, file), join(filesDir, file));
  }

  const byKey = new Map<string, SourcedManifest>();
  const projected: Manifest[] = [];
  for (const item of output.objects) {
    const { object } = item;
    byKey.set(key(object.kind, object.metadata?.namespace, object.metadata?.name), item);
    if (`${object.apiVersion}/${object.kind}` === ROLLOUT) {
      const deployment = rolloutAsDeployment(object);
      if (deployment) {
        projected.push(deployment);
        // Only when no real Deployment has the name: then a finding on it is the Rollout's.
        const deploymentKey = key('Deployment', object.metadata.namespace, object.metadata.name);
        if (!output.objects.some((o) => key(o.object.kind, o.object.metadata?.namespace, o.object.metadata?.name) === deploymentKey)) {
          byKey.set(deploymentKey, item);
        }
      }
      continue;
    }
    projected.push(retarget(object));
  }
  const writeFile = (name: string, objects: readonly Manifest[]): string => {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join(''));
    return file;
  };
  const projectedFile = writeFile('workloads.yaml', projected);
  return {
    projected,
    writeFile,
    canaryFiles: (tool, objects) =>
      new Map(
        objects.map((object, index) => [writeFile(join('canaries', tool, `${String(index).padStart(2, '0')}.yaml`), [object]), object]),
      ),
    environment: output.environment,
    dir,
    output,
    objectFiles,
    filesDir,
    projectedFile,
    find: (kind, namespace, name) => byKey.get(key(kind, namespace, name)),
  };
}

/** `Kind/namespace/name` of what a checker named, or its own words when it names nothing we emitted. */
export function objectIdOf(
  workspace: Workspace,
  kind: string,
  namespace: string | undefined,
  name: string,
): { object: string; file?: string } {
  const found = workspace.find(kind, namespace, name);
  if (found) return { object: manifestId(found.object), file: found.file };
  return { object: namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}` };
}
