/**
 * pod/security-context — the Pod Security "restricted" profile plus kube-score/Polaris hardening:
 * non-root with a high UID (>= 10000 avoids colliding with host users), no privilege escalation, all
 * capabilities dropped (NET_BIND_SERVICE may be re-added), a seccomp profile, a read-only root
 * filesystem, and no host namespaces, host ports or hostPath volumes.
 */
import type { Violation } from '../types';
import { asArray, asObj, containersOf, isObj, show, violation, type ContainerRef, type Obj, type PodRef, type RuleFamily } from './model';

export const SECURITY = 'pod/security-context';

const MIN_UID = 10000;
const ALLOWED_ADDED_CAPABILITIES = new Set(['NET_BIND_SERVICE']);
const SECCOMP_TYPES = new Set(['RuntimeDefault', 'Localhost']);

export const securityRules: RuleFamily = {
  ids: [SECURITY],
  check(model, _ctx, out: Violation[]) {
    for (const pod of model.pods) {
      checkPodLevel(pod, out);
      for (const c of containersOf(pod)) checkContainer(pod, c, out);
    }
  },
};

function checkPodLevel(pod: PodRef, out: Violation[]): void {
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod.spec[field] === true) {
      out.push(
        violation(SECURITY, pod.entry, `${pod.path}.${field}`, `${field} is true (host namespaces are forbidden; must be false or unset)`),
      );
    }
  }
  asArray(pod.spec.volumes).forEach((v, i) => {
    if (isObj(v) && v.hostPath !== undefined) {
      out.push(
        violation(
          SECURITY,
          pod.entry,
          `${pod.path}.volumes[${i}].hostPath`,
          `volume "${String(v.name)}" mounts hostPath ${show(asObj(v.hostPath)?.path)} (hostPath volumes are forbidden)`,
        ),
      );
    }
  });
}

/** A setting read from the container's securityContext, falling back to the pod's. */
interface Effective {
  readonly value: unknown;
  readonly path: string;
}

function effective(pod: PodRef, c: ContainerRef, field: string): Effective {
  const csc = asObj(c.container.securityContext);
  if (csc && csc[field] !== undefined) return { value: csc[field], path: `${c.path}.securityContext.${field}` };
  const psc = asObj(pod.spec.securityContext);
  if (psc && psc[field] !== undefined) return { value: psc[field], path: `${pod.path}.securityContext.${field}` };
  return { value: undefined, path: `${c.path}.securityContext.${field}` };
}

function checkContainer(pod: PodRef, c: ContainerRef, out: Violation[]): void {
  const add = (path: string, message: string): void => {
    out.push(violation(SECURITY, pod.entry, path, `container "${c.name}": ${message}`));
  };
  const csc: Obj = asObj(c.container.securityContext) ?? {};
  const scPath = `${c.path}.securityContext`;

  const nonRoot = effective(pod, c, 'runAsNonRoot');
  if (nonRoot.value !== true) add(nonRoot.path, `runAsNonRoot is ${show(nonRoot.value)} (must be true on the container or the pod)`);

  const uid = effective(pod, c, 'runAsUser');
  if (typeof uid.value !== 'number' || uid.value < MIN_UID) {
    add(uid.path, `runAsUser is ${show(uid.value)} (must be set to a UID >= ${MIN_UID} on the container or the pod)`);
  }

  const seccomp = effective(pod, c, 'seccompProfile');
  const seccompType = asObj(seccomp.value)?.type;
  if (typeof seccompType !== 'string' || !SECCOMP_TYPES.has(seccompType)) {
    add(
      seccomp.value === undefined ? seccomp.path : `${seccomp.path}.type`,
      `seccompProfile type is ${show(seccompType)} (must be RuntimeDefault or Localhost)`,
    );
  }

  if (csc.allowPrivilegeEscalation !== false) {
    add(`${scPath}.allowPrivilegeEscalation`, `allowPrivilegeEscalation is ${show(csc.allowPrivilegeEscalation)} (must be false)`);
  }
  if (csc.privileged === true) add(`${scPath}.privileged`, 'privileged is true (must be false or unset)');
  if (csc.readOnlyRootFilesystem !== true) {
    add(
      `${scPath}.readOnlyRootFilesystem`,
      `readOnlyRootFilesystem is ${show(csc.readOnlyRootFilesystem)} (must be true; mount an emptyDir for scratch space)`,
    );
  }
  checkCapabilities(asObj(csc.capabilities), `${scPath}.capabilities`, add);

  asArray(c.container.ports).forEach((p, i) => {
    if (isObj(p) && typeof p.hostPort === 'number' && p.hostPort !== 0) {
      add(`${c.path}.ports[${i}].hostPort`, `hostPort ${p.hostPort} binds the node's network (hostPort is forbidden; use a Service)`);
    }
  });
}

function checkCapabilities(caps: Obj | undefined, path: string, add: (path: string, message: string) => void): void {
  const drop = asArray(caps?.drop);
  if (!drop.includes('ALL')) add(`${path}.drop`, `capabilities.drop is ${show(caps?.drop)} (must include ALL)`);
  const extra = asArray(caps?.add).filter((cap) => typeof cap !== 'string' || !ALLOWED_ADDED_CAPABILITIES.has(cap));
  if (extra.length > 0) add(`${path}.add`, `capabilities.add includes ${show(extra)} (only NET_BIND_SERVICE may be added)`);
}
