/**
 * Reports of `npm run verify` and `npm run simulate` as their own JSON writers print them, built from
 * typed values (the compiler keeps them the shape the tools write): the real runs take minutes, the
 * report only reads their JSON. Messages carry markup, which the page must show as text.
 */
import { simulationJson, type SimulationReport } from '../../app/simulate/report';
import type { Finding } from '../../app/verify/findings';
import { verifyReportJson } from '../../app/verify/report';
import type { EnvironmentVerdict, VerifyReport } from '../../app/verify/verify';

/** Text that would run or load something if the page wrote it as markup. */
export const HOSTILE = '<script>console.error("injected")</script><img src="https://example.invalid/x.png">';

const finding = (environment: string, tool: Finding['tool'], rule: string, object: string, message: string): Finding => ({
  environment,
  tool,
  rule,
  severity: 'error',
  object,
  file: 'apps.yaml',
  message,
});

function environment(name: string, objects: number, open: readonly Finding[], waived: number): EnvironmentVerdict {
  return {
    environment: name,
    kubernetesVersion: '1.35',
    server: 'v1.35.4',
    objects,
    accepted: objects - open.filter((f) => f.tool === 'apiserver').length,
    namespaces: { emitted: ['platform'], targeted: [] },
    tools: [
      { tool: 'apiserver', version: 'v1.35.4', status: 'ran', seconds: 2.1 },
      { tool: 'kube-score', version: '1.20.0', status: 'ran', seconds: 0.4 },
      { tool: 'istioctl', version: '1.28.0', status: 'skipped', reason: 'no mesh in this environment', seconds: 0 },
    ],
    findings: open,
    waived: Array.from({ length: waived }, (_, i) => ({
      finding: finding(name, 'kube-score', 'pod-networkpolicy', `Deployment/platform/w${i}`, 'no policy'),
      reason: `covered by the namespace's default deny ${HOSTILE}`,
    })),
  };
}

/** A failing verify report over these environments: a rejection and a checker finding in the first, waivers in each. */
export function verifyFixture(environments: readonly string[]): string {
  const report: VerifyReport = {
    environments: environments.map((name, i) =>
      environment(
        name,
        120 + 37 * i,
        i === 0
          ? [
              finding(name, 'apiserver', 'rejected', 'Deployment/platform/backend', `spec.replicas: Invalid value ${HOSTILE}`),
              finding(name, 'kube-score', 'container-resources', 'Deployment/platform/ai', 'no limits'),
            ]
          : [],
        i + 1,
      ),
    ),
    stale: [],
    crdSource: '../shared/crds',
    crds: ['rollouts.argoproj.io'],
    etcd: 'v3.6.5',
    seconds: 42.5,
    strictWaivers: true,
    addons: { mirror: '../shared/charts', helm: 'v4.0.0', addons: [], findings: [], renders: { cached: 0, run: 0 }, seconds: 0 },
  };
  return verifyReportJson(report);
}

/** A simulation of one environment: its first pool agrees, its second disagrees; the others are not simulated. */
export function simulationFixture(environment: string, pools: readonly string[]): string {
  const report: SimulationReport = {
    environments: [
      {
        environment,
        server: 'v1.35.4',
        zones: ['a', 'b', 'c'],
        pods: { min: 1, max: 1 },
        workloads: {},
        pools: pools.slice(0, 2).map((pool, i) => ({
          pool,
          spot: false,
          minNodes: 0,
          maxNodes: 100,
          plan: { min: 1, max: 1 },
          used: { min: 1, max: 1 },
          nodesAtMin: 0,
          nodesAtMax: 0,
          agrees: i === 0,
        })),
        drills: [],
        standIns: [],
        skipped: [],
        findings: [],
        waived: [],
        seconds: 1,
      },
    ],
    seconds: 1,
    strictWaivers: true,
  };
  return simulationJson(report);
}
