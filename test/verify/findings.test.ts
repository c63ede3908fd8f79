/** verify's waivers: one object and one checker rule at a time, never the API server's findings. */
import { describe, expect, it } from 'vitest';
import { applyVerifyWaivers, isCheckerWaiver, type Finding } from '../../app/verify/findings';
import { validationContext } from '../../app/synthesize';
import { validate } from '../../validation';
import type { Waiver } from '../../lib/core/waivers';
import { environmentNames } from '../../environments';
import { environment } from '../helpers';

const finding = (over: Partial<Finding>): Finding => ({
  environment: 'prod',
  tool: 'kube-score',
  rule: 'pod-probes-identical',
  severity: 'error',
  object: 'Deployment/platform/worker',
  message: 'Container has the same readiness and liveness probe',
  ...over,
});
const waiver = (over: Partial<Waiver>): Waiver => ({
  kind: 'Deployment',
  namespace: 'platform',
  name: 'worker',
  rule: 'kube-score/pod-probes-identical',
  reason: 'one health command serves both probes',
  ...over,
});

describe('applyVerifyWaivers', () => {
  it('waives the named rule for the named object only, with its reason', () => {
    const other = finding({ object: 'Deployment/platform/frontend' });
    const { open, waived } = applyVerifyWaivers('prod', [finding({}), other], [waiver({})]);
    expect(waived).toEqual([{ finding: finding({}), reason: 'one health command serves both probes' }]);
    expect(open).toEqual([other]);
  });

  it('does not waive another tool’s rule of the same id', () => {
    const checkov = finding({ tool: 'checkov', rule: 'pod-probes-identical' });
    expect(applyVerifyWaivers('prod', [checkov], [waiver({})]).open).toEqual([
      checkov,
      expect.objectContaining({ tool: 'verify', rule: 'waiver-unused', severity: 'warning' }),
    ]);
  });

  it('reports a waiver that matches nothing as a warning naming it', () => {
    const { open } = applyVerifyWaivers('prod', [], [waiver({ name: 'gone' })]);
    expect(open).toEqual([
      expect.objectContaining({
        rule: 'waiver-unused',
        object: 'Deployment/platform/gone',
        message: 'waivers[0]: waiver of kube-score/pod-probes-identical for Deployment/platform/gone matches no finding (remove it)',
      }),
    ]);
  });

  it("refuses to waive the API server's rejections and a stale dist/", () => {
    const rejected = finding({ tool: 'apiserver', rule: 'rejected' });
    const { open, waived } = applyVerifyWaivers('prod', [rejected], [waiver({ rule: 'apiserver/rejected' })]);
    expect(waived).toEqual([]);
    expect(open).toContainEqual(rejected);
    expect(open).toContainEqual(expect.objectContaining({ tool: 'verify', rule: 'waiver-unwaivable', severity: 'error' }));
  });

  it("leaves the in-process validator's waivers alone", () => {
    expect(applyVerifyWaivers('prod', [], [waiver({ rule: 'pod/probes' })]).open).toEqual([]);
  });
});

describe('checker waivers in the environments', () => {
  it("are left out of the in-process validator's waivers: no unused-waiver warning for them", () => {
    const simulation = waiver({ rule: 'simulate/eviction-blocked' });
    const own = waiver({ rule: 'pod/probes' });
    const context = validationContext({
      ...environment('prod'),
      waivers: [waiver({}), waiver({ rule: 'apiserver/rejected' }), simulation, own],
    });
    expect(context.waivers).toEqual([own]);
    expect(validate([], context).violations.map((v) => v.message)).toEqual([
      'waiver of pod/probes for Deployment/worker matches no violation (remove it)',
    ]);
    expect(isCheckerWaiver(waiver({}))).toBe(true);
    expect(isCheckerWaiver(waiver({ rule: 'pod/probes' }))).toBe(false);
  });

  it.each(environmentNames())('%s: declares no per-object checker waiver (the exceptions follow the model)', (name) => {
    expect(environment(name).waivers.filter(isCheckerWaiver)).toEqual([]);
  });
});
