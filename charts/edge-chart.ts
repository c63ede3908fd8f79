import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { EdgeIngress } from '../lib/edge-ingress';
import { platformLabels } from '../lib/labels';
import { PublicCertificate } from '../lib/public-certificate';
import type { EnvironmentChartProps } from './namespace-chart';

/**
 * The public edge: the Ingresses and their certificate. HSTS and TLS 1.3-only are controller-wide
 * settings, carried by the ingress-nginx add-on's values (lib/addons/catalog.ts).
 */
export class EdgeChart extends Chart {
  readonly ingress: EdgeIngress;

  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { namespace: props.environment.namespace });
    const labels = platformLabels(props.environment, 'edge');
    this.ingress = new EdgeIngress(this, 'Ingress', { environment: props.environment, labels });
    new PublicCertificate(this, 'Certificate', { environment: props.environment, hosts: this.ingress.hosts, labels });
  }
}
