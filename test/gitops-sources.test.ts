/**
 * What Flux and Argo CD apply is what was reviewed (issue 24 #4): this repository's commits are
 * verified, Gateway API's CRDs are checked out at the commit their tag named.
 */
import { describe, expect, it } from 'vitest';
import { validationContext } from '../app/synthesize';
import { environmentNames } from '../environments';
import { GATEWAY_API_CRDS } from '../lib/addons/chart-versions';
import type { Manifest } from '../lib/core/manifest';
import { usesArgoCd, usesFlux } from '../lib/gitops/tools';
import { runRules } from '../validation/rules/all';
import { SOURCE_PINNED } from '../validation/rules/gitops-sources';
import { environment, nonEmpty, objects, rendered } from './helpers';

type GitRepository = Manifest & {
  spec: { url: string; ref: Record<string, string>; verify?: { mode: string; secretRef: { name: string } } };
};
type Application = Manifest & { spec: { source: { repoURL: string; targetRevision: string } } };

const withFlux = environmentNames().filter((name) => usesFlux(environment(name).gitops.tool));
const withArgo = environmentNames().filter((name) => usesArgoCd(environment(name).gitops.tool));

it('some environment uses each controller', () => {
  expect(withFlux.length).toBeGreaterThan(0);
  expect(withArgo.length).toBeGreaterThan(0);
});

describe.each(withFlux)('%s (Flux)', (name) => {
  const repositories = objects<GitRepository>(rendered(name), 'GitRepository');

  it("verifies the signature of this repository's HEAD commit against the team's keys", () => {
    const own = repositories.find((r) => r.spec.url === environment(name).gitops.repository)!;
    expect(own.spec.ref).toEqual({ branch: environment(name).gitops.branch });
    expect(own.spec.verify).toEqual({ mode: 'head', secretRef: { name: `${name}-git-signers` } });
  });

  it('checks Gateway API out at the commit its tag named', () => {
    const gateway = repositories.filter((r) => r.spec.url === GATEWAY_API_CRDS.repository);
    for (const r of nonEmpty(gateway, `${name}: Gateway API GitRepository`)) {
      expect(r.spec.ref).toEqual({ tag: GATEWAY_API_CRDS.tag, commit: GATEWAY_API_CRDS.commit });
    }
  });
});

describe.each(withArgo)('%s (Argo CD)', (name) => {
  it('syncs Gateway API from the commit its tag named', () => {
    const apps = objects<Application>(rendered(name), 'Application').filter((a) => a.spec.source?.repoURL === GATEWAY_API_CRDS.repository);
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) expect(app.spec.source.targetRevision).toBe(GATEWAY_API_CRDS.commit);
  });
});

describe(SOURCE_PINNED, () => {
  const findings = (name: string, objs: readonly Manifest[]) =>
    runRules(objs, validationContext(environment(name)))
      .filter((v) => v.rule === SOURCE_PINNED)
      .map((v) => `${v.object} ${v.path}: ${v.message}`);

  it.each(withFlux)('passes %s', (name) => expect(findings(name, rendered(name).objects)).toEqual([]));

  it('fails prod as it was: its branch unverified and Gateway API by tag alone', () => {
    const objs = structuredClone(rendered('prod').objects) as GitRepository[];
    for (const r of nonEmpty(
      objs.filter((o) => o.kind === 'GitRepository'),
      'prod: GitRepositories',
    )) {
      delete r.spec.verify;
      delete r.spec.ref.commit;
    }
    expect(findings('prod', objs)).toEqual([
      'GitRepository/flux-system/prod spec.ref: follows branch main of https://github.com/example/platform-manifests without verifying a signature (spec.verify) or naming a commit (spec.ref.commit): whoever can move that ref decides what Flux applies',
      'GitRepository/flux-system/gateway-api spec.ref: follows tag v1.5.1 of https://github.com/kubernetes-sigs/gateway-api without verifying a signature (spec.verify) or naming a commit (spec.ref.commit): whoever can move that ref decides what Flux applies',
    ]);
  });
});
