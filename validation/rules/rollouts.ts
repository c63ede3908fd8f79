/**
 * Argo Rollouts references:
 * - ref/rollout-refs: blueGreen active/preview Services, canary canary/stable Services, the Istio
 *   VirtualService(s) and their named routes (which must route to both the canary and the stable
 *   side), the DestinationRule and its canary/stable subsets, spec.workloadRef, and every analysis
 *   template reference with exactly the args the template needs (all args without a default, no
 *   unknown ones). Most linters skip Rollouts; a broken reference here stalls a release mid-way.
 * - ref/canary-weights: setWeight steps never decrease and stay within 0..100.
 */
import type { Violation } from '../types';
import { GK, asArray, asObj, asString, gkOf, isObj, show, violation, type Entry, type Model, type Obj, type RuleFamily } from './model';
import { resolveHost, routesOf } from './istio';

export const ROLLOUT_REFS = 'ref/rollout-refs';
export const CANARY_WEIGHTS = 'ref/canary-weights';

export const rolloutRules: RuleFamily = {
  ids: [ROLLOUT_REFS, CANARY_WEIGHTS],
  check(model, _ctx, out: Violation[]) {
    const rollouts = model.ofKind(GK.Rollout);
    if (rollouts.length === 0) return;
    for (const entry of rollouts) {
      const spec = asObj(entry.obj.spec) ?? {};
      const refs = new RolloutRefs(model, entry, out);
      refs.workloadRef(asObj(spec.workloadRef));
      const strategy = asObj(spec.strategy) ?? {};
      const blueGreen = asObj(strategy.blueGreen);
      if (blueGreen) refs.blueGreen(blueGreen);
      const canary = asObj(strategy.canary);
      if (canary) {
        refs.canary(canary);
        checkWeights(entry, canary, out);
      }
    }
  },
};

class RolloutRefs {
  constructor(
    private readonly model: Model,
    private readonly entry: Entry,
    private readonly out: Violation[],
  ) {}

  workloadRef(ref: Obj | undefined): void {
    if (!ref) return;
    const kind = asString(ref.kind) ?? 'Deployment';
    const name = asString(ref.name) ?? '';
    if (this.model.get(gkOf(asString(ref.apiVersion) ?? 'apps/v1', kind), this.entry.namespace, name)) return;
    this.error('spec.workloadRef', `workloadRef ${kind}/${show(name)} does not exist in namespace ${this.entry.namespace}`);
  }

  blueGreen(bg: Obj): void {
    const base = 'spec.strategy.blueGreen';
    this.service(bg.activeService, `${base}.activeService`, true);
    this.service(bg.previewService, `${base}.previewService`, false);
    for (const field of ['prePromotionAnalysis', 'postPromotionAnalysis'] as const) {
      const analysis = asObj(bg[field]);
      if (analysis) this.analysis(analysis, `${base}.${field}`);
    }
  }

  canary(canary: Obj): void {
    const base = 'spec.strategy.canary';
    const routing = asObj(canary.trafficRouting);
    const istio = asObj(routing?.istio);
    // Traffic routing needs both Services to tell canary from stable pods, except Istio subset-level
    // routing (a DestinationRule's subsets do that) and plugins, as in Argo Rollouts' own validation.
    const needsServices = !!routing && !asObj(istio?.destinationRule) && routing.plugins === undefined;
    this.service(canary.canaryService, `${base}.canaryService`, needsServices);
    this.service(canary.stableService, `${base}.stableService`, needsServices);
    if (istio) this.istio(istio, canary, `${base}.trafficRouting.istio`);
    const background = asObj(canary.analysis);
    if (background) this.analysis(background, `${base}.analysis`);
    asArray(canary.steps).forEach((step, i) => {
      const analysis = asObj(asObj(step)?.analysis);
      if (analysis) this.analysis(analysis, `${base}.steps[${i}].analysis`);
    });
  }

