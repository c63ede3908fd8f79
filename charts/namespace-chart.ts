import { Chart } from 'cdk8s';
import { EdgeImplementation } from '../environments/schema';
import type { Construct } from 'constructs';
import { MANAGED_BY, platformLabels } from '../lib/labels';
import { NamespaceQuota } from '../lib/constructs/namespace-quota';
import { PlatformNamespace } from '../lib/constructs/platform-namespace';
import { CHAOS_INJECT_ANNOTATION } from '../lib/addons/names';
import { drillsEnabled } from './chaos-chart';
import { dataNamespaces } from './resolve-data-store';
import type { EnvironmentChartProps } from './chart-props';
import { platformContainerLimits, platformQuota } from './platform-quota';

/**
 * The namespace everything else lands in, with its quota and container limits; first in the
 * kustomization so it is applied first.
 */
export class NamespaceChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id);
    const { environment } = props;
    // Chaos Mesh only touches namespaces that opt in (controllerManager.enableFilterNamespace).
    const drills = drillsEnabled(environment) ? { ...CHAOS_INJECT_ANNOTATION } : undefined;
    const namespace = new PlatformNamespace(this, 'Namespace', {
      name: environment.namespace,
      kubernetesVersion: environment.cluster.kubernetesVersion,
      annotations: drills,
      labels: {
        'app.kubernetes.io/part-of': environment.partOf,
        'app.kubernetes.io/managed-by': MANAGED_BY,
        // Sidecars are injected by the Istio CNI plugin's flow, so pods keep Pod Security "restricted".
        ...(environment.mesh.enabled ? { 'istio-injection': 'enabled' } : {}),
      },
    });
    if (environment.ingress.implementation === EdgeImplementation.GATEWAY) {
      // The Gateway's namespace: NGINX Gateway Fabric runs the edge's NGINX pods here.
      new PlatformNamespace(this, 'EdgeNamespace', {
        name: environment.ingress.namespace,
        kubernetesVersion: environment.cluster.kubernetesVersion,
        labels: {
          'app.kubernetes.io/part-of': environment.partOf,
          'app.kubernetes.io/managed-by': MANAGED_BY,
          // NGINX's calls to the services go through its sidecar: mTLS and the services' routing.
          ...(environment.mesh.enabled ? { 'istio-injection': 'enabled' } : {}),
        },
      });
    }
    for (const data of dataNamespaces(environment)) {
      // The data stores' namespace: Pod Security "restricted", outside the mesh (their operators call
      // the pods directly, and PostgreSQL and Redis authenticate clients themselves).
      new PlatformNamespace(this, `DataNamespace-${data}`, {
        name: data,
        kubernetesVersion: environment.cluster.kubernetesVersion,
        annotations: drills,
        labels: {
          'app.kubernetes.io/part-of': environment.partOf,
          'app.kubernetes.io/managed-by': MANAGED_BY,
          ...(environment.mesh.enabled ? { 'istio-injection': 'disabled' } : {}),
        },
      });
    }
    new NamespaceQuota(this, 'Quota', {
      namespace: namespace.name,
      labels: platformLabels(environment, 'namespace'),
      quota: platformQuota(environment),
      containers: platformContainerLimits(environment),
    });
  }
}
