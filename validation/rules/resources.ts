/**
 * pod/resources — every container, init containers included, declares requests and limits for cpu,
 * memory and ephemeral-storage, and no request exceeds its limit. Without ephemeral-storage limits a
 * log-happy container can evict its neighbours; without requests the scheduler overcommits nodes.
 */
import type { Violation } from '../types';
import { compareQuantities, parseExactQuantity as parseQuantity, type Quantity } from '../../lib/core/quantity';
import { asObj, containersOf, show, violation, type RuleFamily } from './model';

export const RESOURCES = 'pod/resources';

const NAMES = ['cpu', 'memory', 'ephemeral-storage'] as const;
const REQUIRED = `requests and limits are required for ${NAMES.join(', ')}`;

export const resourcesRules: RuleFamily = {
  ids: [RESOURCES],
  check(model, _ctx, out: Violation[]) {
    // The same few quantities repeat across every container; parse each spelling once per run.
    const cache = new Map<unknown, Quantity | undefined>();
    const parse = (raw: unknown): Quantity | undefined => {
      if (cache.has(raw)) return cache.get(raw);
      const q = parseQuantity(raw);
      cache.set(raw, q);
      return q;
    };
    for (const pod of model.pods) {
      for (const c of containersOf(pod)) {
        const resources = asObj(c.container.resources);
        const base = `${c.path}.resources`;
        const requests = asObj(resources?.requests);
        const limits = asObj(resources?.limits);
        for (const name of NAMES) {
          const req = check(requests, name, 'request', parse);
          const lim = check(limits, name, 'limit', parse);
          for (const [side, problem] of [
            ['requests', req],
            ['limits', lim],
          ] as const) {
            if ('message' in problem) {
              const path = problem.missing ? `${base}.${side}` : `${base}.${side}.${name}`;
              out.push(violation(RESOURCES, pod.entry, path, problem.message));
            }
          }
          if ('num' in req && 'num' in lim && compareQuantities(req, lim) > 0) {
            out.push(
              violation(
                RESOURCES,
                pod.entry,
                `${base}.requests.${name}`,
                `${name} request ${show(requests?.[name])} exceeds its limit ${show(limits?.[name])} (requests must be <= limits)`,
              ),
            );
          }
        }
      }
    }
  },
};

interface Problem {
  readonly message: string;
  /** Missing values are reported on the requests/limits map, bad values on the field itself. */
  readonly missing: boolean;
}

/** The parsed quantity, or why there is none. */
function check(
  side: Record<string, unknown> | undefined,
  name: string,
  noun: string,
  parse: (raw: unknown) => Quantity | undefined,
): Quantity | Problem {
  const raw = side?.[name];
  if (raw === undefined || raw === null) return { message: `missing ${name} ${noun} (${REQUIRED})`, missing: true };
  const q = parse(raw);
  if (!q) {
    return {
      message: `${name} ${noun} ${show(raw)} is not a Kubernetes quantity (e.g. 250m, 0.5, 512Mi, 1Gi, 1e3)`,
      missing: false,
    };
  }
  if (q.num < 0n) return { message: `${name} ${noun} ${show(raw)} is negative (quantities must be >= 0)`, missing: false };
  return q;
}
