/**
 * istio/validation: the checks Istio's validating webhook (istiod, `validation.istio.io`) makes that
 * the CRD schema does not, from istio/istio pkg/config/validation (ValidateVirtualService,
 * validateHTTPRoute, validateHTTPRetry, validateHTTPRouteDestinations, ValidateDestinationRule,
 * validateConnectionPool, validateOutlierDetection, ValidatePeerAuthentication,
 * ValidateAuthorizationPolicy). Once istiod switches its webhook to `failurePolicy: Fail`, an object
 * that breaks one of these is refused at apply, so a route Argo Rollouts must manage never exists.
 */
import type { Violation } from '../types';
import { GK, asArray, asObj, asString, isObj, show, violation, type Entry, type Obj, type RuleFamily } from './model';

export const ISTIO_VALIDATION = 'istio/validation';

/** Envoy retry conditions Istio accepts besides HTTP status codes (supportedRetryOnPolicies). */
const RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A Go/protobuf duration as Istio writes them: `1.5s`, `300ms`, `1m`, `2h`. */
const DURATION = /^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/;
const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };

/** Seconds of a duration, or undefined when it does not parse. */
function seconds(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, , unit] of text.matchAll(/(\d+(\.\d+)?)(h|ms|m|s|us|µs|ns)/g))
    total += Number(amount) * (UNIT_SECONDS[unit ?? 's'] ?? 1);
  return total;
}

/** agent.ValidateDuration: parses, at least 1ms, no finer than a millisecond. */
function checkDuration(entry: Entry, path: string, value: unknown, out: Violation[]): void {
  if (value === undefined) return;
  const s = typeof value === 'string' ? seconds(value) : undefined;
  if (s === undefined) {
    out.push(violation(ISTIO_VALIDATION, entry, path, `duration ${show(value)} does not parse (use e.g. 15s or 300ms)`));
  } else if (s < 0.001) {
    out.push(violation(ISTIO_VALIDATION, entry, path, `duration ${show(value)} is below 1ms`));
  } else if (Math.abs(s * 1000 - Math.round(s * 1000)) > 1e-9) {
    out.push(violation(ISTIO_VALIDATION, entry, path, `duration ${show(value)} is finer than a millisecond`));
  }
}

function checkRetries(entry: Entry, path: string, retries: Obj, out: Violation[]): void {
  const attempts = retries.attempts;
  if (typeof attempts === 'number' && attempts < 0)
    out.push(violation(ISTIO_VALIDATION, entry, `${path}.attempts`, 'attempts cannot be negative'));
  const configured = ['perTryTimeout', 'retryOn', 'retryRemoteLocalities'].filter(
    (key) => retries[key] !== undefined && retries[key] !== '',
  );
  if ((attempts === 0 || attempts === undefined) && configured.length > 0) {
    out.push(
      violation(
        ISTIO_VALIDATION,
        entry,
        path,
        `http retry policy configured when attempts are set to 0 (disabled): ${configured.join(', ')} must not be set; to turn retries off write only attempts: 0`,
      ),
    );
  }
  checkDuration(entry, `${path}.perTryTimeout`, retries.perTryTimeout, out);
  const retryOn = asString(retries.retryOn);
  for (const policy of retryOn === undefined || retryOn === '' ? [] : retryOn.split(',')) {
    const trimmed = policy.trim();
    if (!RETRY_ON.has(trimmed) && !/^[1-5]\d\d$/.test(trimmed)) {
      out.push(
        violation(
          ISTIO_VALIDATION,
          entry,
          `${path}.retryOn`,
          `${show(trimmed)} is not a retry condition Istio knows (an HTTP status code or one of ${[...RETRY_ON].join(', ')})`,
        ),
      );
    }
  }
}

function checkDestinationHost(entry: Entry, path: string, destination: Obj | undefined, out: Violation[]): void {
  const host = asString(destination?.host);
  if (host === undefined || host === '' || host === '*') {
    out.push(violation(ISTIO_VALIDATION, entry, `${path}.host`, `destination host ${show(host)} must name a service, not be empty or *`));
  }
  const subset = destination?.subset;
  if (subset !== undefined && (typeof subset !== 'string' || !DNS1123_LABEL.test(subset))) {
    out.push(violation(ISTIO_VALIDATION, entry, `${path}.subset`, `subset ${show(subset)} must be a DNS-1123 label`));
  }
}

