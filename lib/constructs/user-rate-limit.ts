/**
 * Requests a minute per verified user (SEC-03: 100 or 10,000) and by the user's tier (SEC-03:
 * 10,000 / 1,000 / 100 / 10), counted by the service's Istio sidecar.
 *
 * The key is only ever a claim of a token the sidecar has verified, never a header a client can set:
 * - A RequestAuthentication makes the sidecar verify each bearer token against the issuer's keys (a
 *   request with an invalid token is refused with 401; one without a token passes unverified). Istio
 *   1.31 puts a verified token's payload in Envoy's dynamic metadata, filter
 *   `envoy.filters.http.jwt_authn`, key `payload` (pilot/pkg/security/authn/policy_applier.go
 *   `PayloadInMetadata: filters.EnvoyJwtFilterPayload`, "payload" in pilot/pkg/xds/filters/filters.go).
 *   Dynamic metadata is written by filters, not by requests: a client cannot set it.
 * - An EnvoyFilter adds Envoy's local rate limit to the service's inbound HTTP chain, before the router
 *   (so after jwt_authn). Its `rate_limits` build each request's descriptor from that metadata (the
 *   user claim, and the tier claim when tiers are set); a request with no verified token has no
 *   descriptor and is limited per client address at the edge only. The descriptors' user entries
 *   have no value: Envoy keeps one token bucket per distinct user (dynamic descriptors, an LRU of
 *   `max_dynamic_descriptors` per descriptor). Both fields exist in the Envoy API Istio 1.31 builds
 *   against (go-control-plane envoy v1.37.1-0.20260713214202-ca8ce173c36f: LocalRateLimit fields 17
 *   `rate_limits` and 18 `max_dynamic_descriptors`; "Blank value is treated as wildcard to create
 *   dynamic token buckets for each unique value").
 *
 * Per replica: Envoy counts in each pod. A user whose requests the mesh spreads over N pods of the
 * service may make up to N times the limit in a minute; the limit is exact per pod. An exact count
 * across pods needs a shared counter (Envoy's global rate limit service with Redis, or NGINX Plus),
 * which the platform does not deploy. A user evicted from a pod's LRU starts a fresh count there.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  EnvoyFilter,
  EnvoyFilterSpecConfigPatchesApplyTo,
  EnvoyFilterSpecConfigPatchesMatchContext,
  EnvoyFilterSpecConfigPatchesPatchOperation,
} from '../../imports/networking.istio.io';
import { RequestAuthentication } from '../../imports/security.istio.io';
import { PropChecks } from '../prop-checks';
import type { BindingJson } from '../binding-json';
import type { RequestAuthenticationSpec } from '../../imports/security.istio.io';

/** Where Istio 1.31 puts a verified token's payload (dynamic metadata of Envoy's jwt_authn filter). */
export const JWT_METADATA = { filter: 'envoy.filters.http.jwt_authn', payload: 'payload' } as const;

/** The descriptor keys: the verified user, and the verified tier. */
const USER = 'user';
const TIER = 'tier';

/** An Envoy token bucket: `maxTokens` at once, then `tokensPerFill` every `fillIntervalSeconds`. */
export interface TokenBucket {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillIntervalSeconds: number;
}

/**
 * A bucket that admits exactly `perMinute` requests in any minute at most: it starts full, and a
 * minute holds at most ceil(60 / interval) refills, so the most is maxTokens + tokensPerFill ×
 * ceil(60 / interval). At least a fifth is served at once (a page's calls), the rest spread over the
 * minute in the finest whole-second steps that fit.
 */
export function userBucket(perMinute: number): TokenBucket {
  if (!Number.isInteger(perMinute) || perMinute < 2)
    throw new Error(`a per-user limit of ${perMinute} requests a minute: must be a whole number of at least 2`);
  const atOnce = Math.max(1, Math.floor(perMinute * 0.2));
  let best = { refilled: 0, tokensPerFill: 0, fillIntervalSeconds: 60 };
  for (let interval = 1; interval <= 60; interval++) {
    const fills = Math.ceil(60 / interval);
    const tokensPerFill = Math.floor((perMinute - atOnce) / fills);
    if (tokensPerFill >= 1 && tokensPerFill * fills > best.refilled)
      best = { refilled: tokensPerFill * fills, tokensPerFill, fillIntervalSeconds: interval };
  }
  return { maxTokens: perMinute - best.refilled, tokensPerFill: best.tokensPerFill, fillIntervalSeconds: best.fillIntervalSeconds };
}

/** The most requests a bucket admits in any minute. */
export function mostPerMinute(bucket: TokenBucket): number {
  return bucket.maxTokens + bucket.tokensPerFill * Math.ceil(60 / bucket.fillIntervalSeconds);
}

function envoyBucket(bucket: TokenBucket): Record<string, unknown> {
  return { max_tokens: bucket.maxTokens, tokens_per_fill: bucket.tokensPerFill, fill_interval: `${bucket.fillIntervalSeconds}s` };
}

