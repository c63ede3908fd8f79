/** Pod-level rules in depth: every pod-bearing kind, and each sub-check of each rule. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runRules } from '../../validation/rules/all';
import type { Manifest } from '../../lib/core/manifest';
import {
  DEV,
  NS,
  PROD,
  findings,
  goodContainer,
  goodDeployment,
  goodPodSpec,
  goodServiceAccount,
  labels,
  selectorLabels,
  type M,
} from '../fixtures/rules/factories';

/** A minimal object of each pod-bearing kind around `spec`, and the path of its pod spec. */
function podBearing(kind: string, spec: M): { obj: M; path: string } {
  const metadata = { name: 'app', namespace: NS, labels: labels('app') };
  const template = { metadata: { labels: labels('app') }, spec };
  const selector = { matchLabels: selectorLabels('app') };
  switch (kind) {
    case 'Pod':
      return { obj: { apiVersion: 'v1', kind, metadata, spec }, path: 'spec' };
    case 'PodTemplate':
      return { obj: { apiVersion: 'v1', kind, metadata, template }, path: 'template.spec' };
    case 'CronJob':
      return {
        obj: { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } },
        path: 'spec.jobTemplate.spec.template.spec',
      };
    case 'Job':
      return { obj: { apiVersion: 'batch/v1', kind, metadata, spec: { template } }, path: 'spec.template.spec' };
    case 'Rollout':
      return {
        obj: { apiVersion: 'argoproj.io/v1alpha1', kind, metadata, spec: { selector, template, strategy: { canary: { steps: [] } } } },
        path: 'spec.template.spec',
      };
    default:
      return { obj: { apiVersion: 'apps/v1', kind, metadata, spec: { selector, template } }, path: 'spec.template.spec' };
  }
}

const POD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'PodTemplate', 'Pod', 'Rollout'];

describe('pod checks apply to every pod-bearing kind', () => {
  it.each(POD_KINDS)('%s: resources, security, image, service account', (kind) => {
    const spec = goodPodSpec('app', 8080);
    spec.containers[0].image = 'app';
    delete spec.containers[0].resources.requests.cpu;
    spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    spec.serviceAccountName = 'default';
    const { obj, path } = podBearing(kind, spec);
    const rules = runRules([obj, goodServiceAccount('app')] as Manifest[], DEV);
    const at = (rule: string): string[] => rules.filter((v) => v.rule === rule).map((v) => v.path);
    expect(at('pod/resources')).toEqual([`${path}.containers[0].resources.requests`]);
    expect(at('pod/security-context')).toEqual([`${path}.containers[0].securityContext.readOnlyRootFilesystem`]);
    expect(at('pod/image-pinned')).toEqual([`${path}.containers[0].image`]);
    expect(at('pod/service-account')).toEqual([`${path}.serviceAccountName`]);
  });

  it.each(POD_KINDS)('%s: the same pod spec unbroken passes the pod rules', (kind) => {
    const spec = goodPodSpec('app', 8080);
    if (kind === 'Job' || kind === 'CronJob' || kind === 'Pod') spec.restartPolicy = kind === 'Pod' ? 'Always' : 'Never';
    const { obj } = podBearing(kind, spec);
    const rules = runRules([obj, goodServiceAccount('app')] as Manifest[], DEV).filter((v) => v.rule.startsWith('pod/'));
    expect(rules).toEqual([]);
  });
});

describe('pod/resources', () => {
  const run = (mutate: (c: M) => void, init = false): string[] => {
    const d = goodDeployment();
    if (init) d.spec.template.spec.initContainers = [goodContainer('migrate')];
    const c = init ? d.spec.template.spec.initContainers[0] : d.spec.template.spec.containers[0];
    mutate(c);
    return findings([d, goodServiceAccount('backend')], 'pod/resources', DEV).map((v) => `${v.path}: ${v.message}`);
  };

  it('reports a request above its limit, comparing units exactly', () => {
    expect(run((c) => (c.resources.requests.cpu = '1500m'))).toEqual([
      'spec.template.spec.containers[0].resources.requests.cpu: cpu request "1500m" exceeds its limit "1" (requests must be <= limits)',
    ]);
    // 1Gi (1073741824) > 1G (1000000000): binary and decimal suffixes differ.
    expect(
      run((c) => {
        c.resources.requests.memory = '1Gi';
        c.resources.limits.memory = '1G';
      }),
    ).toHaveLength(1);
    expect(
      run((c) => {
        c.resources.requests.memory = '1G';
        c.resources.limits.memory = '1Gi';
      }),
    ).toEqual([]);
    expect(
      run((c) => {
        c.resources.requests.cpu = '1001m';
        c.resources.limits.cpu = 1;
      }),
    ).toHaveLength(1);
  });

  it('rejects malformed and negative quantities', () => {
    expect(run((c) => (c.resources.limits.memory = '512MB'))).toEqual([
      'spec.template.spec.containers[0].resources.limits.memory: memory limit "512MB" is not a Kubernetes quantity (e.g. 250m, 0.5, 512Mi, 1Gi, 1e3)',
    ]);
    expect(run((c) => (c.resources.requests.cpu = '-1'))[0]).toContain('is negative');
  });

  it('requires every resource on init containers too', () => {
    expect(run((c) => delete c.resources, true)).toHaveLength(6);
    expect(run(() => undefined, true)).toEqual([]);
  });
});

