/**
 * Rate limits per verified user and by tier (issue 19 #7): keyed only on the claims of a token the
 * service's Istio sidecar verified, never on anything a client writes; counted per pod, as stated.
 */
import { describe, expect, it } from 'vitest';
import { renderEnvironment, type RenderedEnvironment } from '../app/render';
import { validationContext } from '../app/synthesize';
import { buildEnvironment } from '../charts';
import type { EnvironmentOverlay } from '../environments';
import { resolveEnvironment } from '../environments/load';
import { platform } from '../environments/platform';
import staging from '../environments/staging';
import type { Manifest } from '../lib/core/manifest';
import { mostPerMinute, userBucket } from '../lib/constructs/user-rate-limit';
import { validate } from '../validation';
import { runRules } from '../validation/rules/all';
import { RATE_LIMIT_KEY, USER_RATE_LIMIT } from '../validation/rules/rate-limit-keys';
import type { M } from './fixtures/rules/factories';
import type { WithSpec } from './k8s-json';

type Bucket = { readonly max_tokens: number; readonly tokens_per_fill: number; readonly fill_interval: string };
type LocalRateLimit = {
  readonly descriptors: readonly {
    readonly entries: readonly { readonly key: string; readonly value?: string }[];
    readonly token_bucket: Bucket;
  }[];
  readonly rate_limits: readonly { readonly actions: readonly Readonly<Record<string, unknown>>[] }[];
  readonly max_dynamic_descriptors: number;
  readonly always_consume_default_token_bucket: boolean;
};
type EnvoyFilter = WithSpec<{
  readonly workloadSelector: { readonly labels: Readonly<Record<string, string>> };
  readonly configPatches: readonly {
    readonly applyTo: string;
    readonly match: { readonly context: string; readonly listener: Readonly<Record<string, unknown>> };
    readonly patch: { readonly operation: string; readonly value: { readonly name: string; readonly typed_config: LocalRateLimit } };
  }[];
}>;
type RequestAuthentication = WithSpec<{
  readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly jwtRules: readonly Readonly<Record<string, unknown>>[];
}>;

const IDENTITY = {
  issuer: 'https://auth.example.com/',
  jwksUri: 'https://auth.example.com/.well-known/jwks.json',
  audiences: ['platform'],
};

function overlay(ingress: Record<string, unknown>, extra: Partial<EnvironmentOverlay> = {}): EnvironmentOverlay {
  return { ...staging, ...extra, ingress: { ...staging.ingress, ...ingress } };
}

function render(o: EnvironmentOverlay): RenderedEnvironment & { readonly errors: string[] } {
  const env = resolveEnvironment(o, platform as unknown as Record<string, unknown>);
  const out = renderEnvironment(buildEnvironment(env));
  const errors = validate(out.objects, validationContext(env))
    .violations.filter((v) => v.severity === 'error')
    .map((v) => `${v.rule} ${v.object}: ${v.message}`);
  return { ...out, errors };
}

function named<T extends Manifest>(out: RenderedEnvironment, kind: string, name: string): T {
  const found = out.objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as T;
}

const most = (bucket: Bucket) =>
  mostPerMinute({
    maxTokens: bucket.max_tokens,
    tokensPerFill: bucket.tokens_per_fill,
    fillIntervalSeconds: Number.parseInt(bucket.fill_interval, 10),
  });

