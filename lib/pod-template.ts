/**
 * The pod template every platform workload runs: Pod Security "restricted", resources on every
 * dimension, probes, pool placement and spread. Deployments and Rollouts share it, so a Rollout is
 * never less hardened than the Deployment it replaces.
 */
import { k8s } from 'cdk8s-plus-28';
import type { Environment, ServiceSpec } from '../environments/schema';
import { metricsMergeAnnotations } from './istio-metrics';
import { recommendedLabels, TRACK_LABEL, workloadSelector } from './labels';
import { appSecretName, HTTP_PORT_NAME, MAIN_TRACK, SECRETS_MOUNT_PATH, serviceAccountName } from './names';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, RESTRICTED_UID, scratchMount, scratchVolume } from './restricted-security';
import { secretNamesOf } from './service-secrets';

/** The UID every platform pod runs as (see restricted-security.ts). */
export const POD_UID = RESTRICTED_UID;

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const PROBE_PERIOD_SECONDS = 10;

export interface PodTemplateProps {
  readonly environment: Environment;
  /** Service name, e.g. `backend`. */
  readonly service: string;
  /**
   * Label the controller stamps on each revision's pods; spreading is computed per revision so a
   * rollout does not pile new pods onto the nodes the old ones leave free.
   * @default 'pod-template-hash' (Deployments)
   */
  readonly revisionLabel?: string;
  /** @default MAIN_TRACK */
  readonly track?: string;
}

export function imageReference(image: ServiceSpec['image']): string {
  const tagged = `${image.repository}:${image.tag}`;
  return image.digest === undefined ? tagged : `${tagged}@${image.digest}`;
}

/** The image a track runs: the service's image, at the track's tag for weighted tracks. */
export function trackImage(spec: ServiceSpec, track: string): ServiceSpec['image'] {
  const tag = track === MAIN_TRACK ? undefined : spec.tracks?.[track]?.tag;
  return tag === undefined ? spec.image : { repository: spec.image.repository, tag };
}

/** Labels of a track's pods: all recommended labels, the release version and the track. */
export function podLabels(environment: Environment, service: string, track: string = MAIN_TRACK): Record<string, string> {
  const spec = serviceOf(environment, service);
  const { tag } = trackImage(spec, track);
  return {
    ...recommendedLabels({
      name: service,
      environment: environment.name,
      partOf: environment.partOf,
      component: spec.component,
      // Label values stop at 63 characters; longer tags are still pinned in the image reference.
      version: tag.length <= 63 ? tag : undefined,
    }),
    [TRACK_LABEL]: track,
  };
}

export function serviceOf(environment: Environment, service: string): ServiceSpec {
  const spec = environment.services[service];
  if (!spec) throw new Error(`${environment.name}: no service "${service}"`);
  return spec;
}

function probes(spec: ServiceSpec): Pick<k8s.Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
  const check: k8s.Probe =
    spec.kind === 'web'
      ? { httpGet: { path: spec.healthPath, port: k8s.IntOrString.fromString(HTTP_PORT_NAME) } }
      : { exec: { command: [...(spec.healthCommand ?? [])] } };
  const timeoutSeconds = spec.kind === 'web' ? 2 : 15;
  const startup: k8s.Probe | undefined =
    spec.startupSeconds === undefined
      ? undefined
      : {
          ...check,
          periodSeconds: PROBE_PERIOD_SECONDS,
          timeoutSeconds,
          failureThreshold: Math.ceil(spec.startupSeconds / PROBE_PERIOD_SECONDS),
        };
  return {
    readinessProbe: { ...check, periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds, failureThreshold: 3 },
    // Liveness is slower to give up than readiness: a busy pod is taken out of rotation long before it is killed.
    livenessProbe: { ...check, periodSeconds: 2 * PROBE_PERIOD_SECONDS, timeoutSeconds, failureThreshold: 3 },
    ...(startup === undefined ? {} : { startupProbe: startup }),
  };
}

