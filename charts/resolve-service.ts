/**
 * Resolves one service of an environment, once, into what the constructs need: names, labels,
 * selectors, pod templates, the release and the numbers. Every chart that deals with a service reads
 * it from here, so two charts cannot work out a name or a label differently.
 */
import type { k8s } from 'cdk8s-plus-28';
import type { Environment, JobServiceSpec, LongRunningServiceSpec, ServiceSpec, WebServiceSpec } from '../environments/schema';
import { Tier } from '../environments/schema';
import type { RolloutAnalyses } from '../lib/constructs/delivery-analyses';
import { metricsMergeAnnotations } from '../lib/istio-metrics';
import { recommendedLabels, selectorLabels, TRACK_LABEL, workloadSelector } from '../lib/labels';
import {
  appProtocol,
  appSecretName,
  CANARY_SUBSET,
  configMapName,
  destinationRuleName,
  MAIN_TRACK,
  METRICS_PORT_NAME,
  portName,
  PRIMARY_ROUTE,
  previewServiceName,
  QUEUE_NAME_ENV,
  serviceAccountName,
  serviceHost,
  serviceName,
  STABLE_SUBSET,
  trackWorkloadName,
  virtualServiceName,
} from '../lib/names';
import { PROXY_DRAIN_MARGIN_SECONDS, WEB_TERMINATION_GRACE_SECONDS, WORKER_SHUTDOWN_MARGIN_SECONDS } from '../lib/defaults';
import { proxyLifecycleAnnotations } from '../lib/istio-proxy';
import { istioLatencyQuery } from '../lib/constructs/latency-autoscaler';
import { type HealthCheck, podTemplate, type ImageSpec, type Placement } from '../lib/pod-template';
import type { Release, ResolvedJob, ResolvedSecrets, ResolvedService, ResolvedTrack } from '../lib/resolved-service';
import { configHashAnnotations } from '../lib/config-hash';
import { queueConnection, remoteKey, secretNamesOf, secretPlanOf } from './service-secrets';

/** The services an environment runs, in declaration order: those not switched off with `enabled: false`. */
export function enabledServices(environment: Environment): [string, ServiceSpec][] {
  return Object.entries(environment.services).filter(([, spec]) => spec.enabled);
}

/** Enabled web services: the ones with a Service, a route and a mesh policy. */
export function enabledWebServices(environment: Environment): [string, WebServiceSpec][] {
  return enabledServices(environment).filter((entry): entry is [string, WebServiceSpec] => entry[1].kind === 'web');
}

/** @throws Error when the environment has no such service. */
export function serviceSpec(environment: Environment, service: string): ServiceSpec {
  const spec = environment.services[service];
  if (!spec) throw new Error(`${environment.name}: no service "${service}"`);
  return spec;
}

/** The recommended labels of everything one service owns (its version is added on pods only). */
export function serviceLabels(environment: Environment, service: string): Record<string, string> {
  const spec = serviceSpec(environment, service);
  return recommendedLabels({ name: service, environment: environment.name, partOf: environment.partOf, component: spec.component });
}

/** The image a track runs: the service's image, at the track's tag for weighted tracks. */
export function trackImage(spec: ServiceSpec, track: string): ImageSpec {
  const tag = track === MAIN_TRACK || spec.kind !== 'web' ? undefined : spec.tracks?.[track]?.tag;
  return tag === undefined ? spec.image : { repository: spec.image.repository, tag };
}

/** Labels of a track's pods: all recommended labels, the release version and the track. */
export function podLabels(environment: Environment, service: string, track: string = MAIN_TRACK): Record<string, string> {
  const spec = serviceSpec(environment, service);
  return {
    ...recommendedLabels({
      name: service,
      environment: environment.name,
      partOf: environment.partOf,
      component: spec.component,
      version: trackImage(spec, track).tag,
    }),
    [TRACK_LABEL]: track,
  };
}

function placement(environment: Environment, spec: ServiceSpec): Placement {
  const [keyValue = '', effect] = environment.cluster.spotTaint.split(':');
  const [key, value] = keyValue.split('=');
  return {
    nodeSelector: { [environment.cluster.nodePoolLabel]: spec.pool },
    ...(spec.spot ? { tolerations: [{ key, operator: 'Equal', value, effect }] } : {}),
    // Losing a zone must not take a service down. Dev clusters often have a single, unlabelled zone.
    zoneSpread: environment.tier === Tier.DEVELOPMENT ? 'ScheduleAnyway' : 'DoNotSchedule',
  };
}

/** OpenTelemetry SDK settings (OPS-02: traces to the Jaeger collector), read by every OTel SDK. */
function tracingEnv(environment: Environment, service: string, version: string): k8s.EnvVar[] {
  const tracing = environment.monitoring.tracing;
  if (tracing === undefined) return [];
  return [
    { name: 'OTEL_SERVICE_NAME', value: service },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: tracing.otlpEndpoint },
    { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
    { name: 'OTEL_TRACES_SAMPLER_ARG', value: String(tracing.sampleRatio) },
    { name: 'OTEL_RESOURCE_ATTRIBUTES', value: `deployment.environment=${environment.name},service.version=${version}` },
  ];
}

