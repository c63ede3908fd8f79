import { describe, expect, it } from 'vitest';
import type { ClusterAddon } from '../../lib/addons/addon';
import { FluxHelmRelease, type FluxHelmReleaseProps } from '../../lib/addons/flux-helm-release';
import { PodSecurityLevel } from '../../lib/pod-security';
import { only, synth } from './synth';

interface HelmRelease {
  apiVersion: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    interval: string;
    timeout: string;
    releaseName: string;
    targetNamespace: string;
    storageNamespace: string;
    chart: { spec: { chart: string; version: string; sourceRef: { kind: string; name: string; namespace: string } } };
    dependsOn?: { name: string }[];
    install: { crds: string; remediation: { retries: number } };
    upgrade: { crds: string; remediation: { retries: number; remediateLastFailure: boolean } };
    values: Record<string, unknown>;
  };
}

const keda: ClusterAddon = {
  name: 'keda',
  chart: { repository: { name: 'kedacore', url: 'https://kedacore.github.io/charts' }, chart: 'keda', version: '2.17.2' },
  namespace: { name: 'keda', enforce: PodSecurityLevel.RESTRICTED, labels: {} },
  dependsOn: ['kube-prometheus-stack'],
  values: { prometheus: { operator: { enabled: true } } },
};

const labels = { 'app.kubernetes.io/part-of': 'platform-addons' };
const required = { addon: keda, labels, serviceAccountName: 'flux-prod-helm' } satisfies FluxHelmReleaseProps;

function render(props: FluxHelmReleaseProps) {
  let release: FluxHelmRelease | undefined;
  const objects = synth((chart) => {
    release = new FluxHelmRelease(chart, 'release', props);
  });
  return { objects, resource: only<HelmRelease>(objects, 'HelmRelease'), release: release! };
}

describe('FluxHelmRelease', () => {
  it('emits one HelmRelease', () => {
    expect(render(required).objects).toMatchSnapshot();
  });

  it('lives in flux-system and installs the pinned chart into the add-on namespace under its own name', () => {
    const { resource, release } = render(required);
    expect(resource.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
    expect(resource.metadata).toEqual({ name: 'keda', namespace: 'flux-system', labels });
    expect(release.name).toBe('keda');
    expect(resource.spec).toMatchObject({ releaseName: 'keda', targetNamespace: 'keda', storageNamespace: 'keda' });
    expect(resource.spec.chart.spec).toEqual({
      chart: 'keda',
      version: '2.17.2',
      sourceRef: { kind: 'HelmRepository', name: 'kedacore', namespace: 'flux-system' },
    });
    expect(resource.spec.values).toEqual({ prometheus: { operator: { enabled: true } } });
  });

  it('reconciles every 30 minutes, times out after 10 and retries 3 times by default', () => {
    const { spec } = render(required).resource;
    expect(spec.interval).toBe('30m');
    expect(spec.timeout).toBe('10m');
    expect(spec.install.remediation).toEqual({ retries: 3 });
    expect(spec.upgrade.remediation).toEqual({ retries: 3, remediateLastFailure: true });
  });

  it('creates and upgrades CRDs with the chart', () => {
    const { spec } = render(required).resource;
    expect(spec.install.crds).toBe('CreateReplace');
    expect(spec.upgrade.crds).toBe('CreateReplace');
  });

  it('waits for the add-ons it depends on, and names none when it depends on none', () => {
    expect(render(required).resource.spec.dependsOn).toEqual([{ name: 'kube-prometheus-stack' }]);
    expect(render({ ...required, addon: { ...keda, dependsOn: [] } }).resource.spec.dependsOn).toBeUndefined();
  });

  it('takes every optional prop', () => {
    const props: Required<FluxHelmReleaseProps> = { ...required, interval: '1h', timeout: '15m', retries: 5 };
    const { spec } = render(props).resource;
    expect(spec.interval).toBe('1h');
    expect(spec.timeout).toBe('15m');
    expect(spec.install.remediation.retries).toBe(5);
    expect(spec.upgrade.remediation.retries).toBe(5);
  });

  it('keeps retries 0 rather than falling back to the default', () => {
    expect(render({ ...required, retries: 0 }).resource.spec.install.remediation.retries).toBe(0);
  });
});
