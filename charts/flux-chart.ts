import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { EdgeImplementation } from '../environments/schema';
import { GATEWAY_API_CRDS } from '../lib/addons/chart-versions';
import { autoscalerOwnedFields, rolloutOwnedFields } from '../lib/gitops/controller-owned-fields';
import { FluxSync } from '../lib/gitops/flux-sync';
import { ROLLOUT_HEALTH } from '../lib/gitops/health-checks';
import { FLUX_NAMESPACE, Folder, sourceName, Stage } from '../lib/gitops/names';
import { platformLabels } from '../lib/labels';
import type { Manifest } from '../lib/core/manifest';

export interface FluxSyncChartProps {
  readonly environment: Environment;
  /** The objects of the apps bundle: what the apps Kustomization applies. */
  readonly appObjects: readonly Manifest[];
}

/**
 * dist/<env>/flux, the Flux entry point: `kubectl apply -k dist/<env>/flux` once, and Flux applies
 * the add-ons, then the apps, and keeps this folder itself in sync.
 */
export class FluxSyncChart extends Chart {
  readonly sync: FluxSync;

  constructor(scope: Construct, id: string, props: FluxSyncChartProps) {
    super(scope, id);
    const { environment, appObjects } = props;
    const gateway = environment.ingress.implementation === EdgeImplementation.GATEWAY;
    // Server-side apply never touches fields we do not emit: this fails the synth if a scaled
    // workload ever sets spec.replicas, which is the only way Flux could fight an autoscaler.
    autoscalerOwnedFields(appObjects);
    this.sync = new FluxSync(this, 'Sync', {
      environment: environment.name,
      repository: environment.gitops.repository,
      branch: environment.gitops.branch,
      labels: platformLabels(environment, 'gitops'),
      stages: [
        {
          // This folder itself, so changes to the Kustomizations reach the cluster. Not `wait`: it
          // would wait for its own Kustomizations, including itself.
          stage: Stage.GITOPS,
          folder: Folder.FLUX,
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
                folder: {
                  name: GATEWAY_API_CRDS.name,
                  url: GATEWAY_API_CRDS.repository,
                  tag: GATEWAY_API_CRDS.tag,
                  path: GATEWAY_API_CRDS.path,
                },
                prune: false,
              },
            ]
          : []),
        // Every HelmRelease ready: CRDs installed, webhooks and the CNI agent serving.
        { stage: Stage.ADDONS, folder: Folder.ADDONS, timeout: '15m', ...(gateway ? { dependsOn: [Stage.CRDS] } : {}) },
        {
          stage: Stage.APPS,
          folder: Folder.APPS,
          dependsOn: [Stage.ADDONS],
          timeout: '10m',
          healthCheckExprs: [ROLLOUT_HEALTH],
          ignore: rolloutOwnedFields(appObjects),
        },
      ],
    });
  }
}
