/** Cross-object reference rules in depth. */
import { describe, expect, it } from 'vitest';
import type { ValidationContext } from '../../validation/types';
import {
  DEV,
  NS,
  byName,
  findings,
  goodAnalysisTemplate,
  goodDeployment,
  goodHpa,
  goodPdb,
  goodPlatform,
  goodService,
  goodWorker,
  labels,
  platformWith,
  selectorLabels,
  type M,
} from '../fixtures/rules/factories';

const messages = (objects: M[], rule: string, ctx: ValidationContext = DEV): string[] =>
  findings(objects, rule, ctx).map((v) => `${v.object} ${v.path}: ${v.message}`);

describe('ref/service-selector and ref/service-target-port', () => {
  it('only matches workloads in the Service namespace', () => {
    const svc = goodService('backend');
    svc.metadata.namespace = 'other';
    expect(messages([goodDeployment(), svc], 'ref/service-selector')).toEqual([
      "Service/other/backend spec.selector: selector {app.kubernetes.io/name: backend, app.kubernetes.io/instance: backend-prod} matches no workload's pod template labels in namespace other",
    ]);
  });

  it('skips selector-less and ExternalName Services', () => {
    const manual = goodService('manual');
    delete manual.spec.selector;
    const external = goodService('external');
    external.spec = { type: 'ExternalName', externalName: 'db.example.com', selector: { a: 'b' } };
    expect(findings([manual, external], 'ref/service-selector')).toEqual([]);
  });

  it('checks the target port on every selected workload; the port defaults to targetPort', () => {
    const other = goodDeployment('backend-v2', 9000);
    other.spec.template.metadata.labels = labels('backend');
    other.spec.selector.matchLabels = selectorLabels('backend');
    const svc = goodService('backend');
    expect(messages([goodDeployment(), other, svc], 'ref/service-target-port')).toEqual([]);
    svc.spec.ports = [{ port: 8000 }];
    expect(messages([goodDeployment(), other, svc], 'ref/service-target-port')).toEqual([
      'Service/platform/backend spec.ports[0].targetPort: targetPort 8000 is not a container port of Deployment/platform/backend-v2 (declared: http=9000)',
    ]);
  });
});

describe('ref/workload-selector', () => {
  it('requires a non-empty selector on controllers; checks a manual Job selector', () => {
    const missing = goodDeployment('a');
    delete missing.spec.selector;
    const empty = goodDeployment('b');
    empty.spec.selector = {};
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: NS },
      spec: { manualSelector: true, selector: { matchLabels: { x: 'y' } }, template: goodDeployment('j').spec.template },
    };
    expect(messages([missing, empty, job], 'ref/workload-selector')).toEqual([
      'Deployment/platform/a spec.selector: spec.selector is missing (must select the pod template labels)',
      'Deployment/platform/b spec.selector: spec.selector is empty (it would select every pod in the namespace; select the pod template labels)',
      'Job/platform/j spec.selector: selector {"matchLabels":{"x":"y"}} does not match the pod template labels {"app.kubernetes.io/name":"j","app.kubernetes.io/instance":"j-prod","app.kubernetes.io/part-of":"web-platform","app.kubernetes.io/managed-by":"cdk8s"}',
    ]);
  });
});

