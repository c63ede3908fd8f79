import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { EdgeImplementation } from '../environments/schema';
import { GATEWAY_API_CRDS } from '../lib/addons/chart-versions';
import { autoscalerOwnedFields, rolloutOwnedFields } from '../lib/gitops/controller-owned-fields';
import { FluxSync } from '../lib/gitops/flux-sync';
import { ROLLOUT_HEALTH } from '../lib/gitops/health-checks';
import { FLUX_NAMESPACE, Folder, signingKeysSecretName, sourceName, Stage } from '../lib/gitops/names';
import {
  helmReleaseServiceAccountName,
  kindResources,
  StageAccess,
  type StageAccessProps,
  writtenResources,
} from '../lib/gitops/stage-access';
import { platformLabels } from '../lib/labels';
import type { Manifest } from '../lib/core/manifest';

export interface FluxSyncChartProps {
  readonly environment: Environment;
  /** The objects of the apps bundle: what the apps Kustomization applies. */
  readonly appObjects: readonly Manifest[];
  /** The objects of the add-ons bundle: what the addons Kustomization applies. */
  readonly addonObjects: readonly Manifest[];
}

/**
 * dist/<env>/flux, the Flux entry point (DEL-04): `kubectl apply -k dist/<env>/flux` once, and Flux applies
 * the add-ons, then the apps, and keeps this folder itself in sync.
 */
export class FluxSyncChart extends Chart {
  readonly sync: FluxSync;

  constructor(scope: Construct, id: string, props: FluxSyncChartProps) {
    super(scope, id);
    const { environment, appObjects, addonObjects } = props;
    const gateway = environment.ingress.implementation === EdgeImplementation.GATEWAY;
    const labels = platformLabels(environment, 'gitops');
    const env = environment.name;
    // Each stage applies as its own ServiceAccount, allowed to write what its folder holds.
    const account = (stage: Stage, access: StageAccessProps['access']) =>
      new StageAccess(this, `access-${stage}`, { environment: env, stage, labels, access }).serviceAccountName;
    const gitopsAccount = account(Stage.GITOPS, {
      clusterAdmin: "applies the stages' ServiceAccounts and roles: RBAC lets only a holder of a permission grant it",
    });
    new StageAccess(this, 'access-helm', {
      environment: env,
      stage: Stage.ADDONS,
      labels,
      serviceAccountName: helmReleaseServiceAccountName(env),
      access: { clusterAdmin: "the add-ons' charts create CRDs, ClusterRoles, their bindings and webhooks" },
    });
    const crdsAccount = gateway ? account(Stage.CRDS, { resources: kindResources(GATEWAY_API_CRDS.kinds) }) : undefined;
    const addonsAccount = account(Stage.ADDONS, { resources: writtenResources(addonObjects) });
    const appsAccount = account(Stage.APPS, {
      resources: writtenResources(appObjects),
      roles: [...new Set(appObjects.filter((o) => o.kind === 'Role').map((o) => o.metadata.name))].sort(),
    });
    // Server-side apply never touches fields we do not emit: this fails the synth if a scaled
    // workload ever sets spec.replicas, which is the only way Flux could fight an autoscaler.
    autoscalerOwnedFields(appObjects);
    this.sync = new FluxSync(this, 'Sync', {
      environment: environment.name,
      repository: environment.gitops.repository,
      branch: environment.gitops.branch,
      ...(environment.gitops.verifyCommits ? { signingKeysSecret: signingKeysSecretName(env) } : {}),
      labels,
      stages: [
        {
          // This folder itself, so changes to the Kustomizations reach the cluster. Not `wait`: it
          // would wait for its own Kustomizations, including itself.
          stage: Stage.GITOPS,
          folder: Folder.FLUX,
          serviceAccountName: gitopsAccount,
          wait: false,
          healthChecks: [
            {
              apiVersion: 'source.toolkit.fluxcd.io/v1',
              kind: 'GitRepository',
              name: sourceName(environment.name),
              namespace: FLUX_NAMESPACE,
            },
          ],
          timeout: '2m',
        },
        // Gateway API's CRDs, which no chart ships, before the add-ons that serve them (cert-manager, NGINX Gateway Fabric).
        ...(gateway
          ? [
              {
                stage: Stage.CRDS,
                serviceAccountName: crdsAccount!,
                folder: {
                  name: GATEWAY_API_CRDS.name,
                  url: GATEWAY_API_CRDS.repository,
                  tag: GATEWAY_API_CRDS.tag,
                  commit: GATEWAY_API_CRDS.commit,
                  path: GATEWAY_API_CRDS.path,
                },
                prune: false,
              },
            ]
          : []),
        // Every HelmRelease ready: CRDs installed, webhooks and the CNI agent serving.
        {
          stage: Stage.ADDONS,
          folder: Folder.ADDONS,
          serviceAccountName: addonsAccount,
          timeout: '15m',
          ...(gateway ? { dependsOn: [Stage.CRDS] } : {}),
        },
        {
          stage: Stage.APPS,
          folder: Folder.APPS,
          serviceAccountName: appsAccount,
          dependsOn: [Stage.ADDONS],
          timeout: '10m',
          healthCheckExprs: [ROLLOUT_HEALTH],
          ignore: rolloutOwnedFields(appObjects),
        },
      ],
    });
  }
}
