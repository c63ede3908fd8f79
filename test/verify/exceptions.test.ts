/**
 * The project's exceptions to the checkers' rules apply by what the model and the output say, never
 * by name: each is proven here on what every environment declares, and refused where its reason does
 * not hold.
 */
import { describe, expect, it } from 'vitest';
import { projectExceptions, runtimePods } from '../../app/verify/exceptions';
import type { Finding } from '../../app/verify/findings';
import { environmentNames } from '../../environments';
import { manifestId, type Manifest } from '../../lib/core/manifest';
import { Model, selectorMatches } from '../../validation/rules/model';
import { environment, nonEmpty, rendered } from '../helpers';

const finding = (object: Manifest, tool: Finding['tool'], rule: string): Finding => ({
  environment: 'test',
  tool,
  rule,
  severity: 'error',
  object: manifestId(object),
  message: 'm',
});

const workloads = (objects: readonly Manifest[]) => objects.filter((o) => ['Deployment', 'Rollout'].includes(o.kind));

describe.each(environmentNames())('%s', (name) => {
  const env = environment(name);
  const { objects } = rendered(name);
  const excuse = projectExceptions(env, objects);

  it("excuses every service's workload for the pull policy and host spread, by the pod template", () => {
    const list = workloads(objects);
    expect(list.length).toBe(Object.values(env.services).filter((s) => s.enabled && s.kind !== 'job').length);
    for (const cron of objects.filter((o) => o.kind === 'CronJob')) {
      expect(excuse(finding(cron, 'checkov', 'CKV_K8S_15'))).toMatch(/^IfNotPresent on purpose/);
    }
    for (const object of list) {
      expect(excuse(finding(object, 'kube-score', 'container-image-pull-policy'))).toMatch(/^IfNotPresent on purpose/);
      expect(excuse(finding(object, 'checkov', 'CKV_K8S_15'))).toMatch(/^IfNotPresent on purpose/);
      expect(excuse(finding(object, 'kube-score', 'deployment-has-host-podantiaffinity'))).toMatch(/topologySpreadConstraint/);
    }
  });

  it('excuses the image digest only outside production', () => {
    for (const object of nonEmpty(workloads(objects), `${name}: workloads`)) {
      const reason = excuse(finding(object, 'checkov', 'CKV_K8S_43'));
      if (env.tier === 'production') expect(reason).toBeUndefined();
      else expect(reason).toMatch(/outside production/);
    }
  });

  it('excuses exactly the NetworkPolicies that select pods a controller creates at run time', () => {
    const model = new Model(objects);
    // The add-on namespaces' policies select the pods the add-ons' charts run (their network facts).
    const pods = runtimePods(model, env);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const selecting = policies.filter((p) =>
      (pods.get(p.metadata.namespace!) ?? []).some((labels) => selectorMatches((p.spec as { podSelector?: unknown }).podSelector, labels)),
    );
    expect(selecting.length).toBeGreaterThan(0);
    for (const policy of policies) {
      const reason = excuse(finding(policy, 'kube-score', 'networkpolicy-targets-pod'));
      if (selecting.includes(policy)) expect(reason).toMatch(/^selects pods a controller creates at run time/);
      else expect(reason).toBeUndefined();
    }
  });
});

describe('an exception whose reason does not hold excuses nothing', () => {
  const env = environment('prod');
  const { objects } = rendered('prod');

  it('a NetworkPolicy that selects no pod at all is not excused', () => {
    const stray: Manifest = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'stray', namespace: 'data' },
      spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nothing' } }, policyTypes: ['Ingress'] },
    };
    expect(projectExceptions(env, [...objects, stray])(finding(stray, 'kube-score', 'networkpolicy-targets-pod'))).toBeUndefined();
  });

  it('a rule no exception names is never excused', () => {
    for (const object of nonEmpty(workloads(objects), 'prod: workloads'))
      expect(projectExceptions(env, objects)(finding(object, 'checkov', 'CKV_K8S_16'))).toBeUndefined();
  });

  it('a floor of one pod in production is not excused', () => {
    const hpa: Manifest = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'one', namespace: 'platform' },
      spec: { minReplicas: 1, maxReplicas: 2, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' } },
    };
    const excuse = projectExceptions(env, [...objects, hpa]);
    expect(excuse(finding(hpa, 'kube-score', 'horizontalpodautoscaler-replicas'))).toBeUndefined();
    expect(projectExceptions(environment('dev'), [hpa])(finding(hpa, 'kube-score', 'horizontalpodautoscaler-replicas'))).toMatch(
      /a floor of one pod/,
    );
  });
});
