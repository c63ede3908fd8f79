/**
 * The pod template every platform workload runs: Pod Security "restricted", resources on every
 * dimension, probes, pool placement and spread. Deployments and Rollouts share it, so a Rollout is
 * never less hardened than the Deployment it replaces.
 */
import { k8s } from 'cdk8s-plus-28';
import { CONFIG_MOUNT_PATH, HTTP_PORT_NAME, SECRETS_MOUNT_PATH } from './names';
import { resourceRequirements, type ResourceSpec } from './resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchMount, scratchVolume } from './restricted-security';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const PROBE_PERIOD_SECONDS = 10;

/** How a container proves it is alive and ready: an HTTP path on its port, or a command. */
export type HealthCheck = { readonly httpPath: string } | { readonly command: readonly string[] };

/** An image by repository and immutable tag, optionally pinned to a digest. */
export interface ImageSpec {
  readonly repository: string;
  readonly tag: string;
  /** @default - tag only */
  readonly digest?: string;
}

export function imageReference(image: ImageSpec): string {
  const tagged = `${image.repository}:${image.tag}`;
  return image.digest === undefined ? tagged : `${tagged}@${image.digest}`;
}

/** Where pods go: a node pool, spot tolerations, and how hard they spread across zones. */
export interface Placement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** @default - none */
  readonly tolerations?: readonly k8s.Toleration[];
  /** `DoNotSchedule` (a zone outage must not take the service down) or `ScheduleAnyway` (single-zone dev clusters). */
  readonly zoneSpread: 'DoNotSchedule' | 'ScheduleAnyway';
}

export interface PodTemplateProps {
  /** The container's name (the service's). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly serviceAccountName: string;
  readonly image: ImageSpec;
  /** The container port of a web service, named `http`. @default - no port (queue workers) */
  readonly port?: number;
  readonly health: HealthCheck;
  /** Seconds the container may take to start; adds a startup probe. @default - no startup probe */
  readonly startupSeconds?: number;
  readonly resources: ResourceSpec;
  /** @default - none */
  readonly env?: readonly k8s.EnvVar[];
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's arguments */
  readonly args?: readonly string[];
  /** Secret mounted as files in SECRETS_MOUNT_PATH. @default - none */
  readonly secretName?: string;
  /** ConfigMap mounted as files in CONFIG_MOUNT_PATH. @default - none */
  readonly configMapName?: string;
  readonly terminationGracePeriodSeconds: number;
  readonly placement: Placement;
  /** Labels the spread constraints count: the workload's own pods. */
  readonly spreadSelector: Readonly<Record<string, string>>;
  /**
   * Label the controller stamps on each revision's pods; spreading is computed per revision so a
   * rollout does not pile new pods onto the nodes the old ones leave free.
   * @default 'pod-template-hash' (Deployments)
   */
  readonly revisionLabel?: string;
}

function probes(
  health: HealthCheck,
  startupSeconds: number | undefined,
): Pick<k8s.Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
  const http = 'httpPath' in health;
  const check: k8s.Probe = http
    ? { httpGet: { path: health.httpPath, port: k8s.IntOrString.fromString(HTTP_PORT_NAME) } }
    : { exec: { command: [...health.command] } };
  const timeoutSeconds = http ? 2 : 15;
  const startup: k8s.Probe | undefined =
    startupSeconds === undefined
      ? undefined
      : {
          ...check,
          periodSeconds: PROBE_PERIOD_SECONDS,
          timeoutSeconds,
          failureThreshold: Math.ceil(startupSeconds / PROBE_PERIOD_SECONDS),
        };
  // Liveness asks only whether the server still accepts connections: the health path may report a
  // dependency down, and restarting every pod because the database is away makes the outage worse.
  // An exec check has no such split, so a worker's one command serves both, liveness slower to give up.
  const alive: k8s.Probe = http ? { tcpSocket: { port: k8s.IntOrString.fromString(HTTP_PORT_NAME) } } : check;
  return {
    readinessProbe: { ...check, periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds, failureThreshold: 3 },
    // Liveness is slower to give up than readiness: a busy pod is taken out of rotation long before it is killed.
    livenessProbe: { ...alive, periodSeconds: 2 * PROBE_PERIOD_SECONDS, timeoutSeconds, failureThreshold: 3 },
    ...(startup === undefined ? {} : { startupProbe: startup }),
  };
}

function spread(props: PodTemplateProps): k8s.TopologySpreadConstraint[] {
  const labelSelector = { matchLabels: { ...props.spreadSelector } };
  const matchLabelKeys = [props.revisionLabel ?? 'pod-template-hash'];
  const constraint = (topologyKey: string, whenUnsatisfiable: string): k8s.TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector,
    matchLabelKeys,
  });
  return [constraint(ZONE, props.placement.zoneSpread), constraint(HOST, 'ScheduleAnyway')];
}

export function podTemplate(props: PodTemplateProps): k8s.PodTemplateSpec {
  const env = props.env ?? [];
  const container: k8s.Container = {
    name: props.name,
    image: imageReference(props.image),
    imagePullPolicy: 'IfNotPresent',
    ...(props.command === undefined ? {} : { command: [...props.command] }),
    ...(props.args === undefined ? {} : { args: [...props.args] }),
    ...(props.port === undefined ? {} : { ports: [{ name: HTTP_PORT_NAME, containerPort: props.port, protocol: 'TCP' }] }),
    resources: resourceRequirements(props.resources),
    securityContext: restrictedContainerSecurityContext(),
    ...probes(props.health, props.startupSeconds),
    ...(env.length === 0 ? {} : { env: [...env] }),
    volumeMounts: [
      scratchMount(),
      ...(props.secretName === undefined ? [] : [{ name: 'secrets', mountPath: SECRETS_MOUNT_PATH, readOnly: true }]),
      ...(props.configMapName === undefined ? [] : [{ name: 'config', mountPath: CONFIG_MOUNT_PATH, readOnly: true }]),
    ],
  };
  const annotations = props.annotations ?? {};
  return {
    metadata: {
      labels: { ...props.labels },
      ...(Object.keys(annotations).length === 0 ? {} : { annotations: { ...annotations } }),
    },
    spec: {
      serviceAccountName: props.serviceAccountName,
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurityContext(),
      containers: [container],
      // The root filesystem is read-only; scratch space is an emptyDir capped at the ephemeral limit.
      volumes: [
        scratchVolume(props.resources.limits.ephemeralStorage),
        // Credentials are files, readable by the pod's group only; never environment variables in a manifest.
        ...(props.secretName === undefined ? [] : [{ name: 'secrets', secret: { secretName: props.secretName, defaultMode: 0o440 } }]),
        ...(props.configMapName === undefined ? [] : [{ name: 'config', configMap: { name: props.configMapName, defaultMode: 0o444 } }]),
      ],
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
      nodeSelector: { ...props.placement.nodeSelector },
      tolerations: props.placement.tolerations === undefined ? undefined : [...props.placement.tolerations],
      topologySpreadConstraints: spread(props),
    },
  };
}
