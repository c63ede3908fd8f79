/**
 * Pod Security Admission's namespace labels (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
 * Every namespace the platform emits, its own and the add-ons', takes its labels from here.
 */

export const PodSecurityLevel = {
  RESTRICTED: 'restricted',
  BASELINE: 'baseline',
  PRIVILEGED: 'privileged',
} as const;
export type PodSecurityLevel = (typeof PodSecurityLevel)[keyof typeof PodSecurityLevel];

/** The Kubernetes minor the profiles are pinned to, so a cluster upgrade cannot change what is admitted. */
export const POD_SECURITY_VERSION = 'v1.28';

/**
 * `enforce` at the given level; `warn` and `audit` always at "restricted", so any pod that would not
 * pass it stays visible even where a lower level is enforced.
 */
export function podSecurityLabels(enforce: PodSecurityLevel, version: string = POD_SECURITY_VERSION): Record<string, string> {
  const level = (mode: string, value: string) => ({
    [`pod-security.kubernetes.io/${mode}`]: value,
    [`pod-security.kubernetes.io/${mode}-version`]: version,
  });
  return { ...level('enforce', enforce), ...level('warn', PodSecurityLevel.RESTRICTED), ...level('audit', PodSecurityLevel.RESTRICTED) };
}
