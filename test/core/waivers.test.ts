/** The one waiver matcher (lib/core/waivers.ts) that the validator, verify and the simulation share. */
import { describe, expect, it } from 'vitest';
import { matchWaivers, unusedWaiverMessage, type Waiver, type WaiverScope, waiverObject } from '../../lib/core/waivers';

interface Found {
  readonly rule: string;
  readonly object: string;
  readonly waivable?: boolean;
}

const EXACT: WaiverScope = { tools: ['kube-score'], objects: 'exact' };
const found = (over: Partial<Found> = {}): Found => ({ rule: 'kube-score/pod-probes', object: 'Deployment/platform/worker', ...over });
const waiver = (over: Partial<Waiver> = {}): Waiver => ({
  kind: 'Deployment',
  namespace: 'platform',
  name: 'worker',
  rule: 'kube-score/pod-probes',
  reason: 'one health command serves both probes',
  ...over,
});
const match = (findings: readonly Found[], waivers: readonly Waiver[], scope: WaiverScope = EXACT) =>
  matchWaivers(findings, waivers, scope, (f) => f);

describe('matchWaivers', () => {
  it('waives exactly the named rule on exactly the named object, with the waiver and its index', () => {
    const other = found({ object: 'Deployment/platform/frontend' });
    const otherRule = found({ rule: 'kube-score/pod-networkpolicy' });
    const result = match([found(), other, otherRule], [waiver()]);
    expect(result.waived).toEqual([{ finding: found(), waiver: waiver(), index: 0 }]);
    expect(result.open).toEqual([other, otherRule]);
    expect(result.unused).toEqual([]);
  });

  it('knows no patterns: a `*` in a rule or a name is a literal that matches nothing else', () => {
    const result = match([found()], [waiver({ rule: 'kube-score/*' }), waiver({ name: '*' })]);
    expect(result.open).toEqual([found()]);
    expect(result.unused.map((u) => u.index)).toEqual([0, 1]);
  });

  it('reports every waiver that excused nothing, with its index, and leaves the used ones out', () => {
    const result = match([found()], [waiver({ name: 'gone' }), waiver(), waiver({ namespace: 'edge' })]);
    expect(result.unused).toEqual([
      { waiver: waiver({ name: 'gone' }), index: 0 },
      { waiver: waiver({ namespace: 'edge' }), index: 2 },
    ]);
    expect(unusedWaiverMessage(result.unused[0]!)).toBe(
      'waivers[0]: waiver of kube-score/pod-probes for Deployment/platform/gone matches no finding (remove it)',
    );
  });

  it("applies only its scope's tools and leaves another checker's waivers alone (neither used nor unused)", () => {
    const result = match([found({ rule: 'pod/probes' })], [waiver({ rule: 'pod/probes' }), waiver({ rule: 'simulate/placement' })]);
    expect(result.open).toHaveLength(1);
    expect(result).toMatchObject({ waived: [], unused: [], unreasoned: [] });
  });

  it("without tools in the scope, every waiver given is the caller's", () => {
    const result = match([found({ rule: 'pod/probes' })], [waiver({ rule: 'pod/probes' })], { objects: 'exact' });
    expect(result.waived).toHaveLength(1);
  });

  it('exact objects: the namespace must match; a waiver without one names a cluster-scoped object', () => {
    const clusterRole = found({ object: 'ClusterRole/reader' });
    const result = match(
      [found(), found({ object: 'Deployment/edge/worker' }), clusterRole],
      [waiver({ namespace: undefined }), waiver({ kind: 'ClusterRole', namespace: undefined, name: 'reader' })],
    );
    expect(result.waived.map((w) => w.finding)).toEqual([clusterRole]);
    expect(result.unused.map((u) => waiverObject(u.waiver))).toEqual(['Deployment/worker']);
  });

  it('kind-and-name objects: kind and name are compared in any namespace', () => {
    const inEdge = found({ object: 'Deployment/edge/worker' });
    const result = match([found(), inEdge, found({ object: 'Rollout/platform/worker' })], [waiver({ namespace: undefined })], {
      objects: 'kind-and-name',
    });
    expect(result.waived.map((w) => w.finding)).toEqual([found(), inEdge]);
    expect(result.open).toEqual([found({ object: 'Rollout/platform/worker' })]);
  });

  it('an unwaivable finding stays open, and the waiver naming it stays unused', () => {
    const result = match([found({ waivable: false })], [waiver()]);
    expect(result.open).toEqual([found({ waivable: false })]);
    expect(result.unused).toEqual([{ waiver: waiver(), index: 0 }]);
  });

  it('a waiver without a written reason excuses nothing and is returned to be reported', () => {
    const result = match([found()], [waiver({ reason: '  ' })]);
    expect(result.open).toEqual([found()]);
    expect(result.unreasoned).toEqual([{ waiver: waiver({ reason: '  ' }), index: 0 }]);
    expect(result.unused).toEqual([]);
  });

  it('of two waivers of the same object and rule, the first applies', () => {
    const result = match([found()], [waiver({ reason: 'the first reason, long enough' }), waiver()]);
    expect(result.waived).toEqual([{ finding: found(), waiver: waiver({ reason: 'the first reason, long enough' }), index: 0 }]);
    expect(result.unused).toEqual([]);
  });
});
