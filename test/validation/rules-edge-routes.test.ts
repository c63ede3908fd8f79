/**
 * edge/route-conflict and edge/unreachable (validation/rules/edge-routes.ts): fixtures are the
 * rendered edge of a registered environment with one thing broken.
 */
import { describe, expect, it } from 'vitest';
import { validationContext } from '../../app/synthesize';
import type { Manifest } from '../../lib/core/manifest';
import { runRules } from '../../validation/rules/all';
import { EDGE_UNREACHABLE, ROUTE_CONFLICT } from '../../validation/rules/edge-routes';
import type { M } from '../fixtures/rules/factories';
import { environment, rendered } from '../helpers';

function copy(env: string): M[] {
  return structuredClone(rendered(env).objects) as M[];
}

function byName(objects: M[], kind: string, name: string): M {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

function findings(env: string, objects: readonly M[], rule: string): string[] {
  return runRules(objects as Manifest[], validationContext(environment(env)))
    .filter((v) => v.rule === rule)
    .map((v) => `${v.object} ${v.path}: ${v.message}`);
}

describe(ROUTE_CONFLICT, () => {
  it('passes the rendered edge of staging, where the API has its own host', () => {
    expect(findings('staging', copy('staging'), ROUTE_CONFLICT)).toEqual([]);
  });

  it('fails one HTTPRoute for two hosts with different paths: the API’s / lands on the frontend’s host (staging before the fix)', () => {
    const objects = copy('staging');
    const backend = byName(objects, 'HTTPRoute', 'backend');
    const second = byName(objects, 'HTTPRoute', 'backend-2');
    // The route as it was written: both hostnames, both rules.
    backend.spec.hostnames = [...backend.spec.hostnames, ...second.spec.hostnames];
    backend.spec.parentRefs = [...backend.spec.parentRefs, ...second.spec.parentRefs];
    backend.spec.rules = [...backend.spec.rules, ...second.spec.rules];
    objects.splice(objects.indexOf(second), 1);
    expect(findings('staging', objects, ROUTE_CONFLICT)).toEqual([
      'HTTPRoute/edge/frontend spec.rules[0]: sends "/" (PathPrefix) of staging.example.com to other backends than HTTPRoute/edge/backend does: Gateway API gives a match to the oldest route, so which service answers depends on creation order; route each path of a host to one service',
    ]);
  });

  it('fails one path of one host routed to two services through two Gateways of the environment', () => {
    const objects = copy('prod');
    const frontend = byName(objects, 'HTTPRoute', 'frontend');
    const gateway = byName(objects, 'Gateway', frontend.spec.parentRefs[0].name);
    objects.push({ ...structuredClone(gateway), metadata: { ...gateway.metadata, name: 'internal' } });
    objects.push({
      ...structuredClone(frontend),
      metadata: { ...frontend.metadata, name: 'internal-api' },
      spec: {
        ...structuredClone(frontend.spec),
        parentRefs: frontend.spec.parentRefs.map((ref: M) => ({ ...ref, name: 'internal' })),
        rules: [{ ...frontend.spec.rules[0], backendRefs: [{ ...frontend.spec.rules[0].backendRefs[0], name: 'backend' }] }],
      },
    });
    expect(findings('prod', objects, ROUTE_CONFLICT)).toEqual([
      'HTTPRoute/edge/internal-api spec.rules[0]: sends "/" (PathPrefix) of app.example.com through Gateway edge/internal to other backends than HTTPRoute/edge/frontend does through Gateway edge/public: which service answers depends on where DNS sends the host; route each path of a host to one service',
    ]);
  });

  it('fails a GRPCRoute sharing a hostname with an HTTPRoute on the Gateway', () => {
    const objects = copy('prod');
    const frontend = byName(objects, 'HTTPRoute', 'frontend');
    objects.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { name: 'scan', namespace: frontend.metadata.namespace },
      spec: {
        parentRefs: frontend.spec.parentRefs,
        hostnames: frontend.spec.hostnames,
        rules: [{ backendRefs: frontend.spec.rules[0].backendRefs }],
      },
    });
    expect(findings('prod', objects, ROUTE_CONFLICT)).toEqual([
      'GRPCRoute/edge/scan spec.hostnames: app.example.com on Gateway edge/public is also a hostname of HTTPRoute/edge/backend: Gateway API accepts only one of an HTTPRoute and a GRPCRoute that share a hostname on a listener; give the gRPC service a host of its own',
    ]);
  });
});

describe(EDGE_UNREACHABLE, () => {
  it('passes every registered environment', () => {
    for (const env of ['dev', 'staging', 'prod']) expect(findings(env, copy(env), EDGE_UNREACHABLE)).toEqual([]);
  });

  it('fails a routed service whose mesh ALLOW does not name the edge', () => {
    const objects = copy('prod');
    const allow = byName(objects, 'AuthorizationPolicy', 'frontend');
    for (const rule of allow.spec.rules) {
      for (const from of rule.from) from.source.principals = from.source.principals.filter((p: string) => !p.includes('/ns/edge/'));
    }
    expect(findings('prod', objects, EDGE_UNREACHABLE)).toEqual([
      "HTTPRoute/edge/frontend spec.rules[0].backendRefs[0]: routes to Service/platform/frontend, whose pods (Deployment/platform/frontend) Istio authorization allows to no request from the edge (principal .../ns/edge/sa/public-nginx) on port 3000: every request answers 403; allow the edge's principal in an ALLOW AuthorizationPolicy of the service",
    ]);
  });

  it('fails a routed service that no ALLOW policy selects at all, under the namespace’s allow-nothing', () => {
    const objects = copy('prod').filter((o) => !(o.kind === 'AuthorizationPolicy' && o.metadata.name === 'frontend'));
    expect(findings('prod', objects, EDGE_UNREACHABLE)).toHaveLength(1);
  });

  it('fails an HTTPS listener whose certificate does not name its host', () => {
    const objects = copy('staging');
    const certificate = objects.find((o) => o.kind === 'Certificate' && o.metadata.namespace === 'edge');
    certificate.spec.dnsNames = certificate.spec.dnsNames.filter((n: string) => n !== 'api.staging.example.com');
    expect(findings('staging', objects, EDGE_UNREACHABLE)).toEqual([
      'Gateway/edge/public spec.listeners[2].tls.certificateRefs: listener "https-1" serves api.staging.example.com with Secret public-staging-tls, whose Certificate names staging.example.com: clients refuse the handshake; add api.staging.example.com to the certificate',
    ]);
  });
});
