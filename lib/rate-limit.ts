/**
 * NGINX's request limit (limit_req, which NGINX Gateway Fabric's RateLimitPolicy renders as
 * `limit_req zone=… burst=… nodelay`, internal/controller/nginx/config/policies/ratelimit/generator.go
 * at v2.6.7) is a leaky bucket: `rate` drains it, and up to `burst` requests beyond the rate are
 * accepted at once (`nodelay`) or queued. Starting idle, a client gets the request that finds the bucket
 * empty plus `burst` more at once, then one per 1/rate: in any minute, at most `burst + rate` requests
 * (ngx_http_limit_req_module: a request passes while the excess stays within `burst`). So `rate: 100r/m,
 * burst: 100, nodelay` lets 200 through in a minute, twice a stated 100.
 */

/** The limit a RateLimitPolicy is written to keep, requests a minute per key (rule edge/rate-limit reads it). */
export const STATED_LIMIT_ANNOTATION = 'platform/requests-per-minute';

/** The share of the minute's budget a client may spend at once (a page and its assets). */
const BURST_SHARE = 0.2;

export interface LeakyBucket {
  /** Requests a minute the bucket drains. */
  readonly ratePerMinute: number;
  /** Requests accepted at once beyond the rate (with nodelay). */
  readonly burst: number;
}

/** A bucket that admits at most `perMinute` requests in any minute: a fifth at once, the rest at the rate. */
export function bucketFor(perMinute: number): LeakyBucket {
  if (!Number.isInteger(perMinute) || perMinute < 1)
    throw new Error(`a rate limit of ${perMinute} requests a minute: must be a whole number of at least 1`);
  const burst = Math.floor(perMinute * BURST_SHARE);
  return { ratePerMinute: perMinute - burst, burst };
}

/** The most requests a limit_req rule admits in a minute: the rate, plus the burst when it is not delayed (or the part `delay` lets through). */
export function mostPerMinute(rule: {
  readonly rate: string;
  readonly burst?: number;
  readonly noDelay?: boolean;
  readonly delay?: number;
}): number | undefined {
  const m = /^(\d+)r\/([sm])$/.exec(rule.rate);
  if (!m) return undefined;
  const perMinute = Number(m[1]) * (m[2] === 's' ? 60 : 1);
  const immediate = rule.noDelay === true ? (rule.burst ?? 0) : Math.min(rule.delay ?? 0, rule.burst ?? 0);
  return perMinute + immediate;
}