  private service(name: unknown, path: string, required: boolean): void {
    if (name === undefined || name === '') {
      if (required) this.error(path, `${path.slice(path.lastIndexOf('.') + 1)} is required here (name a Service)`);
      return;
    }
    if (typeof name === 'string' && this.model.get(GK.Service, this.entry.namespace, name)) return;
    this.error(path, `Service ${show(name)} does not exist in namespace ${this.entry.namespace}`);
  }

  private istio(istio: Obj, canary: Obj, base: string): void {
    const dr = asObj(istio.destinationRule);
    const subsets = dr ? this.destinationRule(dr, `${base}.destinationRule`) : undefined;
    const single = asObj(istio.virtualService);
    if (single) this.virtualService(single, `${base}.virtualService`, canary, subsets);
    asArray(istio.virtualServices).forEach((vs, i) => {
      if (isObj(vs)) this.virtualService(vs, `${base}.virtualServices[${i}]`, canary, subsets);
    });
  }

  /** Checks the DestinationRule; returns the canary/stable subset names routes must use. */
  private destinationRule(dr: Obj, path: string): { canary: string; stable: string } | undefined {
    const name = asString(dr.name) ?? '';
    const canary = asString(dr.canarySubsetName) ?? '';
    const stable = asString(dr.stableSubsetName) ?? '';
    const rule = this.model.get(GK.DestinationRule, this.entry.namespace, name);
    if (!rule) {
      this.error(`${path}.name`, `DestinationRule ${show(name)} does not exist in namespace ${this.entry.namespace}`);
      return { canary, stable };
    }
    const defined = new Set(asArray(asObj(rule.obj.spec)?.subsets).map((s) => asString(asObj(s)?.name)));
    for (const [field, subset] of [
      ['canarySubsetName', canary],
      ['stableSubsetName', stable],
    ] as const) {
      if (!defined.has(subset)) {
        this.error(
          `${path}.${field}`,
          `subset ${show(subset)} is not defined by ${rule.id} (defined: ${[...defined].join(', ') || 'none'})`,
        );
      }
    }
    return { canary, stable };
  }

  private virtualService(ref: Obj, path: string, canary: Obj, subsets: { canary: string; stable: string } | undefined): void {
    // Argo accepts `name` or `name.namespace`.
    const [name = '', namespace = this.entry.namespace] = (asString(ref.name) ?? '').split('.');
    const vs = this.model.get(GK.VirtualService, namespace, name);
    if (!vs) {
      this.error(`${path}.name`, `VirtualService ${show(ref.name)} does not exist in namespace ${namespace}`);
      return;
    }
    const httpRoutes = routesOf(vs).filter((r) => r.kind === 'http');
    const wanted = asArray(ref.routes);
    let selected = httpRoutes;
    if (wanted.length === 0) {
      if (httpRoutes.length !== 1) {
        this.error(`${path}.routes`, `routes is required because ${vs.id} has ${httpRoutes.length} http routes (name the routes to shift)`);
        return;
      }
    } else {
      const byName = new Map(httpRoutes.map((r) => [asString(r.route.name), r] as const));
      selected = [];
      wanted.forEach((routeName, i) => {
        const route = typeof routeName === 'string' ? byName.get(routeName) : undefined;
        if (route) selected.push(route);
        else
          this.error(
            `${path}.routes[${i}]`,
            `route ${show(routeName)} is not an http route name of ${vs.id} (names: ${[...byName.keys()].filter(Boolean).join(', ') || 'none'})`,
          );
      });
    }
    for (const route of selected) this.routeSides(vs, route, canary, subsets, path);
  }

  /** The controller shifts weight between two destinations; both must be in the route. */
  private routeSides(
    vs: Entry,
    route: ReturnType<typeof routesOf>[number],
    canary: Obj,
    subsets: { canary: string; stable: string } | undefined,
    path: string,
  ): void {
    const sides = subsets
      ? { canary: subsets.canary, stable: subsets.stable }
      : { canary: asString(canary.canaryService), stable: asString(canary.stableService) };
    for (const [side, want] of Object.entries(sides)) {
      if (!want) continue;
      const found = route.destinations.some((d) => {
        if (subsets) return d.destination.subset === want;
        const svc = typeof d.destination.host === 'string' ? resolveHost(d.destination.host, vs.namespace) : undefined;
        return svc?.name === want && svc.namespace === this.entry.namespace;
      });
      if (found) continue;
      const what = subsets ? `subset ${show(want)}` : `host ${show(want)}`;
      this.error(
        path,
        `${vs.id} ${route.path} (${show(route.route.name ?? null)}) has no destination with the ${side} ${what} (the route needs both the canary and the stable destination)`,
      );
    }
  }

