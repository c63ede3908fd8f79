import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { Autoscaler, type ScaleTarget } from './autoscaler';
import { DisruptionBudget } from './disruption-budget';
import { recommendedLabels, selectorLabels } from './labels';
import { HTTP_PORT_NAME, SERVICE_PORT, hpaName, pdbName, serviceAccountName, serviceName, workloadName } from './names';
import { podTemplate, serviceOf } from './pod-template';

export interface PlatformServiceProps {
  readonly environment: Environment;
  /** A key of `environment.services`. */
  readonly service: string;
}

/**
 * One service of the platform: its identity (ServiceAccount), its workload, its Service when it serves
 * traffic, the autoscaler that owns its replica count, and its disruption budget.
 */
export class PlatformService extends Construct {
  readonly scaleTarget: ScaleTarget;
  readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: PlatformServiceProps) {
    super(scope, id);
    const { environment, service } = props;
    const spec = serviceOf(environment, service);
    const labels = recommendedLabels({
      name: service,
      environment: environment.name,
      partOf: environment.partOf,
      component: spec.component,
    });
    this.selector = selectorLabels({ name: service, environment: environment.name });

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: serviceAccountName(service), labels },
      // Platform services do not call the Kubernetes API; a mounted token would only be loot.
      automountServiceAccountToken: false,
    });

    // No `replicas`: the autoscaler owns the count, and a pinned value would be reset on every sync.
    const deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: workloadName(service), labels },
      spec: {
        selector: { matchLabels: this.selector },
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 600,
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: podTemplate({ environment, service }),
      },
    });
    this.scaleTarget = { apiVersion: deployment.apiVersion, kind: deployment.kind, name: deployment.name };

    if (spec.kind === 'web') {
      new k8s.KubeService(this, 'Service', {
        metadata: { name: serviceName(service), labels },
        spec: {
          type: 'ClusterIP',
          selector: this.selector,
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

    new Autoscaler(this, 'Autoscaler', {
      name: hpaName(service),
      target: this.scaleTarget,
      minReplicas: spec.replicas.min,
      maxReplicas: spec.replicas.max,
      labels,
    });

    new DisruptionBudget(this, 'DisruptionBudget', { name: pdbName(service), selector: this.selector, labels });
  }
}
