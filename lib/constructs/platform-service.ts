import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppSecrets } from './app-secrets';
import { Autoscaler, type ScaleTarget } from './autoscaler';
import { DisruptionBudget } from './disruption-budget';
import { LatencyAutoscaler } from './latency-autoscaler';
import { MAIN_TRACK, queueAuthenticationName, SERVICE_PORT } from '../names';
import { QueueAutoscaler } from './queue-autoscaler';
import type { ResolvedJob, ResolvedPort, ResolvedService, ResolvedTrack, ResolvedWebService, ResolvedWorker } from '../resolved-service';
import { ScheduledJob } from './scheduled-job';
import { ServiceDeployment } from './service-deployment';
import { ServiceRollout } from './service-rollout';

export interface PlatformServiceProps {
  /** The service, resolved from the environment by charts/resolve-service.ts: workload, ports, scaling, release. */
  readonly service: ResolvedService;
}

interface Workload {
  readonly scaleTarget: ScaleTarget;
  readonly selector: Readonly<Record<string, string>>;
}

/**
 * One service of the platform: its identity (ServiceAccount), its credentials (an ExternalSecret), its
 * configuration (a ConfigMap), its Services when it serves traffic, a workload per track (the main
 * one a Deployment or a Rollout), and for each workload the autoscaler that owns its replica count
 * (an HPA, KEDA on queue depth for a queue worker, none for a fixed-size worker) and a disruption
 * budget. A job is a CronJob instead of workloads.
 */
export class PlatformService extends Construct {
  readonly workloads: readonly Workload[];

  constructor(scope: Construct, id: string, props: PlatformServiceProps) {
    super(scope, id);
    const { service } = props;
    if (service.kind === 'worker' && service.queue !== undefined && service.secrets === undefined) {
      throw new Error(
        `services.${service.name}: a queue worker needs its broker credentials in a Secret (resolve its queue credentials into secrets)`,
      );
    }
    const labels = { ...service.labels };

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: service.serviceAccountName, labels },
      // Platform services do not call the Kubernetes API; a mounted token would only be loot.
      automountServiceAccountToken: false,
    });

    if (service.secrets !== undefined) {
      const { secrets } = service;
      new AppSecrets(this, 'Secrets', {
        name: secrets.secretName,
        labels,
        store: secrets.store,
        refreshInterval: secrets.refreshInterval,
        entries: secrets.entries,
        template: secrets.template,
      });
    }

    if (service.config !== undefined) {
      new k8s.KubeConfigMap(this, 'Config', { metadata: { name: service.config.name, labels }, data: { ...service.config.files } });
    }

    if (service.kind === 'web') {
      this.addService('Service', service.serviceName, labels, service.selector, service.port);
      if (service.release.type === 'blueGreen') {
        // Argo Rollouts narrows both selectors to one ReplicaSet each at run time.
        this.addService('PreviewService', service.release.previewService, labels, service.selector, service.port);
      }
    }

    if (service.kind === 'job') {
      new ScheduledJob(this, 'CronJob', { ...jobProps(service), labels });
      this.workloads = [];
      return;
    }

    const workloads = service.tracks.map((track) => [track, this.addWorkload(service, track, labels)] as const);
    this.workloads = workloads.map(([, workload]) => workload);

    for (const [track, workload] of workloads) {
      const suffix = track.track === MAIN_TRACK ? '' : `-${track.track}`;
      if (service.kind === 'web' && service.latency !== undefined && track.track === MAIN_TRACK) {
        // One autoscaler per workload: KEDA's ScaledObject carries CPU and memory as well as latency.
        new LatencyAutoscaler(this, 'LatencyAutoscaler', {
          ...service.autoscaling,
          ...service.latency,
          name: track.workloadName,
          target: workload.scaleTarget,
          minReplicas: track.replicas.min,
          maxReplicas: track.replicas.max,
          labels,
        });
      } else if (service.kind === 'web') {
        new Autoscaler(this, `Autoscaler${suffix}`, {
          ...service.autoscaling,
          name: track.workloadName,
          target: workload.scaleTarget,
          minReplicas: track.replicas.min,
          maxReplicas: track.replicas.max,
          labels,
        });
      } else if (service.queue !== undefined) {
        if (service.secrets === undefined)
          throw new Error(`services.${service.name}: a queue worker needs its broker credentials in a Secret`);
        new QueueAutoscaler(this, `QueueAutoscaler${suffix}`, {
          name: track.workloadName,
          target: workload.scaleTarget,
          queue: service.queue,
          minReplicas: track.replicas.min,
          maxReplicas: track.replicas.max,
          secretName: service.secrets.secretName,
          authenticationName: queueAuthenticationName(service.name),
          labels,
        });
      }
      new DisruptionBudget(this, `DisruptionBudget${suffix}`, {
        name: track.workloadName,
        selector: workload.selector,
        labels,
        maxUnavailable: service.maxUnavailable,
      });
    }
  }

  private addWorkload(service: ResolvedWebService | ResolvedWorker, track: ResolvedTrack, labels: Record<string, string>): Workload {
    const release = service.kind === 'web' && track.track === MAIN_TRACK ? service.release : { type: 'rolling' as const };
    const common = { name: track.workloadName, labels, selector: track.selector, template: track.template };
    if (release.type === 'rolling') {
      const id = track.track === MAIN_TRACK ? 'Deployment' : `Track-${track.track}`;
      // A fixed-size worker has no autoscaler: its Deployment holds the count.
      const fixed = service.kind === 'worker' && service.queue === undefined ? { replicas: track.replicas.min } : {};
      return new ServiceDeployment(this, id, { ...common, ...fixed, maxSurgePercent: service.maxSurgePercent });
    }
    return new ServiceRollout(this, 'Rollout', { ...common, release });
  }

  private addService(
    id: string,
    name: string,
    labels: Record<string, string>,
    selector: ResolvedWebService['selector'],
    port: ResolvedPort,
  ): void {
    new k8s.KubeService(this, id, {
      metadata: { name, labels },
      spec: {
        type: 'ClusterIP',
        selector: { ...selector },
        ports: [
          {
            name: port.name,
            port: SERVICE_PORT,
            targetPort: k8s.IntOrString.fromString(port.name),
            protocol: 'TCP',
            appProtocol: port.appProtocol,
          },
        ],
      },
    });
  }
}

function jobProps(service: ResolvedJob) {
  const { workloadName, schedule, timeZone, concurrencyPolicy, deadlineSeconds, startingDeadlineSeconds, backoffLimit, history, template } =
    service;
  return {
    name: workloadName,
    schedule,
    timeZone,
    concurrencyPolicy,
    deadlineSeconds,
    startingDeadlineSeconds,
    backoffLimit,
    history,
    template,
  };
}
