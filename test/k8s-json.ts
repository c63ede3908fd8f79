/**
 * The JSON the tests read from rendered objects, typed by what they read: each shape lists the fields
 * a test looks at, optional where the API leaves them optional. A test that reads a field not listed
 * here adds it here (or declares a local shape for a custom resource), instead of casting to `any`.
 */
import type { Manifest } from '../lib/core/manifest';

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

export interface ProbeJson {
  readonly httpGet?: { readonly path: string; readonly port: string | number };
  readonly tcpSocket?: { readonly port: string | number };
  readonly grpc?: { readonly port: number; readonly service?: string };
  readonly exec?: { readonly command: readonly string[] };
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

export interface EnvVarJson {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: Readonly<Record<string, unknown>>;
}

export interface ContainerJson {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number; readonly protocol?: string }[];
  readonly env?: readonly EnvVarJson[];
  readonly resources: {
    readonly requests: Readonly<Record<string, string>>;
    readonly limits: Readonly<Record<string, string>>;
  };
  readonly securityContext: Readonly<Record<string, unknown>> & { readonly runAsUser?: number };
  readonly readinessProbe?: ProbeJson;
  readonly livenessProbe?: ProbeJson;
  readonly startupProbe?: ProbeJson;
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
  readonly lifecycle?: Readonly<Record<string, unknown>>;
}

export interface TopologySpreadJson {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: string;
  readonly labelSelector?: LabelSelector;
  readonly matchLabelKeys?: readonly string[];
}

export interface PodSpecJson {
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly hostNetwork?: boolean;
  readonly securityContext: Readonly<Record<string, unknown>> & { readonly runAsUser?: number };
  readonly containers: readonly ContainerJson[];
  readonly initContainers?: readonly ContainerJson[];
  readonly volumes?: readonly (Readonly<Record<string, unknown>> & { readonly name: string })[];
  readonly nodeSelector?: Labels;
  readonly tolerations?: readonly Readonly<Record<string, string>>[];
  readonly topologySpreadConstraints?: readonly TopologySpreadJson[];
  readonly terminationGracePeriodSeconds?: number;
  readonly affinity?: Readonly<Record<string, unknown>>;
  readonly restartPolicy?: string;
  readonly activeDeadlineSeconds?: number;
  readonly enableServiceLinks?: boolean;
}

export interface PodTemplateJson {
  readonly metadata: { readonly labels?: Labels; readonly annotations?: Labels };
  readonly spec: PodSpecJson;
}

/** A Deployment or an Argo Rollout: both carry a selector and a pod template. */
export interface WorkloadJson extends Manifest {
  readonly spec: {
    readonly replicas?: number;
    readonly selector: LabelSelector;
    readonly template: PodTemplateJson;
    readonly strategy?: Readonly<Record<string, unknown>> & {
      readonly canary?: Readonly<Record<string, unknown>>;
      readonly blueGreen?: Readonly<Record<string, unknown>>;
    };
    readonly [key: string]: unknown;
  };
}

export interface ServiceJson extends Manifest {
  readonly spec: {
    readonly type?: string;
    readonly selector?: Labels;
    readonly ports?: readonly {
      readonly name?: string;
      readonly port: number;
      readonly targetPort?: string | number;
      readonly protocol?: string;
    }[];
    readonly externalName?: string;
    readonly [key: string]: unknown;
  };
}

export interface HpaJson extends Manifest {
  readonly spec: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
    readonly metrics: readonly {
      readonly type: string;
      readonly resource?: { readonly name: string; readonly target: { readonly type: string; readonly averageUtilization?: number } };
    }[];
    readonly behavior?: {
      readonly scaleUp?: HpaRules;
      readonly scaleDown?: HpaRules;
    };
  };
}

export interface HpaRules {
  readonly stabilizationWindowSeconds?: number;
  readonly selectPolicy?: string;
  readonly policies: readonly { readonly type: string; readonly value: number; readonly periodSeconds: number }[];
}

export interface PdbJson extends Manifest {
  readonly spec: {
    readonly maxUnavailable?: number | string;
    readonly minAvailable?: number | string;
    readonly selector: LabelSelector;
    readonly unhealthyPodEvictionPolicy?: string;
  };
}

export interface NetworkPolicyPeerJson {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

export interface NetworkPolicyRuleJson {
  readonly from?: readonly NetworkPolicyPeerJson[];
  readonly to?: readonly NetworkPolicyPeerJson[];
  readonly ports?: readonly { readonly port?: number | string; readonly protocol?: string }[];
}

export interface NetworkPolicyJson extends Manifest {
  readonly spec: {
    readonly podSelector: LabelSelector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly NetworkPolicyRuleJson[];
    readonly egress?: readonly NetworkPolicyRuleJson[];
  };
}

/** A custom resource or any object whose spec a test reads through a local shape. */
export interface WithSpec<Spec> extends Manifest {
  readonly spec: Spec;
}
