/**
 * What a rate limit counts by, checked on the limits the set holds:
 * - edge/rate-limit-key: an NGINX Gateway Fabric RateLimitPolicy keys on the client's address
 *   (`$binary_remote_addr`, `$remote_addr`) and fixed text only. Any other NGINX variable is either
 *   written by the client (`$http_*`, `$cookie_*`, `$arg_*`, the URI): a client picks a fresh value per
 *   request and is never limited; or empty in open-source NGINX (`$jwt_claim_*` needs NGINX Plus's
 *   auth_jwt, which NGF 2.6.7 offers only with Plus), and NGINX does not count a request whose key is
 *   empty (ngx_http_limit_req_module). A per-user limit is the mesh's (mesh/user-rate-limit).
 * - mesh/user-rate-limit: an EnvoyFilter that adds Envoy's local rate limit builds its descriptors
 *   from what a client cannot write: the payload of a token Envoy's jwt_authn filter verified
 *   (dynamic metadata `envoy.filters.http.jwt_authn`), the peer's address, fixed keys. A descriptor
 *   from a request header, a query parameter or a header match is the client's to choose. And a
 *   descriptor from the verified token needs a RequestAuthentication with JWT rules on the same pods:
 *   without one no token is verified, the metadata is never set, and nothing is counted.
 */
import type { Violation } from '../types';
import {
  asArray,
  asObj,
  asString,
  isObj,
  selectorMatches,
  show,
  violation,
  type Entry,
  type Model,
  type Obj,
  type RuleFamily,
} from './model';

export const RATE_LIMIT_KEY = 'edge/rate-limit-key';
export const USER_RATE_LIMIT = 'mesh/user-rate-limit';

const RATE_LIMIT_POLICY = 'gateway.nginx.org/RateLimitPolicy';
const ENVOY_FILTER = 'networking.istio.io/EnvoyFilter';
const REQUEST_AUTHENTICATION = 'security.istio.io/RequestAuthentication';
const LOCAL_RATE_LIMIT = 'envoy.filters.http.local_ratelimit';
const JWT_FILTER = 'envoy.filters.http.jwt_authn';
/** Istio's root namespace: its policies apply mesh-wide. */
const ROOT_NAMESPACE = 'istio-system';

/** The NGINX variables a client cannot write and open-source NGINX always sets. */
const TRUSTED_VARIABLES = new Set(['$binary_remote_addr', '$remote_addr']);

function checkPolicyKeys(model: Model, out: Violation[]): void {
  for (const policy of model.ofKind(RATE_LIMIT_POLICY)) {
    asArray(asObj(asObj(asObj(policy.obj.spec)?.rateLimit)?.local)?.rules).forEach((raw, i) => {
      const key = asString(asObj(raw)?.key) ?? '';
      const untrusted = (key.match(/\$\w+/g) ?? []).filter((variable) => !TRUSTED_VARIABLES.has(variable));
      if (untrusted.length === 0) return;
      const plus = untrusted.some((v) => v.startsWith('$jwt_'));
      out.push(
        violation(
          RATE_LIMIT_KEY,
          policy,
          `spec.rateLimit.local.rules[${i}].key`,
          `keys on ${untrusted.join(', ')}, ${plus ? 'which open-source NGINX leaves empty (auth_jwt is NGINX Plus), and a request with an empty key is not counted' : 'which the client writes: it picks a fresh value and is never limited'}; key on $binary_remote_addr at the edge, and count verified users in the mesh (ingress.userRateLimit)`,
        ),
      );
    });
  }
}

/** The local rate limit configs an EnvoyFilter adds, with their paths. */
function localRateLimits(filter: Entry): { readonly config: Obj; readonly path: string }[] {
  return asArray(asObj(filter.obj.spec)?.configPatches).flatMap((raw, i) => {
    const value = asObj(asObj(asObj(raw)?.patch)?.value);
    if (asString(value?.name) !== LOCAL_RATE_LIMIT) return [];
    const config = asObj(value?.typed_config) ?? asObj(value?.typedConfig);
    return config === undefined ? [] : [{ config, path: `spec.configPatches[${i}].patch.value.typed_config` }];
  });
}

