import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { EdgeIngress, nginxControllerSettings } from '../lib/edge-ingress';
import { platformLabels } from '../lib/labels';
import { PublicCertificate } from '../lib/public-certificate';
import type { EnvironmentChartProps } from './namespace-chart';

/** Namespace of the NGINX ingress controller. */
export const INGRESS_CONTROLLER_NAMESPACE = 'ingress-nginx';

/** The public edge: the Ingresses, their certificate, and the controller settings (HSTS, TLS 1.3) they depend on. */
export class EdgeChart extends Chart {
  readonly ingress: EdgeIngress;

  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const labels = platformLabels(props.environment, 'edge');
    this.ingress = new EdgeIngress(this, 'Ingress', { environment: props.environment, labels });
    new PublicCertificate(this, 'Certificate', { environment: props.environment, hosts: this.ingress.hosts, labels });
    // The controller reads this ConfigMap by its Helm release's default name.
    new k8s.KubeConfigMap(this, 'ControllerSettings', {
      metadata: { name: 'ingress-nginx-controller', namespace: INGRESS_CONTROLLER_NAMESPACE, labels },
      data: nginxControllerSettings(),
    });
  }
}
