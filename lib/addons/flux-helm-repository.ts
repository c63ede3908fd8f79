import { Construct } from 'constructs';
import { HelmRepository, HelmRepositorySpecType } from '../../imports/source.toolkit.fluxcd.io';
import { FLUX_NAMESPACE } from '../gitops/names';
import type { ChartRepository } from './chart-versions';

export interface FluxHelmRepositoryProps {
  /** The chart repository: its name and URL (HTTPS or OCI). */
  readonly repository: ChartRepository;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** How often Flux re-reads the repository index. @default '12h' - versions are pinned, so the index rarely matters */
  readonly interval?: string;
}

/** A Helm chart repository Flux's source-controller fetches pinned charts from. */
export class FluxHelmRepository extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: FluxHelmRepositoryProps) {
    super(scope, id);
    this.name = props.repository.name;
    new HelmRepository(this, 'Resource', {
      metadata: { name: this.name, namespace: FLUX_NAMESPACE, labels: props.labels },
      spec: {
        url: props.repository.url,
        interval: props.interval ?? '12h',
        ...(props.repository.oci ? { type: HelmRepositorySpecType.OCI } : {}),
      },
    });
  }
}