describe('per verified user (SEC-03: 10,000 a minute)', () => {
  const out = render(overlay({ identity: IDENTITY, userRateLimit: { requestsPerMinute: 10_000 } }));

  it('verifies the token at the API’s sidecar', () => {
    const ra = named<RequestAuthentication>(out, 'RequestAuthentication', 'backend-users');
    expect(ra.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend-staging' });
    expect(ra.spec.jwtRules).toEqual([{ ...IDENTITY, forwardOriginalToken: true }]);
  });

  it('counts each verified user (the token’s sub) in a bucket of their own, before the router, never from a header', () => {
    const filter = named<EnvoyFilter>(out, 'EnvoyFilter', 'backend-users');
    expect(filter.spec.workloadSelector.labels).toEqual({
      'app.kubernetes.io/name': 'backend',
      'app.kubernetes.io/instance': 'backend-staging',
    });
    const [patch, ...more] = filter.spec.configPatches;
    expect(more).toEqual([]);
    expect(patch!.applyTo).toBe('HTTP_FILTER');
    expect(patch!.match.context).toBe('SIDECAR_INBOUND');
    expect(patch!.match.listener).toEqual({
      portNumber: 8001,
      filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } },
    });
    expect(patch!.patch.operation).toBe('INSERT_BEFORE');
    const config = patch!.patch.value.typed_config;
    expect(config.rate_limits).toEqual([
      {
        actions: [
          {
            metadata: {
              descriptor_key: 'user',
              metadata_key: { key: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key: 'sub' }] },
              source: 'DYNAMIC',
            },
          },
        ],
      },
    ]);
    // A key with no value: one bucket per distinct user.
    expect(config.descriptors.map((d) => d.entries)).toEqual([[{ key: 'user' }]]);
    expect(most(config.descriptors[0]!.token_bucket)).toBe(10_000);
    expect(config.always_consume_default_token_bucket).toBe(false);
    expect(config.max_dynamic_descriptors).toBe(10_000);
  });

  it('validates with no error', () => {
    expect(out.errors).toEqual([]);
  });
});

describe('by tier (SEC-03: 10,000 / 1,000 / 100 / 10)', () => {
  const limits = { premium: 10_000, standard: 1_000, free: 100, suspicious: 10 };
  const out = render(overlay({ identity: IDENTITY, userRateLimit: { requestsPerMinute: 100, tiers: { claim: 'tier', limits } } }));
  const config = named<EnvoyFilter>(out, 'EnvoyFilter', 'backend-users').spec.configPatches[0]!.patch.value.typed_config;

  it('counts each user at the limit of the tier their verified token states, any other tier at the default', () => {
    expect(config.descriptors.map((d) => [d.entries, most(d.token_bucket)])).toEqual([
      [[{ key: 'tier', value: 'premium' }, { key: 'user' }], 10_000],
      [[{ key: 'tier', value: 'standard' }, { key: 'user' }], 1_000],
      [[{ key: 'tier', value: 'free' }, { key: 'user' }], 100],
      [[{ key: 'tier', value: 'suspicious' }, { key: 'user' }], 10],
      [[{ key: 'tier' }, { key: 'user' }], 100],
    ]);
    const keys = config.rate_limits[0]!.actions.map((a) => (a.metadata as { metadata_key: { key: string; path: unknown } }).metadata_key);
    expect(keys).toEqual([
      { key: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key: 'tier' }] },
      { key: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key: 'sub' }] },
    ]);
    expect(out.errors).toEqual([]);
  });
});