/**
 * Seconds a pod gets to stop: a web service drains its connections; a queue worker finishes the task
 * in hand (Celery's warm shutdown on SIGTERM), so it gets the longest task time and a margin.
 */
export function terminationGraceSeconds(spec: ServiceSpec): number {
  if (spec.kind === 'job') return WEB_TERMINATION_GRACE_SECONDS;
  if (spec.kind === 'worker') {
    return (spec.queue?.taskTimeoutSeconds ?? spec.shutdownSeconds ?? WEB_TERMINATION_GRACE_SECONDS) + WORKER_SHUTDOWN_MARGIN_SECONDS;
  }
  // A request may take the whole route timeout; the proxy must outlast it.
  return Math.max(WEB_TERMINATION_GRACE_SECONDS, Math.ceil(spec.traffic.timeoutSeconds) + PROXY_DRAIN_MARGIN_SECONDS);
}

/** How a web service's pods prove they are ready: its protocol's health check. */
function webHealth(spec: WebServiceSpec): HealthCheck {
  if (spec.protocol === 'grpc') return { grpc: { service: spec.grpcHealthService } };
  if (spec.healthPath === undefined) throw new Error(`a ${spec.protocol} service needs healthPath (the schema requires it)`);
  return { httpPath: spec.healthPath };
}

/** What every pod of a service carries, whatever its kind: identity, image, config, secrets, placement. */
function podBasics(environment: Environment, service: string, spec: ServiceSpec, track: string) {
  const image = trackImage(spec, track);
  const grace = terminationGraceSeconds(spec);
  // In the mesh, a job's proxy is a native sidecar: it stops with the job's container, so the Job completes.
  const meshAnnotations = !environment.mesh.enabled
    ? {}
    : spec.kind === 'job'
      ? { 'sidecar.istio.io/nativeSidecar': 'true' }
      : { ...(spec.kind === 'web' ? metricsMergeAnnotations(spec) : {}), ...proxyLifecycleAnnotations(grace - PROXY_DRAIN_MARGIN_SECONDS) };
  return {
    name: service,
    labels: podLabels(environment, service, track),
    // A change to the service's configuration files changes the template, so the pods roll.
    annotations: { ...meshAnnotations, ...configHashAnnotations(spec.config) },
    serviceAccountName: serviceAccountName(service),
    image,
    resources: spec.resources,
    command: spec.command,
    args: spec.args,
    env: [
      ...Object.entries(spec.env).map(([name, value]) => ({ name, value })),
      ...(spec.kind === 'worker' && spec.queue !== undefined ? [{ name: QUEUE_NAME_ENV, value: spec.queue.name }] : []),
      ...tracingEnv(environment, service, image.tag),
    ],
    secretName: secretNamesOf(environment, service, spec).length > 0 ? appSecretName(service) : undefined,
    configMapName: spec.config === undefined ? undefined : configMapName(service),
    terminationGracePeriodSeconds: grace,
    placement: placement(environment, spec),
  };
}

/** The pod template of one track of a long-running service (a web service or a worker). */
export function trackTemplate(environment: Environment, service: string, track: string, revisionLabel?: string): k8s.PodTemplateSpec {
  const spec = serviceSpec(environment, service);
  if (spec.kind === 'job') throw new Error(`${environment.name}: services.${service} is a job: it has no tracks (jobTemplate)`);
  return podTemplate({
    ...podBasics(environment, service, spec, track),
    ...(spec.kind === 'web'
      ? {
          port: { number: spec.port, name: portName(spec.protocol) },
          ...(spec.metricsPath === undefined ? {} : { metricsPort: { number: spec.metricsPort, name: METRICS_PORT_NAME } }),
          health: webHealth(spec),
        }
      : { health: { command: spec.healthCommand } }),
    startupSeconds: spec.startupSeconds,
    spreadSelector: workloadSelector({ name: service, environment: environment.name }, track),
    revisionLabel,
  });
}

/** The pod template of each run of a job: no port, no probes, never restarted in place (the Job retries). */
export function jobTemplate(environment: Environment, service: string): k8s.PodTemplateSpec {
  const spec = serviceSpec(environment, service);
  return podTemplate({ ...podBasics(environment, service, spec, MAIN_TRACK), restartPolicy: 'Never' });
}

/** The health path the blue-green gate requests (the schema refuses blueGreen for a grpc service). */
function webHealthPath(spec: WebServiceSpec): string {
  if (spec.healthPath === undefined) throw new Error(`a blueGreen ${spec.protocol} service needs healthPath (the schema requires it)`);
  return spec.healthPath;
}