function checkHttpRoute(entry: Entry, path: string, route: Obj, out: Violation[]): void {
  const actions = ['route', 'redirect', 'directResponse'].filter((key) => route[key] !== undefined);
  if (actions.length !== 1) {
    out.push(
      violation(
        ISTIO_VALIDATION,
        entry,
        path,
        `an HTTP route needs exactly one of route, redirect, directResponse (has ${actions.join(', ') || 'none'})`,
      ),
    );
  }
  const destinations = asArray(route.route).filter(isObj);
  let total = 0;
  destinations.forEach((d, i) => {
    const weight = d.weight ?? 0;
    if (typeof weight === 'number') {
      if (weight < 0) out.push(violation(ISTIO_VALIDATION, entry, `${path}.route[${i}].weight`, 'weight cannot be negative'));
      total += weight;
    }
    checkDestinationHost(entry, `${path}.route[${i}].destination`, asObj(d.destination), out);
  });
  if (destinations.length > 1 && total === 0) out.push(violation(ISTIO_VALIDATION, entry, `${path}.route`, 'total destination weight = 0'));
  checkDuration(entry, `${path}.timeout`, route.timeout, out);
  const retries = asObj(route.retries);
  if (retries) checkRetries(entry, `${path}.retries`, retries, out);
}

function checkVirtualService(entry: Entry, out: Violation[]): void {
  const spec = asObj(entry.obj.spec) ?? {};
  const hosts = asArray(spec.hosts);
  if (hosts.length === 0 && (spec.gateways !== undefined || spec.tls !== undefined || spec.tcp !== undefined)) {
    out.push(
      violation(ISTIO_VALIDATION, entry, 'spec.hosts', 'a delegate VirtualService (no hosts) may have only http routes and no gateways'),
    );
  }
  if (hosts.includes('*') && asArray(spec.gateways).every((g) => g === 'mesh')) {
    out.push(violation(ISTIO_VALIDATION, entry, 'spec.hosts', 'wildcard host * is not allowed for mesh-bound VirtualServices'));
  }
  if (new Set(hosts).size !== hosts.length) out.push(violation(ISTIO_VALIDATION, entry, 'spec.hosts', `duplicate hosts ${show(hosts)}`));
  if (asArray(spec.http).length + asArray(spec.tcp).length + asArray(spec.tls).length === 0) {
    out.push(violation(ISTIO_VALIDATION, entry, 'spec', 'http, tcp or tls routes required'));
  }
  asArray(spec.http).forEach((route, i) => {
    if (!isObj(route)) out.push(violation(ISTIO_VALIDATION, entry, `spec.http[${i}]`, 'an http route may not be null'));
    else checkHttpRoute(entry, `spec.http[${i}]`, route, out);
  });
}

function checkNonNegative(entry: Entry, path: string, fields: Obj | undefined, keys: readonly string[], out: Violation[]): void {
  for (const key of keys) {
    const value = fields?.[key];
    if (typeof value === 'number' && value < 0) out.push(violation(ISTIO_VALIDATION, entry, `${path}.${key}`, `${key} cannot be negative`));
  }
}

function checkTrafficPolicy(entry: Entry, path: string, policy: Obj, out: Violation[]): void {
  if (Object.keys(policy).length === 0) out.push(violation(ISTIO_VALIDATION, entry, path, 'traffic policy must have at least one field'));
  const pool = asObj(policy.connectionPool);
  if (pool !== undefined) {
    if (pool.tcp === undefined && pool.http === undefined)
      out.push(violation(ISTIO_VALIDATION, entry, `${path}.connectionPool`, 'connection pool must have at least one field'));
    checkNonNegative(entry, `${path}.connectionPool.tcp`, asObj(pool.tcp), ['maxConnections'], out);
    checkNonNegative(
      entry,
      `${path}.connectionPool.http`,
      asObj(pool.http),
      ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams'],
      out,
    );
    checkDuration(entry, `${path}.connectionPool.tcp.connectTimeout`, asObj(pool.tcp)?.connectTimeout, out);
    checkDuration(entry, `${path}.connectionPool.http.idleTimeout`, asObj(pool.http)?.idleTimeout, out);
  }
  const outlier = asObj(policy.outlierDetection);
  if (outlier !== undefined) {
    for (const key of ['maxEjectionPercent', 'minHealthPercent']) {
      const value = outlier[key];
      if (typeof value === 'number' && (value < 0 || value > 100))
        out.push(violation(ISTIO_VALIDATION, entry, `${path}.outlierDetection.${key}`, `${key} must be 0-100`));
    }
    checkDuration(entry, `${path}.outlierDetection.interval`, outlier.interval, out);
    checkDuration(entry, `${path}.outlierDetection.baseEjectionTime`, outlier.baseEjectionTime, out);
    if (outlier.consecutiveLocalOriginFailures !== undefined && outlier.splitExternalLocalOriginErrors !== true) {
      out.push(
        violation(
          ISTIO_VALIDATION,
          entry,
          `${path}.outlierDetection`,
          'consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors: true',
        ),
      );
    }
  }
}