describe('autoscaler rules', () => {
  it('matches the HPA target apiVersion and the KEDA default kind', () => {
    const hpa = goodHpa('backend', { apiVersion: 'apps/v1beta2', kind: 'Deployment' });
    expect(messages([goodDeployment(), hpa], 'ref/autoscaler-target')).toEqual([
      'HorizontalPodAutoscaler/platform/backend spec.scaleTargetRef.apiVersion: scaleTargetRef apiVersion "apps/v1beta2" does not match Deployment/platform/backend (apiVersion "apps/v1")',
    ]);
    const [worker, , scaledObject] = goodWorker();
    expect(messages([scaledObject], 'ref/autoscaler-target')).toEqual([
      'ScaledObject/platform/worker spec.scaleTargetRef: scaleTargetRef apps/v1 Deployment/worker does not exist in namespace platform',
    ]);
    expect(messages([worker, scaledObject], 'ref/autoscaler-target')).toEqual([]);
  });

  it('reports a second HPA and pins replicas once per workload', () => {
    const d = goodDeployment();
    d.spec.replicas = 2;
    const second = goodHpa('backend');
    second.metadata.name = 'backend-memory';
    expect(messages([d, goodHpa('backend'), second], 'ref/single-autoscaler')).toEqual([
      'HorizontalPodAutoscaler/platform/backend-memory spec.scaleTargetRef: Deployment/platform/backend is already scaled by HorizontalPodAutoscaler/platform/backend (a workload must have exactly one autoscaler)',
    ]);
    expect(messages([d, goodHpa('backend'), second], 'autoscale/no-pinned-replicas')).toHaveLength(1);
  });

  it('hpa/min-replicas: an unset minReplicas defaults to 1; KEDA may scale to zero', () => {
    const hpa = goodHpa('backend');
    delete hpa.spec.minReplicas;
    const prod = { environment: 'prod', production: true };
    expect(messages([goodDeployment(), hpa], 'hpa/min-replicas', prod)[0]).toContain('minReplicas is unset (default 1)');
    expect(messages(goodWorker(), 'hpa/min-replicas', prod)).toEqual([]);
  });
});

describe('PodDisruptionBudget rules', () => {
  const pdbFindings = (mutate: (pdb: M) => void, extra: M[] = [goodDeployment()]): string[] => {
    const pdb = goodPdb('backend');
    mutate(pdb);
    return findings([...extra, pdb], 'pdb/allows-drain', DEV)
      .concat(findings([...extra, pdb], 'ref/pdb-fits', DEV))
      .concat(findings([...extra, pdb], 'pdb/unhealthy-eviction', DEV))
      .map((v) => `${v.rule} ${v.severity} ${v.path}: ${v.message}`);
  };

  it('needs exactly one budget that can ever allow a disruption', () => {
    expect(pdbFindings((p) => (p.spec.minAvailable = 1))[0]).toContain('sets both minAvailable and maxUnavailable');
    expect(pdbFindings((p) => delete p.spec.maxUnavailable)[0]).toContain('sets neither');
    expect(
      pdbFindings((p) => {
        p.spec.maxUnavailable = undefined;
        p.spec.minAvailable = '100%';
      })[0],
    ).toContain('pdb/allows-drain error spec.minAvailable: minAvailable "100%" never allows a disruption');
    expect(pdbFindings((p) => (p.spec.maxUnavailable = '0%'))).toHaveLength(1);
    expect(pdbFindings((p) => (p.spec.maxUnavailable = 'one'))[0]).toContain('is not a non-negative integer or a percentage');
  });

  it('fits the minimum replicas: spec.replicas default 1, KEDA minimum 0 counts as 1 pod', () => {
    // No autoscaler in this set: the Deployment runs its default single replica.
    expect(
      pdbFindings((p) => {
        p.spec.maxUnavailable = undefined;
        p.spec.minAvailable = '50%';
      }),
    ).toEqual([
      'ref/pdb-fits error spec.minAvailable: minAvailable "50%" allows 0 disruptions at the minimum of 1 replicas of Deployment/platform/backend (spec.replicas default 1) (must allow at least 1: minAvailable below the minimum replicas, or maxUnavailable >= 1)',
    ]);
    const workerPdb = (mutate: (p: M) => void): string[] => {
      const [worker, sa, so, pdb] = goodWorker();
      mutate(pdb);
      return findings([worker, sa, so, pdb], 'ref/pdb-fits', DEV).map((v) => v.message);
    };
    expect(
      workerPdb((p) => {
        p.spec.maxUnavailable = undefined;
        p.spec.minAvailable = 1;
      })[0],
    ).toContain('at the minimum of 1 replicas of Deployment/platform/worker (ScaledObject/platform/worker minReplicaCount 0)');
    expect(workerPdb((p) => (p.spec.maxUnavailable = '10%'))).toEqual([]);
  });

  it('must select a workload', () => {
    expect(pdbFindings((p) => delete p.spec.selector)[0]).toContain('has no selector');
    expect(pdbFindings((p) => (p.spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'nope' } }))[0]).toContain(
      'matches no workload',
    );
  });

  it('warns on IfHealthyBudget and rejects unknown policies', () => {
    expect(pdbFindings((p) => (p.spec.unhealthyPodEvictionPolicy = 'IfHealthyBudget'))[0]).toMatch(/^pdb\/unhealthy-eviction warning/);
    expect(pdbFindings((p) => (p.spec.unhealthyPodEvictionPolicy = 'Sometimes'))[0]).toMatch(/^pdb\/unhealthy-eviction error/);
  });
});

