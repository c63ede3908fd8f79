/**
 * Cloud credentials are a schema fact, not an assumption (issue 24 #15): the add-ons that call a cloud
 * API (External Secrets reading Secret Manager, cert-manager answering DNS-01 in Cloud DNS) act as the
 * cloud identity the environment names, through their ServiceAccount's workload-identity annotation.
 */
import { describe, expect, it } from 'vitest';
import { validationContext } from '../app/synthesize';
import { environmentNames } from '../environments';
import prod from '../environments/prod';
import type { Manifest } from '../lib/core/manifest';
import { runRules } from '../validation/rules/all';
import { WORKLOAD_IDENTITY } from '../validation/rules/workload-identity';
import { environment, nonEmpty, rendered } from './helpers';
import { loadEnvironment } from '../environments';

// biome-ignore lint/suspicious/noExplicitAny: chart values are free-form and broken on purpose below
type Values = Record<string, any>;
type Install = Manifest & { spec: { values?: Values; source?: { helm?: { valuesObject?: Values } } } };

const valuesOf = (name: string, chart: string): Values[] =>
  (rendered(name).objects as Install[])
    .filter((o) => (o.kind === 'HelmRelease' || o.kind === 'Application') && o.metadata.name === chart)
    .map((o) => (o.kind === 'HelmRelease' ? o.spec.values! : o.spec.source!.helm!.valuesObject!));

const cloudStores = environmentNames().filter((name) => 'identities' in environment(name).secrets.store);

it('some environment reads a cloud secret store', () => expect(cloudStores.length).toBeGreaterThan(0));

describe.each(cloudStores)('%s', (name) => {
  it("binds each namespace's store to that namespace's own cloud identity, and the operator to none", () => {
    const store = environment(name).secrets.store as { identities: Record<string, string>; serviceAccount: string };
    const stores = rendered(name).objects.filter((o) => o.kind === 'SecretStore' && o.metadata.namespace !== 'argocd');
    expect(stores.length).toBeGreaterThan(0);
    for (const s of stores) {
      const account = rendered(name).objects.find(
        (o) => o.kind === 'ServiceAccount' && o.metadata.name === store.serviceAccount && o.metadata.namespace === s.metadata.namespace,
      );
      expect(account?.metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': store.identities[s.metadata.namespace!] });
    }
    expect(new Set(stores.map((s) => store.identities[s.metadata.namespace!])).size).toBe(stores.length);
    for (const v of valuesOf(name, 'external-secrets')) expect(v.serviceAccount).toBeUndefined();
  });
});

describe('prod', () => {
  it("binds cert-manager's ServiceAccount to the DNS-01 solver's identity", () => {
    for (const v of nonEmpty(valuesOf('prod', 'cert-manager'), 'prod: cert-manager values')) {
      expect(v.serviceAccount).toEqual({
        annotations: { 'iam.gke.io/gcp-service-account': 'cert-manager@platform-prod.iam.gserviceaccount.com' },
      });
    }
  });

  it('refuses a cloud secret store or a DNS-01 solver without an identity', () => {
    expect(() => loadEnvironment({ name: 'no-identity', extends: prod, tls: { issuer: { solver: { identity: null } } } })).toThrow(
      /tls\.issuer\.solver\.identity = \(missing\): is required/,
    );
  });
});

describe(WORKLOAD_IDENTITY, () => {
  const findings = (name: string, objects: readonly Manifest[]) =>
    runRules(objects, validationContext(environment(name)))
      .filter((v) => v.rule === WORKLOAD_IDENTITY)
      .map((v) => `${v.object} ${v.path}: ${v.message}`);

  it.each(environmentNames())('passes %s', (name) => expect(findings(name, rendered(name).objects)).toEqual([]));

  it("fails prod's stores and cert-manager on the nodes' identity", () => {
    const objects = structuredClone(rendered('prod').objects) as Install[];
    for (const o of objects.filter((x) => x.kind === 'ServiceAccount' && x.metadata.name === 'external-secrets'))
      delete (o.metadata as { annotations?: unknown }).annotations;
    for (const o of objects.filter((x) => x.kind === 'HelmRelease' && x.metadata.name === 'cert-manager'))
      delete o.spec.values?.serviceAccount;
    expect(findings('prod', objects)).toEqual([
      'SecretStore/platform/platform-secrets spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef: reads the cloud as ServiceAccount "external-secrets" of platform, which carries no iam.gke.io/gcp-service-account annotation: it would act as the node\'s identity, or be refused; bind it to its own cloud identity',
      'SecretStore/data/platform-secrets spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef: reads the cloud as ServiceAccount "external-secrets" of data, which carries no iam.gke.io/gcp-service-account annotation: it would act as the node\'s identity, or be refused; bind it to its own cloud identity',
      "ClusterIssuer/letsencrypt spec.acme.solvers[0].dns01: answers DNS-01 in Cloud DNS without a key, as cert-manager's ServiceAccount, whose chart values set no iam.gke.io/gcp-service-account annotation: it would act as the node's identity; bind it to its own cloud identity",
    ]);
  });
});
