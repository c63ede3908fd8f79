/**
 * sandbox/* (validation/rules/sandbox.ts): fixtures are the rendered sandbox of a registered
 * environment with one thing broken.
 */
import { describe, expect, it } from 'vitest';
import { validationContext } from '../../app/synthesize';
import type { Manifest } from '../../lib/core/manifest';
import { runRules } from '../../validation/rules/all';
import { SANDBOX_ADMISSION, SANDBOX_GUARANTEED, SANDBOX_ISOLATION } from '../../validation/rules/sandbox';
import type { M } from '../fixtures/rules/factories';
import { environment, rendered } from '../helpers';

function copy(env: string): M[] {
  return structuredClone(rendered(env).objects) as M[];
}

function byName(objects: M[], kind: string, name: string): M {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

function findings(env: string, objects: readonly M[], rule: string): string[] {
  return runRules(objects as Manifest[], validationContext(environment(env)))
    .filter((v) => v.rule === rule)
    .map((v) => `${v.object} ${v.path}: ${v.message}`);
}

describe(SANDBOX_ISOLATION, () => {
  it('passes the rendered sandbox of prod and dev', () => {
    for (const env of ['prod', 'dev']) expect(findings(env, copy(env), SANDBOX_ISOLATION)).toEqual([]);
  });

  it('fails the project pod as it was: no runtime class, no pool, no toleration (prod before the fix)', () => {
    const objects = copy('prod');
    const { spec } = byName(objects, 'PodTemplate', 'project-runtime').template;
    delete spec.runtimeClassName;
    delete spec.nodeSelector;
    delete spec.tolerations;
    expect(findings('prod', objects, SANDBOX_ISOLATION)).toEqual([
      'PodTemplate/user-projects/project-runtime template.spec.runtimeClassName: runtimeClassName is "unset" in namespace user-projects, which runs untrusted code: it would share the node\'s kernel with whatever runs there; set runtimeClassName: gvisor (GKE Sandbox)',
      "PodTemplate/user-projects/project-runtime template.spec.nodeSelector: selects no node pool (cloud.google.com/gke-nodepool) in namespace user-projects, which runs untrusted code: pin it to the sandbox's own GKE Sandbox pool",
      "PodTemplate/user-projects/project-runtime template.spec.tolerations: does not tolerate sandbox.gke.io/runtime=gvisor:NoSchedule, the taint GKE puts on a GKE Sandbox pool's nodes: it can never be scheduled there",
    ]);
  });

  it('fails a platform workload on the sandbox pool', () => {
    const objects = copy('prod');
    byName(objects, 'Deployment', 'worker').spec.template.spec.nodeSelector['cloud.google.com/gke-nodepool'] = 'sandbox';
    expect(findings('prod', objects, SANDBOX_ISOLATION)).toEqual([
      'Deployment/platform/worker spec.template.spec.nodeSelector: selects node pool "sandbox", where PodTemplate/user-projects/project-runtime runs untrusted code: a container escape there would reach this pod; run it on a pool of its own',
    ]);
  });
});

describe(SANDBOX_ADMISSION, () => {
  it('passes the rendered sandbox of every environment that has one', () => {
    for (const env of ['dev', 'staging', 'prod']) expect(findings(env, copy(env), SANDBOX_ADMISSION)).toEqual([]);
  });

  it('fails the sandbox as it was: no policy, the default ServiceAccount with its token (prod before the fix)', () => {
    const objects = copy('prod').filter(
      (o) =>
        !['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'].includes(o.kind) &&
        !(o.kind === 'ServiceAccount' && o.metadata.name === 'default'),
    );
    expect(findings('prod', objects, SANDBOX_ADMISSION)).toEqual([
      'Namespace/user-projects metadata.labels: namespace user-projects runs untrusted code but no ValidatingAdmissionPolicyBinding with validationActions Deny binds a policy on pod CREATE to it: whoever can create pods there picks any image, ServiceAccount, runtime and volume',
      'Namespace/user-projects metadata.name: namespace user-projects runs untrusted code but its default ServiceAccount is not emitted without automountServiceAccountToken: false: a pod that names no account gets an API token',
    ]);
  });

  it('fails a binding that only warns, and a launcher Role that reaches Secrets or exec', () => {
    const objects = copy('prod');
    byName(objects, 'ValidatingAdmissionPolicyBinding', 'user-projects-pod-shape').spec.validationActions = ['Warn'];
    byName(objects, 'Role', 'project-launcher').rules.push({
      apiGroups: [''],
      resources: ['secrets', 'pods/exec'],
      verbs: ['get', 'create'],
    });
    expect(findings('prod', objects, SANDBOX_ADMISSION)).toEqual([
      'Namespace/user-projects metadata.labels: namespace user-projects runs untrusted code but no ValidatingAdmissionPolicyBinding with validationActions Deny binds a policy on pod CREATE to it: whoever can create pods there picks any image, ServiceAccount, runtime and volume',
      'Role/user-projects/project-launcher rules[2]: grants secrets, pods/exec in namespace user-projects, which runs untrusted code: a launcher needs pods (create, get, list, watch, delete) and its template, never Secrets, exec, attach or port-forward',
    ]);
  });
});

describe(SANDBOX_GUARANTEED, () => {
  it('passes the rendered sandbox of every environment that has one', () => {
    for (const env of ['dev', 'staging', 'prod']) expect(findings(env, copy(env), SANDBOX_GUARANTEED)).toEqual([]);
  });

  it('fails the sandbox as it was: burstable project pods, a LimitRange without a ratio (prod before the fix)', () => {
    const objects = copy('prod');
    const [container] = byName(objects, 'PodTemplate', 'project-runtime').template.spec.containers;
    container.resources.requests = { ...container.resources.requests, cpu: '100m', memory: '256Mi' };
    const range = objects.find((o) => o.kind === 'LimitRange' && o.metadata.namespace === 'user-projects');
    delete range.spec.limits[0].maxLimitRequestRatio;
    expect(findings('prod', objects, SANDBOX_GUARANTEED)).toEqual([
      'Namespace/user-projects metadata.name: namespace user-projects runs untrusted code but no LimitRange there sets maxLimitRequestRatio 1 for cpu and memory on containers: a pod may request little and burst into what its neighbours were promised',
      'PodTemplate/user-projects/project-runtime template.spec.containers[0].resources: cpu and memory requests differ from their limits or have none in namespace user-projects, which runs untrusted code: set requests equal to limits (Guaranteed QoS)',
    ]);
  });
});
