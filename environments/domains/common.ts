/**
 * What every domain of the model is built from: zod's messages in the model's own words, the strict
 * object, and the value types (names, hosts, quantities, images, replicas, ports) more than one
 * domain uses. Importing it configures zod, so every domain file imports it first.
 */
import { z } from 'zod';
import { isQuantity } from '../../lib/core/quantity';

/**
 * Messages for the checks zod makes itself, in the form every other error here takes: what the field
 * must be. A missing field says it is required rather than "received undefined".
 */
z.config({
  customError: (issue) => {
    switch (issue.code) {
      case 'invalid_type':
        return issue.input === undefined
          ? `is required (${issue.expected})`
          : `must be ${issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}`;
      case 'too_small':
      case 'too_big': {
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const side = issue.code === 'too_small' ? 'at least' : 'at most';
        const exclusive = issue.inclusive === false ? (issue.code === 'too_small' ? 'more than' : 'less than') : side;
        if (issue.origin === 'array') return `must have ${side} ${String(bound)} item${bound === 1 ? '' : 's'}`;
        if (issue.origin === 'string') return `must be ${side} ${String(bound)} character${bound === 1 ? '' : 's'} long`;
        return `must be ${exclusive} ${String(bound)}`;
      }
      case 'not_multiple_of':
        return `must be a multiple of ${String(issue.divisor)}`;
      default:
        return undefined;
    }
  },
});

/**
 * A strict object whose unknown-key error lists the keys that are allowed, after an optional note
 * (what a key that belongs to another variant is for).
 */
export function strict<T extends z.ZodRawShape>(shape: T, note?: string) {
  const allowed = Object.keys(shape).join(', ');
  const prefix = note === undefined ? 'unknown key' : `unknown key (${note})`;
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `${prefix}; allowed keys: ${allowed}` : undefined),
  });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REPOSITORY = /^[a-z0-9]+([._\-/:][a-z0-9]+)*$/;

export const dnsLabel = z.string().regex(DNS_LABEL, 'must be a DNS-1123 label: lowercase letters, digits and "-", at most 63 characters');

export const hostname = z.string().regex(HOSTNAME, 'must be a fully qualified lowercase DNS name such as app.example.com');

export const quantity = z.string().refine(isQuantity, 'must be a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi');

const resourceSet = strict({
  cpu: quantity,
  memory: quantity,
  ephemeralStorage: quantity,
});

export const resources = strict({
  requests: resourceSet,
  limits: resourceSet,
});

export const image = strict({
  /** Registry and repository, e.g. `ghcr.io/acme/backend`. */
  repository: z.string().regex(REPOSITORY, 'must be an image repository such as ghcr.io/acme/backend, without a tag'),
  /** An immutable release tag; `latest` moves under you and is refused. */
  tag: z
    .string()
    .regex(IMAGE_TAG, 'must be an image tag: letters, digits, "_", "." and "-", at most 128 characters')
    .refine((tag) => tag !== 'latest', 'must pin a release; "latest" is not allowed'),
  /** @default - tag only */
  digest: z.string().regex(DIGEST, 'must be sha256: followed by 64 hex digits').optional(),
});

/**
 * The most replicas one autoscaler may reach, and the most nodes one pool may have: Kubernetes'
 * documented limits for a single cluster (5,000 nodes). They also bound what the capacity plan packs.
 */
export const MAX_REPLICAS = 5_000;
export const MAX_NODES = 5_000;

/** The largest value of an int32 field of the API (connection limits, counts). */
const INT32_MAX = 2_147_483_647;
export const int32 = z.number().int().max(INT32_MAX, `must be at most ${INT32_MAX} (an int32 field of the API)`);

export const replicas = strict({
  /** 0 only for queue workers that may scale to zero. */
  min: z.number().int().min(0, 'must be at least 0').max(MAX_REPLICAS, `must be at most ${MAX_REPLICAS}`),
  max: z.number().int().min(1, 'must be at least 1').max(MAX_REPLICAS, `must be at most ${MAX_REPLICAS}`),
});

export const cidr = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/,
    'must be an IPv4 CIDR such as 10.20.0.0/16',
  );

export const port = z.number().int().min(1).max(65535);

/** The environment's tier: production tiers get the stricter availability rules. */
export const Tier = { DEVELOPMENT: 'development', STAGING: 'staging', PRODUCTION: 'production' } as const;

/** What a domain's cross-field check reports its issues to. */
export type Ctx = z.RefinementCtx;
