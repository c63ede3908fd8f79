/**
 * The app.kubernetes.io recommended labels. Selectors use only the two labels that never change over
 * an object's life (name and instance): a selector that includes the version would orphan the
 * running pods on every release.
 */
export const MANAGED_BY = 'cdk8s';

export interface LabelProps {
  /** The service, e.g. `backend`. */
  readonly name: string;
  /** The application the service is part of, e.g. `platform`. */
  readonly partOf: string;
  /** The environment, so that two environments in one cluster never select each other's pods. */
  readonly environment: string;
  /** The part of the service, e.g. `worker` (`app.kubernetes.io/component`). @default - no component label */
  readonly component?: string;
  /** A label value stops at 63 characters, so a longer version (still pinned in the image) is left out. @default - no version label */
  readonly version?: string;
}

/** The longest label value Kubernetes accepts. */
const LABEL_VALUE_MAX = 63;

/** Labels that select a service's pods. Stable across releases. */
export function selectorLabels(props: Pick<LabelProps, 'name' | 'environment'>): Record<string, string> {
  return {
    'app.kubernetes.io/name': props.name,
    'app.kubernetes.io/instance': `${props.name}-${props.environment}`,
  };
}

/**
 * Pod label naming the track (version line) a pod belongs to. Each track's workload selects only its
 * own pods, so an autoscaler never counts another track's pods; the Service selects all tracks.
 */
export const TRACK_LABEL = 'track';

/** Labels one workload selects: its service's pods of one track. */
export function workloadSelector(props: Pick<LabelProps, 'name' | 'environment'>, track: string): Record<string, string> {
  return { ...selectorLabels(props), [TRACK_LABEL]: track };
}

/** All recommended labels, for metadata and pod templates. */
export function recommendedLabels(props: LabelProps): Record<string, string> {
  return {
    ...selectorLabels(props),
    ...(props.component === undefined ? {} : { 'app.kubernetes.io/component': props.component }),
    'app.kubernetes.io/part-of': props.partOf,
    ...(props.version === undefined || props.version.length > LABEL_VALUE_MAX ? {} : { 'app.kubernetes.io/version': props.version }),
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** Labels of platform-level objects that belong to no one service (the edge, the mesh baseline). */
export function platformLabels(environment: { name: string; partOf: string }, name: string): Record<string, string> {
  return recommendedLabels({ name, environment: environment.name, partOf: environment.partOf });
}
