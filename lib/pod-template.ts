/**
 * The pod template every platform workload runs: Pod Security "restricted", resources on every
 * dimension, probes, pool placement and spread. Deployments and Rollouts share it, so a Rollout is
 * never less hardened than the Deployment it replaces.
 */
import { k8s } from 'cdk8s-plus-28';
import { CONFIG_MOUNT_PATH, HTTP_PORT_NAME, SECRETS_MOUNT_PATH } from './names';
import { resourceRequirements, type ResourceSpec } from './resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchMount, scratchVolume } from './restricted-security';
import { ZONE_SPREAD_NODE_POLICY } from './zone-spread';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const PROBE_PERIOD_SECONDS = 10;

/**
 * How a container proves it is alive and ready: an HTTP path on its port, the gRPC health protocol
 * (grpc.health.v1) on its port, or a command. A run-to-completion pod (a job's) has none.
 */
export type HealthCheck =
  | { readonly httpPath: string }
  | { readonly grpc: { readonly service?: string } }
  | { readonly command: readonly string[] };

/** The one port a container listens on. */
export interface ContainerPort {
  readonly number: number;
  /** The port's name, which probes and Services refer to. */
  readonly name: string;
}

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
  /** Labels of the pod. */
  readonly labels: Readonly<Record<string, string>>;
  /** Annotations of the pod. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The ServiceAccount the pod runs as. */
  readonly serviceAccountName: string;
  /** The container's image: repository, tag and, where pinned, digest. */
  readonly image: ImageSpec;
  /** The container port of a web service. @default - no port (workers, jobs) */
  readonly port?: ContainerPort;
  /**
   * The port the container serves its Prometheus metrics on, apart from `port`, which no Service
   * exposes. @default - no metrics port
   */
  readonly metricsPort?: ContainerPort;
  /** The readiness and liveness probes' check: an HTTP path on `port`, a gRPC health service, or a command. @default - no probes (a run-to-completion pod) */
  readonly health?: HealthCheck;
  /** `Never` for a job's pods (its Job retries). @default - Always (the pod spec's default) */
  readonly restartPolicy?: 'Never';
  /** Seconds the container may take to start; adds a startup probe. @default - no startup probe */
  readonly startupSeconds?: number;
  /** The container's requests and limits (CPU, memory, ephemeral storage). */
  readonly resources: ResourceSpec;
  /** The container's environment variables. @default - none */
  readonly env?: readonly k8s.EnvVar[];
  /** The container's command, replacing the image's entrypoint. @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** The container's arguments. @default - the image's arguments */
  readonly args?: readonly string[];
  /** Secret mounted as files in SECRETS_MOUNT_PATH. @default - none */
  readonly secretName?: string;
  /** ConfigMap mounted as files in CONFIG_MOUNT_PATH. @default - none */
  readonly configMapName?: string;
  /** Seconds the pod gets between SIGTERM and SIGKILL. */
  readonly terminationGracePeriodSeconds: number;
  /** Where the pod may run: node selector, tolerations and how hard it spreads over zones. */
  readonly placement: Placement;
  /** Labels the spread constraints count: the workload's own pods. @default - no spread (one pod at a time, a job's) */
  readonly spreadSelector?: Readonly<Record<string, string>>;
  /**
   * Label the controller stamps on each revision's pods; spreading is computed per revision so a
   * rollout does not pile new pods onto the nodes the old ones leave free.
   * @default 'pod-template-hash' (Deployments)
   */
  readonly revisionLabel?: string;
}

function probes(
  health: HealthCheck | undefined,
  port: ContainerPort | undefined,
  startupSeconds: number | undefined,
): Pick<k8s.Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
  if (health === undefined) return {};
  const served = !('command' in health);
  if (served && port === undefined) throw new Error('an HTTP or gRPC health check needs the container port');
  const portRef = k8s.IntOrString.fromString(port?.name ?? HTTP_PORT_NAME);
  const check: k8s.Probe =
    'httpPath' in health
      ? { httpGet: { path: health.httpPath, port: portRef } }
      : 'grpc' in health
        ? // The kubelet's gRPC probe takes the port by number only (core/v1 GRPCAction.port).
          { grpc: { port: port!.number, ...(health.grpc.service ? { service: health.grpc.service } : {}) } }
        : { exec: { command: [...health.command] } };
  const http = served;
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
  // Liveness asks only whether the server still accepts connections (AVL-02): the health path may report a
  // dependency down, and restarting every pod because the database is away makes the outage worse.
  // An exec check has no such split, so a worker's one command serves both, liveness slower to give up.
  const alive: k8s.Probe = http ? { tcpSocket: { port: portRef } } : check;
  return {
    readinessProbe: { ...check, periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds, failureThreshold: 3 },
    // Liveness is slower to give up than readiness: a busy pod is taken out of rotation long before it is killed.
    livenessProbe: { ...alive, periodSeconds: 2 * PROBE_PERIOD_SECONDS, timeoutSeconds, failureThreshold: 3 },
    ...(startup === undefined ? {} : { startupProbe: startup }),
  };
}

function spread(props: PodTemplateProps): k8s.TopologySpreadConstraint[] | undefined {
  if (props.spreadSelector === undefined) return undefined;
  const labelSelector = { matchLabels: { ...props.spreadSelector } };
  const matchLabelKeys = [props.revisionLabel ?? 'pod-template-hash'];
  const constraint = (topologyKey: string, whenUnsatisfiable: string): k8s.TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector,
    matchLabelKeys,
    ...(topologyKey === ZONE ? ZONE_SPREAD_NODE_POLICY : {}),
  });
  return [constraint(ZONE, props.placement.zoneSpread), constraint(HOST, 'ScheduleAnyway')];
}

export function podTemplate(props: PodTemplateProps): k8s.PodTemplateSpec {
  const env = props.env ?? [];
  if (props.port !== undefined && props.metricsPort !== undefined && props.port.number === props.metricsPort.number) {
    throw new Error(`${props.name}: metricsPort ${props.metricsPort.number} is the service port, which routes reach; choose another`);
  }
  const ports: k8s.ContainerPort[] = [props.port, props.metricsPort].flatMap((p) =>
    p === undefined ? [] : [{ name: p.name, containerPort: p.number, protocol: 'TCP' }],
  );
  const container: k8s.Container = {
    name: props.name,
    image: imageReference(props.image),
    imagePullPolicy: 'IfNotPresent',
    ...(props.command === undefined ? {} : { command: [...props.command] }),
    ...(props.args === undefined ? {} : { args: [...props.args] }),
    ...(ports.length === 0 ? {} : { ports }),
    resources: resourceRequirements(props.resources),
    securityContext: restrictedContainerSecurityContext(),
    ...probes(props.health, props.port, props.startupSeconds),
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
      ...(props.restartPolicy === undefined ? {} : { restartPolicy: props.restartPolicy }),
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
      nodeSelector: { ...props.placement.nodeSelector },
      tolerations: props.placement.tolerations === undefined ? undefined : [...props.placement.tolerations],
      topologySpreadConstraints: spread(props),
    },
  };
}
