/** Endpoints outside the cluster a service calls: the hosts the mesh registers, the addresses NetworkPolicy allows. */
import { z } from 'zod';
import { cidr, dnsLabel, port, strict } from './common';

/** Where an external endpoint's addresses are, when it has no fixed ranges of its own. */
export const ExternalVia = {
  /**
   * Google's APIs (`*.googleapis.com`, Gemini's generativelanguage.googleapis.com among them) through
   * the cluster's Private Google Access range (`cluster.network.googleApis`, lib/gke-network.ts).
   */
  GOOGLE_APIS: 'google-apis',
} as const;

/**
 * An endpoint outside the cluster a service calls. Two facts, one per layer: the `hosts` it calls,
 * which the mesh registers (a ServiceEntry each; the namespace's sidecars reach registered hosts only),
 * and where they are, which NetworkPolicies need (they cannot name hosts): `cidrs`, or `via` a range
 * the cluster's network defines. `hosts: ['*']` with `cidrs: ['0.0.0.0/0']` declares a service that
 * must reach any public host (a scanner of user-given targets): its sidecar passes any host through.
 */
export const externalEndpoint = strict({
  name: dnsLabel,
  port,
  hosts: z
    .array(
      z
        .string()
        .regex(
          /^(\*|(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$/,
          'must be a DNS name such as api.example.com, a wildcard such as *.example.com, or * for any host',
        ),
    )
    .min(1),
  cidrs: z.array(cidr).min(1).optional(),
  via: z.enum([ExternalVia.GOOGLE_APIS], { error: () => 'must be google-apis' }).optional(),
}).superRefine((endpoint, ctx) => {
  if ((endpoint.cidrs === undefined) === (endpoint.via === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['cidrs'],
      input: endpoint.cidrs,
      message: 'must be set, or via, but not both: where the hosts are, for NetworkPolicy',
    });
  }
  if (endpoint.hosts.includes('*') && !(endpoint.cidrs ?? []).includes('0.0.0.0/0')) {
    ctx.addIssue({
      code: 'custom',
      path: ['hosts'],
      input: endpoint.hosts,
      message: '"*" (any host) goes only with cidrs ["0.0.0.0/0"]: name the hosts otherwise',
    });
  }
  if (endpoint.hosts.includes('*') && endpoint.hosts.length > 1) {
    ctx.addIssue({ code: 'custom', path: ['hosts'], input: endpoint.hosts, message: '"*" is every host: list nothing beside it' });
  }
  if (endpoint.via === ExternalVia.GOOGLE_APIS && endpoint.hosts.some((h) => !h.endsWith('.googleapis.com'))) {
    ctx.addIssue({
      code: 'custom',
      path: ['hosts'],
      input: endpoint.hosts,
      message: 'must be *.googleapis.com names: Private Google Access serves only Google APIs',
    });
  }
});
