/**
 * External egress is the model's, not "any host on 443" (issue 24 #8): every service that calls
 * outside the cluster declares the hosts and where they are; its NetworkPolicy reaches exactly those
 * ranges (Gemini: Google's Private Google Access range, as the backups use), and in the mesh the
 * namespace's sidecars reach registered hosts only (a namespace-wide Sidecar with REGISTRY_ONLY and a
 * ServiceEntry per endpoint and per managed store).
 */
import { describe, expect, it } from 'vitest';
import { externalHosts } from '../charts/mesh-chart';
import { externalRanges } from '../charts/network-chart';
import { validationContext } from '../app/synthesize';
import { environmentNames, loadEnvironment } from '../environments';
import prod from '../environments/prod';
import { GOOGLE_APIS } from '../lib/gke-network';
import type { Manifest } from '../lib/core/manifest';
import { MeshEgress } from '../lib/constructs/mesh-egress';
import { runRules } from '../validation/rules/all';
import { REGISTERED_EGRESS, reachesPublic } from '../validation/rules/mesh-egress';
import { synth } from './constructs/synth';
import { environment, nonEmpty, rendered } from './helpers';

type Policy = Manifest & {
  spec: { egress: { to: { ipBlock?: { cidr: string; except?: string[] } }[]; ports: { port: number }[] }[] };
};
type Sidecar = Manifest & { spec: { workloadSelector?: { labels: Record<string, string> }; outboundTrafficPolicy: { mode: string } } };
type ServiceEntry = Manifest & {
  spec: { hosts: string[]; addresses?: string[]; ports: { number: number; protocol: string }[]; resolution: string; exportTo: string[] };
};

const meshed = environmentNames().filter((name) => environment(name).mesh.enabled);
const withExternal = meshed.filter((name) => Object.values(environment(name).services).some((s) => s.enabled && s.egress.length > 0));

const withAi = withExternal.filter((name) => environment(name).services.ai?.enabled);

it('some environment in the mesh calls outside the cluster', () => expect(withExternal.length).toBeGreaterThan(0));
it('some environment in the mesh runs the AI service', () => nonEmpty(withAi, 'meshed environments calling out with the AI service'));

describe.each(withExternal)('%s', (name) => {
  const env = rendered(name);
  const model = environment(name);
  const of = <T extends Manifest>(kind: string) =>
    env.objects.filter((o) => o.kind === kind && o.metadata.namespace === model.namespace) as T[];

  it("sends the namespace's outbound traffic to registered hosts only", () => {
    const namespaceWide = of<Sidecar>('Sidecar').filter((s) => s.spec.workloadSelector === undefined);
    expect(namespaceWide.map((s) => [s.metadata.name, s.spec.outboundTrafficPolicy.mode])).toEqual([['default', 'REGISTRY_ONLY']]);
  });

  it.each(Object.entries(model.services).filter(([, s]) => s.enabled && s.egress.length > 0))(
    "lets %s out to exactly its endpoints' ranges, and registers exactly their hosts",
    (service, spec) => {
      const policy = of<Policy>('NetworkPolicy').find((p) => p.metadata.name === service)!;
      for (const endpoint of spec.egress) {
        const reached = policy.spec.egress
          .filter((r) => r.ports.some((p) => p.port === endpoint.port) && r.to.some((t) => t.ipBlock !== undefined))
          .flatMap((r) => r.to.map((t) => t.ipBlock!.cidr));
        expect(reached.sort()).toEqual(externalRanges(model, endpoint).sort());
        if (endpoint.via === 'google-apis') expect(reached).toEqual([GOOGLE_APIS[model.cluster.network.googleApis].cidr]);
        if (endpoint.hosts.includes('*')) {
          // Any host, declared: only this service's sidecar passes unregistered hosts through.
          const own = of<Sidecar>('Sidecar').filter((s) => s.spec.workloadSelector !== undefined);
          expect(own.map((s) => [s.metadata.name, s.spec.outboundTrafficPolicy.mode])).toContainEqual([`${service}-any-host`, 'ALLOW_ANY']);
          continue;
        }
        const entry = of<ServiceEntry>('ServiceEntry').find((e) => e.metadata.name === `${service}-${endpoint.name}`)!;
        expect(entry.spec.hosts).toEqual(endpoint.hosts);
        expect(entry.spec.ports).toEqual([{ number: endpoint.port, name: `tls-${endpoint.port}`, protocol: 'TLS' }]);
        expect(entry.spec.exportTo).toEqual(['.']);
      }
    },
  );

  it('registers each managed store its services use, by its ranges', () => {
    const used = new Set(Object.values(model.services).flatMap((s) => (s.enabled ? s.uses : [])));
    const managed = Object.entries(model.dataStores).filter(([store, s]) => s.mode === 'managed' && used.has(store));
    const entries = of<ServiceEntry>('ServiceEntry').filter((e) => e.metadata.name.endsWith('-managed'));
    expect(entries.map((e) => [e.metadata.name, e.spec.addresses, e.spec.resolution])).toEqual(
      managed.map(([store, s]) => [`${store}-managed`, s.mode === 'managed' ? s.cidrs : [], 'NONE']),
    );
  });
});