describe('pod/probes', () => {
  const probeFindings = (objects: M[]): string[] => findings(objects, 'pod/probes', DEV).map((v) => `${v.path}: ${v.message}`);

  it('requires a probe port the container declares, by name or number', () => {
    const d = goodDeployment();
    const c = d.spec.template.spec.containers[0];
    c.readinessProbe = { httpGet: { path: '/ready', port: 'metrics' } };
    c.livenessProbe = { tcpSocket: { port: 9000 } };
    c.startupProbe = { grpc: { port: 8000 } };
    expect(probeFindings([d])).toEqual([
      'spec.template.spec.containers[0].readinessProbe.httpGet.port: container "backend" readinessProbe probes port "metrics", which is not in its ports (declared: http=8000)',
      'spec.template.spec.containers[0].livenessProbe.tcpSocket.port: container "backend" livenessProbe probes port 9000, which is not in its ports (declared: http=8000)',
    ]);
  });

  it('does not require probes on run-to-completion pods', () => {
    const spec = goodPodSpec('app', 8080);
    delete spec.containers[0].readinessProbe;
    delete spec.containers[0].livenessProbe;
    for (const kind of ['Job', 'CronJob']) expect(probeFindings([podBearing(kind, spec).obj])).toEqual([]);
    expect(probeFindings([podBearing('Pod', { ...spec, restartPolicy: 'Never' }).obj])).toEqual([]);
    expect(probeFindings([podBearing('Pod', { ...spec, restartPolicy: 'Always' }).obj])).toHaveLength(2);
    expect(probeFindings([podBearing('Rollout', spec).obj])).toHaveLength(2);
  });

  it('requires probes on native sidecars but not on plain init containers', () => {
    const d = goodDeployment();
    const init = goodContainer('migrate');
    delete init.readinessProbe;
    delete init.livenessProbe;
    d.spec.template.spec.initContainers = [init, { ...init, name: 'proxy', restartPolicy: 'Always' }];
    expect(probeFindings([d]).map((f) => f.split(':')[0])).toEqual([
      'spec.template.spec.initContainers[1].readinessProbe',
      'spec.template.spec.initContainers[1].livenessProbe',
    ]);
  });
});

describe('pod/security-context', () => {
  const securityPaths = (mutate: (spec: M, c: M) => void): string[] => {
    const d = goodDeployment();
    mutate(d.spec.template.spec, d.spec.template.spec.containers[0]);
    return findings([d], 'pod/security-context', DEV).map((v) => v.path.replace('spec.template.spec.', ''));
  };

  it.each([
    ['hostNetwork', (s: M) => (s.hostNetwork = true), 'hostNetwork'],
    ['hostPID', (s: M) => (s.hostPID = true), 'hostPID'],
    ['hostIPC', (s: M) => (s.hostIPC = true), 'hostIPC'],
    ['hostPath volume', (s: M) => s.volumes.push({ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }), 'volumes[1].hostPath'],
    ['privileged', (_s: M, c: M) => (c.securityContext.privileged = true), 'containers[0].securityContext.privileged'],
    [
      'escalation unset',
      (_s: M, c: M) => delete c.securityContext.allowPrivilegeEscalation,
      'containers[0].securityContext.allowPrivilegeEscalation',
    ],
    [
      'writable root',
      (_s: M, c: M) => delete c.securityContext.readOnlyRootFilesystem,
      'containers[0].securityContext.readOnlyRootFilesystem',
    ],
    [
      'capabilities not dropped',
      (_s: M, c: M) => (c.securityContext.capabilities.drop = ['NET_RAW']),
      'containers[0].securityContext.capabilities.drop',
    ],
    [
      'SYS_ADMIN added',
      (_s: M, c: M) => (c.securityContext.capabilities.add = ['NET_BIND_SERVICE', 'SYS_ADMIN']),
      'containers[0].securityContext.capabilities.add',
    ],
    ['seccomp Unconfined', (s: M) => (s.securityContext.seccompProfile.type = 'Unconfined'), 'securityContext.seccompProfile.type'],
    ['no seccomp', (s: M) => delete s.securityContext.seccompProfile, 'containers[0].securityContext.seccompProfile'],
    [
      'container overrides runAsNonRoot',
      (_s: M, c: M) => (c.securityContext.runAsNonRoot = false),
      'containers[0].securityContext.runAsNonRoot',
    ],
    ['no runAsNonRoot', (s: M) => delete s.securityContext.runAsNonRoot, 'containers[0].securityContext.runAsNonRoot'],
    ['root UID', (s: M) => (s.securityContext.runAsUser = 0), 'securityContext.runAsUser'],
    ['hostPort', (_s: M, c: M) => (c.ports[0].hostPort = 8000), 'containers[0].ports[0].hostPort'],
  ])('%s', (_name, mutate, path) => {
    expect(securityPaths(mutate)).toEqual([path]);
  });

  it('accepts Localhost seccomp and container-level settings', () => {
    expect(
      securityPaths((s, c) => {
        delete s.securityContext;
        c.securityContext = {
          ...c.securityContext,
          runAsNonRoot: true,
          runAsUser: 65532,
          seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' },
        };
      }),
    ).toEqual([]);
  });
});