describe('ref/ingress-backend', () => {
  it('requires the Service and its port, on the default backend too', () => {
    const objects = platformWith(
      'Ingress',
      'web',
      (o) => (o.spec.defaultBackend = { service: { name: 'fallback', port: { number: 80 } } }),
    );
    expect(messages(objects, 'ref/ingress-backend')).toEqual([
      'Ingress/platform/web spec.defaultBackend.service.name: backend Service "fallback" does not exist in namespace platform',
    ]);
    const badNumber = platformWith('Ingress', 'web', (o) => (o.spec.rules[0].http.paths[1].backend.service.port = { number: 443 }));
    expect(messages(badNumber, 'ref/ingress-backend')[0]).toContain('backend port 443 is not a port of Service/platform/frontend-stable');
  });
});

describe('ref/network-policy-ingress', () => {
  const allowRule = (objects: M[]): M => byName(objects, 'NetworkPolicy', 'allow-ingress-controller').spec.ingress[0];

  it('needs no allowance when no policy isolates the backend pods', () => {
    const objects = goodPlatform().filter((o) => o.kind !== 'NetworkPolicy');
    expect(findings(objects, 'ref/network-policy-ingress')).toEqual([]);
    // An egress-only policy does not isolate ingress.
    const egressOnly = goodPlatform().filter((o) => o.metadata.name !== 'allow-ingress-controller');
    byName(egressOnly, 'NetworkPolicy', 'default-deny').spec.policyTypes = ['Egress'];
    expect(findings(egressOnly, 'ref/network-policy-ingress')).toEqual([]);
  });

  it('reports each isolated backend without a controller allowance', () => {
    const objects = goodPlatform().filter((o) => o.metadata.name !== 'allow-ingress-controller');
    expect(messages(objects, 'ref/network-policy-ingress')).toEqual([
      'Ingress/platform/web spec.rules[0].http.paths[0].backend.service: backend Service/platform/backend port 80 (targetPort "http") reaches Deployment/platform/backend, which NetworkPolicies [default-deny] isolate, but none allows ingress from namespace ingress-nginx on port 8000/http (add an ingress rule with namespaceSelector kubernetes.io/metadata.name: ingress-nginx)',
      'Ingress/platform/web spec.rules[0].http.paths[1].backend.service: backend Service/platform/frontend-stable port 80 (targetPort "http") reaches Rollout/platform/frontend, which NetworkPolicies [default-deny] isolate, but none allows ingress from namespace ingress-nginx on port 3000/http (add an ingress rule with namespaceSelector kubernetes.io/metadata.name: ingress-nginx)',
    ]);
  });

  it('matches ports by number, range and name, and sources by namespace labels', () => {
    const check = (mutate: (rule: M, objects: M[]) => void, ctx: ValidationContext = DEV): number => {
      const objects = goodPlatform();
      mutate(allowRule(objects), objects);
      return findings(objects, 'ref/network-policy-ingress', ctx).length;
    };
    expect(check((r) => (r.ports = [{ port: 8000 }, { port: 3000 }]))).toBe(0);
    expect(check((r) => (r.ports = [{ port: 2000, endPort: 9000 }]))).toBe(0);
    expect(check((r) => (r.ports = [{ port: 9000 }]))).toBe(2);
    expect(check((r) => (r.ports = [{ port: 'http', protocol: 'UDP' }]))).toBe(2);
    expect(check((r) => delete r.ports)).toBe(0);
    expect(check((r) => delete r.from)).toBe(0);
    expect(check((r) => (r.from = [{ podSelector: {} }]))).toBe(2);
    expect(check((r) => (r.from = [{ namespaceSelector: {} }]))).toBe(0);
    // A custom label on the emitted Namespace object is honoured.
    expect(
      check((r, objects) => {
        r.from = [{ namespaceSelector: { matchLabels: { 'network.example.com/ingress': 'true' } } }];
        objects.push({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'ingress-nginx', labels: { 'network.example.com/ingress': 'true' } },
        });
      }),
    ).toBe(0);
  });
});

