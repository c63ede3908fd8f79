/**
 * net/scrape-from (validation/rules/scrape-peers.ts): fixtures are the rendered NetworkPolicies of a
 * registered environment with one thing broken.
 */
import { describe, expect, it } from 'vitest';
import { validationContext } from '../../app/synthesize';
import type { Manifest } from '../../lib/core/manifest';
import { runRules } from '../../validation/rules/all';
import { SCRAPE_FROM } from '../../validation/rules/scrape-peers';
import type { M } from '../fixtures/rules/factories';
import { environment, rendered } from '../helpers';

function findings(env: string, objects: readonly M[]): string[] {
  return runRules(objects as Manifest[], validationContext(environment(env)))
    .filter((v) => v.rule === SCRAPE_FROM)
    .map((v) => `${v.object} ${v.path}: ${v.message}`);
}

describe(SCRAPE_FROM, () => {
  it('passes every registered environment that runs the mesh', () => {
    for (const env of ['dev', 'staging', 'prod']) expect(findings(env, structuredClone(rendered(env).objects))).toEqual([]);
  });

  it('fails the scrape rule as it was: the whole monitoring namespace on 15020 (prod before the fix)', () => {
    const objects = structuredClone(rendered('prod').objects) as M[];
    const frontend = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'frontend');
    const index = frontend.spec.ingress.findIndex((r: M) => r.ports?.some((p: M) => p.port === 15020));
    expect(index).toBeGreaterThanOrEqual(0);
    delete frontend.spec.ingress[index].from[0].podSelector;
    expect(findings('prod', objects)).toEqual([
      `NetworkPolicy/platform/frontend spec.ingress[${index}].from[0]: admits every pod of the namespaces it selects to port 15020 (the Istio agent's unauthenticated status and metrics port, guarded by nothing but this policy): name the Prometheus pods with a podSelector`,
    ]);
  });

  it('fails a rule that opens every port to a namespace', () => {
    const objects = structuredClone(rendered('prod').objects) as M[];
    const frontend = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'frontend');
    frontend.spec.ingress.push({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] });
    expect(findings('prod', objects)).toHaveLength(1);
  });
});
