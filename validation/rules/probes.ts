/**
 * pod/probes — long-running containers declare readiness and liveness probes, and every network
 * probe points at a port the container declares. A probe on an undeclared port usually means the
 * port was renamed or moved and the probe silently fails, restarting healthy pods.
 */
import type { Violation } from '../types';
import { asArray, asObj, containersOf, isObj, show, violation, type ContainerRef, type PodRef, type RuleFamily } from './model';

export const PROBES = 'pod/probes';

const PROBE_FIELDS = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;
const REQUIRED_PROBES = ['readinessProbe', 'livenessProbe'] as const;

export const probesRules: RuleFamily = {
  ids: [PROBES],
  check(model, _ctx, out: Violation[]) {
    for (const pod of model.pods) {
      for (const c of containersOf(pod)) {
        // Plain init containers run to completion and may not have probes at all.
        if (c.init && !c.sidecar) continue;
        if (pod.longRunning) requireProbes(pod, c, out);
        for (const field of PROBE_FIELDS) checkProbePort(pod, c, field, out);
      }
    }
  },
};

function requireProbes(pod: PodRef, c: ContainerRef, out: Violation[]): void {
  for (const field of REQUIRED_PROBES) {
    if (!isObj(c.container[field])) {
      out.push(
        violation(
          PROBES,
          pod.entry,
          `${c.path}.${field}`,
          `container "${c.name}" has no ${field} (long-running containers need readinessProbe and livenessProbe)`,
        ),
      );
    }
  }
}

function checkProbePort(pod: PodRef, c: ContainerRef, field: string, out: Violation[]): void {
  const probe = asObj(c.container[field]);
  if (!probe) return;
  for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
    const h = asObj(probe[handler]);
    if (!h || h.port === undefined) continue;
    if (declaresPort(c, h.port)) continue;
    out.push(
      violation(
        PROBES,
        pod.entry,
        `${c.path}.${field}.${handler}.port`,
        `container "${c.name}" ${field} probes port ${show(h.port)}, which is not in its ports (declared: ${declaredPorts(c)})`,
      ),
    );
  }
}

function declaresPort(c: ContainerRef, port: unknown): boolean {
  return asArray(c.container.ports).some((p) => isObj(p) && (typeof port === 'number' ? p.containerPort === port : p.name === port));
}

function declaredPorts(c: ContainerRef): string {
  const ports = asArray(c.container.ports)
    .filter(isObj)
    .map((p) => (p.name ? `${String(p.name)}=${String(p.containerPort)}` : String(p.containerPort)));
  return ports.length > 0 ? ports.join(', ') : 'none';
}
