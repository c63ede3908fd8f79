import { Construct } from 'constructs';
import {
  Kustomization,
  KustomizationSpecSourceRefKind,
  type KustomizationSpecHealthCheckExprs,
  type KustomizationSpecHealthChecks,
  type KustomizationSpecIgnore,
} from '../../imports/kustomize.toolkit.fluxcd.io';
import { GitRepository, GitRepositorySpecVerifyMode } from '../../imports/source.toolkit.fluxcd.io';
import type { OwnedFields } from './controller-owned-fields';
import { FLUX_NAMESPACE, fluxPath, sourceName, stageName, type Folder, type Stage } from './names';

/** One Flux Kustomization: a folder of dist/<env>/ applied as a unit, after the stages it depends on. */
/** A folder of another project's repository at a tag and the commit it names, read by its own GitRepository. */
export interface ExternalSource {
  readonly name: string;
  readonly url: string;
  readonly tag: string;
  readonly commit: string;
  readonly path: string;
}

export interface FluxStage {
  readonly stage: Stage;
  /** A folder of dist/<env>/, or another project's manifests. */
  readonly folder: Folder | ExternalSource;
  /** Stages that must be ready first. @default - none */
  readonly dependsOn?: readonly Stage[];
  /**
   * Wait until every applied object is ready (kstatus) before the stage counts as ready, so the
   * stages that depend on it start on a cluster where its controllers already serve their CRDs and
   * webhooks. @default true
   */
  readonly wait?: boolean;
  /** Objects checked for readiness when `wait` is false. @default - none */
  readonly healthChecks?: readonly KustomizationSpecHealthChecks[];
  /** Readiness of custom resources kstatus cannot judge. @default - none */
  readonly healthCheckExprs?: readonly KustomizationSpecHealthCheckExprs[];
  /** Apply, health-check and wait timeout. @default '5m' */
  readonly timeout?: string;
  /** Fields other controllers own: left out of drift detection and of re-applies. @default - none */
  readonly ignore?: readonly OwnedFields[];
  /** Delete objects removed from the source. CRDs are never pruned: their removal would delete every object of the kind. @default true */
  readonly prune?: boolean;
  /** The ServiceAccount in flux-system kustomize-controller impersonates to apply the stage. */
  readonly serviceAccountName: string;
}

function isExternal(folder: Folder | ExternalSource): folder is ExternalSource {
  return typeof folder === 'object';
}

export interface FluxSyncProps {
  /** The environment's name: the GitRepository, the Kustomizations' prefix and its folder of dist/. */
  readonly environment: string;
  /** The Git repository this project lives in, and the branch to follow. */
  readonly repository: string;
  /** The branch source-controller follows. */
  readonly branch: string;
  /**
   * The Secret in flux-system holding the ASCII-armored public keys whose signature the branch's HEAD
   * commit must carry (GitRepository `.spec.verify`, mode HEAD). @default - not verified
   */
  readonly signingKeysSecret?: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The Kustomizations, in apply order: each applies one folder of the environment's dist/ and depends on the ones before. */
  readonly stages: readonly FluxStage[];
  /** How often source-controller polls the repository. @default '1m' */
  readonly sourceInterval?: string;
  /** How often each Kustomization re-applies and corrects drift. @default '10m' */
  readonly interval?: string;
  /** How soon a failed reconciliation is retried. @default '2m' */
  readonly retryInterval?: string;
}

/** A Go regular expression matching exactly this text (ignore-rule targets are regular expressions). */
function exactly(text: string): string {
  return `^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/** An owned-fields entry as a Kustomization ignore rule (kustomize-controller v1.9, Flux 2.9). */
export function fluxIgnoreRule(fields: OwnedFields): KustomizationSpecIgnore {
  return {
    paths: [...fields.jsonPointers],
    target: {
      ...(fields.group === '' ? {} : { group: exactly(fields.group) }),
      kind: exactly(fields.kind),
      ...(fields.name === undefined ? {} : { name: exactly(fields.name) }),
      ...(fields.namespace === undefined ? {} : { namespace: exactly(fields.namespace) }),
    },
  };
}

/**
 * The Flux side of one environment: a GitRepository for this repository, limited to the
 * environment's folder, and one Kustomization per stage with `prune` on, so an object deleted from
 * git is deleted from the cluster.
 */
export class FluxSync extends Construct {
  /** Kustomization names by stage. */
  readonly kustomizations: ReadonlyMap<Stage, string>;

  constructor(scope: Construct, id: string, props: FluxSyncProps) {
    super(scope, id);
    const { environment, labels } = props;
    const stages = new Set(props.stages.map((s) => s.stage));
    for (const stage of props.stages) {
      for (const dependency of stage.dependsOn ?? []) {
        if (!stages.has(dependency)) {
          throw new Error(
            `${environment}: Flux stage "${stage.stage}" depends on "${dependency}", which is not a stage; stages: ${[...stages].join(', ')}`,
          );
        }
      }
    }
    const source = sourceName(environment);
    new GitRepository(this, 'Source', {
      metadata: { name: source, namespace: FLUX_NAMESPACE, labels },
      spec: {
        interval: props.sourceInterval ?? '1m',
        url: props.repository,
        ref: { branch: props.branch },
        // No artifact is produced from a HEAD commit that no listed key signed.
        ...(props.signingKeysSecret === undefined
          ? {}
          : { verify: { mode: GitRepositorySpecVerifyMode.HEAD, secretRef: { name: props.signingKeysSecret } } }),
        // Only this environment's folder goes into the artifact the Kustomizations build.
        ignore: `/*\n!/dist/${environment}/\n`,
      },
    });
    this.kustomizations = new Map(props.stages.map((s) => [s.stage, stageName(environment, s.stage)]));
    for (const stage of props.stages) {
      const wait = stage.wait ?? true;
      const external = isExternal(stage.folder) ? stage.folder : undefined;
      if (external !== undefined) {
        new GitRepository(this, `Source-${external.name}`, {
          metadata: { name: external.name, namespace: FLUX_NAMESPACE, labels },
          spec: {
            interval: '12h',
            url: external.url,
            // The commit the tag named, never a branch: source-controller checks out `commit` (it takes
            // precedence over every other ref field), so a moved or re-pushed tag changes nothing.
            ref: { tag: external.tag, commit: external.commit },
            ignore: `/*\n!/${external.path}/\n`,
          },
        });
      }
      new Kustomization(this, stage.stage, {
        metadata: { name: stageName(environment, stage.stage), namespace: FLUX_NAMESPACE, labels },
        spec: {
          interval: props.interval ?? '10m',
          retryInterval: props.retryInterval ?? '2m',
          timeout: stage.timeout ?? '5m',
          sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: external?.name ?? source },
          serviceAccountName: stage.serviceAccountName,
          path: external === undefined ? fluxPath(environment, stage.folder as Folder) : `./${external.path}`,
          prune: stage.prune ?? true,
          wait,
          ...(stage.dependsOn?.length ? { dependsOn: stage.dependsOn.map((d) => ({ name: stageName(environment, d) })) } : {}),
          ...(!wait && stage.healthChecks?.length ? { healthChecks: [...stage.healthChecks] } : {}),
          ...(stage.healthCheckExprs?.length ? { healthCheckExprs: [...stage.healthCheckExprs] } : {}),
          ...(stage.ignore?.length ? { ignore: stage.ignore.map(fluxIgnoreRule) } : {}),
        },
      });
    }
  }
}
