/**
 * The rules that excuse a finding our values cause on an add-on (app/verify/addons/value-exceptions.ts):
 * each applies by what the two renders and the model say, and only then; nothing names an add-on.
 */
import { describe, expect, it } from 'vitest';
import { ADDON_VALUE_WAIVERS } from '../../app/verify/addons/value-waivers';
import { exceptOurs, type ValueExceptionContext } from '../../app/verify/addons/value-exceptions';
import type { Finding } from '../../app/verify/findings';
import type { Manifest } from '../../lib/core/manifest';

const labels = { app: 'ctl' };

function deployment(replicas: number, container: Record<string, unknown> = { name: 'c', image: 'example.com/ctl:v1.2.3' }): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'ctl', namespace: 'ns' },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container] } } },
  } as Manifest;
}

const service = (name: string): Manifest =>
  ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns', labels: { svc: name } },
    spec: { selector: labels },
  }) as Manifest;

const monitor = (svc: string): Manifest =>
  ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: svc, namespace: 'ns' },
    spec: { selector: { matchLabels: { svc } } },
  }) as Manifest;

const finding = (tool: string, rule: string): Finding =>
  ({ tool, rule, severity: 'error', object: 'Deployment/ns/ctl', message: 'm' }) as unknown as Finding;

function context(ours: Manifest, defaults: Manifest | undefined, more: Partial<ValueExceptionContext> = {}): ValueExceptionContext {
  return { ours, defaults, oursAll: [ours], defaultsAll: defaults ? [defaults] : [], production: true, appVersion: 'v1.2.3', ...more };
}

const excused = (f: Finding, c: ValueExceptionContext) => exceptOurs([f], () => c).excused.map((e) => e.reason.split(':')[0]);

describe('rules that excuse a finding our values cause', () => {
  it('a check kube-score runs only from the second replica, when our values add that replica', () => {
    const pdb = finding('kube-score', 'deployment-has-poddisruptionbudget');
    expect(excused(pdb, context(deployment(2), deployment(1)))).toEqual(['second-replica-brings-the-check']);
    // The chart already runs two: the missing budget is not brought in by us, so it stays open.
    expect(excused(pdb, context(deployment(2), deployment(2)))).toEqual([]);
    // Host anti-affinity is not excused: our values set it wherever they add the second replica.
    expect(excused(finding('kube-score', 'deployment-has-host-podantiaffinity'), context(deployment(2), deployment(1)))).toEqual([]);
  });

  it('probes and replicas asked only because a metrics Service our values add selects the pod', () => {
    const probes = finding('kube-score', 'pod-probes');
    const metrics = service('ctl-metrics');
    const ours = deployment(1);
    expect(excused(probes, context(ours, deployment(1), { oursAll: [ours, metrics, monitor('ctl-metrics')] }))).toEqual([
      'only-a-scrape-target-selects-it',
    ]);
    // No ServiceMonitor scrapes it: it may carry traffic.
    expect(excused(probes, context(ours, deployment(1), { oursAll: [ours, metrics] }))).toEqual([]);
    // The chart has that Service too: not ours to excuse here.
    expect(
      excused(probes, context(ours, deployment(1), { oursAll: [ours, metrics, monitor('ctl-metrics')], defaultsAll: [metrics] })),
    ).toEqual([]);
  });

  it('fewer controller replicas than the chart default, outside production only', () => {
    const few = finding('kube-score', 'deployment-replicas');
    expect(excused(few, context(deployment(1), deployment(3), { production: false }))).toEqual(['fewer-controllers-outside-production']);
    expect(excused(few, context(deployment(1), deployment(3), { production: true }))).toEqual([]);
  });

  it('IfNotPresent on an image tagged with the chart appVersion, and on no other tag', () => {
    const pull = finding('checkov', 'CKV_K8S_15');
    const pinned = deployment(1, { name: 'c', image: 'example.com/ctl:v1.2.3', imagePullPolicy: 'IfNotPresent' });
    expect(excused(pull, context(pinned, deployment(1)))).toEqual(['pinned-tag-pulled-if-not-present']);
    const latest = deployment(1, { name: 'c', image: 'example.com/ctl:latest', imagePullPolicy: 'IfNotPresent' });
    expect(excused(pull, context(latest, deployment(1)))).toEqual([]);
  });

  it('a check no rule covers stays open, and no per-object waiver stands in for a rule', () => {
    const other = finding('kube-score', 'container-security-context-user-group-id');
    expect(exceptOurs([other], () => context(deployment(2), deployment(1))).open).toEqual([other]);
    expect(ADDON_VALUE_WAIVERS).toEqual([]);
  });
});
