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

/**
 * `enforce` at the given level; `warn` and `audit` always at "restricted", so any pod that would not
 * pass it stays visible even where a lower level is enforced. The profiles are pinned to the cluster's
 * Kubernetes minor (`v1.35`), so what is admitted changes only when the environment's version does.
 */
export function podSecurityLabels(enforce: PodSecurityLevel, kubernetesVersion: string): Record<string, string> {
  const version = `v${kubernetesVersion}`;
  const level = (mode: string, value: string) => ({
    [`pod-security.kubernetes.io/${mode}`]: value,
    [`pod-security.kubernetes.io/${mode}-version`]: version,
  });
  return { ...level('enforce', enforce), ...level('warn', PodSecurityLevel.RESTRICTED), ...level('audit', PodSecurityLevel.RESTRICTED) };
}
