/** validate(): schema + rules + waivers, the counts, and the text/JSON reports. */
import { describe, expect, it, vi } from 'vitest';
import { formatReport, reportJson, validate } from '../../validation/index';
import type { Manifest } from '../../lib/core/manifest';
import type { ValidationContext, Violation } from '../../validation/types';
import { PROD, goodPlatform, platformWith, type M } from '../fixtures/rules/factories';

// The schema checks belong to another module; stub them so these tests pin down only the
// orchestration (one object gets a schema error, to prove schema findings flow through).
vi.mock('../../validation/schema', () => ({
  validateSchema: (obj: Manifest): Violation[] =>
    obj.metadata.annotations?.['test/schema-error']
      ? [
          {
            rule: 'schema/invalid',
            severity: 'error',
            object: `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`,
            path: 'spec',
            message: 'stubbed schema error',
          },
        ]
      : [],
}));

const ctx = (waivers: ValidationContext['waivers']): ValidationContext => ({ ...PROD, waivers });

/** The platform with the backend running as root: two violations on one object. */
function rootBackend(): M[] {
  return platformWith('Deployment', 'backend', (o) => (o.spec.template.spec.securityContext.runAsUser = 0));
}

describe('validate', () => {
  it('counts resources, valid and invalid objects, and violations by rule', () => {
    const objects = rootBackend();
    const report = validate(objects, PROD);
    expect(report).toMatchObject({ environment: 'prod', resources: objects.length, valid: objects.length - 1, invalid: 1 });
    expect(report.byRule).toEqual({ 'pod/security-context': 1 });
    expect(report.violations[0]).toMatchObject({
      object: 'Deployment/platform/backend',
      path: 'spec.template.spec.securityContext.runAsUser',
    });
    expect(report.waived).toEqual([]);
  });

  it('includes schema findings and lets waivers cover them', () => {
    const objects = platformWith('Service', 'backend', (o) => (o.metadata.annotations = { 'test/schema-error': 'yes' }));
    expect(validate(objects, PROD).byRule).toEqual({ 'schema/invalid': 1 });
    const waived = validate(
      objects,
      ctx([{ kind: 'Service', name: 'backend', rule: 'schema/invalid', reason: 'upstream schema lags the API' }]),
    );
    expect(waived.violations).toEqual([]);
    expect(waived.waived).toHaveLength(1);
  });

  it('warnings alone leave an object valid', () => {
    const objects = platformWith('PodDisruptionBudget', 'backend', (o) => (o.spec.unhealthyPodEvictionPolicy = 'IfHealthyBudget'));
    const report = validate(objects, PROD);
    expect(report).toMatchObject({ invalid: 0, valid: objects.length, byRule: { 'pdb/unhealthy-eviction': 1 } });
  });
});

describe('waivers', () => {
  it('moves matching violations to waived with their reason', () => {
    const reason = 'the vendor image only runs as root; tracked in PLAT-123';
    const report = validate(rootBackend(), ctx([{ kind: 'Deployment', name: 'backend', rule: 'pod/security-context', reason }]));
    expect(report.violations).toEqual([]);
    expect(report.invalid).toBe(0);
    expect(report.waived).toEqual([
      { violation: expect.objectContaining({ rule: 'pod/security-context', object: 'Deployment/platform/backend' }), reason },
    ]);
  });

  it('only waives the named kind, name and rule', () => {
    const report = validate(
      rootBackend(),
      ctx([
        { kind: 'Rollout', name: 'backend', rule: 'pod/security-context', reason: 'wrong kind' },
        { kind: 'Deployment', name: 'backend', rule: 'pod/resources', reason: 'wrong rule' },
      ]),
    );
    expect(report.byRule).toEqual({ 'pod/security-context': 1, 'waiver/unused': 2 });
    expect(report.waived).toEqual([]);
  });

  it('rejects a waiver without a reason, and does not apply it', () => {
    const report = validate(rootBackend(), ctx([{ kind: 'Deployment', name: 'backend', rule: 'pod/security-context', reason: '  ' }]));
    expect(report.violations).toEqual([
      {
        rule: 'waiver/reason',
        severity: 'error',
        object: 'Deployment/backend',
        path: 'waivers[0].reason',
        message: 'waiver of pod/security-context for Deployment/backend has no reason (every waiver must say why the rule does not apply)',
      },
      expect.objectContaining({ rule: 'pod/security-context' }),
    ]);
    expect(report.waived).toEqual([]);
  });

  it('warns about a waiver that matches nothing', () => {
    const report = validate(goodPlatform(), ctx([{ kind: 'Deployment', name: 'backend', rule: 'pod/probes', reason: 'legacy' }]));
    expect(report.violations).toEqual([
      {
        rule: 'waiver/unused',
        severity: 'warning',
        object: 'Deployment/backend',
        path: 'waivers[0]',
        message: 'waiver of pod/probes for Deployment/backend matches no violation (remove it)',
      },
    ]);
    expect(report.invalid).toBe(0);
  });
});

describe('formatReport and reportJson', () => {
  const reports = (): ReturnType<typeof validate>[] => {
    const objects = platformWith('Deployment', 'backend', (o) => {
      delete o.spec.template.spec.containers[0].resources.limits['ephemeral-storage'];
      o.spec.template.spec.securityContext.runAsUser = 0;
    });
    return [
      validate(objects, ctx([{ kind: 'Deployment', name: 'backend', rule: 'pod/security-context', reason: 'vendor image runs as root' }])),
      validate(goodPlatform(), { environment: 'dev', production: false }),
    ];
  };

  it('prints one kubeconform-like block per environment with violations and waivers', () => {
    const n = goodPlatform().length;
    expect(formatReport(reports())).toBe(
      [
        `prod: ${n} resources, ${n - 1} valid, 1 invalid, 1 errors, 0 warnings, 1 waived`,
        '  ERROR pod/resources Deployment/platform/backend spec.template.spec.containers[0].resources.limits: missing ephemeral-storage limit (requests and limits are required for cpu, memory, ephemeral-storage)',
        '  WAIVED pod/security-context Deployment/platform/backend spec.template.spec.securityContext.runAsUser: container "backend": runAsUser is 0 (must be set to a UID >= 10000 on the container or the pod) \u2014 vendor image runs as root',
        '  by rule: pod/resources 1',
        '',
        `dev: ${n} resources, ${n} valid, 0 invalid, 0 errors, 0 warnings, 0 waived`,
        '',
      ].join('\n'),
    );
  });

  it('emits the reports and totals as JSON', () => {
    const json = JSON.parse(reportJson(reports()));
    expect(json.total).toEqual({
      resources: 2 * goodPlatform().length,
      valid: 2 * goodPlatform().length - 1,
      invalid: 1,
      errors: 1,
      warnings: 0,
      waived: 1,
    });
    expect(json.environments.map((e: { environment: string; errors: number }) => [e.environment, e.errors])).toEqual([
      ['prod', 1],
      ['dev', 0],
    ]);
    expect(json.environments[0].waived[0].reason).toBe('vendor image runs as root');
  });
});