function resources(spec: ServiceSpec): k8s.ResourceRequirements {
  const quantities = (set: ServiceSpec['resources']['requests']) => ({
    cpu: k8s.Quantity.fromString(set.cpu),
    memory: k8s.Quantity.fromString(set.memory),
    'ephemeral-storage': k8s.Quantity.fromString(set.ephemeralStorage),
  });
  return { requests: quantities(spec.resources.requests), limits: quantities(spec.resources.limits) };
}

function tolerations(environment: Environment, spec: ServiceSpec): k8s.Toleration[] | undefined {
  if (!spec.spot) return undefined;
  const [keyValue = '', effect] = environment.cluster.spotTaint.split(':');
  const [key, value] = keyValue.split('=');
  return [{ key, operator: 'Equal', value, effect }];
}

function spread(environment: Environment, service: string, track: string, revisionLabel: string): k8s.TopologySpreadConstraint[] {
  const labelSelector = { matchLabels: workloadSelector({ name: service, environment: environment.name }, track) };
  const constraint = (topologyKey: string, whenUnsatisfiable: string): k8s.TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector,
    matchLabelKeys: [revisionLabel],
  });
  return [
    // Losing a zone must not take a service down. Dev clusters often have a single, unlabelled zone.
    constraint(ZONE, environment.tier === 'development' ? 'ScheduleAnyway' : 'DoNotSchedule'),
    constraint(HOST, 'ScheduleAnyway'),
  ];
}

/** OpenTelemetry SDK settings (seed 002: traces to the Jaeger collector), read by every OTel SDK. */
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
function terminationGraceSeconds(spec: ServiceSpec): number {
  return spec.queue === undefined ? 30 : spec.queue.taskTimeoutSeconds + 30;
}

export function podTemplate(props: PodTemplateProps): k8s.PodTemplateSpec {
  const { environment, service } = props;
  const spec = serviceOf(environment, service);
  const revisionLabel = props.revisionLabel ?? 'pod-template-hash';
  const track = props.track ?? MAIN_TRACK;
  const image = trackImage(spec, track);
  const hasSecrets = secretNamesOf(environment, service).length > 0;
  const env = tracingEnv(environment, service, image.tag);
  const container: k8s.Container = {
    name: service,
    image: imageReference(image),
    imagePullPolicy: 'IfNotPresent',
    ...(spec.kind === 'web'
      ? { ports: [{ name: HTTP_PORT_NAME, containerPort: spec.port!, protocol: 'TCP' }] }
      : {}),
    resources: resources(spec),
    securityContext: restrictedContainerSecurityContext(),
    ...probes(spec),
    ...(env.length === 0 ? {} : { env }),
    volumeMounts: [
      scratchMount(),
      ...(hasSecrets ? [{ name: 'secrets', mountPath: SECRETS_MOUNT_PATH, readOnly: true }] : []),
    ],
  };
  return {
    metadata: {
      labels: podLabels(environment, service, track),
      ...(environment.mesh.enabled && spec.kind === 'web' ? { annotations: metricsMergeAnnotations(spec) } : {}),
    },
    spec: {
      serviceAccountName: serviceAccountName(service),
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurityContext(),
      containers: [container],
      // The root filesystem is read-only; scratch space is an emptyDir capped at the ephemeral limit.
      volumes: [
        scratchVolume(spec.resources.limits.ephemeralStorage),
        // Credentials are files, readable by the pod's group only; never environment variables in a manifest.
        ...(hasSecrets ? [{ name: 'secrets', secret: { secretName: appSecretName(service), defaultMode: 0o440 } }] : []),
      ],
      terminationGracePeriodSeconds: terminationGraceSeconds(spec),
      nodeSelector: { [environment.cluster.nodePoolLabel]: spec.pool },
      tolerations: tolerations(environment, spec),
      topologySpreadConstraints: spread(environment, service, track, revisionLabel),
    },
  };
}