function release(environment: Environment, service: string, spec: WebServiceSpec, analyses: RolloutAnalyses | undefined): Release {
  const { strategy } = spec;
  if (strategy.type === 'rolling') return strategy;
  if (analyses === undefined)
    throw new Error(`${environment.name}: services.${service} is rolled out by a Rollout but no analyses were given`);
  if (strategy.type === 'blueGreen') {
    const preview = previewServiceName(service);
    return {
      type: 'blueGreen',
      activeService: serviceName(service),
      previewService: preview,
      autoPromotion: strategy.autoPromotion,
      scaleDownDelaySeconds: strategy.scaleDownDelaySeconds,
      prePromotionAnalysis: analyses.prePromotion(serviceHost(preview, environment.namespace), webHealthPath(spec)),
    };
  }
  return {
    type: 'canary',
    virtualService: virtualServiceName(service),
    route: PRIMARY_ROUTE,
    destinationRule: destinationRuleName(service),
    stableSubset: STABLE_SUBSET,
    canarySubset: CANARY_SUBSET,
    steps: strategy.steps,
    backgroundAnalysis: analyses.background(serviceHost(serviceName(service), environment.namespace), spec.image.tag),
  };
}

function secrets(environment: Environment, service: string, spec: ServiceSpec): ResolvedSecrets | undefined {
  const plan = secretPlanOf(environment, service, spec);
  if (plan.fetched.length === 0 && Object.keys(plan.templates).length === 0) return undefined;
  return {
    secretName: appSecretName(service),
    store: { name: environment.secrets.storeName, kind: environment.secrets.scope },
    refreshInterval: environment.secrets.refreshInterval,
    entries: plan.fetched.map((secret) => ({ secretKey: secret, remoteKey: remoteKey(environment, secret) })),
    ...(Object.keys(plan.templates).length === 0 ? {} : { template: { data: plan.templates } }),
  };
}

function tracks(environment: Environment, service: string, spec: LongRunningServiceSpec): ResolvedTrack[] {
  const rollout = spec.kind === 'web' && spec.strategy.type !== 'rolling';
  const track = (name: string, replicas: { min: number; max: number }): ResolvedTrack => ({
    track: name,
    workloadName: trackWorkloadName(service, name),
    selector: workloadSelector({ name: service, environment: environment.name }, name),
    template: trackTemplate(environment, service, name, rollout && name === MAIN_TRACK ? 'rollouts-pod-template-hash' : undefined),
    replicas,
  });
  const extra = spec.kind === 'web' ? Object.entries(spec.tracks ?? {}) : [];
  return [track(MAIN_TRACK, spec.replicas), ...extra.map(([name, t]) => track(name, t.replicas))];
}

/**
 * One service, resolved for the constructs.
 * @param analyses the environment's Rollout analyses; required when the service is released by a Rollout
 */
export function resolveService(environment: Environment, service: string, analyses?: RolloutAnalyses): ResolvedService {
  const spec = serviceSpec(environment, service);
  const identity = {
    name: service,
    labels: serviceLabels(environment, service),
    serviceAccountName: serviceAccountName(service),
    secrets: secrets(environment, service, spec),
    ...(spec.config === undefined ? {} : { config: { name: configMapName(service), files: spec.config } }),
  };
  if (spec.kind === 'job') return resolveJob(environment, service, spec, identity);
  const common = {
    ...identity,
    tracks: tracks(environment, service, spec),
    maxUnavailable: spec.maxUnavailable,
    maxSurgePercent: spec.maxSurgePercent,
  };
  if (spec.kind === 'worker') {
    const connection = queueConnection(environment, service, spec);
    return {
      ...common,
      kind: 'worker',
      ...(spec.queue === undefined || connection === undefined ? {} : { queue: { ...spec.queue, ...connection } }),
    };
  }
  return {
    ...common,
    kind: 'web',
    selector: selectorLabels({ name: service, environment: environment.name }),
    serviceName: serviceName(service),
    port: { name: portName(spec.protocol), appProtocol: appProtocol(spec.protocol) },
    release: release(environment, service, spec, analyses),
    autoscaling: spec.autoscaling,
    ...(spec.autoscaling.latency === undefined
      ? {}
      : {
          latency: {
            prometheusUrl: environment.monitoring.prometheusUrl,
            query: istioLatencyQuery(environment.namespace, serviceName(service), spec.autoscaling.latency.windowSeconds),
            thresholdMilliseconds: spec.autoscaling.latency.p95Milliseconds,
          },
        }),
  };
}

function resolveJob(
  environment: Environment,
  service: string,
  spec: JobServiceSpec,
  identity: Pick<ResolvedJob, 'name' | 'labels' | 'serviceAccountName' | 'secrets' | 'config'>,
): ResolvedJob {
  return {
    ...identity,
    kind: 'job',
    workloadName: trackWorkloadName(service, MAIN_TRACK),
    schedule: spec.schedule,
    timeZone: spec.timeZone,
    concurrencyPolicy: spec.concurrencyPolicy,
    deadlineSeconds: spec.deadlineSeconds,
    startingDeadlineSeconds: spec.startingDeadlineSeconds,
    backoffLimit: spec.backoffLimit,
    history: spec.history,
    template: jobTemplate(environment, service),
  };
}