describe('the AI service (Gemini)', () => {
  it.each(withAi)('%s: reaches Google APIs only, never any host', (name) => {
    const model = environment(name);
    const policy = rendered(name).objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'ai') as Policy;
    const cidrs = policy.spec.egress.flatMap((r) => r.to.flatMap((t) => (t.ipBlock ? [t.ipBlock.cidr] : [])));
    expect(cidrs).not.toContain('0.0.0.0/0');
    expect(cidrs).toContain(GOOGLE_APIS[model.cluster.network.googleApis].cidr);
    expect(
      externalHosts(model)
        .hosts.filter((h) => h.name.startsWith('ai-'))
        .flatMap((h) => h.hosts),
    ).toEqual(['generativelanguage.googleapis.com']);
  });
});

describe(REGISTERED_EGRESS, () => {
  const findings = (name: string, objects: readonly Manifest[]) =>
    runRules(objects, validationContext(environment(name)))
      .filter((v) => v.rule === REGISTERED_EGRESS)
      .map((v) => `${v.object} ${v.path}`);

  it.each(environmentNames())('passes %s', (name) => expect(findings(name, rendered(name).objects)).toEqual([]));

  it('fails prod as it was: the AI service out to any address, the sidecars passing any host', () => {
    const objects = structuredClone(rendered('prod').objects).filter((o) => o.kind !== 'Sidecar') as Policy[];
    const ai = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'ai')!;
    for (const rule of ai.spec.egress) for (const to of rule.to) if (to.ipBlock?.cidr === '199.36.153.8/30') to.ipBlock.cidr = '0.0.0.0/0';
    expect(findings('prod', objects)).toContainEqual(
      expect.stringMatching(/^NetworkPolicy\/platform\/ai spec\.egress\[\d+\]\.to\[0\]\.ipBlock\.cidr$/),
    );
  });

  it('counts private, link-local and carrier-grade ranges as not public', () => {
    expect(['10.100.2.0/24', '172.16.5.0/24', '192.168.0.0/16', '169.254.169.254/32', '100.64.0.0/10'].map(reachesPublic)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['0.0.0.0/0', '199.36.153.8/30', '8.8.8.8/32', '2001:db8::/32'].map(reachesPublic)).toEqual([true, true, true, true]);
  });
});

describe('external endpoints in the model', () => {
  const withEgress = (egress: unknown) => loadEnvironment({ name: 'egress', extends: prod, services: { ai: { egress } } } as never);

  it('needs the hosts the service calls', () => {
    expect(() => withEgress([{ name: 'model-api', port: 443, cidrs: ['0.0.0.0/0'] }])).toThrow(
      /services\.ai\.egress\[0\]\.hosts = \(missing\): is required/,
    );
  });

  it('needs exactly one of cidrs and via', () => {
    expect(() => withEgress([{ name: 'm', port: 443, hosts: ['generativelanguage.googleapis.com'] }])).toThrow(
      /must be set, or via, but not both/,
    );
    expect(() =>
      withEgress([{ name: 'm', port: 443, hosts: ['generativelanguage.googleapis.com'], via: 'google-apis', cidrs: ['0.0.0.0/0'] }]),
    ).toThrow(/must be set, or via, but not both/);
  });

  it('refuses any host unless the endpoint is any address, and a host that is not a Google API through google-apis', () => {
    expect(() => withEgress([{ name: 'm', port: 443, hosts: ['*'], cidrs: ['10.0.0.0/8'] }])).toThrow(
      /"\*" \(any host\) goes only with cidrs/,
    );
    expect(() => withEgress([{ name: 'm', port: 443, hosts: ['api.openai.com'], via: 'google-apis' }])).toThrow(
      /must be \*\.googleapis\.com names/,
    );
  });
});

describe('MeshEgress', () => {
  it('refuses plain TCP without address ranges: the sidecar could not tell it apart', () => {
    expect(() =>
      synth((chart) => {
        new MeshEgress(chart, 'egress', {
          labels: {},
          hosts: [{ name: 'broker', hosts: ['broker.example.com'], port: 5672, protocol: 'tcp' }],
        });
      }),
    ).toThrow('ServiceEntry broker: plain TCP is told apart by address only; give its address ranges');
  });
});
