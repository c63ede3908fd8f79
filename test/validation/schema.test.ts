import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../lib/validation/parse';
import { supportedKinds, validateSchema } from '../../lib/validation/schema';
import type { Manifest, Violation } from '../../lib/validation/types';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'schema');

function load(file: string): Manifest[] {
  return parseManifests(readFileSync(path.join(FIXTURES, file), 'utf8'), file);
}

const CORE = load('core.k8s.yaml');
const CRDS = load('crds.k8s.yaml');
const ALL = [...CORE, ...CRDS];

function sample(kind: string): Manifest {
  const found = ALL.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} fixture, found ${found.length}`);
  return structuredClone(found[0]!);
}

type Step = string | number;

/** A copy of `obj` with `value` set at `at` (intermediate objects/arrays must exist). */
function withValue(obj: Manifest, at: readonly Step[], value: unknown): Manifest {
  const copy = structuredClone(obj) as Record<string | number, unknown>;
  let cur = copy;
  for (const step of at.slice(0, -1)) {
    const next = cur[step];
    if (next === null || typeof next !== 'object') throw new Error(`fixture has no ${at.join('.')}`);
    cur = next as Record<string | number, unknown>;
  }
  if (value === undefined) delete cur[at[at.length - 1]!];
  else cur[at[at.length - 1]!] = value;
  return copy as unknown as Manifest;
}

function only(violations: Violation[]): Violation {
  expect(violations).toHaveLength(1);
  return violations[0]!;
}

describe('supportedKinds', () => {
  it('lists exactly the kinds we emit, as apiVersion/Kind', () => {
    expect(supportedKinds()).toEqual([
      'apps/v1/Deployment',
      'argoproj.io/v1alpha1/AnalysisTemplate',
      'argoproj.io/v1alpha1/AppProject',
      'argoproj.io/v1alpha1/Application',
      'argoproj.io/v1alpha1/ApplicationSet',
      'argoproj.io/v1alpha1/Rollout',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'cert-manager.io/v1/Certificate',
      'cert-manager.io/v1/ClusterIssuer',
      'external-secrets.io/v1/ClusterSecretStore',
      'external-secrets.io/v1/ExternalSecret',
      'external-secrets.io/v1/SecretStore',
      'helm.toolkit.fluxcd.io/v2/HelmRelease',
      'keda.sh/v1alpha1/ScaledObject',
      'keda.sh/v1alpha1/TriggerAuthentication',
      'kustomize.toolkit.fluxcd.io/v1/Kustomization',
      'monitoring.coreos.com/v1/PrometheusRule',
      'monitoring.coreos.com/v1/ServiceMonitor',
      'networking.istio.io/v1/DestinationRule',
      'networking.istio.io/v1/VirtualService',
      'networking.k8s.io/v1/Ingress',
      'networking.k8s.io/v1/NetworkPolicy',
      'policy/v1/PodDisruptionBudget',
      'rbac.authorization.k8s.io/v1/Role',
      'rbac.authorization.k8s.io/v1/RoleBinding',
      'security.istio.io/v1/AuthorizationPolicy',
      'security.istio.io/v1/PeerAuthentication',
      'source.toolkit.fluxcd.io/v1/GitRepository',
      'source.toolkit.fluxcd.io/v1/HelmRepository',
      'v1/ConfigMap',
      'v1/LimitRange',
      'v1/Namespace',
      'v1/PodTemplate',
      'v1/ResourceQuota',
      'v1/Secret',
      'v1/Service',
      'v1/ServiceAccount',
    ]);
  });

  it('has one valid fixture per supported kind', () => {
    expect(ALL.map((o) => `${o.apiVersion}/${o.kind}`).sort()).toEqual(supportedKinds());
  });
});

describe('validateSchema: valid objects', () => {
  it.each(ALL.map((o) => [`${o.apiVersion}/${o.kind}`, o] as const))('accepts the %s fixture', (_, obj) => {
    expect(validateSchema(obj)).toEqual([]);
  });
});

describe('validateSchema: unknown fields (kubeconform -strict)', () => {
  const deployment = sample('Deployment');

  it('fails on an unknown top-level field and lists the allowed ones', () => {
    const v = only(validateSchema(withValue(deployment, ['specs'], {})));
    expect(v).toEqual({
      rule: 'schema',
      severity: 'error',
      object: 'Deployment/web/backend',
      path: 'specs',
      message: 'unknown field "specs" (did you mean "spec"?) — allowed: apiVersion, kind, metadata, spec, status',
    });
  });

  it('fails on a typo in spec and suggests the field', () => {
    const v = only(validateSchema(withValue(deployment, ['spec', 'replica'], 3)));
    expect(v.path).toBe('spec.replica');
    expect(v.message).toBe('unknown field "replica" (did you mean "replicas"?) — allowed: minReadySeconds, paused, progressDeadlineSeconds, replicas, revisionHistoryLimit, selector, strategy, template');
  });

  it('fails on an unknown field in metadata', () => {
    const v = only(validateSchema(withValue(deployment, ['metadata', 'label'], { a: 'b' })));
    expect(v.path).toBe('metadata.label');
    expect(v.message).toMatch(/^unknown field "label" \(did you mean "labels"\?\) — allowed: annotations, .*labels, .*namespace/);
  });

  it('fails on an unknown field in the pod template metadata', () => {
    const v = only(validateSchema(withValue(deployment, ['spec', 'template', 'metadata', 'namespacee'], 'web')));
    expect(v.path).toBe('spec.template.metadata.namespacee');
  });

  it('fails on an unknown field deep in a container', () => {
    const v = only(validateSchema(withValue(deployment, ['spec', 'template', 'spec', 'containers', 0, 'resources', 'limit'], { cpu: '1' })));
    expect(v.path).toBe('spec.template.spec.containers[0].resources.limit');
    expect(v.message).toBe('unknown field "limit" (did you mean "limits"?) — allowed: claims, limits, requests');
  });

  it('fails on an unknown field in a container probe', () => {
    const v = only(validateSchema(withValue(deployment, ['spec', 'template', 'spec', 'containers', 0, 'readinessProbe', 'httpGet', 'paht'], '/')));
    expect(v.path).toBe('spec.template.spec.containers[0].readinessProbe.httpGet.paht');
    expect(v.message).toContain('(did you mean "path"?)');
  });

  it('accepts any keys in maps (labels, annotations, data)', () => {
    const cm = withValue(withValue(sample('ConfigMap'), ['data', 'any.key-at_all'], 'x'), ['metadata', 'annotations'], { 'example.com/x': 'y' });
    expect(validateSchema(cm)).toEqual([]);
  });

  it('reports every problem of an object, not only the first', () => {
    let bad = withValue(deployment, ['spec', 'replica'], 3);
    bad = withValue(bad, ['metadata', 'label'], {});
    bad = withValue(bad, ['spec', 'template', 'spec', 'containers', 0, 'imagee'], 'x');
    expect(validateSchema(bad).map((v) => v.path).sort()).toEqual([
      'metadata.label',
      'spec.replica',
      'spec.template.spec.containers[0].imagee',
    ]);
  });
});

describe('validateSchema: types, enums, required fields', () => {
  it('fails on a wrong type and shows the value', () => {
    const v = only(validateSchema(withValue(sample('Deployment'), ['spec', 'replicas'], '3')));
    expect(v.path).toBe('spec.replicas');
    expect(v.message).toBe('expected integer, got "3"');
  });

  it('fails on a number where a string is expected (ConfigMap data)', () => {
    const v = only(validateSchema(withValue(sample('ConfigMap'), ['data', 'WORKERS'], 4)));
    expect(v.path).toBe('data.WORKERS');
    expect(v.message).toBe('expected string, got 4');
  });

  it('uses brackets for label keys with dots and slashes', () => {
    const v = only(validateSchema(withValue(sample('Service'), ['metadata', 'labels', 'app.kubernetes.io/name'], true)));
    expect(v.path).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(v.message).toBe('expected string, got true');
  });

  it('fails on an object where an array is expected', () => {
    const v = only(validateSchema(withValue(sample('Deployment'), ['spec', 'template', 'spec', 'containers'], { name: 'x' })));
    expect(v.path).toBe('spec.template.spec.containers');
    expect(v.message).toBe('expected array, got an object');
  });

  it('fails on a value outside an enum and lists the allowed values', () => {
    const v = only(validateSchema(withValue(sample('PeerAuthentication'), ['spec', 'mtls', 'mode'], 'STRICTER')));
    expect(v.path).toBe('spec.mtls.mode');
    expect(v.message).toBe('"STRICTER" is not allowed — allowed: "UNSET", "DISABLE", "PERMISSIVE", "STRICT"');
  });

  it('fails on a missing required field', () => {
    const v = only(validateSchema(withValue(sample('Deployment'), ['spec', 'selector'], undefined)));
    expect(v.path).toBe('spec.selector');
    expect(v.message).toBe('missing required field "selector"');
  });

  it('fails on a container without a name', () => {
    const v = only(validateSchema(withValue(sample('Deployment'), ['spec', 'template', 'spec', 'containers', 0, 'name'], undefined)));
    expect(v.path).toBe('spec.template.spec.containers[0].name');
    expect(v.message).toBe('missing required field "name"');
  });

  it('fails on a missing metadata.name', () => {
    const v = only(validateSchema(withValue(sample('ConfigMap'), ['metadata', 'name'], undefined)));
    expect(v.object).toBe('ConfigMap/web/<unnamed>');
    expect(v.path).toBe('metadata.name');
  });

  it('fails on mutually exclusive Istio fields, naming them', () => {
    const v = only(validateSchema(withValue(sample('VirtualService'), ['spec', 'http', 0, 'match', 0, 'uri', 'exact'], '/x')));
    expect(v.path).toBe('spec.http[0].match[0].uri');
    expect(v.message).toBe('sets exact and prefix — at most one of exact, prefix, regex may be set');
  });

  it('fails on a number below the minimum', () => {
    const v = only(validateSchema(withValue(sample('ScaledObject'), ['spec', 'triggers'], [])));
    expect(v.path).toBe('spec.triggers');
  });
});

describe('validateSchema: quantities', () => {
  const memoryAt = ['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits', 'memory'] as const;

  it.each(['1.5.Gi', 'abc', '1 Gi', '1GB', '--1', ''])('rejects %j', (q) => {
    const v = only(validateSchema(withValue(sample('Deployment'), memoryAt, q)));
    expect(v.path).toBe('spec.template.spec.containers[0].resources.limits.memory');
    expect(v.message).toMatch(/is not a valid Kubernetes quantity — expected a number with an optional suffix/);
  });

  it.each(['1.5Gi', '512Mi', '500m', '2', '0.5', '.5', '1e3', '1E-3', '+1k', '100n', 2, 0.25])('accepts %j', (q) => {
    expect(validateSchema(withValue(sample('Deployment'), memoryAt, q))).toEqual([]);
  });

  it('checks quantities in core kinds outside pod specs (ResourceQuota)', () => {
    const v = only(validateSchema(withValue(sample('ResourceQuota'), ['spec', 'hard', 'requests.memory'], '64 GiB')));
    expect(v.path).toBe('spec.hard["requests.memory"]');
  });

  it('checks quantities in CRD pod templates (Rollout, int-or-string with the quantity pattern)', () => {
    const at = ['spec', 'template', 'spec', 'containers', 0, 'resources', 'requests', 'cpu'];
    expect(only(validateSchema(withValue(sample('Rollout'), at, '1.5.Gi'))).message).toMatch(/not a valid Kubernetes quantity/);
    expect(only(validateSchema(withValue(sample('Rollout'), at, 'abc'))).path).toBe('spec.template.spec.containers[0].resources.requests.cpu');
    expect(validateSchema(withValue(sample('Rollout'), at, 2))).toEqual([]);
    expect(validateSchema(withValue(sample('Rollout'), at, '250m'))).toEqual([]);
  });
});

describe('validateSchema: metadata.name', () => {
  it('rejects a name that is not a DNS-1123 subdomain', () => {
    const v = only(validateSchema(withValue(sample('Deployment'), ['metadata', 'name'], 'Backend_1')));
    expect(v.object).toBe('Deployment/web/Backend_1');
    expect(v.path).toBe('metadata.name');
    expect(v.message).toMatch(/^"Backend_1" is not a valid DNS-1123 subdomain — expected lowercase letters, digits/);
  });

  it('accepts dots in names of most kinds', () => {
    expect(validateSchema(withValue(sample('ConfigMap'), ['metadata', 'name'], 'backend.config-v2'))).toEqual([]);
  });

  it('rejects names longer than 253 characters', () => {
    const v = only(validateSchema(withValue(sample('ConfigMap'), ['metadata', 'name'], 'a'.repeat(254))));
    expect(v.message).toBe('must be at most 253 characters long, got 254');
  });

  it('requires a DNS-1123 label for a Namespace', () => {
    expect(only(validateSchema(withValue(sample('Namespace'), ['metadata', 'name'], 'web.prod'))).message).toMatch(/not a valid DNS-1123 label/);
    expect(only(validateSchema(withValue(sample('Namespace'), ['metadata', 'name'], 'a'.repeat(64)))).message).toMatch(/at most 63/);
  });

  it('requires a DNS-1035 label (leading letter) for a Service', () => {
    expect(only(validateSchema(withValue(sample('Service'), ['metadata', 'name'], 'backend.web'))).message).toMatch(/not a valid DNS-1035 label/);
    expect(only(validateSchema(withValue(sample('Service'), ['metadata', 'name'], '1backend'))).path).toBe('metadata.name');
  });

  it('checks metadata.name of custom resources too', () => {
    const v = only(validateSchema(withValue(sample('Rollout'), ['metadata', 'name'], 'Frontend')));
    expect(v.path).toBe('metadata.name');
  });

  it('rejects a namespace that is not a DNS-1123 label', () => {
    expect(only(validateSchema(withValue(sample('ConfigMap'), ['metadata', 'namespace'], 'Web'))).path).toBe('metadata.namespace');
  });
});

describe('validateSchema: int-or-string', () => {
  const targetPortAt = ['spec', 'ports', 0, 'targetPort'] as const;

  it.each(['http', 8080])('accepts Service targetPort %j', (port) => {
    expect(validateSchema(withValue(sample('Service'), targetPortAt, port))).toEqual([]);
  });

  it.each([
    [true, 'expected integer or string, got true'],
    [1.5, 'expected integer or string, got 1.5'],
    [{}, 'expected integer or string, got an object'],
  ])('rejects Service targetPort %j', (port, message) => {
    const v = only(validateSchema(withValue(sample('Service'), targetPortAt, port)));
    expect(v.path).toBe('spec.ports[0].targetPort');
    expect(v.message).toBe(message);
  });

  it.each(['25%', 1])('accepts Deployment maxSurge %j and Rollout canary maxSurge', (surge) => {
    expect(validateSchema(withValue(sample('Deployment'), ['spec', 'strategy', 'rollingUpdate', 'maxSurge'], surge))).toEqual([]);
    expect(validateSchema(withValue(sample('Rollout'), ['spec', 'strategy', 'canary', 'maxSurge'], surge))).toEqual([]);
  });

  it('rejects a boolean in a CRD int-or-string field', () => {
    const v = only(validateSchema(withValue(sample('Rollout'), ['spec', 'strategy', 'canary', 'maxSurge'], false)));
    expect(v.message).toBe('expected integer or string, got false');
  });
});

describe('validateSchema: kinds', () => {
  it('fails an unknown kind with schema/unknown-kind', () => {
    const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'web' } } as Manifest;
    const v = only(validateSchema(obj));
    expect(v.rule).toBe('schema/unknown-kind');
    expect(v.severity).toBe('error');
    expect(v.object).toBe('Widget/web/w');
    expect(v.message).toMatch(/^unknown apiVersion\/kind "example.com\/v1\/Widget" — supported: apps\/v1\/Deployment, /);
  });

  it('suggests the kind for a typo', () => {
    const v = only(validateSchema({ ...sample('Deployment'), kind: 'Deploymnt' }));
    expect(v.rule).toBe('schema/unknown-kind');
    expect(v.message).toBe('unknown kind "Deploymnt" for apiVersion apps/v1 (did you mean "Deployment"?) — supported: Deployment');
  });

  it('names the supported apiVersion for a known kind with an old one', () => {
    const v = only(validateSchema({ ...sample('HorizontalPodAutoscaler'), apiVersion: 'autoscaling/v2beta2' }));
    expect(v.rule).toBe('schema/unknown-kind');
    expect(v.message).toBe('apiVersion "autoscaling/v2beta2" is not supported for kind HorizontalPodAutoscaler — use autoscaling/v2');
  });

  it('does not mistake Object.prototype names for kinds', () => {
    const v = only(validateSchema({ apiVersion: 'constructor', kind: 'toString', metadata: { name: 'x' } } as unknown as Manifest));
    expect(v.rule).toBe('schema/unknown-kind');
  });

  it('names cluster-scoped objects Kind/name', () => {
    const v = only(validateSchema(withValue(sample('ClusterIssuer'), ['spec', 'acmee'], {})));
    expect(v.object).toBe('ClusterIssuer/letsencrypt');
  });
});

/** Per CRD kind: where in the valid fixture a typo'd field is added. */
const NESTED_TYPOS: readonly (readonly [kind: string, at: readonly Step[], field: string])[] = [
  ['Rollout', ['spec', 'strategy', 'canary'], 'stepz'],
  ['AnalysisTemplate', ['spec', 'metrics', 0, 'provider', 'prometheus'], 'adress'],
  ['VirtualService', ['spec', 'http', 0, 'route', 0, 'destination'], 'hots'],
  ['DestinationRule', ['spec', 'trafficPolicy', 'connectionPool', 'http'], 'maxRequestsPerConection'],
  ['PeerAuthentication', ['spec', 'mtls'], 'mod'],
  ['AuthorizationPolicy', ['spec', 'rules', 0, 'from', 0, 'source'], 'principal'],
  ['ScaledObject', ['spec', 'scaleTargetRef'], 'nmae'],
  ['TriggerAuthentication', ['spec', 'secretTargetRef', 0], 'paramter'],
  ['ServiceMonitor', ['spec', 'endpoints', 0], 'intervall'],
  ['PrometheusRule', ['spec', 'groups', 0, 'rules', 0], 'exp'],
  ['Certificate', ['spec', 'issuerRef'], 'knd'],
  ['ClusterIssuer', ['spec', 'acme', 'solvers', 0, 'http01', 'ingress'], 'class_name'],
  ['ExternalSecret', ['spec', 'data', 0, 'remoteRef'], 'propery'],
  ['SecretStore', ['spec', 'provider', 'aws'], 'regoin'],
  ['ClusterSecretStore', ['spec', 'provider', 'aws', 'auth', 'jwt', 'serviceAccountRef'], 'namspace'],
  ['GitRepository', ['spec', 'ref'], 'brnach'],
  ['HelmRepository', ['spec'], 'intervall'],
  ['Kustomization', ['spec', 'sourceRef'], 'kidn'],
  ['HelmRelease', ['spec', 'chart', 'spec'], 'chartt'],
  ['Application', ['spec', 'source'], 'repoUrl'],
  ['ApplicationSet', ['spec', 'template', 'spec', 'destination'], 'serverr'],
  ['AppProject', ['spec', 'destinations', 0], 'namespce'],
];

describe('validateSchema: every CRD kind is strict', () => {
  it('covers every custom resource kind', () => {
    expect(NESTED_TYPOS.map(([kind]) => kind).sort()).toEqual(CRDS.map((o) => o.kind).sort());
  });

  it.each(NESTED_TYPOS)('fails a %s with an unknown field at %j', (kind, at, field) => {
    const v = only(validateSchema(withValue(sample(kind), [...at, field], 'x')));
    expect(v.rule).toBe('schema');
    expect(v.severity).toBe('error');
    expect(v.path).toBe(
      [...at, field].map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join(''),
    );
    expect(v.message).toMatch(new RegExp(`^unknown field "${field}" .*— allowed: `));
  });

  it.each(CRDS.map((o) => [o.kind, o] as const))('fails a %s with an unknown field in metadata', (_, obj) => {
    const v = only(validateSchema(withValue(obj, ['metadata', 'nmae'], 'x')));
    expect(v.path).toBe('metadata.nmae');
    expect(v.message).toContain('(did you mean "name"?)');
  });

  it('leaves x-kubernetes-preserve-unknown-fields open (HelmRelease values)', () => {
    expect(validateSchema(withValue(sample('HelmRelease'), ['spec', 'values', 'anything'], { nested: [1, 'two'] }))).toEqual([]);
  });
});
