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
  /** @default - no component label */
  readonly component?: string;
  /** @default - no version label */
  readonly version?: string;
}

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
    ...(props.version === undefined ? {} : { 'app.kubernetes.io/version': props.version }),
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** Labels of platform-level objects that belong to no one service (the edge, the mesh baseline). */
export function platformLabels(environment: { name: string; partOf: string }, name: string): Record<string, string> {
  return recommendedLabels({ name, environment: environment.name, partOf: environment.partOf });
}

/** The recommended labels of everything one service owns (its version is added on pods only). */
export function serviceLabels(
  environment: { readonly name: string; readonly partOf: string; readonly services: Readonly<Record<string, { readonly component: string }>> },
  service: string,
): Record<string, string> {
  const spec = environment.services[service];
  if (!spec) throw new Error(`${environment.name}: no service "${service}"`);
  return recommendedLabels({ name: service, environment: environment.name, partOf: environment.partOf, component: spec.component });
}
