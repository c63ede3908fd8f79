/**
 * chaos/daemon-scope (validation/rules/chaos.ts): fixtures are the rendered add-ons and drills of a
 * registered environment with one thing changed.
 */
import { describe, expect, it } from 'vitest';
import { validationContext } from '../../app/synthesize';
import type { Manifest } from '../../lib/core/manifest';
import { runRules } from '../../validation/rules/all';
import { CHAOS_DAEMON_SCOPE } from '../../validation/rules/chaos';
import type { M } from '../fixtures/rules/factories';
import { environment, rendered } from '../helpers';
import { environmentNames } from '../../environments';

function findings(env: string, objects: readonly M[]): string[] {
  return runRules(objects as Manifest[], validationContext(environment(env)))
    .filter((v) => v.rule === CHAOS_DAEMON_SCOPE)
    .map((v) => `${v.object} ${v.path}: ${v.message}`);
}

const chaosMesh = (objects: readonly M[]) =>
  objects.filter((o) => (o.kind === 'HelmRelease' || o.kind === 'Application') && o.metadata.name === 'chaos-mesh');

const drilled = environmentNames().filter((name) => chaosMesh(rendered(name).objects).length > 0);

describe(CHAOS_DAEMON_SCOPE, () => {
  it('some environment installs Chaos Mesh', () => expect(drilled.length).toBeGreaterThan(0));

  it.each(drilled)('passes %s, whose drills are pod kills, with the daemon on no node', (name) => {
    const objects = structuredClone(rendered(name).objects) as M[];
    expect(findings(name, objects)).toEqual([]);
    for (const install of chaosMesh(objects)) {
      const values = install.kind === 'HelmRelease' ? install.spec.values : install.spec.source.helm.valuesObject;
      expect(values.chaosDaemon.nodeSelector).toEqual({ 'chaos-daemon': 'allowed' });
    }
  });

  it('fails prod as it was: the daemon on every node for pod-kill drills', () => {
    const objects = structuredClone(rendered('prod').objects) as M[];
    const [release] = chaosMesh(objects);
    delete release.spec.values.chaosDaemon.nodeSelector;
    expect(findings('prod', objects)).toEqual([
      "HelmRelease/flux-system/chaos-mesh spec.values.chaosDaemon.nodeSelector: runs the privileged chaos-daemon (host PID, the container runtime's socket) on every node, but every chaos here is a pod kill, which the controller does alone: give chaosDaemon a nodeSelector that no node (or only the drilled nodes) carries",
    ]);
  });

  it('leaves the daemon alone where a chaos needs it (a network delay enters the pod)', () => {
    const objects = structuredClone(rendered('prod').objects) as M[];
    delete chaosMesh(objects)[0].spec.values.chaosDaemon.nodeSelector;
    objects.push({
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'NetworkChaos',
      metadata: { name: 'delay', namespace: 'platform' },
      spec: { action: 'delay' },
    });
    expect(findings('prod', objects)).toEqual([]);
  });
});
