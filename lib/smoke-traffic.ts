/**
 * The pod that sends smoke traffic to a blue-green preview while its gate runs: one request a second
 * to `{{args.service-name}}{{args.health-path}}` (Argo Rollouts fills the arguments in), failing on
 * the first error. Without it the preview gets no traffic at all, and its gate would have nothing to
 * judge.
 */
import type { k8s } from 'cdk8s-plus-28';
import { HEALTH_PATH_ARG, SERVICE_ARG } from './constructs/analysis-template';
import { imageReference, type ImageSpec } from './pod-template';
import { resourceRequirements } from './resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './restricted-security';

export interface SmokeTrafficPodProps {
  /** The image that sends the requests (curl). */
  readonly image: ImageSpec;
  /** The ServiceAccount the pod runs as. */
  readonly serviceAccountName: string;
  /** Labels of the pod. */
  readonly labels: Readonly<Record<string, string>>;
  /** Seconds to keep sending requests. */
  readonly durationSeconds: number;
  /**
   * The namespace is in the mesh: the pod gets Istio's proxy as a native sidecar, which ends with the
   * Job (a classic sidecar would keep the Job from ever completing).
   */
  readonly mesh: boolean;
}

export function smokeTrafficPod(props: SmokeTrafficPodProps): k8s.PodTemplateSpec {
  const script = [
    `end=$(( $(date +%s) + ${props.durationSeconds} ))`,
    'while [ "$(date +%s)" -lt "$end" ]; do',
    '  curl --fail --silent --show-error --max-time 5 --output /dev/null "http://$TARGET"',
    '  sleep 1',
    'done',
  ].join('\n');
  return {
    metadata: {
      labels: { ...props.labels },
      ...(props.mesh ? { annotations: { 'sidecar.istio.io/nativeSidecar': 'true' } } : {}),
    },
    spec: {
      serviceAccountName: props.serviceAccountName,
      automountServiceAccountToken: false,
      restartPolicy: 'Never',
      securityContext: restrictedPodSecurityContext(),
      containers: [
        {
          name: 'smoke',
          image: imageReference(props.image),
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-ec', script],
          env: [{ name: 'TARGET', value: `{{args.${SERVICE_ARG}}}{{args.${HEALTH_PATH_ARG}}}` }],
          resources: resourceRequirements({
            requests: { cpu: '50m', memory: '32Mi', ephemeralStorage: '16Mi' },
            limits: { cpu: '100m', memory: '32Mi', ephemeralStorage: '16Mi' },
          }),
          securityContext: restrictedContainerSecurityContext(),
        },
      ],
    },
  };
}
