import { describe, expect, it } from 'vitest';
import { FluxHelmRepository, type FluxHelmRepositoryProps } from '../../lib/addons/flux-helm-repository';
import { only, synth } from './synth';

interface HelmRepository {
  apiVersion: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { url: string; interval: string };
}

const labels = { 'app.kubernetes.io/part-of': 'platform-addons' };
const required = {
  repository: { name: 'jetstack', url: 'https://charts.jetstack.io' },
  labels,
} satisfies FluxHelmRepositoryProps;

function render(props: FluxHelmRepositoryProps) {
  let repository: FluxHelmRepository | undefined;
  const objects = synth((chart) => {
    repository = new FluxHelmRepository(chart, 'repository', props);
  });
  return { objects, resource: only<HelmRepository>(objects, 'HelmRepository'), repository: repository! };
}

describe('FluxHelmRepository', () => {
  it('emits one HelmRepository', () => {
    expect(render(required).objects).toMatchSnapshot();
  });

  it('lives in flux-system under the repository name, reading its URL every 12 hours by default', () => {
    const { resource, repository } = render(required);
    expect(resource.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(resource.metadata).toEqual({ name: 'jetstack', namespace: 'flux-system', labels });
    expect(repository.name).toBe('jetstack');
    expect(resource.spec).toEqual({ url: 'https://charts.jetstack.io', interval: '12h' });
  });

  it('takes every optional prop', () => {
    const props: Required<FluxHelmRepositoryProps> = { ...required, interval: '1h' };
    expect(render(props).resource.spec.interval).toBe('1h');
  });
});