describe('ref/mesh-hosts', () => {
  const hostFindings = (host: string, extra: M[] = []): string[] => {
    const objects = platformWith('VirtualService', 'backend', (o) => {
      o.spec.http[0].route[0].destination = { host };
    });
    return messages([...objects, ...extra], 'ref/mesh-hosts');
  };

  it.each(['backend', 'backend.platform', 'backend.platform.svc', 'backend.platform.svc.cluster.local'])('resolves %s', (host) => {
    expect(hostFindings(host)).toEqual([]);
  });

  it('rejects unknown hosts unless a ServiceEntry declares them', () => {
    expect(hostFindings('backend.other')[0]).toContain(
      'destination host "backend.other" is not a Service in the set (resolved as backend.other.svc.cluster.local',
    );
    expect(hostFindings('api.payments.example.com')).toHaveLength(1);
    const entry = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'payments', namespace: NS },
      spec: { hosts: ['*.payments.example.com'] },
    };
    expect(hostFindings('api.payments.example.com', [entry])).toEqual([]);
  });

  it('checks destination ports, mirrors and tcp routes', () => {
    const objects = platformWith('VirtualService', 'backend', (o) => {
      o.spec.http[0].route[0].destination.port.number = 8080;
      o.spec.http[0].mirror = { host: 'shadow' };
      o.spec.tcp = [{ route: [{ destination: { host: 'redis' } }] }];
    });
    expect(messages(objects, 'ref/mesh-hosts').map((m) => m.split(':')[0])).toEqual([
      'VirtualService/platform/backend spec.http[0].route[0].destination.port.number',
      'VirtualService/platform/backend spec.http[0].mirror.host',
      'VirtualService/platform/backend spec.tcp[0].route[0].destination.host',
    ]);
  });

  it('finds a DestinationRule for the host in another namespace by FQDN', () => {
    const objects = goodPlatform();
    const dr = byName(objects, 'DestinationRule', 'backend');
    dr.metadata.namespace = 'mesh-config';
    dr.spec.host = 'backend.platform.svc.cluster.local';
    expect(findings(objects, 'ref/mesh-hosts')).toEqual([]);
    dr.spec.host = 'backend'; // now means backend.mesh-config
    expect(messages(objects, 'ref/mesh-hosts')[0]).toContain('(no DestinationRule for this host)');
  });
});

describe('ref/route-weights', () => {
  const weights = (route: M[]): string[] =>
    messages(
      platformWith('VirtualService', 'frontend', (o) => (o.spec.http[0].route = route)),
      'ref/route-weights',
    );
  const stable = { destination: { host: 'frontend-stable' } };
  const canary = { destination: { host: 'frontend-canary' } };

  it('needs weights summing to 100 once there are several destinations', () => {
    expect(weights([stable, canary])[0]).toContain('sum to 0');
    expect(
      weights([
        { ...stable, weight: 60 },
        { ...canary, weight: 40 },
      ]),
    ).toEqual([]);
    expect(
      weights([
        { ...stable, weight: 101 },
        { ...canary, weight: -1 },
      ])[0],
    ).toContain('weight 101 must be an integer from 0 to 100');
    expect(weights([{ ...stable, weight: 50 }])[0]).toContain('sum to 50');
    expect(weights([{ ...stable, weight: 100 }])).toEqual([]);
  });
});