describe('a token bucket admits the stated minute, no more', () => {
  it('for every limit from 2 to 20,000', () => {
    for (let limit = 2; limit <= 20_000; limit += limit < 200 ? 1 : 97) {
      const bucket = userBucket(limit);
      expect(mostPerMinute(bucket), `${limit}`).toBe(limit);
      expect(bucket.maxTokens, `${limit}`).toBeGreaterThanOrEqual(Math.max(1, Math.floor(limit * 0.2)));
      expect(bucket.fillIntervalSeconds).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('a per-user limit that nothing enforces, or that a client could key, is refused', () => {
  const refused = (o: EnvironmentOverlay) => {
    try {
      resolveEnvironment(o, platform as unknown as Record<string, unknown>);
    } catch (error) {
      return String((error as Error).message);
    }
    throw new Error('accepted');
  };

  it('without an issuer to verify tokens', () => {
    expect(refused(overlay({ userRateLimit: { requestsPerMinute: 100 } }))).toMatch(
      /ingress\.userRateLimit = "userRateLimit": needs ingress\.identity: a user is a verified token's claim/,
    );
  });

  it('without the mesh, whose sidecars verify and count (the edge’s open-source NGINX cannot verify a JWT)', () => {
    expect(refused(overlay({ identity: IDENTITY, userRateLimit: { requestsPerMinute: 100 } }, { mesh: { enabled: false } }))).toMatch(
      /needs mesh\.enabled: nothing else here enforces it.*JWT authentication requires NGINX Plus/,
    );
  });

  it('on a service the edge does not route to', () => {
    expect(refused(overlay({ identity: IDENTITY, userRateLimit: { requestsPerMinute: 100, services: ['ai'] } }))).toMatch(
      /ingress\.userRateLimit\.services\[0\] = "ai": is not routed by the edge/,
    );
  });

  it('keyed on a header, a cookie or any key but a verified claim: the model has no field for it', () => {
    for (const key of [{ header: 'x-user-id' }, { key: '$http_x_user_id' }, { cookie: 'session' }]) {
      expect(
        refused(overlay({ identity: IDENTITY, userRateLimit: { requestsPerMinute: 100, ...key } } as Record<string, unknown>)),
      ).toMatch(/ingress\.userRateLimit.*(unknown|[Uu]nrecognized)/);
    }
    expect(refused(overlay({ identity: { ...IDENTITY, jwksUri: 'http://auth.example.com/jwks' } }))).toMatch(
      /jwksUri.*must be an https:\/\/ URL/,
    );
  });
});

describe('rules over rendered limits', () => {
  const base = () => structuredClone(render(overlay({ identity: IDENTITY, userRateLimit: { requestsPerMinute: 100 } })).objects) as M[];
  const findings = (objects: M[], rule: string) =>
    runRules(objects as Manifest[], { environment: 'staging', production: false })
      .filter((v) => v.rule === rule)
      .map((v) => `${v.object} ${v.path}: ${v.message}`);

  it('pass what the platform renders', () => {
    expect(findings(base(), RATE_LIMIT_KEY)).toEqual([]);
    expect(findings(base(), USER_RATE_LIMIT)).toEqual([]);
  });

  it('edge/rate-limit-key: a RateLimitPolicy keyed on a header a client writes, or on a claim open-source NGINX never sets', () => {
    const objects = base();
    const policy = objects.find((o) => o.kind === 'RateLimitPolicy');
    policy.spec.rateLimit.local.rules.push({ key: '$http_x_user_id', rate: '100r/m' }, { key: '$jwt_claim_sub', rate: '100r/m' });
    expect(findings(objects, RATE_LIMIT_KEY)).toEqual([
      'RateLimitPolicy/edge/public spec.rateLimit.local.rules[1].key: keys on $http_x_user_id, which the client writes: it picks a fresh value and is never limited; key on $binary_remote_addr at the edge, and count verified users in the mesh (ingress.userRateLimit)',
      'RateLimitPolicy/edge/public spec.rateLimit.local.rules[2].key: keys on $jwt_claim_sub, which open-source NGINX leaves empty (auth_jwt is NGINX Plus), and a request with an empty key is not counted; key on $binary_remote_addr at the edge, and count verified users in the mesh (ingress.userRateLimit)',
    ]);
  });

  it('mesh/user-rate-limit: an Envoy descriptor from a request header', () => {
    const objects = base();
    const filter = objects.find((o) => o.kind === 'EnvoyFilter');
    filter.spec.configPatches[0].patch.value.typed_config.rate_limits[0].actions = [
      { request_headers: { header_name: 'x-user-id', descriptor_key: 'user' } },
    ];
    expect(findings(objects, USER_RATE_LIMIT)).toEqual([
      "EnvoyFilter/platform/backend-users spec.configPatches[0].patch.value.typed_config.rate_limits[0].actions[0]: counts by a request header: a client chooses that value and gets a fresh bucket each time; key on the verified token's claims (metadata of envoy.filters.http.jwt_authn, payload)",
    ]);
  });

  it('mesh/user-rate-limit: counting verified users where no token is verified', () => {
    const objects = base().filter((o) => o.kind !== 'RequestAuthentication');
    expect(findings(objects, USER_RATE_LIMIT)).toEqual([
      "EnvoyFilter/platform/backend-users spec.workloadSelector: counts by the verified token's claims, but no RequestAuthentication with jwtRules applies to Rollout/platform/backend: no token is verified there, so no request is counted; add one for the same pods",
    ]);
  });
});
