/**
 * The add-ons' network facts (lib/addons/chart-network.ts) against the charts themselves: every chart
 * pod of prod's and dev's add-ons, rendered by helm from the offline mirror as `npm run verify`
 * renders it, is selected by exactly one fact, each fact's ports are its pod's container ports, and
 * every port the API server calls (webhooks, APIServices) and Prometheus scrapes (the charts' own
 * ServiceMonitors and PodMonitors) is admitted from the API server or the Prometheus pods. Runs where
 * the verify tools (helm) are built and the mirror is beside the repository, as in CI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonPods } from '../../charts/addon-network-chart';
import { clusterAddons } from '../../charts/addons-catalog';
import { addonInstalls } from '../../app/verify/addons/installs';
import { defaultChartMirror, mirrorCharts } from '../../app/verify/addons/mirror';
import { type Prepared, renderInstalls } from '../../app/verify/addons/verify-addons';
import { readEnvironmentOutput } from '../../app/verify/manifests';
import { pinnedVersions } from '../../app/verify/tools';
import { AddonCaller } from '../../lib/addons/chart-network';
import type { Manifest } from '../../lib/core/manifest';
import { environment, rendered } from '../helpers';
import { explainSkip, MINOR, readyTools, TOOLS_READY } from './tools-ready';

const MIRROR = defaultChartMirror();
const ENVIRONMENTS = ['prod', 'dev'] as const;
const WORKLOADS = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);
/** What the charts' templates ask Capabilities for: the Prometheus Operator's kinds. */
const SERVED = [
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PodMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
];

