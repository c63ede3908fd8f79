/**
 * Argo CD ApplicationSets of a management (hub) cluster, written against the pinned Argo CD's CRD and
 * its documentation (docs/operator-manual/applicationset/): the cluster generator yields, per cluster
 * secret its selector matches, `name`, `server` and `metadata.labels.<key>`; the pull-request
 * generator yields `number`, `branch_slug` and `head_sha` per open pull request and nothing once it
 * closes, so the ApplicationSet deletes that Application; RollingSync syncs the generated Applications
 * step by step, each step's Applications Healthy before the next, and leaves out an Application no
 * step selects (Progressive-Syncs.md), which is why the steps are checked against the fleet at load.
 */
import { Construct } from 'constructs';
import {
  ApplicationSet,
  ApplicationSetSpecStrategyRollingSyncStepsMaxUpdate,
  ApplicationSetSpecSyncPolicyApplicationsSync,
  type ApplicationSetSpecTemplateSpecIgnoreDifferences,
} from '../../imports/argoproj.io';
import { ARGOCD_FOREGROUND_FINALIZER } from './argocd-application';
import { ARGOCD_NAMESPACE } from './names';

/** A cluster-generator parameter, as a Go template (goTemplate: true). */
export function clusterLabelParam(key: string): string {
  return `{{ index .metadata.labels ${JSON.stringify(key)} }}`;
}

/** The cluster secret's `name` (the environment's name in this fleet), as a Go template. */
export const CLUSTER_NAME_PARAM = '{{ .name }}';

/** A label-selector requirement with the In operator: the label has one of the values. */
export interface LabelIn {
  readonly key: string;
  readonly values: readonly string[];
}

/** One step of a rolling sync: the Applications whose labels match every requirement. */
export interface RollingStep {
  readonly matchIn: readonly LabelIn[];
  /** @default - every Application of the step at once */
  readonly maxUpdate?: number | string;
}

/** The Application every generated parameter set becomes. */
export interface ApplicationTemplate {
  /** Go templates over the generator's parameters. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly project: string;
  readonly source: {
    readonly repository: string;
    readonly revision: string;
    readonly path: string;
    /** Kustomize options of the source (preview environments). */
    readonly kustomize?: { readonly nameSuffix?: string; readonly patches?: readonly { target: Record<string, string>; patch: string }[] };
  };
  readonly destination: { readonly server: string } | { readonly name: string };
  readonly namespace: string;
  readonly ignore?: readonly ApplicationSetSpecTemplateSpecIgnoreDifferences[];
}

export type Generator =
  | { readonly kind: 'clusters'; readonly matchLabels: Readonly<Record<string, string>>; readonly matchIn: readonly LabelIn[] }
  | {
      readonly kind: 'pullRequest';
      readonly owner: string;
      readonly repo: string;
      /** Only pull requests with every one of these labels. */
      readonly labels: readonly string[];
      readonly requeueAfterSeconds: number;
    };

export interface FleetApplicationSetProps {
  /** The ApplicationSet (in the argocd namespace). */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** What one Application is made for each of: the registered clusters matching labels, or the open pull requests of a repository. */
  readonly generator: Generator;
  /** The Application made for each generated element. */
  readonly template: ApplicationTemplate;
  /** Steps of a progressive sync: the Applications each step selects sync only after the previous step is healthy. @default - every Application synced automatically and at once */
  readonly rollingSync?: readonly RollingStep[];
}

/**
 * An ApplicationSet that owns its Applications fully (create, update and delete: a cluster or pull
 * request that goes away takes its Application and, through the finalizer, its objects with it).
 */
export class FleetApplicationSet extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: FleetApplicationSetProps) {
    super(scope, id);
    this.name = props.name;
    const { generator, template } = props;
    const steps = props.rollingSync;
    new ApplicationSet(this, 'Resource', {
      metadata: { name: props.name, namespace: ARGOCD_NAMESPACE, labels: props.labels },
      spec: {
        goTemplate: true,
        // A parameter the generator does not give is an error, never an empty string in a name or path.
        goTemplateOptions: ['missingkey=error'],
        generators: [
          generator.kind === 'clusters'
            ? {
                clusters: {
                  selector: {
                    matchLabels: { ...generator.matchLabels },
                    matchExpressions: generator.matchIn.map((m) => ({ key: m.key, operator: 'In', values: [...m.values] })),
                  },
                },
              }
            : {
                pullRequest: {
                  github: { owner: generator.owner, repo: generator.repo, labels: [...generator.labels] },
                  requeueAfterSeconds: generator.requeueAfterSeconds,
                },
              },
        ],
        // Create, update and delete: an Application whose cluster or pull request is gone is deleted.
        syncPolicy: {
          applicationsSync: ApplicationSetSpecSyncPolicyApplicationsSync.CREATE_HYPHEN_DELETE,
          preserveResourcesOnDeletion: false,
        },
        ...(steps === undefined
          ? {}
          : {
              strategy: {
                type: 'RollingSync',
                rollingSync: {
                  steps: steps.map((step) => ({
                    matchExpressions: step.matchIn.map((m) => ({ key: m.key, operator: 'In', values: [...m.values] })),
                    ...(step.maxUpdate === undefined
                      ? {}
                      : {
                          maxUpdate:
                            typeof step.maxUpdate === 'number'
                              ? ApplicationSetSpecStrategyRollingSyncStepsMaxUpdate.fromNumber(step.maxUpdate)
                              : ApplicationSetSpecStrategyRollingSyncStepsMaxUpdate.fromString(step.maxUpdate),
                        }),
                  })),
                },
              },
            }),
        template: {
          metadata: {
            name: template.name,
            namespace: ARGOCD_NAMESPACE,
            labels: { ...template.labels },
            finalizers: [ARGOCD_FOREGROUND_FINALIZER],
          },
          spec: {
            project: template.project,
            source: {
              repoUrl: template.source.repository,
              targetRevision: template.source.revision,
              path: template.source.path,
              ...(template.source.kustomize === undefined
                ? {}
                : {
                    kustomize: {
                      ...(template.source.kustomize.nameSuffix === undefined ? {} : { nameSuffix: template.source.kustomize.nameSuffix }),
                      ...(template.source.kustomize.patches === undefined
                        ? {}
                        : { patches: template.source.kustomize.patches.map((p) => ({ target: { ...p.target }, patch: p.patch })) }),
                    },
                  }),
            },
            destination: { ...template.destination, namespace: template.namespace },
            syncPolicy: {
              // RollingSync turns automated sync off on the Applications it steps through and syncs them
              // itself with this policy (prune and retry kept); without it, they sync as soon as generated.
              automated: { prune: true, selfHeal: true },
              syncOptions: ['PruneLast=true'],
              retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
            },
            ...(template.ignore === undefined || template.ignore.length === 0 ? {} : { ignoreDifferences: [...template.ignore] }),
          },
        },
      },
    });
  }
}
