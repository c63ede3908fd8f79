/**
 * One service as the constructs see it: every name, label, selector and number already worked out by
 * the chart that resolved it from the environment (charts/resolve-service.ts). Constructs read these
 * fields and never look anything up again, so they cannot disagree about a name.
 */
import type { k8s } from 'cdk8s-plus-28';
import type { AnalysisRef } from './constructs/analysis-template';
import type { AutoscalingBehavior } from './constructs/autoscaler';
import type { QueueScaling } from './constructs/queue-autoscaler';
import type { SecretEntry, SecretStoreRef, SecretTemplate } from './constructs/app-secrets';

export type Labels = Readonly<Record<string, string>>;

/** How many pods a workload's autoscaler may run. */
export interface ReplicaRange {
  readonly min: number;
  readonly max: number;
}

/** One version line of a service: the main track, or a weighted track beside it (DEL-03's 80/20). */
export interface ResolvedTrack {
  readonly track: string;
  /** The Deployment or Rollout, its autoscaler and its PDB. */
  readonly workloadName: string;
  /** Labels the workload selects: the service's pods of this track. */
  readonly selector: Labels;
  readonly template: k8s.PodTemplateSpec;
  readonly replicas: ReplicaRange;
}

/** A blue-green Rollout (DEL-01): active and preview Services, promotion after a gate. */
export interface BlueGreenRelease {
  readonly type: 'blueGreen';
  readonly activeService: string;
  readonly previewService: string;
  readonly autoPromotion: boolean;
  readonly scaleDownDelaySeconds: number;
  readonly prePromotionAnalysis: readonly AnalysisRef[];
}

/** A canary Rollout (DEL-02): weights on an Istio route between two DestinationRule subsets. */
export interface CanaryRelease {
  readonly type: 'canary';
  readonly virtualService: string;
  readonly route: string;
  readonly destinationRule: string;
  readonly stableSubset: string;
  readonly canarySubset: string;
  readonly steps: readonly { readonly weight: number; readonly pauseSeconds?: number }[];
  readonly backgroundAnalysis: readonly AnalysisRef[];
}

/** How the main track is released: a rolling Deployment, or an Argo Rollout. */
export type Release = { readonly type: 'rolling' } | BlueGreenRelease | CanaryRelease;

/** The Secret a service's credentials are written into, and where they come from. */
export interface ResolvedSecrets {
  readonly secretName: string;
  readonly store: SecretStoreRef;
  readonly refreshInterval: string;
  readonly entries: readonly SecretEntry[];
  /** Keys written from templates over the fetched ones (connection URLs of operated stores). @default - none */
  readonly template?: SecretTemplate;
}

interface ResolvedServiceBase {
  /** The service's name: its workload, ServiceAccount and Service are named after it. */
  readonly name: string;
  /** Recommended labels of every object the service owns. */
  readonly labels: Labels;
  readonly serviceAccountName: string;
  /** @default - no secrets */
  readonly secrets?: ResolvedSecrets;
  /** Non-secret configuration files. @default - none */
  readonly config?: { readonly name: string; readonly files: Readonly<Record<string, string>> };
}

/** A service whose pods run until they are replaced: a web service or a worker. */
interface ResolvedLongRunning extends ResolvedServiceBase {
  /** The main track first. */
  readonly tracks: readonly ResolvedTrack[];
  readonly maxUnavailable: number;
  readonly maxSurgePercent: number;
}

/** The port a web service listens on, as its Services name and declare it. */
export interface ResolvedPort {
  /** Service and container port name (Istio reads the protocol from its prefix). */
  readonly name: string;
  /** The Service port's appProtocol. */
  readonly appProtocol: string;
}

/** A service behind a ClusterIP Service, scaled by an HPA. */
export interface ResolvedWebService extends ResolvedLongRunning {
  readonly kind: 'web';
  /** Labels the Services select: every track's pods. */
  readonly selector: Labels;
  readonly serviceName: string;
  readonly port: ResolvedPort;
  readonly release: Release;
  readonly autoscaling: AutoscalingBehavior;
  /**
   * CAP-04's latency trigger: the main track is then scaled by a KEDA ScaledObject on CPU, memory and
   * this query instead of an HPA. @default - an HPA on CPU and memory
   */
  readonly latency?: { readonly prometheusUrl: string; readonly query: string; readonly thresholdMilliseconds: number };
}

/** A worker: scaled by KEDA on its queue's depth, or a fixed number of pods without a queue. */
export interface ResolvedWorker extends ResolvedLongRunning {
  readonly kind: 'worker';
  /** @default - a fixed-size worker: spec.replicas, no autoscaler */
  readonly queue?: QueueScaling;
}

/** A periodic job: a CronJob. */
export interface ResolvedJob extends ResolvedServiceBase {
  readonly kind: 'job';
  /** The CronJob's name. */
  readonly workloadName: string;
  readonly schedule: string;
  readonly timeZone: string;
  readonly concurrencyPolicy: 'Forbid' | 'Replace' | 'Allow';
  readonly deadlineSeconds: number;
  readonly startingDeadlineSeconds: number;
  readonly backoffLimit: number;
  readonly history: { readonly successful: number; readonly failed: number };
  /** The pod template of each run. */
  readonly template: k8s.PodTemplateSpec;
}

export type ResolvedService = ResolvedWebService | ResolvedWorker | ResolvedJob;
