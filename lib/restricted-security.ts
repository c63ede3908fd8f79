/**
 * Pod Security "restricted" as the platform writes it (SEC-07), for every pod it defines: non-root with a UID
 * above the host range, no privilege escalation, every capability dropped, RuntimeDefault seccomp, and
 * a read-only root filesystem with an emptyDir on /tmp for scratch space. One definition, so a
 * sandboxed project pod can never end up less hardened than a platform service.
 */
import { k8s } from 'cdk8s-plus-28';

/** The seccomp profile Pod Security "restricted" requires (or Localhost). */
export const RESTRICTED_SECCOMP = { type: 'RuntimeDefault' } as const;

/** Non-root UID/GID above the range (< 10000) that host users and system daemons occupy. */
export const RESTRICTED_UID = 10001;

/** The scratch volume that stands in for the read-only root filesystem. */
export const SCRATCH_VOLUME = 'tmp';
export const SCRATCH_PATH = '/tmp';

export function restrictedPodSecurityContext(uid: number = RESTRICTED_UID): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { ...RESTRICTED_SECCOMP },
  };
}

export function restrictedContainerSecurityContext(uid: number = RESTRICTED_UID): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { ...RESTRICTED_SECCOMP },
  };
}

/** The /tmp emptyDir, capped so that scratch files cannot outgrow the container's ephemeral limit. */
export function scratchVolume(sizeLimit: string): k8s.Volume {
  return { name: SCRATCH_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}

export function scratchMount(): k8s.VolumeMount {
  return { name: SCRATCH_VOLUME, mountPath: SCRATCH_PATH };
}