describe('pod/service-account', () => {
  it('needs the token unmounted on the pod or on the emitted ServiceAccount', () => {
    const d = goodDeployment();
    delete d.spec.template.spec.automountServiceAccountToken;
    const sa = goodServiceAccount('backend');
    expect(findings([d, sa], 'pod/service-account', DEV)).toEqual([]);
    delete sa.automountServiceAccountToken;
    expect(findings([d, sa], 'pod/service-account', DEV)[0]!.message).toContain(
      'ServiceAccount/platform/backend does not set automountServiceAccountToken: false',
    );
    expect(findings([d], 'pod/service-account', DEV)[0]!.message).toContain('"backend" is not emitted');
    d.spec.template.spec.automountServiceAccountToken = true;
    expect(findings([d, goodServiceAccount('backend')], 'pod/service-account', DEV)[0]!.message).toContain('is true');
  });

  it('rejects a missing serviceAccountName', () => {
    const d = goodDeployment();
    delete d.spec.template.spec.serviceAccountName;
    expect(findings([d], 'pod/service-account', DEV).map((v) => v.path)).toEqual(['spec.template.spec.serviceAccountName']);
  });
});

describe('pod/image-pinned', () => {
  const imageFindings = (image: unknown): string[] => {
    const d = goodDeployment();
    d.spec.template.spec.containers[0].image = image;
    return findings([d], 'pod/image-pinned', DEV).map((v) => v.message);
  };

  it.each([
    ['nginx', 'has no tag'],
    ['registry.local:5000/team/nginx', 'has no tag'],
    ['nginx:latest', 'uses the latest tag'],
    ['nginx@sha256:abc', 'malformed digest'],
    [undefined, 'has no image'],
  ])('rejects %s', (image, message) => {
    expect(imageFindings(image)[0]).toContain(message);
  });

  it.each(['nginx:1.27.0', 'registry.local:5000/team/nginx:1.27', `nginx:latest@sha256:${'0'.repeat(64)}`])('accepts %s', (image) => {
    expect(imageFindings(image)).toEqual([]);
  });
});

describe('meta/recommended-labels', () => {
  it('checks workload-ish objects and pod templates but not cluster plumbing', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: NS, labels: { app: 'x' } }, spec: {} };
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } };
    const found = findings([svc, ns], 'meta/recommended-labels', DEV);
    expect(found).toEqual([
      {
        rule: 'meta/recommended-labels',
        severity: 'error',
        object: 'Service/platform/x',
        path: 'metadata.labels',
        message:
          'missing app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/part-of, app.kubernetes.io/managed-by (required: app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/part-of, app.kubernetes.io/managed-by)',
      },
    ]);
  });

  it('rejects empty label values', () => {
    const d = goodDeployment();
    d.metadata.labels['app.kubernetes.io/instance'] = '';
    expect(findings([d], 'meta/recommended-labels', DEV).map((v) => v.path)).toEqual(['metadata.labels']);
  });
});

describe('pod/spread (production only)', () => {
  it('ignores constraints whose selector does not select the pod itself', () => {
    const d = goodDeployment();
    d.spec.template.spec.topologySpreadConstraints[0].labelSelector = { matchLabels: { 'app.kubernetes.io/name': 'other' } };
    expect(findings([d], 'pod/spread', PROD)[0]!.message).toContain('missing topology.kubernetes.io/zone');
    expect(findings([d], 'pod/spread', DEV)).toEqual([]);
  });

  it('accepts preferred anti-affinity and skips DaemonSets and Jobs', () => {
    const d = goodDeployment();
    d.spec.template.spec.topologySpreadConstraints.shift();
    d.spec.template.spec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: selectorLabels('backend') } },
          },
        ],
      },
    };
    expect(findings([d], 'pod/spread', PROD)).toEqual([]);
    const spec = goodPodSpec('app');
    delete spec.topologySpreadConstraints;
    expect(findings([podBearing('DaemonSet', spec).obj, podBearing('Job', spec).obj], 'pod/spread', PROD)).toEqual([]);
    expect(findings([podBearing('StatefulSet', spec).obj, podBearing('Rollout', spec).obj], 'pod/spread', PROD)).toHaveLength(2);
  });
});

describe('YAML fixture: an insecure pod', () => {
  it('trips the pod rules it was written to trip', () => {
    const text = readFileSync(join(__dirname, '../fixtures/rules/insecure-pod.yaml'), 'utf8');
    const objects = parseAllDocuments(text).map((d) => d.toJS() as Manifest);
    const rules = new Set(runRules(objects, PROD).map((v) => v.rule));
    expect([...rules].sort()).toEqual([
      'meta/recommended-labels',
      'pod/image-pinned',
      'pod/probes',
      'pod/resources',
      'pod/security-context',
      'pod/service-account',
    ]);
  });
});
