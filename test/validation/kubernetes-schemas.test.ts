import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../../environments';
import dev from '../../environments/dev';
import { validate } from '../../validation';
import { parseManifests } from '../../validation/parse';
import { KUBERNETES_VERSION_RULE, schemaKubernetesVersions, validateSchema } from '../../validation/schema';
import type { Manifest } from '../../lib/core/manifest';
import { selectDefinitions } from '../../scripts/capture-k8s-schemas';
import { CORE_KINDS, capturedSchemas, definitionOfKind, referencedDefinitions } from '../../scripts/k8s-schemas';
import { environment, validateOverlay } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
const CORE = parseManifests(readFileSync(path.join(ROOT, 'test', 'fixtures', 'schema', 'core.k8s.yaml'), 'utf8'), 'core.k8s.yaml');

/** A sample object's fields, open to the fields and values (valid or not) a test sets on its copy. */
type Fields = Record<string, unknown>;
type ServiceSample = Manifest & { readonly spec: Fields };
type DeploymentSample = Manifest & { readonly spec: { readonly template: { readonly spec: Fields & { readonly containers: Fields[] } } } };

/** A fresh copy of the fixture's object of that kind. */
function sample<T extends Manifest = Manifest>(kind: string): T {
  return structuredClone(CORE.find((o) => o.kind === kind)!) as T;
}

describe('the Kubernetes version of the schemas', () => {
  it('is 1.35, captured from kube-apiserver 1.35.4, and every environment targets a captured minor', () => {
    expect(schemaKubernetesVersions()).toEqual([{ minor: '1.35', version: '1.35.4' }]);
    const captured = schemaKubernetesVersions().map((v) => v.minor);
    for (const name of environmentNames()) expect(captured, name).toContain(environment(name).cluster.kubernetesVersion);
  });

  it('matches the captured files in imports/kubernetes/ (npm run gen:validators is up to date)', () => {
    expect(capturedSchemas().map(({ minor, version }) => ({ minor, version }))).toEqual(schemaKubernetesVersions());
    expect(readdirSync(path.join(ROOT, 'imports', 'kubernetes')).sort()).toEqual(['README.md', 'v1.35.4-definitions.json']);
    const header = readFileSync(path.join(ROOT, 'imports', 'validators', 'index.js'), 'utf8').slice(0, 2000);
    expect(header).toContain('Kubernetes core schemas: 1.35.4');
    expect(header).toContain('imports/kubernetes/v1.35.4-definitions.json (Kubernetes 1.35.4)');
  });
});

describe('validateSchema against Kubernetes 1.35', () => {
  it('accepts fields that Kubernetes 1.28 did not have', () => {
    // Service.spec.trafficDistribution (1.30), PodSpec.resources (1.32), SecurityContext.appArmorProfile (1.30).
    const service = sample<ServiceSample>('Service');
    service.spec.trafficDistribution = 'PreferClose';
    expect(validateSchema(service as Manifest, '1.35')).toEqual([]);
    const deployment = sample<DeploymentSample>('Deployment');
    deployment.spec.template.spec.resources = { limits: { cpu: '1', memory: '1Gi' } };
    deployment.spec.template.spec.containers[0].securityContext = { appArmorProfile: { type: 'RuntimeDefault' } };
    expect(validateSchema(deployment as Manifest, '1.35')).toEqual([]);
  });

  it('fails an unknown field, naming its path and the allowed fields', () => {
    const deployment = sample<DeploymentSample>('Deployment');
    deployment.spec.template.spec.containers[0].resizePolicyy = [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }];
    const violations = validateSchema(deployment as Manifest, '1.35');
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({
      rule: 'schema',
      object: 'Deployment/web/backend',
      path: 'spec.template.spec.containers[0].resizePolicyy',
    });
    expect(violations[0]!.message).toMatch(
      /^unknown field "resizePolicyy" \(did you mean "resizePolicy"\?\) — allowed: .*restartPolicyRules/,
    );
  });

  it('fails a value of the wrong type in a 1.35-only field', () => {
    const service = sample<ServiceSample>('Service');
    service.spec.trafficDistribution = 1;
    expect(validateSchema(service as Manifest, '1.35').map((v) => [v.path, v.message])).toEqual([
      ['spec.trafficDistribution', 'expected string, got 1'],
    ]);
  });

  it('fails for a minor without captured schemas instead of checking against another one', () => {
    expect(() => validateSchema(sample('Service') as Manifest, '1.36')).toThrow('no Kubernetes 1.36 schemas: captured 1.35');
  });
});