/** Why an action's descriptor is the client's to choose, or undefined when it is not. */
function clientChosen(action: Obj): string | undefined {
  if (isObj(action.request_headers) || isObj(action.requestHeaders)) return 'a request header';
  if (isObj(action.query_parameters) || isObj(action.queryParameters)) return 'a query parameter';
  if (isObj(action.header_value_match) || isObj(action.headerValueMatch)) return 'a match on request headers';
  if (isObj(action.query_parameter_value_match) || isObj(action.queryParameterValueMatch)) return 'a match on query parameters';
  const metadata = asObj(action.metadata) ?? asObj(action.dynamic_metadata);
  if (metadata !== undefined) {
    const filter = asString(asObj(metadata.metadata_key ?? metadata.metadataKey)?.key);
    if (filter !== JWT_FILTER) return `metadata of ${show(filter)}, which no filter here verifies`;
  }
  return undefined;
}

function readsVerifiedToken(action: Obj): boolean {
  const metadata = asObj(action.metadata) ?? asObj(action.dynamic_metadata);
  return asString(asObj(metadata?.metadata_key ?? metadata?.metadataKey)?.key) === JWT_FILTER;
}

/** Whether a RequestAuthentication with JWT rules applies to pods with these labels. */
function verified(model: Model, namespace: string, labels: Readonly<Record<string, string>>): boolean {
  return model.ofKind(REQUEST_AUTHENTICATION).some((ra) => {
    const spec = asObj(ra.obj.spec) ?? {};
    if (asArray(spec.jwtRules).length === 0) return false;
    if (ra.namespace === ROOT_NAMESPACE && spec.selector === undefined) return true;
    return ra.namespace === namespace && (spec.selector === undefined || selectorMatches(spec.selector, labels));
  });
}

function checkEnvoyFilters(model: Model, out: Violation[]): void {
  for (const filter of model.ofKind(ENVOY_FILTER)) {
    for (const { config, path } of localRateLimits(filter)) {
      let readsToken = false;
      asArray(config.rate_limits ?? config.rateLimits).forEach((limit, l) => {
        asArray(asObj(limit)?.actions).forEach((raw, a) => {
          const action = asObj(raw) ?? {};
          readsToken ||= readsVerifiedToken(action);
          const why = clientChosen(action);
          if (why === undefined) return;
          out.push(
            violation(
              USER_RATE_LIMIT,
              filter,
              `${path}.rate_limits[${l}].actions[${a}]`,
              `counts by ${why}: a client chooses that value and gets a fresh bucket each time; key on the verified token's claims (metadata of ${JWT_FILTER}, payload)`,
            ),
          );
        });
      });
      if (!readsToken) continue;
      const labels = asObj(asObj(filter.obj.spec)?.workloadSelector)?.labels;
      const pods = isObj(labels) ? model.workloadsMatchingMap(filter.namespace, labels as Record<string, string>) : [];
      for (const w of pods) {
        if (verified(model, filter.namespace, w.pod.labels)) continue;
        out.push(
          violation(
            USER_RATE_LIMIT,
            filter,
            'spec.workloadSelector',
            `counts by the verified token's claims, but no RequestAuthentication with jwtRules applies to ${w.entry.id}: no token is verified there, so no request is counted; add one for the same pods`,
          ),
        );
      }
    }
  }
}

export const rateLimitKeyRules: RuleFamily = {
  ids: [RATE_LIMIT_KEY, USER_RATE_LIMIT],
  check(model, _ctx, out) {
    checkPolicyKeys(model, out);
    checkEnvoyFilters(model, out);
  },
};