  private analysis(analysis: Obj, path: string): void {
    const templates = asArray(analysis.templates).filter(isObj);
    // Pre-1.0 Rollouts referenced one template by name directly.
    if (templates.length === 0 && typeof analysis.templateName === 'string') templates.push({ templateName: analysis.templateName });
    if (templates.length === 0) {
      this.error(`${path}.templates`, 'analysis references no templates');
      return;
    }
    const declared = new Map<string, boolean>();
    let resolved = true;
    templates.forEach((t, i) => {
      const template = this.template(t, `${path}.templates[${i}]`);
      if (!template) {
        resolved = false;
        return;
      }
      for (const arg of asArray(asObj(template.obj.spec)?.args).filter(isObj)) {
        const name = asString(arg.name);
        if (!name) continue;
        const hasDefault = arg.value !== undefined || arg.valueFrom !== undefined;
        declared.set(name, (declared.get(name) ?? false) || hasDefault);
      }
    });
    if (resolved) this.args(asArray(analysis.args), declared, path);
  }

  private template(t: Obj, path: string): Entry | undefined {
    const name = asString(t.templateName) ?? '';
    const cluster = t.clusterScope === true;
    const template = cluster
      ? this.model.get(GK.ClusterAnalysisTemplate, '', name)
      : this.model.get(GK.AnalysisTemplate, this.entry.namespace, name);
    if (!template) {
      const where = cluster ? 'ClusterAnalysisTemplate (clusterScope: true)' : `AnalysisTemplate in namespace ${this.entry.namespace}`;
      this.error(`${path}.templateName`, `${where} ${show(name)} does not exist`);
    }
    return template;
  }

  private args(passed: readonly unknown[], declared: ReadonlyMap<string, boolean>, path: string): void {
    const seen = new Set<string>();
    passed.forEach((raw, i) => {
      const name = asString(asObj(raw)?.name);
      if (!name) return;
      if (seen.has(name)) this.error(`${path}.args[${i}].name`, `arg ${show(name)} is passed twice`);
      seen.add(name);
      if (!declared.has(name)) {
        this.error(
          `${path}.args[${i}].name`,
          `arg ${show(name)} is not declared by the template(s) (declared: ${[...declared.keys()].join(', ') || 'none'})`,
        );
      }
    });
    const missing = [...declared].filter(([name, hasDefault]) => !hasDefault && !seen.has(name)).map(([name]) => name);
    if (missing.length > 0) {
      this.error(`${path}.args`, `args [${missing.join(', ')}] are declared by the template(s) without a default but not passed`);
    }
  }

  private error(path: string, message: string): void {
    this.out.push(violation(ROLLOUT_REFS, this.entry, path, message));
  }
}

function checkWeights(entry: Entry, canary: Obj, out: Violation[]): void {
  let previous = 0;
  asArray(canary.steps).forEach((step, i) => {
    const weight = asObj(step)?.setWeight;
    if (weight === undefined) return;
    const path = `spec.strategy.canary.steps[${i}].setWeight`;
    if (typeof weight !== 'number' || weight < 0 || weight > 100) {
      out.push(violation(CANARY_WEIGHTS, entry, path, `setWeight ${show(weight)} must be a number from 0 to 100`));
      return;
    }
    if (weight < previous) {
      out.push(
        violation(
          CANARY_WEIGHTS,
          entry,
          path,
          `setWeight ${weight} is lower than the previous step's ${previous} (canary weights must only rise)`,
        ),
      );
    }
    previous = Math.max(previous, weight);
  });
}