type Obj = Record<string, unknown>;
const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v as Obj | undefined)?.[k], o);
const labelsOf = (o: unknown): Record<string, string> => (at(o, 'spec', 'template', 'metadata', 'labels') ?? {}) as Record<string, string>;
const covers = (labels: Record<string, string>, selector: Readonly<Record<string, string>>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const containerPorts = (o: unknown) =>
  ((at(o, 'spec', 'template', 'spec', 'containers') ?? []) as Obj[]).flatMap(
    (c) => (c.ports ?? []) as { name?: string; containerPort: number }[],
  );

if (!MIRROR) console.warn('test/verify/addon-network-facts.test.ts: skipped, no chart mirror (../shared/charts)');
explainSkip('test/verify/addon-network-facts.test.ts');

describe.skipIf(!TOOLS_READY || !MIRROR).each(ENVIRONMENTS)('%s add-ons: network facts against their rendered charts', (name) => {
  let root: string;
  let prepared: Prepared[];
  const addons = clusterAddons(environment(name));
  const facts = addonPods(addons);

  beforeAll(async () => {
    readyTools();
    root = mkdtempSync(join(tmpdir(), 'addon-network-facts-'));
    for (const file of rendered(name).files) {
      mkdirSync(dirname(join(root, name, file.name)), { recursive: true });
      writeFileSync(join(root, name, file.name), file.text);
    }
    const installs = addonInstalls(readEnvironmentOutput(root, name).objects).filter((i) => i.type === 'chart');
    const kubeVersion = pinnedVersions().kubernetes.get(MINOR)!;
    prepared = await renderInstalls(name, installs, mirrorCharts(MIRROR!), SERVED, kubeVersion, { cached: 0, run: 0 });
  }, 600_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** The rendered chart of an add-on and the facts of its pods. */
  const each = () =>
    prepared
      .filter((p) => p.objects.length > 0)
      .map((p) => {
        const addon = addons.find((a) => a.name === p.install.releaseName)!;
        const objects = p.objects.map((r) => r.object as Manifest);
        return { addon, objects, pods: facts.filter((f) => f.addon.name === addon.name) };
      })
      .filter(({ addon }) => addon.namespace.enforce !== undefined);

  it('selects every rendered pod by exactly one fact, whose ports its containers declare', () => {
    expect(each().length).toBeGreaterThan(5);
    const checked = { workloads: 0, facts: 0 };
    for (const { addon, objects, pods } of each()) {
      // A chart may render no pods (istio-base: CRDs and webhooks); the counts below need some across the charts.
      const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
      for (const workload of workloads) {
        checked.workloads++;
        const selecting = pods.filter((f) => covers(labelsOf(workload), f.network.labels));
        expect(
          selecting.map((f) => f.network.pod),
          `${addon.name}: ${workload.kind}/${workload.metadata.name}`,
        ).toHaveLength(1);
        const declared = containerPorts(workload).map((p) => p.containerPort);
        for (const rule of selecting[0]!.network.ingress) {
          for (const port of rule.ports) expect(declared, `${addon.name}/${selecting[0]!.network.pod} port ${port}`).toContain(port);
        }
      }
      // Every fact selects a rendered pod, or one the Prometheus Operator runs from a rendered resource.
      for (const fact of pods) {
        checked.facts++;
        const operated = fact.network.labels['app.kubernetes.io/managed-by'] === 'prometheus-operator';
        const found = operated
          ? objects.some((o) => o.kind.toLowerCase() === fact.network.labels['app.kubernetes.io/name'])
          : workloads.some((w) => covers(labelsOf(w), fact.network.labels));
        expect(found, `${addon.name}/${fact.network.pod}`).toBe(true);
      }
    }
    expect(checked.workloads, `${name}: chart workloads checked`).toBeGreaterThan(0);
    expect(checked.facts, `${name}: pod facts checked`).toBeGreaterThan(0);
  });

  /** The container port a Service port leads to on the workloads it selects, with the fact of that pod. */
  const target = (objects: Manifest[], pods: ReturnType<typeof each>[number]['pods'], service: string, match: (p: Obj) => boolean) => {
    const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === service);
    if (svc === undefined) return [];
    const selector = (at(svc, 'spec', 'selector') ?? {}) as Record<string, string>;
    const port = ((at(svc, 'spec', 'ports') ?? []) as Obj[]).find(match);
    if (port === undefined) return [];
    return objects
      .filter((o) => WORKLOADS.has(o.kind) && covers(labelsOf(o), selector))
      .flatMap((workload) => {
        const targetPort = port.targetPort ?? port.port;
        const resolved = containerPorts(workload).find((p) => p.containerPort === targetPort || p.name === targetPort);
        const fact = pods.find((f) => covers(labelsOf(workload), f.network.labels));
        return resolved === undefined ? [] : [{ port: resolved.containerPort, fact, workload: workload.metadata.name }];
      });
  };
  const admits = (fact: ReturnType<typeof each>[number]['pods'][number] | undefined, from: string, port: number) =>
    (fact?.network.ingress ?? []).some((rule) => rule.from === from && rule.ports.includes(port));

  it('admits the API server to every webhook and APIService port the chart makes', () => {
    let checked = 0;
    for (const { addon, objects, pods } of each()) {
      const refs = objects.flatMap((o) => {
        if (o.kind === 'APIService') return [at(o, 'spec', 'service') as Obj | undefined];
        if (!o.kind.endsWith('WebhookConfiguration')) return [];
        return ((o as unknown as { webhooks?: Obj[] }).webhooks ?? []).map((w) => at(w, 'clientConfig', 'service') as Obj | undefined);
      });
      for (const ref of refs) {
        if (ref === undefined || ref.namespace !== addon.namespace.name) continue;
        const port = (ref.port as number | undefined) ?? 443;
        for (const hit of target(objects, pods, String(ref.name), (p) => p.port === port)) {
          checked++;
          expect(admits(hit.fact, AddonCaller.API_SERVER, hit.port), `${addon.name}: ${hit.workload} port ${hit.port}`).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("admits the Prometheus pods to every port the chart's own ServiceMonitors and PodMonitors scrape", () => {
    const checked = { ServiceMonitor: 0, PodMonitor: 0 };
    for (const { addon, objects, pods } of each()) {
      for (const monitor of objects.filter((o) => o.kind === 'ServiceMonitor')) {
        const selector = (at(monitor, 'spec', 'selector', 'matchLabels') ?? {}) as Record<string, string>;
        const services = objects.filter(
          (o) => o.kind === 'Service' && covers((o.metadata.labels ?? {}) as Record<string, string>, selector),
        );
        for (const endpoint of (at(monitor, 'spec', 'endpoints') ?? []) as Obj[]) {
          for (const svc of services) {
            for (const hit of target(objects, pods, svc.metadata.name, (p) => p.name === endpoint.port)) {
              checked.ServiceMonitor++;
              expect(admits(hit.fact, AddonCaller.PROMETHEUS, hit.port), `${addon.name}: ${hit.workload} port ${hit.port}`).toBe(true);
            }
          }
        }
      }
      for (const monitor of objects.filter((o) => o.kind === 'PodMonitor')) {
        const selector = (at(monitor, 'spec', 'selector', 'matchLabels') ?? {}) as Record<string, string>;
        for (const workload of objects.filter((o) => WORKLOADS.has(o.kind) && covers(labelsOf(o), selector))) {
          for (const endpoint of (at(monitor, 'spec', 'podMetricsEndpoints') ?? []) as Obj[]) {
            const port = containerPorts(workload).find((p) => p.name === endpoint.port)?.containerPort;
            if (port === undefined) continue;
            checked.PodMonitor++;
            const fact = pods.find((f) => covers(labelsOf(workload), f.network.labels));
            expect(admits(fact, AddonCaller.PROMETHEUS, port), `${addon.name}: ${workload.metadata.name} port ${port}`).toBe(true);
          }
        }
      }
    }
    expect(checked.ServiceMonitor, `${name}: ServiceMonitor ports checked`).toBeGreaterThan(0);
    expect(checked.PodMonitor, `${name}: PodMonitor ports checked`).toBeGreaterThan(0);
  });
});
