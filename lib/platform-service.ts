import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { AppSecrets } from './app-secrets';
import { Autoscaler, type ScaleTarget } from './autoscaler';
import { DisruptionBudget } from './disruption-budget';
import { selectorLabels, serviceLabels } from './labels';
import {
  appSecretName,
  HTTP_PORT_NAME,
  MAIN_TRACK,
  previewServiceName,
  queueAuthenticationName,
  SERVICE_PORT,
  serviceAccountName,
  serviceName,
  trackWorkloadName,
} from './names';
import { serviceOf } from './pod-template';
import { QueueAutoscaler } from './queue-autoscaler';
import { ServiceDeployment } from './service-deployment';
import { ServiceRollout, type RolloutAnalyses } from './service-rollout';

export interface PlatformServiceProps {
  readonly environment: Environment;
  /** A key of `environment.services`. */
  readonly service: string;
  /** Analyses for Rollouts. @default - none; required when the service is rolled out by blue-green or canary */
  readonly analyses?: RolloutAnalyses;
}

interface Workload {
  readonly scaleTarget: ScaleTarget;
  readonly selector: Record<string, string>;
}

/**
 * One service of the platform: its identity (ServiceAccount), its credentials (an ExternalSecret), its
 * Services when it serves traffic, a workload per track (the main one a Deployment or a Rollout), and
 * for each workload the autoscaler that owns its replica count (an HPA, or KEDA on queue depth for a
 * queue worker) and a disruption budget.
 */
export class PlatformService extends Construct {
  readonly workloads: readonly Workload[];

  constructor(scope: Construct, id: string, props: PlatformServiceProps) {
    super(scope, id);
    const { environment, service } = props;
    const spec = serviceOf(environment, service);
    const labels = serviceLabels(environment, service);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: serviceAccountName(service), labels },
      // Platform services do not call the Kubernetes API; a mounted token would only be loot.
      automountServiceAccountToken: false,
    });

    new AppSecrets(this, 'Secrets', { environment, service, labels });

    if (spec.kind === 'web') {
      this.addService('Service', serviceName(service), labels, selectorLabels({ name: service, environment: environment.name }));
      if (spec.strategy.type === 'blueGreen') {
        // Argo Rollouts narrows both selectors to one ReplicaSet each at run time.
        this.addService('PreviewService', previewServiceName(service), labels, selectorLabels({ name: service, environment: environment.name }));
      }
    }

    const main: Workload =
      spec.strategy.type === 'rolling'
        ? new ServiceDeployment(this, 'Deployment', { environment, service, track: MAIN_TRACK, labels })
        : new ServiceRollout(this, 'Rollout', { environment, service, strategy: spec.strategy, labels, analyses: requireAnalyses(props) });
    const tracks = Object.keys(spec.tracks ?? {}).map(
      (track) => [track, new ServiceDeployment(this, `Track-${track}`, { environment, service, track, labels })] as const,
    );
    this.workloads = [main, ...tracks.map(([, workload]) => workload)];

    for (const [track, workload] of [[MAIN_TRACK, main] as const, ...tracks]) {
      const replicas = track === MAIN_TRACK ? spec.replicas : spec.tracks![track]!.replicas;
      const name = trackWorkloadName(service, track);
      const suffix = track === MAIN_TRACK ? '' : `-${track}`;
      if (spec.queue === undefined) {
        new Autoscaler(this, `Autoscaler${suffix}`, { name, target: workload.scaleTarget, minReplicas: replicas.min, maxReplicas: replicas.max, labels });
      } else {
        new QueueAutoscaler(this, `QueueAutoscaler${suffix}`, {
          name,
          target: workload.scaleTarget,
          queue: spec.queue,
          minReplicas: replicas.min,
          maxReplicas: replicas.max,
          secretName: appSecretName(service),
          authenticationName: queueAuthenticationName(service),
          labels,
        });
      }
      new DisruptionBudget(this, `DisruptionBudget${suffix}`, { name, selector: workload.selector, labels });
    }
  }

  private addService(id: string, name: string, labels: Record<string, string>, selector: Record<string, string>): void {
    new k8s.KubeService(this, id, {
      metadata: { name, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          {
            name: HTTP_PORT_NAME,
            port: SERVICE_PORT,
            targetPort: k8s.IntOrString.fromString(HTTP_PORT_NAME),
            protocol: 'TCP',
            appProtocol: 'http',
          },
        ],
      },
    });
  }
}

function requireAnalyses(props: PlatformServiceProps): RolloutAnalyses {
  if (props.analyses === undefined) {
    throw new Error(`${props.environment.name}: services.${props.service} is rolled out by a Rollout but no analyses were given`);
  }
  return props.analyses;
}
