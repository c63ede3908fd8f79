/**
 * verify fails closed: a checker's findings are trusted only when it reported on every object it was
 * given, caught its canary and ran cleanly; an output of another shape is a failure, never "nothing
 * found"; an unused waiver fails in CI. These cases need no tool: they feed verify's assessment what a
 * tool that went blind would print.
 */
import { describe, expect, it } from 'vitest';
import { CHECKERS } from '../../app/verify/checkers';
import { parseOutput } from '../../app/verify/checkers/exec';
import type { CheckerResult } from '../../app/verify/checkers/types';
import { assessRun, CHECKER_RULES } from '../../app/verify/coverage';
import { applyVerifyWaivers, type Finding } from '../../app/verify/findings';
import { inCi, isFailure, passed, type VerifyReport } from '../../app/verify/verify';
import { manifestId } from '../../lib/core/manifest';
import { nonEmpty } from '../helpers';
import { z } from 'zod';

const OBJECTS = ['Deployment/platform/frontend', 'Service/platform/frontend'];

function finding(over: Partial<Finding>): Finding {
  return { environment: 'prod', tool: 'kube-score', rule: 'r', severity: 'error', object: OBJECTS[0]!, message: 'm', ...over };
}

describe.each(CHECKERS.map((checker) => [checker.tool, checker] as const))('%s run assessment', (tool, checker) => {
  const canaryIds = checker.canary.objects.map(manifestId);
  const caught = finding({ tool, rule: checker.canary.rule, object: checker.canary.object });
  const clean: CheckerResult = {
    findings: [caught],
    given: [...OBJECTS, ...canaryIds],
    reported: [...OBJECTS, ...canaryIds],
    problems: [],
  };

  it('has a canary among its own objects, in a namespace of its own', () => {
    expect(canaryIds).toContain(checker.canary.object);
    for (const object of nonEmpty(checker.canary.objects, `${tool}: canary objects`))
      expect(object.metadata.namespace).toMatch(/^verify-canary-/);
  });

  it('trusts a clean run and hides the canary finding', () => {
    const onObject = finding({ tool, rule: 'some-rule' });
    const result = assessRun('prod', checker, { ...clean, findings: [caught, onObject] });
    expect(result).toEqual({ findings: [onObject], failures: [] });
  });

  it('fails when the canary finding is missing: the checker went blind', () => {
    const { failures } = assessRun('prod', checker, { ...clean, findings: [] });
    expect(failures).toEqual([
      expect.objectContaining({
        tool: 'verify',
        rule: CHECKER_RULES.blind,
        object: `checker/${tool}`,
        message: expect.stringContaining(`${tool} went blind`),
      }),
    ]);
  });

  it('fails when it was fed nothing', () => {
    const { failures } = assessRun('prod', checker, { findings: [caught], given: [], reported: [], problems: [] });
    expect(failures.map((f) => f.rule)).toEqual([CHECKER_RULES.coverage]);
  });

  it('fails when an unexpected exit status or error output was seen', () => {
    const { failures } = assessRun('prod', checker, { ...clean, problems: [`${tool} exited 2, expected 1`] });
    expect(failures).toEqual([expect.objectContaining({ rule: CHECKER_RULES.failed, message: `${tool} exited 2, expected 1` })]);
  });

  if (clean.reported) {
    it('fails when it reported on an object it was not given', () => {
      const { failures } = assessRun('prod', checker, { ...clean, reported: [...clean.reported!, 'Deployment/other/ghost'] });
      expect(failures).toEqual([
        expect.objectContaining({ rule: CHECKER_RULES.coverage, message: expect.stringContaining('Deployment/other/ghost') }),
      ]);
    });
  }
});