/** A claim of the verified token, as a rate limit descriptor entry. */
function claimAction(descriptorKey: string, claim: string): Record<string, unknown> {
  return {
    metadata: {
      descriptor_key: descriptorKey,
      metadata_key: { key: JWT_METADATA.filter, path: [{ key: JWT_METADATA.payload }, { key: claim }] },
      source: 'DYNAMIC',
    },
  };
}

export interface UserRateLimitProps {
  /** The RequestAuthentication and the EnvoyFilter. */
  readonly name: string;
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The service's pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** The container port whose inbound requests are counted. */
  readonly port: number;
  /** The token issuer (`iss`), its key set, and the audiences a token must name. */
  readonly issuer: string;
  /** The URL of the issuer's JSON Web Key Set. */
  readonly jwksUri: string;
  /** The audiences (`aud`) a token must name, one at least. */
  readonly audiences: readonly string[];
  /** The claim that names the user. */
  readonly userClaim: string;
  /** Requests a minute per user (a token whose tier is not listed, or names none). */
  readonly requestsPerMinute: number;
  /** Limits by tier: the claim, and requests a minute for each of its values. @default - one limit for every user */
  readonly tiers?: { readonly claim: string; readonly limits: Readonly<Record<string, number>> };
  /** Users each pod keeps a count for (Envoy's LRU of dynamic descriptors). */
  readonly trackedUsers: number;
}

export class UserRateLimit extends Construct {
  constructor(scope: Construct, id: string, props: UserRateLimitProps) {
    super(scope, id);
    new PropChecks(this)
      .name('name', props.name)
      .port('port', props.port)
      .nonEmpty('audiences', props.audiences)
      .integer('requestsPerMinute', props.requestsPerMinute, 1)
      .integer('trackedUsers', props.trackedUsers, 1);
    // Written as JSON: the generated binding renders jwksUri as the deprecated jwks_uri.
    new ApiObject(this, 'Authentication', {
      ...RequestAuthentication.GVK,
      metadata: { name: props.name, labels: props.labels },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        // The application still reads the token it verifies itself (forwardOriginalToken).
        jwtRules: [{ issuer: props.issuer, jwksUri: props.jwksUri, audiences: [...props.audiences], forwardOriginalToken: true }],
      } satisfies BindingJson<RequestAuthenticationSpec>,
    });
    const tiers = Object.entries(props.tiers?.limits ?? {});
    const descriptors =
      props.tiers === undefined
        ? [{ entries: [{ key: USER }], token_bucket: envoyBucket(userBucket(props.requestsPerMinute)) }]
        : [
            // The first full match wins: each listed tier, then any other tier value at the default limit.
            ...tiers.map(([tier, limit]) => ({
              entries: [{ key: TIER, value: tier }, { key: USER }],
              token_bucket: envoyBucket(userBucket(limit)),
            })),
            { entries: [{ key: TIER }, { key: USER }], token_bucket: envoyBucket(userBucket(props.requestsPerMinute)) },
          ];
    const actions =
      props.tiers === undefined
        ? [claimAction(USER, props.userClaim)]
        : [
            {
              metadata: {
                ...(claimAction(TIER, props.tiers.claim).metadata as Record<string, unknown>),
                // A verified token without the tier claim counts at the default limit.
                default_value: 'none',
              },
            },
            claimAction(USER, props.userClaim),
          ];
    new EnvoyFilter(this, 'RateLimit', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        workloadSelector: { labels: { ...props.selector } },
        // Ordered explicitly after EnvoyFilters of default priority: the patch is relative (before the router).
        priority: 10,
        configPatches: [
          {
            applyTo: EnvoyFilterSpecConfigPatchesApplyTo.HTTP_UNDERSCORE_FILTER,
            match: {
              context: EnvoyFilterSpecConfigPatchesMatchContext.SIDECAR_UNDERSCORE_INBOUND,
              listener: {
                portNumber: props.port,
                filterChain: {
                  filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } },
                },
              },
            },
            patch: {
              // Just before the router: after jwt_authn, which writes the verified payload.
              operation: EnvoyFilterSpecConfigPatchesPatchOperation.INSERT_UNDERSCORE_BEFORE,
              value: {
                name: 'envoy.filters.http.local_ratelimit',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
                  stat_prefix: 'user_rate_limit',
                  // Requests with no verified user match no descriptor: the edge limits them per address.
                  token_bucket: { max_tokens: 1_000_000, tokens_per_fill: 1_000_000, fill_interval: '1s' },
                  always_consume_default_token_bucket: false,
                  filter_enabled: { runtime_key: 'user_rate_limit_enabled', default_value: { numerator: 100, denominator: 'HUNDRED' } },
                  filter_enforced: { runtime_key: 'user_rate_limit_enforced', default_value: { numerator: 100, denominator: 'HUNDRED' } },
                  rate_limited_as_resource_exhausted: true,
                  max_dynamic_descriptors: props.trackedUsers,
                  descriptors,
                  rate_limits: [{ actions }],
                },
              },
            },
          },
        ],
      },
    });
  }
}
