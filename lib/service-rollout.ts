import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Environment, Strategy } from '../environments/schema';
import { Rollout, RolloutSpecStrategyCanaryStepsPauseDuration, toJson_RolloutSpec, type RolloutSpecStrategy } from '../imports/argoproj.io';
import type { AnalysisRef } from './analysis-template';
import type { ScaleTarget } from './autoscaler';
import { workloadSelector } from './labels';
import {
  CANARY_SUBSET,
  destinationRuleName,
  MAIN_TRACK,
  PRIMARY_ROUTE,
  previewServiceName,
  serviceHost,
  serviceName,
  STABLE_SUBSET,
  virtualServiceName,
  workloadName,
} from './names';
import { podTemplate } from './pod-template';

/** The analyses a Rollout runs, already bound to their templates. */
export interface RolloutAnalyses {
  /** Bound to a Service host: the gate before a blue-green promotion. */
  readonly prePromotion: (host: string) => AnalysisRef[];
  /** Bound to a Service host: judged throughout a canary. */
  readonly background: (host: string) => AnalysisRef[];
}

export interface ServiceRolloutProps {
  readonly environment: Environment;
  readonly service: string;
  readonly strategy: Exclude<Strategy, { type: 'rolling' }>;
  readonly labels: Record<string, string>;
  readonly analyses: RolloutAnalyses;
}

/** Merges each ref's args into one list; Rollouts pass one argument list to all templates. */
function analysisSpec(refs: AnalysisRef[]) {
  const args = new Map(refs.flatMap((ref) => ref.args.map((arg) => [arg.name, arg.value] as const)));
  return {
    templates: refs.map((ref) => ({ templateName: ref.templateName })),
    args: [...args].map(([name, value]) => ({ name, value })),
  };
}

function blueGreen(props: ServiceRolloutProps, strategy: Extract<Strategy, { type: 'blueGreen' }>): RolloutSpecStrategy {
  const { service, environment } = props;
  const preview = previewServiceName(service);
  return {
    blueGreen: {
      activeService: serviceName(service),
      previewService: preview,
      autoPromotionEnabled: strategy.autoPromotion ?? false,
      scaleDownDelaySeconds: strategy.scaleDownDelaySeconds ?? 30,
      prePromotionAnalysis: analysisSpec(props.analyses.prePromotion(serviceHost(preview, environment.namespace))),
    },
  };
}

function canary(props: ServiceRolloutProps, strategy: Extract<Strategy, { type: 'canary' }>): RolloutSpecStrategy {
  const { service, environment } = props;
  const steps = strategy.steps.flatMap((step) => [
    { setWeight: step.weight },
    ...(step.pauseSeconds === undefined
      ? []
      : [{ pause: { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(`${step.pauseSeconds}s`) } }]),
  ]);
  return {
    canary: {
      trafficRouting: {
        istio: {
          virtualService: { name: virtualServiceName(service), routes: [PRIMARY_ROUTE] },
          destinationRule: { name: destinationRuleName(service), stableSubsetName: STABLE_SUBSET, canarySubsetName: CANARY_SUBSET },
        },
      },
      steps,
      analysis: analysisSpec(props.analyses.background(serviceHost(serviceName(service), environment.namespace))),
    },
  };
}

/**
 * An Argo Rollout of a service's main track: blue-green (active and preview Services, manual
 * promotion after a pre-promotion analysis) or canary (weights on the Istio route, background
 * analysis). A rollout that stalls past its deadline aborts instead of hanging half-done.
 */
export class ServiceRollout extends Construct {
  readonly scaleTarget: ScaleTarget;
  readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: ServiceRolloutProps) {
    super(scope, id);
    const { environment, service, strategy } = props;
    this.selector = workloadSelector({ name: service, environment: environment.name }, MAIN_TRACK);
    const spec = toJson_RolloutSpec({
      selector: { matchLabels: this.selector },
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: 600,
      progressDeadlineAbort: true,
      strategy: strategy.type === 'blueGreen' ? blueGreen(props, strategy) : canary(props, strategy),
    });
    // The pod template is Kubernetes' own PodTemplateSpec, typed by the k8s bindings and shared with
    // Deployments. The Rollout binding has its own copy of that type, whose serializer drops
    // IntOrString values it did not construct (probe ports), so the object is assembled here from
    // the two typed halves.
    const template = podTemplate({ environment, service, revisionLabel: 'rollouts-pod-template-hash' });
    const rollout = new ApiObject(this, 'Resource', {
      ...Rollout.GVK,
      metadata: { name: workloadName(service), labels: props.labels },
      spec: { ...spec, template: k8s.toJson_PodTemplateSpec(template) },
    });
    this.scaleTarget = { apiVersion: rollout.apiVersion, kind: rollout.kind, name: rollout.name };
  }
}