describe('coverage of a tool that lists every object it judged', () => {
  const [checker] = CHECKERS;
  it('fails naming the objects the tool did not report on', () => {
    const canaryIds = checker!.canary.objects.map(manifestId);
    const { failures } = assessRun('prod', checker!, {
      findings: [finding({ tool: checker!.tool, rule: checker!.canary.rule, object: checker!.canary.object })],
      given: [...OBJECTS, ...canaryIds],
      reported: [OBJECTS[0]!, ...canaryIds],
      problems: [],
    });
    expect(failures).toEqual([
      expect.objectContaining({
        rule: CHECKER_RULES.coverage,
        message: `${checker!.tool} reported on ${1 + canaryIds.length} of the ${2 + canaryIds.length} objects it was given; not on Service/platform/frontend`,
      }),
    ]);
  });
});

describe('tool output is read through its shape, never defaulted', () => {
  const Report = z.object({ results: z.object({ failed_checks: z.array(z.string()) }), summary: z.object({ resource_count: z.number() }) });
  const output = (stdout: string) => ({ status: 0, stdout, stderr: '' });

  it('refuses a summary printed without results (a run that scanned nothing)', () => {
    expect(() => parseOutput('checkov', output('{"passed":0,"failed":0,"resource_count":0}'), Report)).toThrow(
      /checkov printed JSON of another shape than verify reads \(results: /,
    );
  });

  it('refuses output that is not JSON, quoting what the tool printed', () => {
    expect(() => parseOutput('pluto', { status: 1, stdout: '', stderr: 'boom' }, Report)).toThrow(
      'pluto exited 1 without JSON output: boom',
    );
  });
});

describe('waivers in CI', () => {
  const unused = applyVerifyWaivers(
    'prod',
    [],
    [{ kind: 'Deployment', namespace: 'platform', name: 'gone', rule: 'kube-score/pod-probes-identical', reason: 'r' }],
  ).open;

  it('an unused waiver fails the run in CI and warns elsewhere', () => {
    expect(unused).toEqual([expect.objectContaining({ rule: 'waiver-unused', object: 'Deployment/platform/gone' })]);
    const report = (strictWaivers: boolean): VerifyReport => ({
      environments: [
        {
          environment: 'prod',
          kubernetesVersion: '1.35',
          server: 'v1.35.4',
          objects: 1,
          accepted: 1,
          namespaces: { emitted: [], targeted: [] },
          tools: [],
          findings: unused,
          waived: [],
        },
      ],
      stale: [],
      crdSource: '',
      crds: [],
      etcd: '',
      seconds: 0,
      strictWaivers,
      addons: { mirror: '', helm: '', addons: [], findings: [], renders: { cached: 0, run: 0 }, seconds: 0 },
    });
    expect(isFailure(unused[0]!, true)).toBe(true);
    expect(passed(report(true))).toBe(false);
    expect(passed(report(false))).toBe(true);
  });

  it('CI is read as CI services set it', () => {
    expect(inCi({ CI: 'true' })).toBe(true);
    expect(inCi({ CI: '1' })).toBe(true);
    expect(inCi({ CI: 'false' })).toBe(false);
    expect(inCi({})).toBe(false);
  });

  it('a waiver matches the namespace it names, not a policy of the same name elsewhere', () => {
    const inData = finding({ tool: 'kube-score', rule: 'networkpolicy-targets-pod', object: 'NetworkPolicy/data/default-deny' });
    const inEdge = finding({ tool: 'kube-score', rule: 'networkpolicy-targets-pod', object: 'NetworkPolicy/edge/default-deny' });
    const { open, waived } = applyVerifyWaivers(
      'prod',
      [inData, inEdge],
      [{ kind: 'NetworkPolicy', namespace: 'data', name: 'default-deny', rule: 'kube-score/networkpolicy-targets-pod', reason: 'r' }],
    );
    expect(waived.map((w) => w.finding)).toEqual([inData]);
    expect(open).toEqual([inEdge]);
  });

  it("no waiver excuses verify's proof that a checker ran", () => {
    const blind = finding({ tool: 'verify', rule: CHECKER_RULES.blind, object: 'checker/kube-score' });
    const { open } = applyVerifyWaivers(
      'prod',
      [blind],
      [{ kind: 'checker', name: 'kube-score', rule: 'verify/checker-blind', reason: 'r' }],
    );
    expect(open).toContainEqual(blind);
  });
});