describe('an environment targeting a Kubernetes minor without captured schemas', () => {
  const message =
    "next: cluster.kubernetesVersion is 1.36, but the validator has schemas only for Kubernetes 1.35 (1.35.4); capture 1.36's with " +
    'npm run import -- --kubernetes 1.36 (its kube-apiserver pinned in tools/versions.env, built by npm run tools), then npm run gen:validators';

  it('fails validation, naming the environment, the version and the versions available', () => {
    const report = validate([sample('Service') as Manifest], { environment: 'next', production: false, kubernetesVersion: '1.36' });
    expect(report.violations.filter((v) => v.rule.startsWith('schema'))).toEqual([
      { rule: KUBERNETES_VERSION_RULE, severity: 'error', object: 'Environment/next', path: 'cluster.kubernetesVersion', message },
    ]);
  });

  it('fails a rendered environment as synth judges it', () => {
    const report = validateOverlay({ ...dev, name: 'next', cluster: { kubernetesVersion: '1.36' } });
    expect(report.violations.filter((v) => v.rule === KUBERNETES_VERSION_RULE).map((v) => v.message)).toEqual([message]);
  });

  it('checks the same objects against the schemas on a captured minor', () => {
    const service = sample<ServiceSample>('Service');
    service.spec.trafficDistributon = 'PreferClose';
    const report = validate([service as Manifest], { environment: 'next', production: false, kubernetesVersion: '1.35' });
    expect(report.violations.filter((v) => v.rule.startsWith('schema')).map((v) => [v.rule, v.path])).toEqual([
      ['schema', 'spec.trafficDistributon'],
    ]);
  });
});

describe('the captured definitions (imports/kubernetes/)', () => {
  const file = path.join(ROOT, 'imports', 'kubernetes', 'v1.35.4-definitions.json');
  const text = readFileSync(file, 'utf8');
  const doc = JSON.parse(text) as { generated: string; kubernetesVersion: string; kinds: string[]; definitions: Record<string, Fields> };

  it('say how they were generated and hold exactly the core kinds and what they reference', () => {
    expect(doc.generated).toContain('npm run import -- --kubernetes 1.35');
    expect(doc.generated).toContain('kube-apiserver v1.35.4');
    expect(doc.kinds).toEqual(CORE_KINDS.map(([apiVersion, kind]) => `${apiVersion}/${kind}`));
    const roots = CORE_KINDS.map(([apiVersion, kind]) => definitionOfKind(doc.definitions, apiVersion, kind)!);
    expect([...referencedDefinitions(doc.definitions, roots)].sort()).toEqual(Object.keys(doc.definitions));
  });

  it('are written deterministically: sorted keys, two-space JSON, no descriptions', () => {
    const rewritten = selectDefinitions('1.35.4', doc.definitions);
    expect(`${JSON.stringify(rewritten, null, 2)}\n`).toBe(text);
    expect(text).not.toContain('"description"');
  });

  it('leave out definitions nothing references and every description', () => {
    const served = {
      ...doc.definitions,
      'io.k8s.api.core.v1.Unused': { type: 'object', description: 'not referenced' },
      'io.k8s.api.core.v1.Namespace': { ...doc.definitions['io.k8s.api.core.v1.Namespace'], description: 'dropped' },
    };
    const selected = selectDefinitions('1.35.4', served) as { definitions: Record<string, Fields> };
    expect(selected.definitions['io.k8s.api.core.v1.Unused']).toBeUndefined();
    expect(selected.definitions['io.k8s.api.core.v1.Namespace'].description).toBeUndefined();
  });
});