describe('ref/rollout-refs', () => {
  const rolloutFindings = (mutate: (rollout: M, objects: M[]) => void): string[] => {
    const objects = goodPlatform();
    mutate(byName(objects, 'Rollout', 'frontend'), objects);
    return messages(objects, 'ref/rollout-refs').map((m) => m.replace('Rollout/platform/frontend ', ''));
  };
  const canary = (r: M): M => r.spec.strategy.canary;

  it('checks the canary and stable Services', () => {
    expect(rolloutFindings((r) => (canary(r).canaryService = 'frontend-preview'))).toContain(
      'spec.strategy.canary.canaryService: Service "frontend-preview" does not exist in namespace platform',
    );
    expect(rolloutFindings((r) => delete canary(r).stableService)).toContain(
      'spec.strategy.canary.stableService: stableService is required here (name a Service)',
    );
  });

  it('does not require the Services with Istio subset-level routing, as Argo Rollouts does not', () => {
    const subsetLevel = rolloutFindings((r) => {
      delete canary(r).canaryService;
      delete canary(r).stableService;
      canary(r).trafficRouting.istio.destinationRule = { name: 'frontend', canarySubsetName: 'canary', stableSubsetName: 'stable' };
    });
    expect(subsetLevel.filter((m) => m.includes('is required here'))).toEqual([]);
  });

  it('checks the VirtualService, its routes and that they carry both sides', () => {
    expect(rolloutFindings((r) => (canary(r).trafficRouting.istio.virtualService.name = 'web'))).toEqual([
      'spec.strategy.canary.trafficRouting.istio.virtualService.name: VirtualService "web" does not exist in namespace platform',
    ]);
    expect(rolloutFindings((r) => (canary(r).trafficRouting.istio.virtualService.routes = ['main']))).toEqual([
      'spec.strategy.canary.trafficRouting.istio.virtualService.routes[0]: route "main" is not an http route name of VirtualService/platform/frontend (names: primary)',
    ]);
    expect(rolloutFindings((r) => delete canary(r).trafficRouting.istio.virtualService.routes)).toEqual([]);
    expect(rolloutFindings((_r, objects) => byName(objects, 'VirtualService', 'frontend').spec.http[0].route.pop())).toEqual([
      'spec.strategy.canary.trafficRouting.istio.virtualService: VirtualService/platform/frontend spec.http[0] ("primary") has no destination with the canary host "frontend-canary" (the route needs both the canary and the stable destination)',
    ]);
    // `virtualServices` list form, with the `name.namespace` syntax.
    expect(
      rolloutFindings((r) => {
        canary(r).trafficRouting.istio = {
          virtualServices: [{ name: 'frontend.platform', routes: ['primary'] }, { name: 'frontend.other' }],
        };
      }),
    ).toEqual([
      'spec.strategy.canary.trafficRouting.istio.virtualServices[1].name: VirtualService "frontend.other" does not exist in namespace other',
    ]);
  });

  it('checks the DestinationRule subsets and subset-level routes', () => {
    const subsetLevel = (r: M, objects: M[], canarySubset: string): void => {
      canary(r).trafficRouting.istio.destinationRule = { name: 'frontend', canarySubsetName: canarySubset, stableSubsetName: 'stable' };
      objects.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'frontend', namespace: NS, labels: labels('frontend') },
        spec: { host: 'frontend', subsets: [{ name: 'stable' }, { name: 'canary' }] },
      });
      byName(objects, 'VirtualService', 'frontend').spec.http[0].route = [
        { destination: { host: 'frontend', subset: 'stable' }, weight: 100 },
        { destination: { host: 'frontend', subset: 'canary' }, weight: 0 },
      ];
    };
    expect(rolloutFindings((r, objects) => subsetLevel(r, objects, 'canary'))).toEqual([]);
    expect(rolloutFindings((r, objects) => subsetLevel(r, objects, 'preview'))).toEqual([
      'spec.strategy.canary.trafficRouting.istio.destinationRule.canarySubsetName: subset "preview" is not defined by DestinationRule/platform/frontend (defined: stable, canary)',
      'spec.strategy.canary.trafficRouting.istio.virtualService: VirtualService/platform/frontend spec.http[0] ("primary") has no destination with the canary subset "preview" (the route needs both the canary and the stable destination)',
    ]);
  });

  it('checks analysis args: required ones passed, no unknown or duplicate ones', () => {
    expect(rolloutFindings((r) => (canary(r).analysis.args = []))).toEqual([
      'spec.strategy.canary.analysis.args: args [service-name] are declared by the template(s) without a default but not passed',
    ]);
    expect(
      rolloutFindings((r) => canary(r).steps[2].analysis.args.push({ name: 'namespace', value: 'x' }, { name: 'threshold', value: '1' })),
    ).toEqual([
      'spec.strategy.canary.steps[2].analysis.args[2].name: arg "namespace" is not declared by the template(s) (declared: service-name, threshold)',
      'spec.strategy.canary.steps[2].analysis.args[3].name: arg "threshold" is passed twice',
    ]);
  });

  it('resolves ClusterAnalysisTemplates only with clusterScope, and the legacy templateName', () => {
    const clusterTemplate = { ...goodAnalysisTemplate(), kind: 'ClusterAnalysisTemplate', metadata: { name: 'global-rate' } };
    expect(
      rolloutFindings((r, objects) => {
        objects.push(clusterTemplate);
        canary(r).analysis.templates = [{ templateName: 'global-rate', clusterScope: true }];
      }),
    ).toEqual([]);
    expect(
      rolloutFindings((r, objects) => {
        objects.push(clusterTemplate);
        canary(r).analysis.templates = [{ templateName: 'global-rate' }];
      }),
    ).toEqual([
      'spec.strategy.canary.analysis.templates[0].templateName: AnalysisTemplate in namespace platform "global-rate" does not exist',
    ]);
    expect(
      rolloutFindings((r) => (canary(r).analysis = { templateName: 'success-rate', args: [{ name: 'service-name', value: 'x' }] })),
    ).toEqual([]);
  });

  it('checks blueGreen Services, promotion analyses and workloadRef', () => {
    expect(
      rolloutFindings((r) => {
        r.spec.strategy = {
          blueGreen: {
            activeService: 'frontend-stable',
            previewService: 'frontend-preview',
            prePromotionAnalysis: { templates: [{ templateName: 'smoke' }] },
            postPromotionAnalysis: {
              templates: [{ templateName: 'success-rate' }],
              args: [{ name: 'service-name', value: 'frontend-stable' }],
            },
          },
        };
        r.spec.workloadRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend-base' };
      }),
    ).toEqual([
      'spec.workloadRef: workloadRef Deployment/"frontend-base" does not exist in namespace platform',
      'spec.strategy.blueGreen.previewService: Service "frontend-preview" does not exist in namespace platform',
      'spec.strategy.blueGreen.prePromotionAnalysis.templates[0].templateName: AnalysisTemplate in namespace platform "smoke" does not exist',
    ]);
    expect(rolloutFindings((r) => (r.spec.strategy = { blueGreen: {} }))).toEqual([
      'spec.strategy.blueGreen.activeService: activeService is required here (name a Service)',
    ]);
  });
});

describe('ref/canary-weights', () => {
  const weightFindings = (weights: unknown[]): string[] =>
    messages(
      platformWith('Rollout', 'frontend', (o) => (o.spec.strategy.canary.steps = weights.map((setWeight) => ({ setWeight })))),
      'ref/canary-weights',
    ).map((m) => m.replace('Rollout/platform/frontend ', ''));

  it('rises, may repeat, and stays within 0..100', () => {
    expect(weightFindings([5, 5, 50, 100])).toEqual([]);
    expect(weightFindings([20, 120])).toEqual(['spec.strategy.canary.steps[1].setWeight: setWeight 120 must be a number from 0 to 100']);
    expect(weightFindings([20, 40, 30, 35])).toEqual([
      "spec.strategy.canary.steps[2].setWeight: setWeight 30 is lower than the previous step's 40 (canary weights must only rise)",
      "spec.strategy.canary.steps[3].setWeight: setWeight 35 is lower than the previous step's 40 (canary weights must only rise)",
    ]);
  });
});
