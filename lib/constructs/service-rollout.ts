import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Rollout,
  RolloutSpecStrategyCanaryStepsPauseDuration,
  toJson_RolloutSpec,
  type RolloutSpecStrategy,
} from '../../imports/argoproj.io';
import type { AnalysisRef } from './analysis-template';
import type { ScaleTarget } from './autoscaler';
import { workloadSpecBase } from '../workload-spec';
import type { BlueGreenRelease, CanaryRelease } from '../resolved-service';
import { PropChecks } from '../prop-checks';

export interface ServiceRolloutProps {
  /** The Rollout. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** Labels of its pods (the immutable `spec.selector`). */
  readonly selector: Readonly<Record<string, string>>;
  /** Built with `revisionLabel: 'rollouts-pod-template-hash'`, the label Argo Rollouts stamps on each revision. */
  readonly template: k8s.PodTemplateSpec;
  /** How a new revision is released: blue-green with its gate, or a canary with its steps. */
  readonly release: BlueGreenRelease | CanaryRelease;
}

/** Merges each ref's args into one list; Rollouts pass one argument list to all templates. */
function analysisSpec(refs: readonly AnalysisRef[]) {
  const args = new Map(refs.flatMap((ref) => ref.args.map((arg) => [arg.name, arg.value] as const)));
  return {
    templates: refs.map((ref) => ({ templateName: ref.templateName })),
    args: [...args].map(([name, value]) => ({ name, value })),
  };
}

function blueGreen(release: BlueGreenRelease): RolloutSpecStrategy {
  return {
    blueGreen: {
      activeService: release.activeService,
      previewService: release.previewService,
      autoPromotionEnabled: release.autoPromotion,
      scaleDownDelaySeconds: release.scaleDownDelaySeconds,
      prePromotionAnalysis: analysisSpec(release.prePromotionAnalysis),
    },
  };
}

function canary(release: CanaryRelease): RolloutSpecStrategy {
  const steps = release.steps.flatMap((step) => [
    { setWeight: step.weight },
    ...(step.pauseSeconds === undefined
      ? []
      : [{ pause: { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(`${step.pauseSeconds}s`) } }]),
  ]);
  return {
    canary: {
      trafficRouting: {
        istio: {
          virtualService: { name: release.virtualService, routes: [release.route] },
          destinationRule: {
            name: release.destinationRule,
            stableSubsetName: release.stableSubset,
            canarySubsetName: release.canarySubset,
          },
        },
      },
      steps,
      analysis: analysisSpec(release.backgroundAnalysis),
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
  readonly selector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ServiceRolloutProps) {
    super(scope, id);
    new PropChecks(this).name('name', props.name).nonEmpty('selector', props.selector);
    this.selector = props.selector;
    const spec = toJson_RolloutSpec({
      ...workloadSpecBase(props.selector),
      progressDeadlineAbort: true,
      strategy: props.release.type === 'blueGreen' ? blueGreen(props.release) : canary(props.release),
    });
    // The pod template is Kubernetes' own PodTemplateSpec, typed by the k8s bindings and shared with
    // Deployments. The Rollout binding has its own copy of that type, whose serializer drops
    // IntOrString values it did not construct (probe ports), so the object is assembled here from
    // the two typed halves.
    const rollout = new ApiObject(this, 'Resource', {
      ...Rollout.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: { ...spec, template: k8s.toJson_PodTemplateSpec(props.template) },
    });
    this.scaleTarget = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: rollout.name };
  }
}