function checkDestinationRule(entry: Entry, out: Violation[]): void {
  const spec = asObj(entry.obj.spec) ?? {};
  const host = asString(spec.host);
  if (host === undefined || host === '' || host === '*')
    out.push(violation(ISTIO_VALIDATION, entry, 'spec.host', `host ${show(host)} must name a service`));
  const policy = asObj(spec.trafficPolicy);
  if (policy !== undefined) checkTrafficPolicy(entry, 'spec.trafficPolicy', policy, out);
  const names = new Set<string>();
  asArray(spec.subsets).forEach((subset, i) => {
    const name = asString(asObj(subset)?.name);
    if (name === undefined || !DNS1123_LABEL.test(name))
      out.push(violation(ISTIO_VALIDATION, entry, `spec.subsets[${i}].name`, `subset name ${show(name)} must be a DNS-1123 label`));
    else if (names.has(name))
      out.push(violation(ISTIO_VALIDATION, entry, `spec.subsets[${i}].name`, `duplicate subset name ${show(name)}`));
    else names.add(name);
    const subsetPolicy = asObj(asObj(subset)?.trafficPolicy);
    if (subsetPolicy !== undefined) checkTrafficPolicy(entry, `spec.subsets[${i}].trafficPolicy`, subsetPolicy, out);
  });
}

function checkPeerAuthentication(entry: Entry, out: Violation[]): void {
  const spec = asObj(entry.obj.spec) ?? {};
  const portLevel = asObj(spec.portLevelMtls);
  if (portLevel !== undefined && spec.selector === undefined) {
    out.push(
      violation(ISTIO_VALIDATION, entry, 'spec.portLevelMtls', 'a namespace- or mesh-wide policy (no selector) may not set portLevelMtls'),
    );
  }
  if (portLevel !== undefined && Object.keys(portLevel).length === 0)
    out.push(violation(ISTIO_VALIDATION, entry, 'spec.portLevelMtls', 'portLevelMtls must not be empty'));
}

function checkAuthorizationPolicy(entry: Entry, out: Violation[]): void {
  const spec = asObj(entry.obj.spec) ?? {};
  const targets = ['selector', 'targetRef', 'targetRefs'].filter((key) => spec[key] !== undefined);
  if (targets.length > 1)
    out.push(
      violation(ISTIO_VALIDATION, entry, 'spec', `only one of selector, targetRef, targetRefs may be set (has ${targets.join(', ')})`),
    );
  const action = asString(spec.action) ?? 'ALLOW';
  const rules = asArray(spec.rules);
  if ((action === 'DENY' || action === 'CUSTOM') && rules.length === 0) {
    out.push(violation(ISTIO_VALIDATION, entry, 'spec.rules', `a ${action} policy without rules is meaningless`));
  }
  if (spec.provider !== undefined && action !== 'CUSTOM')
    out.push(violation(ISTIO_VALIDATION, entry, 'spec.provider', 'provider is only for the CUSTOM action'));
  rules.forEach((rule, i) => {
    const r = asObj(rule) ?? {};
    for (const key of ['from', 'to'] as const) {
      if (r[key] !== undefined && asArray(r[key]).length === 0)
        out.push(violation(ISTIO_VALIDATION, entry, `spec.rules[${i}].${key}`, `${key} may not be an empty list`));
    }
    asArray(r.from).forEach((from, j) => {
      const source = asObj(asObj(from)?.source);
      if (source === undefined || Object.keys(source).length === 0) {
        out.push(violation(ISTIO_VALIDATION, entry, `spec.rules[${i}].from[${j}].source`, 'source may not be empty'));
      } else if (source.serviceAccounts !== undefined && (source.principals !== undefined || source.namespaces !== undefined)) {
        out.push(
          violation(
            ISTIO_VALIDATION,
            entry,
            `spec.rules[${i}].from[${j}].source`,
            'serviceAccounts cannot be combined with principals or namespaces',
          ),
        );
      }
    });
    asArray(r.when).forEach((condition, j) => {
      const c = asObj(condition) ?? {};
      if (asString(c.key) === undefined || (asArray(c.values).length === 0 && asArray(c.notValues).length === 0)) {
        out.push(violation(ISTIO_VALIDATION, entry, `spec.rules[${i}].when[${j}]`, 'a condition needs a key and values or notValues'));
      }
    });
  });
}

export const istioValidationRules: RuleFamily = {
  ids: [ISTIO_VALIDATION],
  check(model, _ctx, out) {
    for (const entry of model.ofKind(GK.VirtualService)) checkVirtualService(entry, out);
    for (const entry of model.ofKind(GK.DestinationRule)) checkDestinationRule(entry, out);
    for (const entry of model.ofKind(GK.PeerAuthentication)) checkPeerAuthentication(entry, out);
    for (const entry of model.ofKind(GK.AuthorizationPolicy)) checkAuthorizationPolicy(entry, out);
  },
};
